"""A process killed with SIGKILL mid-write leaves a database that is intact and proves itself."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

from test_trust_support import ROOT, Clock, cli_env, make_services, open_case, run_cli, tick_all

from kindroute.store.db import open_database


def integrity(path) -> list[str]:  # type: ignore[no-untyped-def]
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def count(path, sql: str) -> int:  # type: ignore[no-untyped-def]
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def assert_sound(path) -> None:  # type: ignore[no-untyped-def]
    assert integrity(path) == ["ok"]
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith(": in orde")


def kill_after(proc: subprocess.Popen[str], marker: str, delay: float) -> None:
    """Wait for ``marker`` on the process's stdout, wait ``delay`` more, then SIGKILL it."""
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if marker in line or not line:
            break
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def test_demo_killed_midway_leaves_all_or_nothing(tmp_path):
    path = tmp_path / "demo.sqlite"
    open_database(str(path)).dispose()  # created and migrated, so the kill hits the inserts
    n = 100000
    cmd = [sys.executable, "-c", "from kindroute.cli import main; main()", "demo", "--db", str(path),
           "--cases", str(n), "--seed", "3"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
                            env=cli_env(), cwd=ROOT)
    # Kill once the inserts are under way: the open transaction spills pages into the WAL file.
    wal = path.with_name(path.name + "-wal")
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > 2_000_000:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the demo finished before the kill; raise the number of cases"
    cases = count(path, "SELECT count(*) FROM cases")
    assert cases in (0, n)
    if cases == 0:
        assert count(path, "SELECT count(*) FROM case_events") == 0
        assert count(path, "SELECT count(*) FROM pupils") == 0
    assert_sound(path)


STEP_SCRIPT = """
import sys
from kindroute.store.db import open_database
from kindroute.services import Services
db = open_database(sys.argv[1])
svc = Services(db)
me = svc.resolve_actor("Ingrid Bakker")
ids = [int(x) for x in sys.argv[2].split(",")]
print("started", flush=True)
for i, cid in enumerate(ids):
    svc.advance_case(me, cid, "naar_aanpak_groep", note="stap " + str(i) * 200)
    svc.add_note(me, cid, "daarna " + str(i))
    print("gezet", i, flush=True)
print("done", flush=True)
"""


def test_steps_killed_midway_are_whole_or_absent(tmp_path):
    path = tmp_path / "steps.sqlite"
    svc = make_services(open_database(str(path)), Clock())
    ids = []
    for i in range(150):  # a step takes about a millisecond: enough left to run when the kill lands
        cid = open_case(svc, f"Kind {i:03d} Test")
        tick_all(svc, cid)
        ids.append(cid)
    svc.db.dispose()
    proc = subprocess.Popen([sys.executable, "-c", STEP_SCRIPT, str(path), ",".join(map(str, ids))],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=cli_env(),
                            cwd=ROOT)
    kill_after(proc, "gezet 3", 0.05)
    assert proc.returncode == -signal.SIGKILL, "all steps done before the kill"
    stepped = count(path, "SELECT count(*) FROM case_tracks WHERE step = 'aanpak_groep'")
    assert 0 < stepped < len(ids), "kill did not land mid-way; adjust the delay"
    # every step is whole: track moved <=> event exists <=> step note exists <=> head/count match
    assert count(path, "SELECT count(*) FROM case_events WHERE kind = 'step'") == stepped
    assert count(path, "SELECT count(*) FROM notes WHERE text LIKE 'stap %'") == stepped
    assert count(path, "SELECT count(*) FROM cases c WHERE history_count = "
                       "(SELECT count(*) FROM case_events e WHERE e.case_id = c.id)") == len(ids)
    assert_sound(path)
