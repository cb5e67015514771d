"""Realistic demo data: schools, staff, pupils and cases spread over every step of the route.

``generate(db, cases=60, seed=1, now=...)`` fills a database in one transaction. The
same seed (and the same ``now``) gives the same data. The package, by idea:

* :mod:`~kindroute.demo.data` — the fixed data: schools, staff, names, Dutch texts;
* :mod:`~kindroute.demo.plan` — which path a case takes through the route;
* :mod:`~kindroute.demo.rows` — the rows of every case, its history sealed by ``store.chain``;
* :mod:`~kindroute.demo.writer` — the bulk writer, through the store's own tables.

Speed: paths are planned once per route, not per case, and rows go in with one
``executemany`` per table and batch (no ORM objects) on a writer thread while the next
batch is generated, so 100,000 cases take seconds. The same code runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import logging
import random
import time as _time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from kindroute.demo.data import SCHOOL_STAFF, SCHOOLS
from kindroute.demo.plan import RoutePlan, allocate, plan_route
from kindroute.demo.rows import RowMaker
from kindroute.demo.writer import LoadThread
from kindroute.errors import InvalidInput

log = logging.getLogger(__name__)

REINDEX_CASES = 20_000  # from this many cases, SQLite indexes are built once after the load
CHUNK = 5_000  # cases generated per batch handed to the writer thread


@dataclass
class DemoSummary:
    schools: int = 0
    people: int = 0
    pupils: int = 0
    cases: int = 0
    events: int = 0
    rows: int = 0
    seconds: float = 0.0
    steps: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        return (f"{self.cases} casussen, {self.pupils} leerlingen, {self.people} personen, "
                f"{self.schools} scholen, {self.events} stappen in de geschiedenis "
                f"({self.rows} rijen in {self.seconds:.1f} s)")


def generate(db: Any, *, cases: int = 60, seed: int = 1, now: datetime | None = None, route: Any = None,
             append: bool = False) -> DemoSummary:
    """Fill ``db`` with demo data in one transaction; refuses a database with cases unless ``append``."""
    from kindroute.services.route_store import route_in_use

    started = _time.perf_counter()

    def _phase(what: str) -> None:
        log.debug("demo: %s after %.2f s", what, _time.perf_counter() - started)

    if cases < 0:
        raise InvalidInput("Het aantal casussen kan niet negatief zijn.")
    now = now or datetime.now()
    route = route_in_use(db, route, now=now, adopt_if_empty=True)
    plan = plan_route(route, seed)
    if not plan.paths:
        raise InvalidInput(f"Route {route.name} heeft geen stappen die vanaf de start bereikbaar zijn.")
    from kindroute.demo_plan import PlanMaker  # goals, OPP versions, instemming, hoorrecht, periods

    rng = random.Random(seed)
    summary = DemoSummary()
    sqlite = db.engine.dialect.name == "sqlite"
    writer = LoadThread(db, append=append, big=cases >= REINDEX_CASES)
    writer.start()
    try:
        state = writer.state()  # raises the writer's error (e.g. refusing a database with cases)
        gen = RowMaker(plan, rng, now, sqlite, state["next_ids"])
        plans = PlanMaker(route, seed=seed, now=now, sqlite=sqlite, next_ids=state["next_ids"])
        gen.staff(state["schools"], state["people"])
        gen.pupil_identities.update((n, d if isinstance(d, date) else date.fromisoformat(d), s)
                                    for n, d, s in state["pupils"])
        pupils = gen.pupils(cases + 250, seed)
        last_names = {r["id"]: r["last_name"] for r in gen.rows["pupils"]}
        chosen = rng.sample(pupils, cases)
        for i, ((target, side), pupil) in enumerate(zip(allocate(plan, cases, rng), chosen, strict=True)):
            gen.case(target, side, pupil)
            plans.case(gen.rows, last_names[pupil[0]])  # its goals, OPP versions and next_due
            summary.steps[target] = summary.steps.get(target, 0) + 1
            if i % CHUNK == CHUNK - 1:
                summary.rows += writer.put(gen.take())
        last = gen.take()
        last.update(gen.tally.rows())  # the monitor's figures of every case made
        summary.rows += writer.put(last)
        summary.events = writer.events
        _phase("generated")
        writer.finish(plans.finish)  # the periods of granted decisions and their cases' next_due
        _phase("committed")
    finally:
        writer.abort()
    summary.schools = len(gen.school_staff)
    summary.people = len(gen.person_name)
    summary.pupils = cases + 250
    summary.cases = cases
    from kindroute.demo_swv import fill_swv  # the SWV's view: partners, verbeterbord, Plus-klas

    fill_swv(db, route=route, now=now, seed=seed)
    from kindroute.services import register  # the people and schools written in bulk above

    with db.engine.begin() as conn:
        register.record(db, conn, None, now, "demo", None)
    if not sqlite:
        _vacuum(db)
    summary.seconds = _time.perf_counter() - started
    return summary


#: What the lists, a case's screen and a step read most: vacuumed after a bulk load on PostgreSQL.
VACUUMED = ("cases", "case_tracks", "assignments", "pupils", "pupil_words", "consents", "documents")


def _vacuum(db: Any) -> None:
    """On PostgreSQL, VACUUM (ANALYZE) what a bulk load filled: until autovacuum comes by, the
    visibility map of fresh rows is empty, so an index-only scan (a count, a deep page's ids)
    still visits every row. (A table the connecting role does not own is skipped with a notice.)"""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in VACUUMED:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {table}")


__all__ = ["CHUNK", "SCHOOLS", "SCHOOL_STAFF", "DemoSummary", "RoutePlan", "RowMaker", "allocate", "generate",
           "plan_route"]
