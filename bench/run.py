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

from steps import prepare_steps, steps_bare, steps_via_services

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


#: The configuration folder of the bench and every kindroute it starts: it holds the history key
#: of each demo database (set by :func:`main` beside the databases, so ``--keep`` keeps them too).
CONFIG_HOME: Path | None = None


def child_env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KINDROUTE_")}
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env.update(
        XDG_CONFIG_HOME=str(CONFIG_HOME or home / "config"), XDG_DATA_HOME=str(home / "data"),
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
    # a shared database needs the history key (pg_figures sets the bench's own); nothing else passes
    key = {k: v for k, v in os.environ.items() if k == "KINDROUTE_HISTORY_KEY_FILE"}
    proc = subprocess.run(cmd, env=child_env(workdir, **key), capture_output=True, text=True, timeout=3600)
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
#: How long a warm-up start may wait for the kept first page after its rows (a page that is not
#: kept, e.g. an outside role's, never comes: the samples are then first starts, as P1c's).
SETTLE_S = 30.0


def start_in_pty(cmd: list[str], env: dict[str, str], ready: Path, timeout: float,
                 rows: Path | None = None, settle: Path | None = None) -> tuple[float, float | None, int]:
    """Spawn ``cmd`` on a pseudo-terminal; seconds from spawn to each marker, and its pid.

    ``ready`` is the file named by ``KINDROUTE_READY_FILE`` (first interactive frame);
    ``rows``, when given, the one named by ``KINDROUTE_ROWS_FILE`` (the worklist's rows
    shown), and the process then runs until that marker is there too. The terminal's
    output is drained all the time (a full pty would block the app). The process group is
    killed once the markers are there (and ``settle``, when given, exists: a file the app
    writes after its first page, such as the kept first page; at most :data:`SETTLE_S` later).
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
    settled_by = 0.0
    try:
        deadline = time.monotonic() + timeout
        while True:
            for marker in (ready, rows):
                if marker is not None and marker not in marks and marker.exists() and marker.stat().st_size:
                    text = marker.read_text().split()
                    if text:
                        marks[marker] = float(text[0]) - t0
            if ready in marks and (rows is None or rows in marks):
                settled_by = settled_by or time.monotonic() + SETTLE_S
                if settle is None or settle.exists() or time.monotonic() > settled_by:
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


def kept_page_file(workdir: Path) -> Path:
    """The app's kept first page (kindroute/services/quick_page.py) under the bench's XDG_CACHE_HOME."""
    return workdir / "home" / "cache" / "kindroute" / "first-page.json"


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
        settle = kept_page_file(workdir) if warm and db is not None else None
        to_ready, to_rows, _pid = start_in_pty(cmd, env, workdir / "ready", timeout=120, rows=rows,
                                               settle=settle)
        ready_ms.append(to_ready * 1000)
        if to_rows is not None:
            rows_ms.append(to_rows * 1000)
    return ready_ms, rows_ms


def measure_starts(fig: Figure, rows_fig: Figure | None, db: Path, who: str, reps: int,
                   workdir: Path, cold_fig: Figure | None = None) -> None:
    """P1 (and P1b into ``rows_fig``): kindroute on ``db`` against the floor app, interleaved.

    The warm-up start runs until the app has kept its first page, so the samples are second
    starts, as a user's are; ``cold_fig`` gets starts without that kept page (the first start
    after an update or on another file), interleaved with the rest.
    """
    kept = kept_page_file(workdir)
    kept.unlink(missing_ok=True)
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
        if cold_fig is not None and kept.exists():
            saved = kept.with_name("kept.bench")
            shutil.copy2(kept, saved)
            kept.unlink()
            _, cold = measure_start(db, who, 1, workdir)
            shutil.copy2(saved, kept)
            cold_fig.floor += floor
            cold_fig.samples += cold


# ----------------------------------------------------------------------------- P2/P4: the TUI probe
def run_probe(db: Path | str, who: str, rounds: int, workdir: Path, text: str = "jans") -> dict[str, Any]:
    cmd = [PY, str(BENCH / "tui_probe.py"), "--db", str(db), "--who", who, "--text", text,
           "--rounds", str(rounds)]
    return _probe(cmd, workdir)


def run_open_probe(db: Path | str, who: str, mode: str, reps: int, workdir: Path) -> dict[str, Any]:
    """P7 (``case``) and P8 (``flow``): see bench/open_probe.py."""
    cmd = [PY, str(BENCH / "open_probe.py"), "--db", str(db), "--who", who, "--mode", mode,
           "--reps", str(reps)]
    return _probe(cmd, workdir)


def _probe(cmd: list[str], workdir: Path) -> dict[str, Any]:
    proc = subprocess.run(cmd, env=child_env(workdir), capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(cmd[1]).name} failed on {cmd[3]}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def engine_overhead(path: Path, reps: int = 2000) -> tuple[float, float]:
    """µs per engine.check + engine.apply on ready facts, and per plain dict lookup."""
    from kindroute.bootstrap import open_services

    work = prepare_steps(str(path), 1)
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
def p2_figure(fid: str, what: str, big: dict[str, Any], floor: dict[str, Any], floor_what: str) -> Figure:
    """A filter-keystroke figure from two probe results: ≤ 1.2×, median < 50 ms, slowest < 100 ms."""
    fig = Figure(fid, what, target="≤ 1.2×, < 50 ms, max < 100 ms", floor_what=floor_what)
    if "error" in big or "error" in floor:
        fig.note = "probe failed: " + (big.get("error") or floor.get("error", ""))[-400:]
        return fig
    fig.samples = [k["ms"] for k in big["keys"]]
    fig.floor = [k["ms"] for k in floor["keys"]]
    worst = max(big["keys"], key=lambda k: k["ms"])
    fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.2 and (fig.median or 0) < 50 and worst["ms"] < 100)
    fig.note = (f"keys typed: 'jans' then 4× backspace; slowest {worst['ms']:.0f} ms after "
                f"{worst['key']!r} ({worst['count']} rows)")
    return fig


def guarded(fig: Figure, figures: list[Figure], fn: Callable[[], None]) -> None:
    """Run ``fn`` (which fills ``fig``); a failure becomes the figure's note, never the run's end."""
    try:
        fn()
    except (RuntimeError, OSError, subprocess.TimeoutExpired, TimeoutError) as exc:
        fig.note = f"failed: {str(exc)[-400:]}"
        fig.ok = None
    figures.append(fig)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Kindroute scale benchmark (see bench/README.md).")
    ap.add_argument("--cases", type=int, default=100_000, help="cases in the large database")
    ap.add_argument("--quick", action="store_true",
                    help="fewer repetitions; no 1,000,000 run (P2m, P6, P8), no P9/P10 unless in --only")
    ap.add_argument("--only", default="", help="comma-separated ids, e.g. P1,P3 (default: all)")
    ap.add_argument("--million", type=int, default=1_000_000, help="cases for P2m, P6 and P8")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    ap.add_argument("--reps", type=int, help="repetitions per figure (default 3 quick, 7 full)")
    ap.add_argument("--keep", type=Path, help="build databases here and keep them (reused when present)")
    ap.add_argument("--pg", default=os.environ.get("KINDROUTE_TEST_PG_URL"),
                    help="a PostgreSQL URL on the local server for P9/P10 (default KINDROUTE_TEST_PG_URL); "
                         "the bench creates and drops its own databases there")
    ap.add_argument("--sessions", type=int, default=50, help="P10: concurrent sessions")
    ap.add_argument("--seconds", type=float, default=60.0, help="P10: seconds of load")
    ap.add_argument("--think", type=float, default=1.5,
                    help="P10: a session's mean think time between operations, seconds (exponential; "
                         "0: back to back)")
    args = ap.parse_args(argv)

    only = {x.strip().upper() for x in args.only.split(",") if x.strip()}

    def want(fid: str) -> bool:
        return not only or fid.upper() in only

    quick = args.quick

    def want_slow(fid: str) -> bool:
        """The 1,000,000-case figures and P10: not with --quick unless named."""
        return fid.upper() in only if quick else want(fid)

    reps = args.reps or (3 if quick else 7)
    n_big = args.cases
    n_floor = FLOOR_CASES if n_big > FLOOR_CASES else max(20, n_big // 4)
    figures: list[Figure] = []
    extra: dict[str, Any] = {"cases": n_big, "floor_cases": n_floor, "quick": quick,
                             "python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version,
                             "kindroute": kindroute_command(), "machine": machine()}
    tmp = Path(tempfile.mkdtemp(prefix="kindroute-bench-"))
    store = args.keep or tmp
    store.mkdir(parents=True, exist_ok=True)
    log(f"working in {tmp}; databases in {store}")
    global CONFIG_HOME
    CONFIG_HOME = store / "home" / "config"  # the databases' history keys, here and in every child
    CONFIG_HOME.mkdir(parents=True, exist_ok=True)
    os.environ["XDG_CONFIG_HOME"] = str(CONFIG_HOME)

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
        need_db = any(want(p) for p in ("P1", "P2", "P3", "P4", "P5", "P7", "Q", "M1", "M", "R"))
        demo_times: list[float] = []
        big = database(n_big, demo_times) if need_db else None
        small = database(n_floor) if any(want(p) for p in ("P2", "P4", "P7")) else None

        if want("P5") and big is not None:
            from demo_floor import raw_insert_seconds

            fig = Figure("P5", f"kindroute demo --cases {n_big:,}", unit="s", target="≤ 2.5×",
                         floor_what="raw sqlite3 executemany, same rows and schema")
            if not demo_times:  # --keep reused the file: time a fresh build
                demo_times.append(build_demo(tmp / "p5.sqlite", n_big, tmp))
            for _ in range(0 if quick else 1):
                for p in tmp.glob("p5.sqlite*"):
                    p.unlink()
                demo_times.append(build_demo(tmp / "p5.sqlite", n_big, tmp))
            for p in tmp.glob("p5.sqlite*"):
                p.unlink()
            rows = 0
            for _ in range(len(demo_times)):
                for p in tmp.glob("p5-floor.sqlite*"):
                    p.unlink()
                seconds, rows = raw_insert_seconds(big, tmp / "p5-floor.sqlite")
                fig.floor.append(seconds)
            for p in tmp.glob("p5-floor.sqlite*"):
                p.unlink()
            fig.samples = demo_times
            fig.ok = bool(fig.ratio is not None and fig.ratio <= 2.5)
            fig.note = f"{rows:,} rows; the floor writes the demo's own rows, read beforehand (not timed)"
            figures.append(fig)

        if want("P1") and big is not None:
            who = pick_person(big)
            log("P1: start-up in a pty …")
            fig = Figure("P1", f"start → worklist rows on screen, {n_big:,} cases", target="≤ 1.5×",
                         floor_what="Static+Footer app")
            keys_fig = Figure("P1k", f"start → worklist takes keys, {n_big:,} cases (context)",
                              floor_what="Static+Footer app")
            cold_fig = Figure("P1c", f"start → rows, no kept first page, {n_big:,} cases (context)",
                              floor_what="Static+Footer app")
            try:
                measure_starts(keys_fig, fig, big, who, reps, tmp, cold_fig)
                fig.ok = fig.ratio is not None and fig.ratio <= 1.5
                fig.note = "a second start: the first page comes from the SQL kept at the first"
            except (RuntimeError, OSError) as exc:
                fig.note = f"failed: {exc}"
            figures.append(fig)
            if cold_fig.samples:
                cold_fig.note = ("context, no target: a first start (after an update, or on another file): "
                                 "the first page through SQLAlchemy Core")
                figures.append(cold_fig)
            if keys_fig.samples:
                keys_fig.note = ("context, no target: the worklist's first frame (header, list, "
                                 "footer); on a second start it already shows the rows")
                figures.append(keys_fig)

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
            figures.append(p2_figure("P2", f"filter keystroke → list painted, {n_big:,} cases",
                                     probes["big"], probes["floor"], f"{n_floor:,} cases"))
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
            work = prepare_steps(str(a), steps * runs)
            shutil.copyfile(a, b)
            for r in range(runs):
                chunk = work[r * steps:(r + 1) * steps]
                fig.floor.append(steps_bare(str(b), chunk) / steps * 1000)
                fig.samples.append(steps_via_services(str(a), chunk) / steps * 1000)
            fig.ok = bool(fig.ratio is not None and fig.ratio <= 4)
            per_step, per_lookup = engine_overhead(b)
            fig.note = (f"{steps} steps per run; engine.check+apply on ready facts {per_step:.1f} µs "
                        f"vs a dict lookup {per_lookup:.2f} µs")
            extra["engine_us"] = {"check_apply": per_step, "dict": per_lookup}
            figures.append(fig)
            for p in tmp.glob("p3-*"):
                p.unlink()

        if want("P7") and big is not None and small is not None:
            log("P7: enter on a case → case screen painted …")
            fig = Figure("P7", f"enter → case screen painted, {n_big:,} cases", target="≤ 1.2×, < 100 ms",
                         floor_what=f"{n_floor:,} cases")

            def p7() -> None:
                floor = run_open_probe(small, pick_person(small), "case", reps, tmp)
                got = run_open_probe(big, pick_person(big), "case", reps, tmp)
                fig.floor, fig.samples = floor["samples"], got["samples"]
                fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.2 and (fig.median or 0) < 100)
                extra["p7_settled"] = {"samples": got["settled"], "floor": floor["settled"]}
                fig.note = ("the first frame on the terminal with the header and the first tab ('Wie doet "
                            "wat', its first row); a different case each time; settled (Textual's layout "
                            f"done) after {statistics.median(got['settled']):.0f} ms "
                            f"({statistics.median(floor['settled']):.0f} at {n_floor:,} cases)")

            guarded(fig, figures, p7)

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
                fig.note = (f"as the SWV (every case, small counts hidden): "
                            f"{statistics.median(res['report_swv']):.0f} ms (median)")
            figures.append(fig)

        million = args.million
        if any(want_slow(f) for f in ("P2m", "P6", "P8")):
            log(f"{million:,} cases …")
            huge = database(million)
            who = pick_person(huge)
            if want_slow("P2m"):
                fig = Figure("P2m", f"P2 at {million:,} cases", floor_what=f"{n_floor:,} cases")

                def p2m() -> None:
                    res = run_probe(huge, who, 2 if quick else 4, tmp)
                    floor = probes.get("floor")
                    if not floor or "error" in floor:
                        s = small or database(n_floor)
                        floor = run_probe(s, pick_person(s), 2 if quick else 4, tmp)
                    done = p2_figure("P2m", fig.what, res, floor, f"{n_floor:,} cases")
                    fig.__dict__.update(done.__dict__)
                    fig.note += f"; RSS {res['rss_kb'] / 1024:.0f} MB with the case list open"

                guarded(fig, figures, p2m)
            if want_slow("P6"):
                fig = Figure("P6", f"P1 at {million:,} cases (start → rows on screen)", target="≤ 1.5×",
                             floor_what="Static+Footer app")
                keys_fig = Figure("P6k", "", floor_what="Static+Footer app")

                def p6() -> None:
                    measure_starts(keys_fig, fig, huge, who, reps, tmp)
                    fig.ok = fig.ratio is not None and fig.ratio <= 1.5
                    if keys_fig.samples:
                        fig.note = (f"takes keys after {statistics.median(keys_fig.samples):.0f} ms "
                                    f"(median; P1k at this size)")

                guarded(fig, figures, p6)
            if want_slow("P8"):
                log("P8: stroomschema with counts …")
                fig = Figure("P8", f"w → stroomschema with counts painted, {million:,} cases",
                             target="≤ 1.5×",
                             floor_what="a fresh worklist screen until its first rows are painted, "
                                        "same process")

                def p8() -> None:
                    res = run_open_probe(huge, who, "flow", reps, tmp)
                    fig.samples, fig.floor = res["samples"], res["floor"]
                    fig.ok = bool(fig.ratio is not None and fig.ratio <= 1.5)
                    reload = statistics.median(res["reload"]) if res.get("reload") else None
                    fig.note = "counts per step from the figures kept on write"
                    if reload:
                        fig.note += f"; the worklist's rows reloaded in place: {reload:.0f} ms"

                guarded(fig, figures, p8)
                log("P8m: the monitor screen at the same size …")
                mon = Figure("P8m", f"i → Inzicht first frame, {million:,} cases", target="≤ 1.5×",
                             floor_what="a fresh worklist screen, same way")

                def p8m() -> None:
                    res = run_monitor_probe(huge, who, 3 if quick else 5, tmp)
                    mon.samples, mon.floor = res["monitor_ms"], res["worklist_ms"]
                    mon.ok = bool(mon.ratio is not None and mon.ratio <= 1.5)
                    mon.note = (f"figures shown after {statistics.median(res['monitor_data_ms']):.0f} ms "
                                f"(median; the first round imports the screen)")

                guarded(mon, figures, p8m)

        if want_slow("P9") or want_slow("P10"):
            pg_figures(args, want, want_slow, quick, reps, n_big, n_floor, tmp, figures, extra)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"kindroute bench — {n_big:,} cases (floor {n_floor:,}), {'quick' if quick else 'full'}, "
          f"Python {extra['python']}, SQLite {extra['sqlite']}; {extra['machine']}")
    print()
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps({"figures": [f.as_dict() for f in figures], **extra}, indent=1,
                                        default=str))
    return 0


def machine() -> str:
    """The machine, as the table's heading gives it: CPUs, model, and the load when the run started."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return f"{os.cpu_count()} CPUs {model}, load average {load:.1f} at start".replace("  ", " ")


#: P10's floor is one of its sessions alone: a person who pauses between two operations. Its
#: mean think time is capped at LONE_THINK, so that LONE_SPAN × --seconds gives it about a hundred
#: opens: past about 0.1 s a pause costs an operation what a longer one does (build machine, a
#: case opened alone: 1.3 ms after a 3 ms pause, 1.7 after 30 ms, 2.6 after 0.1 s, 2.7–3.1
#: after 0.3 s; on 2026-11-29, on the Xeon: p50 1.7 back to back, 2.9–3.9 after 0.3 s, 3.0
#: after 1.5 s). Shorter pauses than the many's make the floor, if anything, faster.
LONE_THINK = 0.3
LONE_SPAN = 3


def pg_figures(args: argparse.Namespace, want: Callable[[str], bool], want_slow: Callable[[str], bool],
               quick: bool, reps: int, n_big: int, n_floor: int, tmp: Path, figures: list[Figure],
               extra: dict[str, Any]) -> None:
    """P9 (P2 and P3 on PostgreSQL) and P10 (many sessions), in databases made and dropped here."""
    import pg

    ids = [f for f in ("P9", "P10") if want_slow(f)]
    problem = "no PostgreSQL URL (--pg or KINDROUTE_TEST_PG_URL)" if not args.pg else pg.reachable(args.pg)
    if problem:
        for fid in ids:
            figures.append(Figure(fid, "PostgreSQL", note=f"skipped: {problem}"))
        return
    log(f"PostgreSQL: demo databases of {n_big:,} and {n_floor:,} cases …")
    # a shared database's history key is the administrator's file; the bench keeps one of its own
    os.environ.setdefault("KINDROUTE_HISTORY_KEY_FILE", str(tmp / "history.key"))
    with pg.fresh_database(args.pg) as big, pg.fresh_database(args.pg) as small:
        build_demo(big, n_big, tmp)  # type: ignore[arg-type]
        if want_slow("P9"):
            build_demo(small, n_floor, tmp)  # type: ignore[arg-type]
        extra["pg_settle"] = pg.settle(big)
        log(f"PostgreSQL: the loads written out before anything is timed: {extra['pg_settle']}")
        if want_slow("P9"):
            who_big, who_small = pg_person(big), pg_person(small)
            rounds = 2 if quick else 4
            fig = Figure("P9a", f"PostgreSQL: P2 at {n_big:,} cases", floor_what=f"{n_floor:,} cases")

            def p9a() -> None:
                log("P9: Pilot probe on PostgreSQL …")
                res = {label: run_probe(url, who, rounds, tmp)
                       for label, url, who in (("floor", small, who_small), ("big", big, who_big))}
                done = p2_figure("P9a", fig.what, res["big"], res["floor"], f"{n_floor:,} cases")
                fig.__dict__.update(done.__dict__)
                extra["pg_probes"] = res

            guarded(fig, figures, p9a)
            fig3 = Figure("P9b", "PostgreSQL: advance_case, per step", target="≤ 3×",
                          floor_what="psycopg, same writes")

            def p9b() -> None:
                log("P9: steps on PostgreSQL …")
                runs = args.reps or (3 if quick else 5)
                steps = 1000 if n_big >= 20_000 else max(10, n_big // 20)
                work = prepare_steps(big, 2 * steps * runs)
                for r in range(runs):
                    at = 2 * r * steps
                    mine, bare = work[at:at + steps], work[at + steps:at + 2 * steps]
                    fig3.floor.append(steps_bare(big, bare) / steps * 1000)
                    fig3.samples.append(steps_via_services(big, mine) / steps * 1000)
                fig3.ok = bool(fig3.ratio is not None and fig3.ratio <= 3)
                fig3.note = f"{steps} steps per run, on different cases of the same database"

            guarded(fig3, figures, p9b)
        if want_slow("P10"):
            sessions, seconds, think = args.sessions, args.seconds, args.think
            fig = Figure("P10", f"PostgreSQL: {sessions} sessions × {seconds:.0f} s, think time exp. "
                         f"mean {think:g} s, {n_big:,} cases, p95",
                         target="≤ 3× per op, 0 errors, events = steps",
                         floor_what="one of the sessions alone")

            def run_load(n: int, pause: float, span: float = seconds) -> tuple[dict[str, Any], int]:
                result = pg.load(big, n, span, people, think=pause, processes=1 if n == 1 else None)
                return result, result["events"]  # counted once every session is warm

            def line(r: dict[str, Any], base: dict[str, Any] | None = None) -> str:
                parts = []
                for op in ("list", "open", "step"):
                    o = r["ops"][op]
                    ps = "/".join(f"{o[k]:.0f}" if o[k] is not None else "—" for k in ("p50", "p95", "p99"))
                    ratio = (f", {o['p95'] / base['ops'][op]['p95']:.2f}×"
                             if base and o["p95"] and base["ops"][op]["p95"] else "")
                    parts.append(f"{op} n={o['n']} p50/p95/p99 {ps} ms{ratio}")
                firsts = [f"{op} p50/p95 " + "/".join(f"{o[k]:.0f}" for k in ("p50", "p95")) + " ms"
                          for op in ("first open", "first step")
                          if (o := r["ops"].get(op)) and o["p50"] is not None]
                warm = f" (warm-up, before the clock: {'; '.join(firsts)})" if firsts else ""
                return f"{r['throughput']:.1f} ops/s; " + "; ".join(parts) + warm

            def against(r: dict[str, Any], base: dict[str, Any]) -> str:
                return ", ".join(f"{op} {r['ops'][op]['p95'] / base['ops'][op]['p95']:.2f}×"
                                 for op in ("list", "open", "step")
                                 if r["ops"][op]["p95"] and base["ops"][op]["p95"])

            people: list[int] = []

            def p10() -> None:
                people.extend(pg.people_for_load(big))
                # The floor is one of the sessions alone: a person who pauses between operations
                # as each of the many does (think time capped at LONE_THINK for enough samples;
                # see there). Run first, so that it still finds steps to take.
                lone_think, lone_span = min(think, LONE_THINK), LONE_SPAN * seconds
                paused = None
                if think:
                    log(f"P10 (floor): one session alone, think time mean {lone_think:g} s, "
                        f"for {lone_span:.0f} s …")
                    paused, _ = run_load(1, lone_think, lone_span)
                log(f"P10 ({'context' if think else 'floor'}): one session alone, back to back, "
                    f"for {seconds:.0f} s …")
                alone, _ = run_load(1, 0.0)
                floor = paused if paused is not None else alone
                log(f"P10: {sessions} sessions, think time mean {think:g} s, for {seconds:.0f} s …")
                many, events = run_load(sessions, think)
                burst, burst_events = None, 0
                if think:
                    log(f"P10 (context): {sessions} sessions back to back for {seconds:.0f} s …")
                    burst, burst_events = run_load(sessions, 0.0)
                extra["p10"] = {"alone": alone, "many": many, "events": events, "back_to_back": burst,
                                "back_to_back_events": burst_events, "alone_pausing": paused,
                                "floor": "alone_pausing" if paused is not None else "alone"}
                ratios = {}
                for op in ("list", "open", "step"):
                    a, m = floor["ops"][op]["p95"], many["ops"][op]["p95"]
                    if a and m:
                        ratios[op] = m / a
                        fig.samples.append(m)
                        fig.floor.append(a)
                fig.ok = bool(ratios and max(ratios.values()) <= 3 and many["errors"] == 0
                              and events == many["steps"])
                fig.note = (f"{sessions} people (think time exponential, mean {think:g} s): "
                            f"{line(many, floor)}; errors {many['errors']} {many['error_examples']}; "
                            f"conflicts {many['conflicts']}; steps {many['steps']}, events {events}.")
                if paused is not None:
                    fig.note += (f" Floor, one session alone pausing as a person does (think time mean "
                                 f"{lone_think:g} s, {lone_span:.0f} s): {line(paused)}."
                                 f" Context, one session alone back to back: {line(alone)}; the "
                                 f"{sessions} people's p95 against it: {against(many, alone)}.")
                else:
                    fig.note += f" Floor, one session alone, back to back: {line(alone)}."
                log("P10 (context): what a pause costs on this machine, without a database …")
                probe = pause_cost(think and lone_think)
                extra["p10"]["pause_probe"] = probe
                fig.note += f" {probe['text']}."
                if burst is not None:
                    fig.note += (f" Context, {sessions} sessions back to back (a saturated machine: the "
                                 f"queue, not a person's wait): {line(burst, alone)}; "
                                 f"errors {burst['errors']}; steps {burst['steps']}, events {burst_events}.")

            guarded(fig, figures, p10)


def pause_cost(pause: float, rounds: int = 20) -> dict[str, Any]:
    """bench/pause_probe.py in a process of its own: what a pause of ``pause`` s (0.3 when 0)
    costs the next operation on this machine, with no database (context for P10's floor)."""
    pause = pause or LONE_THINK
    proc = subprocess.run([PY, str(BENCH / "pause_probe.py"), "--json", "--pause", str(pause),
                           "--rounds", str(rounds)], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        return {"text": f"Pause probe failed: {proc.stderr.strip()[-300:]}"}
    import pause_probe

    figures = json.loads(proc.stdout)
    return {"figures": figures, "text": "Context, what a pause costs here without a database "
                                        "(bench/pause_probe.py): " + pause_probe.describe(figures, pause)}


def pg_person(url: str) -> str:
    """pick_person on a PostgreSQL database."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as con:
        row = con.execute(
            "SELECT id FROM people WHERE active AND (' ' || roles || ' ') LIKE '% ib %' "
            "ORDER BY school_id, id LIMIT 1"
        ).fetchone()
    if row is None:
        raise RuntimeError("no IB in the PostgreSQL demo database")
    return str(row[0])


if __name__ == "__main__":
    raise SystemExit(main())
