"""M1: one move of a meeting's walk (``n``) in an agenda of 10,000 items vs one of 10.

A move reads the item by its position (the meeting remembers it), the case's detail and the
meeting's summary: ``Services.meetings.walk_to``, the call the walk screen makes in its
worker. Both meetings are chaired by the IB of the first demo school and hold that school's
cases; the walk goes forward through the first 200 positions (the 10-item one cycles).
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

BIG_AGENDA = 10_000
SMALL_AGENDA = 10
MOVES = 200


def walk_times(source: Path, work: Path, who: str, rounds: int) -> tuple[list[float], list[float], str]:
    """(ms per move with 10,000 items, ms per move with 10 items, a note) over ``rounds`` walks."""
    from kindroute.services import CaseFilter, Services
    from kindroute.store.db import open_database

    path = work / "m1.sqlite"
    shutil.copyfile(source, path)
    # the demo's history key is where ``kindroute demo`` (run by run.py) left it, in the bench's
    # configuration folder (run.py points XDG_CONFIG_HOME there): adding a sealed case to an
    # agenda is an event of its history
    db = open_database(str(path))
    try:
        svc = Services(db)
        ib = svc.resolve_actor(who)
        ids = [r.id for r in svc.list_cases(ib, CaseFilter(sort="id", status=None), limit=BIG_AGENDA)]
        big = svc.meetings.create(ib, "leerlingbespreking")
        svc.meetings.add_cases(ib, big, ids)
        small = svc.meetings.create(ib, "leerlingbespreking")
        svc.meetings.add_cases(ib, small, ids[:SMALL_AGENDA])
        big_ms: list[float] = []
        small_ms: list[float] = []
        for _ in range(rounds):
            for meeting, n, out in ((big, len(ids), big_ms), (small, SMALL_AGENDA, small_ms)):
                samples = []
                for step in range(MOVES):
                    started = time.perf_counter()
                    svc.meetings.walk_to(ib, meeting, step % n)
                    samples.append((time.perf_counter() - started) * 1000)
                out.append(statistics.median(samples))
        note = f"{len(ids):,} items vs {SMALL_AGENDA}; median of {MOVES} moves per round"
        return big_ms, small_ms, note
    finally:
        db.dispose()
        for p in work.glob("m1.sqlite*"):
            p.unlink()
