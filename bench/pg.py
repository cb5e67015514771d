"""PostgreSQL for P9 and P10: a fresh database per run, and a bounded load generator.

``fresh_database(server_url)`` creates ``kindroute_bench_<pid>_<n>`` on the server named by
``server_url`` (``KINDROUTE_TEST_PG_URL`` or ``--pg``; only that server is ever talked to)
and drops it afterwards (``DROP DATABASE … WITH (FORCE)``).

``load(url, sessions, seconds, …)`` (P10) runs ``sessions`` simulated users at once, each
with its own connection (its own engine; one thread uses one
connection) and its own person (the IBs of the
demo, in turn). Each repeats a random operation: 70 % a
page of its Casussen list (50 rows at a random offset within its first 1,000), 20 % the
detail of a random case it saw, 10 % a step on such a case (its first allowed next step,
with the version it read). A session is a person: between two operations it pauses for a
think time drawn from an exponential distribution with mean ``think`` seconds (and waits
such a time before its first one, so the sessions do not fire in step); ``think=0`` runs
the operations back to back, which measures the queue of a saturated machine rather than a
person's wait. A step refused because someone else changed the case first
(a version conflict) is a conflict, not an error; anything else raised is an error. It
stops after ``seconds`` or ``max_ops`` operations per session, whichever comes first. Each
session is a process of its own, as each person runs a kindroute of their own: sessions
that shared a process would wait for one another's Python (its global interpreter lock) as
no two people ever do. The processes are forked from a server that has imported kindroute
once (``forkserver`` with a preload), so fifty of them start in seconds. Before the clock
starts, each session reads a page, opens a case and takes a step, as a person has done in
their first minute (see ``_session``); the steps and events are those of the measured time.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_counter = itertools.count()


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_database(url: str, name: str) -> str:
    """``url`` with its database name replaced by ``name``."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped afterwards."""
    import psycopg

    name = f"kindroute_bench_{os.getpid()}_{next(_counter)}"
    admin = _dsn(with_database(server_url, "postgres"))
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settle(url: str) -> str:
    """Write what a bulk load left in the server's memory to disk now (``CHECKPOINT``), so that
    the figures measure the shared database as it runs, not the minutes after its demo was
    loaded: left alone, the checkpoint that 2.9 million rows set off spreads its writes over
    about four and a half minutes (``checkpoint_completion_target``), the very minutes the
    sessions are timed in, and every commit's flush waits behind them. An immediate
    checkpoint also hurries one already under way. Returns what was done, for the log."""
    import psycopg

    started = time.perf_counter()
    try:
        with psycopg.connect(_dsn(url), autocommit=True) as con:
            con.execute("CHECKPOINT")
    except psycopg.errors.InsufficientPrivilege:
        return "no CHECKPOINT (the login may not): the server writes the load out in its own time"
    return f"CHECKPOINT in {time.perf_counter() - started:.1f} s"


LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1"}


def reachable(server_url: str) -> str | None:
    """None when the server answers, else why not. Only a server on this machine is used: the
    load generator must never be pointed at someone's real database by a stray URL."""
    from sqlalchemy.engine import make_url

    host = make_url(server_url).host
    if host not in LOCAL_HOSTS and not str(host).startswith("/"):
        return f"{host} is not this machine; the benchmark only talks to a local server"
    try:
        import psycopg

        with psycopg.connect(_dsn(with_database(server_url, "postgres")), connect_timeout=3) as con:
            con.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - the reason is reported, the figure skipped
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def people_for_load(url: str) -> list[int]:
    """The demo's IBs: the persons the simulated users act as (an IB may take every step of
    its school's cases, so a step is refused only by the route's guards)."""
    import psycopg

    with psycopg.connect(_dsn(url)) as con:
        rows = con.execute(
            "SELECT id FROM people WHERE active AND ' ' || roles || ' ' LIKE '% ib %' ORDER BY id"
        ).fetchall()
    return [r[0] for r in rows]


def event_count(url: str) -> int:
    import psycopg

    with psycopg.connect(_dsn(url)) as con:
        return int(con.execute("SELECT count(*) FROM case_events").fetchone()[0])


# ----------------------------------------------------------------------------- one session
def _session(url: str, person: int, start: Any, seconds: float, max_ops: int, seed: int,
             out: list[tuple[str, float, str]], think: float = 0.0) -> None:
    """One simulated user: (operation, ms, outcome) appended to ``out``."""
    from kindroute.errors import Conflict, KindrouteError
    from kindroute.services import CaseFilter, Services
    from kindroute.store.db import open_database

    rnd = random.Random(seed)
    database = open_database(url, migrate=False)
    try:
        services = Services(database)
        actor = services.resolve_actor(person)
        seen: list[int] = [r.id for r in services.list_cases(actor, CaseFilter(), limit=50)]
        # Warm, as a person is after their first minute: one page, one case opened, one step
        # taken before the clock starts. A process's first open and first step build and
        # compile their statements and its server process plans them for the first time
        # (about 25 and 45 ms here, against 2–4 ms after); a person meets that once, not in
        # every minute. With fifty fresh sessions of a few steps each, those first times would
        # be a quarter of the steps measured, against one in thousands for the session alone.
        t0 = time.perf_counter()
        services.case_detail(actor, seen[0])
        out.append(("first open", (time.perf_counter() - t0) * 1000, "warm-up"))
        with contextlib.suppress(KindrouteError):  # another session took it first: warm all the same
            began = _step(services, actor, seen, rnd)
            if began is not None:
                out.append(("first step", (time.perf_counter() - began) * 1000, "warm-up"))
        start.wait()  # every session is connected and warm: the events are counted
        start.wait()  # and all start together
        until = time.monotonic() + seconds
        for _ in range(max_ops):
            if think:  # a person reads, thinks, types: exponential, mean `think` seconds
                time.sleep(max(0.0, min(rnd.expovariate(1 / think), until - time.monotonic())))
            if time.monotonic() >= until:
                break
            roll = rnd.random()
            op = "list" if roll < 0.7 or not seen else ("open" if roll < 0.9 else "step")
            t0 = time.perf_counter()
            outcome = "ok"
            try:
                if op == "list":
                    rows = services.list_cases(actor, CaseFilter(), limit=50,
                                               offset=rnd.randrange(20) * 50)
                    seen.extend(r.id for r in rows)
                    del seen[:-2000]
                elif op == "open":
                    services.case_detail(actor, rnd.choice(seen))
                else:
                    began = _step(services, actor, seen, rnd)
                    if began is None:
                        outcome = "none"
                    else:
                        t0 = began  # the step alone; the detail is an "open"
            except Conflict:
                outcome = "conflict"
            except KindrouteError as exc:
                outcome = "refused:" + type(exc).__name__ + ": " + str(exc).splitlines()[0][:120]
            except Exception as exc:  # noqa: BLE001 - counted and reported
                outcome = "error:" + type(exc).__name__ + ": " + str(exc).splitlines()[0][:120]
            out.append((op, (time.perf_counter() - t0) * 1000, outcome))
    finally:
        database.dispose()


def _step(services: Any, actor: Any, seen: list[int], rnd: random.Random) -> float | None:
    """A step on a case it saw with an allowed next step (its first); when it started, or None
    when ten cases tried had none."""
    for _try in range(10):
        case_id = rnd.choice(seen)
        detail = services.case_detail(actor, case_id)
        allowed = [n for n in detail.next if n.allowed]
        if allowed:
            t0 = time.perf_counter()
            services.advance_case(actor, case_id, allowed[0].trigger, expected_version=detail.version)
            return t0
    return None


def _process(url: str, people: list[int], start: Any, seconds: float, max_ops: int, seed: int,
             results: Any, think: float) -> None:
    out: list[tuple[str, float, str]] = []
    threads = [threading.Thread(target=_session, args=(url, p, start, seconds, max_ops, seed + i, out,
                                                       think))
               for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put(out)


#: Imported once in the fork server, so a session's process starts without importing them.
PRELOAD = ["sqlalchemy", "psycopg", "kindroute.errors", "kindroute.services", "kindroute.store.db"]


def load(url: str, sessions: int, seconds: float, people: list[int], *, max_ops: int = 100_000,
         processes: int | None = None, seed: int = 7, think: float = 0.0) -> dict[str, Any]:
    """Run ``sessions`` users for ``seconds`` (each its own process unless ``processes`` says
    fewer), each pausing a think time (exponential, mean
    ``think`` s; 0: back to back) between operations; per operation its count, p50/p95/p99
    (ms), and the totals: operations per second, steps, conflicts, errors (with the first few)."""
    if not people:
        raise RuntimeError("no IBs to act as")
    who = [people[i % len(people)] for i in range(sessions)]
    procs = max(1, min(sessions, processes or sessions))  # a person, a process
    groups = [who[i::procs] for i in range(procs)]
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    start = ctx.Barrier(sessions + 1)
    results = ctx.Queue()
    workers = [ctx.Process(target=_process, args=(url, g, start, seconds, max_ops, seed + 1000 * i, results,
                                                  think),
                           daemon=True) for i, g in enumerate(groups)]
    for w in workers:
        w.start()
    start.wait(timeout=600)  # every session warm
    events_before = event_count(url)  # after the warm-up steps: the measured minute's own
    start.wait(timeout=60)  # go
    began = time.monotonic()
    parts = [results.get(timeout=seconds + 600) for _ in workers]
    wall = time.monotonic() - began
    events = event_count(url) - events_before
    for w in workers:
        w.join(timeout=30)
    samples = [s for part in parts for s in part]
    result: dict[str, Any] = {"sessions": sessions, "seconds": seconds, "think_s": think, "wall_s": wall,
                              "ops": {}}
    for op in ("list", "open", "step"):
        ms = sorted(m for o, m, outcome in samples if o == op and outcome == "ok")
        result["ops"][op] = {"n": len(ms), "p50": _pct(ms, 50), "p95": _pct(ms, 95), "p99": _pct(ms, 99)}
    for op in ("first open", "first step"):  # the warm-up's, before the clock started
        ms = sorted(m for o, m, _outcome in samples if o == op)
        result["ops"][op] = {"n": len(ms), "p50": _pct(ms, 50), "p95": _pct(ms, 95), "p99": _pct(ms, 99)}
    done = sum(1 for _o, _m, outcome in samples if outcome == "ok")
    result["throughput"] = done / wall if wall else 0.0
    result["steps"] = result["ops"]["step"]["n"]
    result["events"] = events
    result["conflicts"] = sum(1 for s in samples if s[2] == "conflict")
    result["no_step"] = sum(1 for s in samples if s[2] == "none")
    problems = [s[2] for s in samples if s[2].startswith(("error", "refused"))]
    result["errors"] = len(problems)
    result["error_examples"] = sorted(set(problems))[:5]
    return result


def _pct(xs: list[float], p: int) -> float | None:
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[p - 1]
