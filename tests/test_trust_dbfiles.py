"""Bad database files via the real command line: a clear message, a non-zero exit, the file untouched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from test_trust_support import _CLI as CLI
from test_trust_support import ROOT, Clock, cli_env, make_services, open_case, run_cli

from kindroute.errors import DatabaseProblem
from kindroute.store.db import open_database

# a reading and a writing command of the trust CLI
READ = ("audit", "verify")
WRITE = ("user", "add", "Nieuwe Persoon", "--role", "smw", "--organisation", "SMW")


def fingerprint(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size


def real_db(path: Path, cases: int = 12) -> Path:
    svc = make_services(open_database(str(path)), Clock())
    for i in range(cases):
        cid = open_case(svc, f"Kind {i:03d} Test")
        svc.add_note(svc.resolve_actor("Ingrid Bakker"), cid, f"notitie {i} " + "x" * 3000)
    svc.db.dispose()
    for extra in ("-wal", "-shm"):
        assert not Path(f"{path}{extra}").exists()
    return path


def cli_proc(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLI, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env(), cwd=ROOT)


def assert_refused_untouched(path: Path, expected: str) -> None:
    """A reading and a writing command both refuse; the file stays as it was."""
    before = fingerprint(path)
    for args in (READ, WRITE):
        r = run_cli(*args, "--db", str(path))
        assert r.returncode == DatabaseProblem.exit_code, (args, r.stdout, r.stderr)
        assert expected in r.stderr, r.stderr
        assert fingerprint(path) == before, args


def test_new_database_file_is_private(tmp_path):
    path = tmp_path / "sub" / "nieuw.sqlite"
    r = run_cli(*WRITE, "--db", str(path))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_text_file_is_refused(tmp_path):
    path = tmp_path / "notities.txt"
    path.write_text("Dit is geen database.\n" * 50)
    assert_refused_untouched(path, "geen SQLite-database")


def test_other_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "ander.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE klanten (id INTEGER PRIMARY KEY, naam TEXT)")
    con.execute("INSERT INTO klanten (naam) VALUES ('Jansen')")
    con.commit()
    con.close()
    assert_refused_untouched(path, "geen kindroute-database")


def test_database_from_a_newer_kindroute_is_refused(tmp_path):
    path = real_db(tmp_path / "nieuwer.sqlite", cases=2)
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    assert_refused_untouched(path, "nieuwere versie van kindroute")


@pytest.mark.parametrize("where", [0.45, 0.8])
def test_corrupt_database_is_refused(tmp_path, where):
    path = real_db(tmp_path / "kapot.sqlite")
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(int(size * where))
        fh.write(b"GARBAGE!" * 2048)  # 16 kB: the page headers it hits no longer make sense
    assert_refused_untouched(path, "beschadigd")


def test_locked_database_is_refused(tmp_path):
    path = real_db(tmp_path / "op-slot.sqlite", cases=3)
    before = fingerprint(path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('PRAGMA locking_mode = EXCLUSIVE')\n"
         "c.execute('BEGIN EXCLUSIVE')\n"
         "print('locked', flush=True)\n"
         "time.sleep(60)\n",
         str(path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        runs = [cli_proc(*args, "--db", str(path)) for args in (READ, WRITE)]
        for run in runs:
            out, err = run.communicate(timeout=60)
            assert run.returncode == DatabaseProblem.exit_code, (out, err)
            assert "vergrendeld door een ander programma" in err
            assert "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()
    assert fingerprint(path) == before
    # and once the lock is gone the same database opens fine
    r = run_cli(*READ, "--db", str(path))
    assert r.returncode == 0, r.stderr


def test_unreadable_file_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root can read anything")
    path = real_db(tmp_path / "geheim.sqlite", cases=1)
    path.chmod(0)
    r = run_cli(*READ, "--db", str(path))
    assert r.returncode == DatabaseProblem.exit_code
    assert "Geen toegang" in r.stderr
