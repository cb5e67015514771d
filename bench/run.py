"""Kindroute at scale: one command that builds its data, measures, and prints a table.

    python bench/run.py [--cases 100000] [--quick] [--only P1,P3] [--json out.json]

Every figure is measured several times and reported as a median (min, max) next to a
floor measured in the same run; the ratio against the floor is what counts on a noisy
machine. See bench/README.md for what each figure means and how it is taken.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PY = sys.executable
SEED = 7
FLOOR_CASES = 1000
COLS, LINES = 120, 40


# ----------------------------------------------------------------------------- results
@dataclass
class Figure:
    id: str
    what: str
    samples: list[float] = field(default_factory=list)
    unit: str = "ms"
    floor: list[float] = field(default_factory=list)
    floor_what: str = ""
    target: str = ""
    ok: bool | None = None
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor) if self.floor else None

    @property
    def ratio(self) -> float | None:
        if self.median is None or not self.floor_median:
            return None
        return self.median / self.floor_median

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "what": self.what, "unit": self.unit, "samples": self.samples,
            "median": self.median, "floor": self.floor, "floor_median": self.floor_median,
            "floor_what": self.floor_what, "ratio": self.ratio, "target": self.target, "ok": self.ok,
            "note": self.note,
        }


def fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "ms":
        return f"{v:.1f}" if v < 1000 else f"{v / 1000:.2f}s"
    if unit == "MB":
        return f"{v:.1f}MB"
    if unit == "s":
        return f"{v:.1f}s"
    return f"{v:.3g}{unit}"


def spread(samples: Sequence[float], unit: str) -> str:
    if not samples:
        return "—"
    return f"{fmt(statistics.median(samples), unit)} ({fmt(min(samples), unit)}–{fmt(max(samples), unit)})"


def print_table(figures: list[Figure]) -> None:
    rows = [("id", "what", "median (min–max)", "floor median (min–max)", "ratio", "target", "ok")]
    for f in figures:
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        ok = {True: "yes", False: "NO", None: "—"}[f.ok]
        rows.append((f.id, f.what, spread(f.samples, f.unit), spread(f.floor, f.unit), ratio, f.target, ok))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    notes = [f for f in figures if f.note]
    if notes:
        print()
        for f in notes:
            print(f"{f.id}: {f.note}")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- data
def kindroute_command() -> list[str]:
    """The kindroute console script, run by this Python (as the floor app is)."""
    script = Path(PY).parent / "kindroute"
    if script.exists():
        return [PY, str(script)]
    found = shutil.which("kindroute")
    if found:
        return [PY, found]
    return [PY, "-m", "kindroute.cli"]


def child_env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINDROUTE_")}
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env.update(
        XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"), TERM="xterm-256color", COLUMNS=str(COLS), LINES=str(LINES),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.pop("TEXTUAL", None)
    env.update(extra)
    return env


def build_demo(path: Path, cases: int, workdir: Path) -> float:
    """``kindroute demo --db PATH --cases N --seed S``; returns the wall time in seconds."""
    cmd = kindroute_command() + ["demo", "--db", str(path), "--cases", str(cases), "--seed", str(SEED)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, env=child_env(workdir), capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def pick_person(path: Path) -> str:
    """The IB of the first school: the person whose worklist and case list are the largest."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute(
            "SELECT id FROM people WHERE active AND (' ' || roles || ' ') LIKE '% ib %' "
            "ORDER BY school_id, id LIMIT 1"
        ).fetchone() or con.execute("SELECT id FROM people ORDER BY id LIMIT 1").fetchone()
    finally:
        con.close()
    if row is None:
        raise RuntimeError(f"{path} has no people")
    return str(row[0])


# ----------------------------------------------------------------------------- P1: start-up in a pty
def start_in_pty(cmd: list[str], env: dict[str, str], ready: Path, timeout: float,
                 rows: Path | None = None) -> tuple[float, float | None, int]:
    """Spawn ``cmd`` on a pseudo-terminal; seconds from spawn to each marker, and its pid.

    ``ready`` is the file named by ``KINDROUTE_READY_FILE`` (first interactive frame);
    ``rows``, when given, the one named by ``KINDROUTE_ROWS_FILE`` (the worklist's rows
    shown), and the process then runs until that marker is there too. The terminal's
    output is drained all the time (a full pty would block the app). The process group is
    killed once the markers are there.
    """
    import fcntl
    import pty
    import select
    import struct
    import termios

    ready.unlink(missing_ok=True)
    env = dict(env, KINDROUTE_READY_FILE=str(ready))
    if rows is not None:
        rows.unlink(missing_ok=True)
        env["KINDROUTE_ROWS_FILE"] = str(rows)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))
    t0 = time.time()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ready.parent,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    tail = b""
    marks: dict[Path, float] = {}
    try:
        deadline = time.monotonic() + timeout
        while True:
            for marker in (ready, rows):
                if marker is not None and marker not in marks and marker.exists() and marker.stat().st_size:
                    text = marker.read_text().split()
                    if text:
                        marks[marker] = float(text[0]) - t0
            if ready in marks and (rows is None or rows in marks):
                return marks[ready], marks.get(rows) if rows is not None else None, proc.pid
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[-1]} exited ({proc.returncode}) before it was ready: "
                                   f"{tail[-600:].decode(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd} not ready after {timeout:.0f}s")
            r, _, _ = select.select([master], [], [], 0.005)
            if r:
                try:
                    tail = (tail + os.read(master, 65536))[-4000:]
                except OSError:
                    pass
    finally:
        stop(proc, master)


def stop(proc: subprocess.Popen[bytes], master: int) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    os.close(master)


def measure_start(db: Path | None, who: str | None, reps: int, workdir: Path,
                  warm: bool = False) -> tuple[list[float], list[float]]:
    """Start-up times (ms) of kindroute on ``db`` (or of the floor app when db is None).

    Returns the times to the ready marker and, for kindroute, to the rows marker. Both apps
    run with compiled bytecode, as an installed package does: byte code lives under
    ``workdir/pycache`` (``PYTHONPYCACHEPREFIX``, so the source tree stays clean) and is
    written only by a ``warm`` start, whose times are not samples.
    """
    if db is None:
        cmd, env = [PY, str(BENCH / "floor_app.py")], child_env(workdir)
    else:
        cmd = kindroute_command()
        env = child_env(workdir, KINDROUTE_DB=str(db), KINDROUTE_USER=str(who))
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    if warm:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    rows = workdir / "rows" if db is not None else None
    ready_ms: list[float] = []
    rows_ms: list[float] = []
    for _ in range(reps):
        to_ready, to_rows, _pid = start_in_pty(cmd, env, workdir / "ready", timeout=120, rows=rows)
        ready_ms.append(to_ready * 1000)
        if to_rows is not None:
            rows_ms.append(to_rows * 1000)
    return ready_ms, rows_ms


def measure_starts(fig: Figure, rows_fig: Figure | None, db: Path, who: str, reps: int,
                   workdir: Path) -> None:
    """P1 (and P1b into ``rows_fig``): kindroute on ``db`` against the floor app, interleaved."""
    measure_start(None, None, 1, workdir, warm=True)  # byte code and page cache, for both
    measure_start(db, who, 1, workdir, warm=True)
    for _ in range(reps):  # interleave, so drift hits both alike
        floor, _ = measure_start(None, None, 1, workdir)
        ready, rows = measure_start(db, who, 1, workdir)
        fig.floor += floor
        fig.samples += ready
        if rows_fig is not None:
            rows_fig.floor += floor
            rows_fig.samples += rows


# ----------------------------------------------------------------------------- P2/P4: the TUI probe
def run_probe(db: Path, who: str, rounds: int, workdir: Path, text: str = "jans") -> dict[str, Any]:
    cmd = [PY, str(BENCH / "tui_probe.py"), "--db", str(db), "--who", who, "--text", text,
           "--rounds", str(rounds)]
    proc = subprocess.run(cmd, env=child_env(workdir), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"tui_probe failed on {db.name}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- P3: steps
def prepare_steps(path: Path, n: int) -> list[tuple[int, str, int]]:
    """Choose ``n`` open cases that can take a step guarded by the checklist only, and tick it.

    Returns (case id, trigger, acting IB person id). One IB per school is added for the
    benchmark, so the data generator's people do not matter.
    """
    from kindroute.workflow import load_route

    route = load_route()
    main = route.main_track.id
    simple: dict[str, str] = {}
    for t in route.triggers.values():
        if t.track == main and all(g.name == "checklist_complete" for g in t.guards):
            for src in t.sources:
                simple.setdefault(src, t.id)
    con = sqlite3.connect(path)
    try:
        marks = ",".join("?" * len(simple))
        rows = con.execute(
            f"SELECT c.id, c.school_id, t.step, t.entered_seq FROM cases c JOIN case_tracks t "
            f"ON t.case_id = c.id AND t.track = ? WHERE c.status = 'open' AND t.step IN ({marks}) "
            f"ORDER BY c.id LIMIT ?", (main, *simple, n),
        ).fetchall()
        if len(rows) < n:
            raise RuntimeError(f"only {len(rows)} cases can take a checklist-only step; need {n}")
        ib: dict[int, int] = {}
        for school_id in sorted({r[1] for r in rows}):
            cur = con.execute(
                "INSERT INTO people (name, organisation, roles, school_id, active, created_at) "
                "VALUES (?, NULL, 'ib', ?, 1, '2026-01-01 00:00:00.000000')",
                (f"Bench IB {school_id}", school_id),
            )
            ib[school_id] = int(cur.lastrowid or 0)
        ticks = []
        for case_id, school_id, step, visit in rows:
            for item in route.steps[step].checklist:
                ticks.append((case_id, step, item.id, ib[school_id], visit))
        con.executemany(
            "INSERT OR IGNORE INTO checklist_ticks (case_id, step, item, done_by_id, done_at, visit) "
            "VALUES (?, ?, ?, ?, '2026-01-01 00:00:00.000000', ?)", ticks,
        )
        con.commit()
    finally:
        con.close()
    return [(case_id, simple[step], ib[school_id]) for case_id, school_id, step, _v in rows]


def steps_via_services(path: Path, work: list[tuple[int, str, int]]) -> float:
    """Seconds for ``Services.advance_case`` over ``work``, each step its own transaction."""
    from kindroute.bootstrap import open_services

    front = open_services(str(path))
    try:
        services = front.services
        actors = {pid: front.identify(pid) for pid in {w[2] for w in work}}
        started = time.perf_counter()
        for case_id, trigger, pid in work:
            services.advance_case(actors[pid], case_id, trigger)
        return time.perf_counter() - started
    finally:
        front.close()


def steps_via_sqlite(path: Path, work: list[tuple[int, str, int]]) -> float:
    """The same writes with the bare sqlite3 module, in the same per-step transactions: the case
    row, the keyed history event (with the digests of the records it changes), the track, and the
    history's global head."""
    import secrets
    from datetime import datetime, timedelta

    from kindroute.store.hmac_chain import event_mac, format_head, parse_head, record_digest, records_text
    from kindroute.workflow import load_route

    route = load_route()
    main = route.main_track.id
    key = secrets.token_bytes(32)
    con = sqlite3.connect(path, isolation_level=None, timeout=5)
    con.execute("PRAGMA busy_timeout = 5000")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    names = dict(con.execute("SELECT id, name FROM people"))
    try:
        started = time.perf_counter()
        for case_id, trigger_id, pid in work:
            trigger = route.triggers[trigger_id]
            dest = route.steps[trigger.dest]
            now = datetime.now()
            con.execute("BEGIN IMMEDIATE")
            (version, head, count, pupil_id, school_id, opened_at, opened_by, registered_on, extended,
             route_version, ghead) = con.execute(
                "SELECT version, history_head, history_count, pupil_id, school_id, opened_at, opened_by_id, "
                "registered_on, zorgplicht_extended, route_version, "
                "(SELECT value FROM kindroute_meta WHERE key = 'history_head') FROM cases WHERE id = ?",
                (case_id,),
            ).fetchone()
            (source,) = con.execute(
                "SELECT step FROM case_tracks WHERE case_id = ? AND track = ?", (case_id, main)
            ).fetchone()
            seq = count + 1
            gseq, gcase, gprev, _m = parse_head(ghead)
            stamp = now.isoformat(" ", timespec="microseconds")
            deadline = (now.date() + timedelta(days=dest.term_days)).isoformat() if dest.term_days else None
            status = ("closed" if dest.id == "afgesloten" else "referred") if dest.final else "open"
            closed = stamp if dest.final else None
            records = records_text([
                ("cases", case_id, record_digest((pupil_id, school_id, status, opened_at, opened_by, closed,
                                                  registered_on, extended, route_version))),
                ("case_tracks", main, record_digest((dest.id, now, deadline, dest.at_turn, seq))),
            ])
            h = event_mac(key, case_id=case_id, seq=seq, kind="step", track=main, from_step=source,
                          to_step=dest.id, trigger=trigger_id, actor_id=pid, actor_name=names[pid], at=now,
                          note="", records=records, prev_hash=head, gseq=gseq + 1, gprev=gprev,
                          gprev_case=gcase)
            con.execute(
                "INSERT INTO case_events (case_id, seq, track, from_step, to_step, \"trigger\", actor_id, "
                "actor_name, at, note, prev_hash, hash, scheme, kind, records, gseq, gprev, gprev_case) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, 2, 'step', ?, ?, ?, ?)",
                (case_id, seq, main, source, dest.id, trigger_id, pid, names[pid], stamp, head, h, records,
                 gseq + 1, gprev, gcase),
            )
            con.execute("UPDATE kindroute_meta SET value = ? WHERE key = 'history_head'",
                        (format_head(key, "history_head", gseq + 1, case_id, h),))
            con.execute(
                "UPDATE case_tracks SET step = ?, entered_at = ?, deadline = ?, at_turn_role = ?, "
                "entered_seq = ? WHERE case_id = ? AND track = ?",
                (dest.id, stamp, deadline, dest.at_turn, seq, case_id, main),
            )
            cur = con.execute(
                "UPDATE cases SET history_head = ?, history_count = ?, updated_at = ?, version = ?, "
                "status = ?, closed_at = ? WHERE id = ? AND version = ?",
                (h, seq, stamp, version + 1, status, closed, case_id, version),
            )
            if cur.rowcount != 1:
                raise RuntimeError("version check failed")
            con.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        con.close()


def engine_overhead(path: Path, reps: int = 2000) -> tuple[float, float]:
    """µs per engine.check + engine.apply on ready facts, and per plain dict lookup."""
    from kindroute.bootstrap import open_services

    work = prepare_steps(path, 1)
    case_id, trigger, _pid = work[0]
    front = open_services(str(path))
    try:
        services = front.services
        with services._uow(write=False) as uow:
            facts = services.facts(uow.session, uow.session.get_one(_case_model(), case_id))
        engine = services.engine
        started = time.perf_counter()
        for _ in range(reps):
            engine.check(facts, trigger)
            engine.apply(facts, trigger)
        per_step = (time.perf_counter() - started) / reps * 1e6
        table = {t.id: t.dest for t in services.route.triggers.values()}
        started = time.perf_counter()
        for _ in range(reps):
            _ = table[trigger]
        per_lookup = (time.perf_counter() - started) / reps * 1e6
        return per_step, per_lookup
    finally:
        front.close()


def _case_model() -> Any:
    from kindroute.store.models import Case

    return Case


# ----------------------------------------------------------------------------- list queries
def query_times(path: Path, who: str, reps: int) -> dict[str, list[float]]:
    """Service-level list and count timings (ms) for context: what a keystroke asks the database."""
    from dataclasses import replace

    from kindroute.bootstrap import open_services
    from kindroute.services import CaseFilter

    front = open_services(str(path))
    out: dict[str, list[float]] = {}
    try:
        s = front.services
        actor = front.identify(who)
        base = CaseFilter()
        mine = replace(base, at_turn_person_id=actor.id)
        cases: dict[str, Callable[[], object]] = {
            "worklist page": lambda: s.list_cases(actor, mine, limit=100),
            "worklist count": lambda: s.count_cases(actor, mine),
            "cases page": lambda: s.list_cases(actor, base, limit=100),
            "cases count": lambda: s.count_cases(actor, base),
        }
        for text in ("j", "jan", "jans"):
            f = replace(base, text=text)
            cases[f"page '{text}'"] = lambda f=f: s.list_cases(actor, f, limit=100)
            cases[f"count '{text}'"] = lambda f=f: s.count_cases(actor, f)
        # the Casussen page as the first person of every other role (the demo's staff is the
        # same at every size): teachers and outside roles see only their assigned cases
        seen = set(actor.roles)
        for person in s.list_people():
            if person.roles and person.roles[0] not in seen:
                seen.add(person.roles[0])
                other = front.identify(person.id)
                cases[f"cases page as {person.roles[0]}"] = lambda o=other: s.list_cases(o, base, limit=50)
        for name, fn in cases.items():
            fn()
            xs = []
            for _ in range(reps):
                t0 = time.perf_counter()
                fn()
                xs.append((time.perf_counter() - t0) * 1000)
            out[name] = xs
    finally:
        front.close()
    return out


# ----------------------------------------------------------------------------- R and M: the monitor
def report_times(path: Path, reps: int) -> dict[str, list[float]]:
    """``Services.report`` (every figure of ``kindroute report``) for the file's owner and for the
    SWV, interleaved with a bare ``GROUP BY step`` count over ``case_tracks`` (the floor), in ms."""
    from kindroute.services import Services
    from kindroute.store.db import open_database

    db = open_database(str(path))
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    out: dict[str, list[float]] = {"report": [], "report_swv": [], "floor": []}
    try:
        s = Services(db)
        swv = con.execute("SELECT id FROM people WHERE (' ' || roles || ' ') LIKE '% swv %' "
                          "ORDER BY id LIMIT 1").fetchone()
        actor = s.resolve_actor(str(swv[0])) if swv else None

        def floor() -> object:
            return con.execute("SELECT step, count(*) FROM case_tracks GROUP BY step").fetchall()

        jobs: dict[str, Callable[[], object]] = {"report": lambda: s.report(None), "floor": floor}
        if actor is not None:
            jobs["report_swv"] = lambda: s.report(actor)
        for fn in jobs.values():
            fn()  # warm the page cache and the statement caches alike
        for _ in range(reps):
            for name, fn in jobs.items():
                t0 = time.perf_counter()
                fn()
                out[name].append((time.perf_counter() - t0) * 1000)
    finally:
        con.close()
        db.dispose()
    return out


def run_monitor_probe(db: Path, who: str, rounds: int, workdir: Path) -> dict[str, Any]:
    cmd = [PY, str(BENCH / "monitor_probe.py"), "--db", str(db), "--who", who, "--rounds", str(rounds)]
    proc = subprocess.run(cmd, env=child_env(workdir), capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"monitor_probe failed on {db.name}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- the run
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Kindroute scale benchmark (see bench/README.md).")
    ap.add_argument("--cases", type=int, default=100_000, help="cases in the large database")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, no 1,000,000 run")
    ap.add_argument("--only", default="", help="comma-separated ids, e.g. P1,P3 (default: all)")
    ap.add_argument("--million", type=int, default=1_000_000, help="cases for P6")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    ap.add_argument("--reps", type=int, help="repetitions per figure (default 3 quick, 7 full)")
    ap.add_argument("--keep", type=Path, help="build databases here and keep them (reused when present)")
    args = ap.parse_args(argv)

    only = {x.strip().upper() for x in args.only.split(",") if x.strip()}

    def want(fid: str) -> bool:
        return not only or fid in only

    quick = args.quick
    reps = args.reps or (3 if quick else 7)
    n_big = args.cases
    n_floor = FLOOR_CASES if n_big > FLOOR_CASES else max(20, n_big // 4)
    figures: list[Figure] = []
    extra: dict[str, Any] = {"cases": n_big, "floor_cases": n_floor, "quick": quick,
                             "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
                             "kindroute": kindroute_command()}
    tmp = Path(tempfile.mkdtemp(prefix="kindroute-bench-"))
    store = args.keep or tmp
    store.mkdir(parents=True, exist_ok=True)
    log(f"working in {tmp}; databases in {store}")

    def database(n: int, timed: list[float] | None = None) -> Path:
        path = store / f"demo-{n}-s{SEED}.sqlite"
        if args.keep and path.exists():
            return path
        for p in store.glob(path.name + "*"):
            p.unlink()
        log(f"kindroute demo --cases {n} …")
        seconds = build_demo(path, n, tmp)
        log(f"  {seconds:.1f}s")
        if timed is not None:
            timed.append(seconds)
        return path

    try:
        need_db = any(want(p) for p in ("P1", "P2", "P3", "P4", "P5", "Q", "P6", "M1", "M", "R"))
        demo_times: list[float] = []
        big = database(n_big, demo_times) if need_db else None
        small = database(n_floor) if any(want(p) for p in ("P2", "P4")) else None

        if want("P5") and big is not None:
            fig = Figure("P5", f"kindroute demo --cases {n_big}", unit="s", target="≤ 20 s")
            if not demo_times:  # --keep reused the file: time a fresh build
                demo_times.append(build_demo(tmp / "p5.sqlite", n_big, tmp))
            for _ in range(0 if quick else 1):
                for p in tmp.glob("p5.sqlite*"):
                    p.unlink()
                demo_times.append(build_demo(tmp / "p5.sqlite", n_big, tmp))
            fig.samples = demo_times
            fig.ok = statistics.median(demo_times) <= 20 if n_big >= 100_000 else None
            figures.append(fig)

        if want("P1") and big is not None:
            who = pick_person(big)
            log("P1: start-up in a pty …")
            fig = Figure("P1", f"start → worklist interactive, {n_big:,} cases", target="≤ 1.2×",
                         floor_what="Static+Footer app")
            rows_fig = Figure("P1b", f"start → worklist rows shown, {n_big:,} cases",
                              floor_what="Static+Footer app")
            try:
                measure_starts(fig, rows_fig, big, who, reps, tmp)
                fig.ok = fig.ratio is not None and fig.ratio <= 1.2
            except (RuntimeError, OSError) as exc:
                fig.note = f"failed: {exc}"
            figures.append(fig)
            if rows_fig.samples:
                rows_fig.note = "context, no target: the rows load in a worker after the first frame"
                figures.append(rows_fig)

        probes: dict[str, dict[str, Any]] = {}
        if (want("P2") or want("P4")) and big is not None and small is not None:
            who_big, who_small = pick_person(big), pick_person(small)
            rounds = 2 if quick else 4
            for label, path, who in (("floor", small, who_small), ("big", big, who_big)):
                log(f"P2/P4: Pilot probe on {path.name} …")
                try:
                    probes[label] = run_probe(path, who, rounds, tmp)
                except (RuntimeError, subprocess.TimeoutExpired) as exc:
                    probes[label] = {"error": str(exc)}
            extra["probes"] = probes
        if want("P2") and probes:
            fig = Figure("P2", f"filter keystroke → list painted, {n_big:,} cases",
                         target="≤ 1.2×, < 50 ms", floor_what=f"{n_floor:,} cases")
            if "error" in probes.get("big", {}) or "error" in probes.get("floor", {}):
                problem = probes["big"].get("error") or probes["floor"].get("error", "")
                fig.note = "probe failed: " + problem[-400:]
            else:
                fig.samples = [k["ms"] for k in probes["big"]["keys"]]
                fig.floor = [k["ms"] for k in probes["floor"]["keys"]]
                fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.2 and (fig.median or 0) < 50)
                worst = max(probes["big"]["keys"], key=lambda k: k["ms"])
                fig.note = (f"keys typed: 'jans' then 4× backspace; slowest {worst['ms']:.0f} ms after "
                            f"{worst['key']!r} ({worst['count']} rows)")
            figures.append(fig)
        if want("P4") and probes:
            fig = Figure("P4", f"RSS, case list open, {n_big:,} cases", unit="MB", target="≤ 1.2×",
                         floor_what=f"{n_floor:,} cases")
            if "rss_kb" in probes.get("big", {}) and "rss_kb" in probes.get("floor", {}):
                fig.samples = [probes["big"]["rss_kb"] / 1024]
                fig.floor = [probes["floor"]["rss_kb"] / 1024]
                fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.2)
                big_p, floor_p = probes["big"], probes["floor"]
                fig.note = (f"after typing: {big_p['rss_after_kb'] / 1024:.0f} MB vs "
                            f"{floor_p['rss_after_kb'] / 1024:.0f} MB; peak {big_p['hwm_kb'] / 1024:.0f}"
                            f" vs {floor_p['hwm_kb'] / 1024:.0f} MB")
            else:
                fig.note = "probe failed"
            figures.append(fig)

        if want("P3") and big is not None:
            log("P3: 1,000 steps via services and via sqlite3 …")
            fig = Figure("P3", "advance_case, per step (1,000 in a row)", target="≤ 4×",
                         floor_what="raw sqlite3, same writes")
            runs = args.reps or (3 if quick else 5)
            steps = 1000 if n_big >= 20_000 else max(20, n_big // 10)
            a, b = tmp / "p3-services.sqlite", tmp / "p3-sqlite.sqlite"
            shutil.copyfile(big, a)
            work = prepare_steps(a, steps * runs)
            shutil.copyfile(a, b)
            for r in range(runs):
                chunk = work[r * steps:(r + 1) * steps]
                fig.floor.append(steps_via_sqlite(b, chunk) / steps * 1000)
                fig.samples.append(steps_via_services(a, chunk) / steps * 1000)
            fig.ok = bool(fig.ratio is not None and fig.ratio <= 4)
            per_step, per_lookup = engine_overhead(b)
            fig.note = (f"{steps} steps per run; engine.check+apply on ready facts {per_step:.1f} µs "
                        f"vs a dict lookup {per_lookup:.2f} µs")
            extra["engine_us"] = {"check_apply": per_step, "dict": per_lookup}
            figures.append(fig)
            for p in tmp.glob("p3-*"):
                p.unlink()

        if want("M1") and big is not None:
            from meeting_walk import walk_times

            log("M1: walking a meeting of 10,000 items and one of 10 …")
            fig = Figure("M1", f"meeting walk, one move (n), {n_big:,} cases", target="≤ 1.2×",
                         floor_what="agenda of 10 items")
            fig.samples, fig.floor, fig.note = walk_times(big, tmp, pick_person(big), 2 if quick else 5)
            fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.2)
            figures.append(fig)

        if want("Q") and big is not None and not quick:
            log("Q: list and count queries …")
            qb = query_times(big, pick_person(big), 5)
            qs = query_times(small or database(n_floor), pick_person(small or database(n_floor)), 5)
            for name in qb:
                figures.append(Figure("Q", f"{name} ({n_big:,} / {n_floor:,})", samples=qb[name],
                                      floor=qs[name], floor_what=f"{n_floor:,} cases"))

        if want("M") and big is not None:
            log("M: the Inzicht screen's first frame against the worklist's …")
            fig = Figure("M", f"Inzicht (i) → first frame, {n_big:,} cases", target="≤ 1.5×",
                         floor_what="a fresh worklist screen, same way")
            try:
                res = run_monitor_probe(big, pick_person(big), 3 if quick else 7, tmp)
                fig.samples, fig.floor = res["monitor_ms"], res["worklist_ms"]
                fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.5)
                data_ms = statistics.median(res["monitor_data_ms"])
                fig.note = (f"first (cold, with the import of the screen) {res['monitor_ms'][0]:.0f} ms; "
                            f"figures shown after {data_ms:.0f} ms (median)")
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                fig.note = f"failed: {str(exc)[-400:]}"
            figures.append(fig)

        if want("R") and big is not None and (not quick or "R" in only):
            at = big if quick else database(args.million)
            size = n_big if quick else args.million
            log(f"R: kindroute report at {size:,} cases …")
            fig = Figure("R", f"report (all figures) at {size:,} cases", target="≤ 3×",
                         floor_what="bare GROUP BY step over case_tracks")
            res = report_times(at, args.reps or (3 if quick else 5))
            fig.samples, fig.floor = res["report"], res["floor"]
            fig.ok = bool(fig.ratio is not None and fig.ratio <= 3)
            if res["report_swv"]:
                fig.note = (f"as the SWV (what was asked of it, small counts hidden): "
                            f"{statistics.median(res['report_swv']):.0f} ms (median)")
            figures.append(fig)

        if want("P6") and not quick and big is not None:
            log(f"P6: {args.million:,} cases …")
            huge = database(args.million)
            who = pick_person(huge)
            fig = Figure("P6a", f"P1 at {args.million:,} cases", target="≤ 1.2×",
                         floor_what="Static+Footer app")
            rows_fig = Figure("P6a-rows", "", floor_what="Static+Footer app")
            try:
                measure_starts(fig, rows_fig, huge, who, reps, tmp)
                fig.ok = fig.ratio is not None and fig.ratio <= 1.2
                if rows_fig.samples:
                    fig.note = (f"rows shown after {statistics.median(rows_fig.samples):.0f} ms "
                                f"(median; P1b at this size)")
            except (RuntimeError, OSError) as exc:
                fig.note = f"failed: {exc}"
            figures.append(fig)
            fig = Figure("P6b", f"P2 at {args.million:,} cases", target="≤ 1.2×, < 50 ms",
                         floor_what=f"{n_floor:,} cases")
            try:
                res = run_probe(huge, who, 2, tmp)
                fig.samples = [k["ms"] for k in res["keys"]]
                floor_keys = probes.get("floor", {}).get("keys")
                if not floor_keys:
                    small = small or database(n_floor)
                    floor_keys = run_probe(small, pick_person(small), 2, tmp)["keys"]
                fig.floor = [k["ms"] for k in floor_keys]
                fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.2 and (fig.median or 0) < 50)
                fig.note = f"RSS {res['rss_kb'] / 1024:.0f} MB with the case list open"
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                fig.note = f"failed: {str(exc)[-400:]}"
            figures.append(fig)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"kindroute bench — {n_big:,} cases (floor {n_floor:,}), {'quick' if quick else 'full'}, "
          f"Python {extra['python']}, SQLite {extra['sqlite']}")
    print()
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps({"figures": [f.as_dict() for f in figures], **extra}, indent=1,
                                        default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
