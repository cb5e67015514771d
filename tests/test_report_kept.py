"""The figures kept on write against a recount from the history, after random writes.

A small demo database takes random steps (as each school's IB), cases closed and reopened, and a
case moved to another school; after that the
report read from the kept rows must equal the independent computation of tests/test_report.py,
the kept rows must sum to what a recount from the history gives, and folding changes nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import text
from test_report import check
from test_trust_support import PG_URL, pg_database

from kindroute.demo import generate
from kindroute.errors import KindrouteError
from kindroute.services import Services, report_figures
from kindroute.store import figures
from kindroute.store.uow import UnitOfWork

NOW = datetime(2026, 11, 23, 9, 30)

BACKENDS = ["sqlite", pytest.param("pg", marks=[
    pytest.mark.pg, pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is niet gezet")])]


@pytest.fixture(params=BACKENDS)
def svc(request, tmp_path):
    from kindroute.store.db import open_database

    if request.param == "sqlite":
        db = open_database(str(tmp_path / "kept.sqlite"))
        generate(db, cases=80, seed=11, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()
        return
    with pg_database() as url:
        db = open_database(url)
        generate(db, cases=80, seed=11, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()


def kept(svc: Services) -> tuple[Counter, Counter]:
    """The kept rows summed per key (zero sums left out)."""
    with UnitOfWork(svc.db, write=False) as uow:
        conn = uow.connection
        counts = Counter({tuple(r[:-1]): int(r[-1]) for r in conn.execute(text(
            "SELECT kind, school_id, track, step, to_step, month, days, SUM(n) FROM report_counts "
            "GROUP BY kind, school_id, track, step, to_step, month, days HAVING SUM(n) <> 0"))})
        now = Counter({tuple(r[:-1]): int(r[-1]) for r in conn.execute(text(
            "SELECT school_id, track, step, deadline, status, turn, SUM(n) FROM report_now "
            "GROUP BY school_id, track, step, deadline, status, turn HAVING SUM(n) <> 0"))})
    return counts, now


def recounted(svc: Services) -> tuple[Counter, Counter]:
    """What a recount from the history gives (rolled back afterwards)."""
    with UnitOfWork(svc.db) as uow:
        figures.recount(uow.connection)
        uow.flush()
        conn = uow.connection
        counts = Counter({tuple(r[:-1]): int(r[-1]) for r in conn.execute(text(
            "SELECT kind, school_id, track, step, to_step, month, days, SUM(n) FROM report_counts "
            "GROUP BY kind, school_id, track, step, to_step, month, days HAVING SUM(n) <> 0"))})
        now = Counter({tuple(r[:-1]): int(r[-1]) for r in conn.execute(text(
            "SELECT school_id, track, step, deadline, status, turn, SUM(n) FROM report_now "
            "GROUP BY school_id, track, step, deadline, status, turn HAVING SUM(n) <> 0"))})
    return counts, now


def random_writes(svc: Services, rng: random.Random) -> int:
    ibs = {p.school_id: svc.resolve_actor(str(p.id)) for p in svc.list_people("ib") if p.school_id}
    with UnitOfWork(svc.db, write=False) as uow:
        cases = [tuple(r) for r in uow.connection.execute(
            text("SELECT id, school_id FROM cases ORDER BY id"))]
    steps = 0
    for _ in range(400):
        case_id, school_id = rng.choice(cases)
        ib = ibs[school_id]
        with UnitOfWork(svc.db, write=False) as uow:
            here = {r[0] for r in uow.connection.execute(
                text("SELECT step FROM case_tracks WHERE case_id = :c"), {"c": case_id})}
        from_here = sorted(t.id for t in svc.route.triggers.values()
                           if here & set(t.sources) or "-" in t.sources)
        try:
            roll = rng.random()
            if roll < 0.05:
                svc.close_case(ib, case_id, note="klaar")
            elif roll < 0.1:
                svc.reopen_case(ib, case_id, note="opnieuw")
            else:
                svc.advance_case(ib, case_id, rng.choice(from_here), note="stap")
            steps += 1
        except KindrouteError:
            continue
    return steps


def test_kept_figures_equal_a_recount_after_random_writes(svc):
    rng = random.Random(3)
    assert random_writes(svc, rng) > 5
    # a case moves to another school: its history is counted there from now on
    with UnitOfWork(svc.db) as uow:
        conn = uow.connection
        case_id, school_id = conn.execute(text("SELECT id, school_id FROM cases WHERE history_count > 2 "
                                               "ORDER BY id LIMIT 1")).one()
        other = conn.execute(text("SELECT MIN(id) FROM schools WHERE id <> :s"), {"s": school_id}).scalar()
        conn.execute(text("UPDATE cases SET school_id = :o WHERE id = :c"), {"o": other, "c": case_id})
        uow.commit()
    assert random_writes(svc, rng) > 5
    assert kept(svc) == recounted(svc)
    for who in (None, "Ingrid Bakker", "Jeroen Koster"):
        check(svc, who)
    # the stroomschema's counts: every track, per step; overdue with someone at turn
    ib = svc.resolve_actor("Ingrid Bakker")
    for actor, school in ((None, ""), (ib, f"AND c.school_id = {ib.school_id}")):
        with UnitOfWork(svc.db, write=False) as uow:
            conn = uow.connection
            steps = dict(conn.execute(text(
                f"SELECT t.step, COUNT(*) FROM case_tracks t JOIN cases c ON c.id = t.case_id "
                f"WHERE 1 = 1 {school} GROUP BY t.step")).all())
            late = dict(conn.execute(text(
                f"SELECT t.step, COUNT(*) FROM case_tracks t JOIN cases c ON c.id = t.case_id "
                f"WHERE t.deadline < :d AND t.at_turn_role IS NOT NULL {school} GROUP BY t.step"),
                {"d": NOW.date()}).all())
        assert svc.step_counts(actor) == steps
        assert svc.step_overdue_counts(actor) == late
    with UnitOfWork(svc.db) as uow:
        before = kept(svc)
        report_figures.fold(uow.session)
        uow.commit()
    assert kept(svc) == before


def test_the_ib_and_the_owner_read_kept_figures_a_teacher_counts_directly(svc):
    route = svc.route
    ib = svc.resolve_actor("Ingrid Bakker")
    assert report_figures.scope(None, route, swv_all=True) == report_figures.EVERY
    assert report_figures.scope(ib, route, swv_all=True) == ib.school_id
    teacher = next(p for p in svc.list_people("leerkracht"))
    assert report_figures.scope(svc.resolve_actor(str(teacher.id)), route, swv_all=True) is None
    swv = svc.resolve_actor("Jeroen Koster")
    assert report_figures.scope(swv, route, swv_all=True) == report_figures.EVERY
    assert report_figures.scope(swv, route, swv_all=False) is None


def test_percentiles_are_nearest_rank():
    assert report_figures.percentiles({}) == (0, None, None)
    assert report_figures.percentiles({3: 1}) == (1, 3, 3)
    # 1..10: the 5th and the 9th value
    assert report_figures.percentiles({d: 1 for d in range(1, 11)}) == (10, 5, 9)
    assert report_figures.percentiles({0: 9, 40: 1}) == (10, 0, 0)
    assert report_figures.percentiles({0: 8, 40: 2}) == (10, 0, 40)


def test_migration_0011_counts_the_history_already_there(svc):
    """Back to 0007 (no kept figures), steps taken there, then up again: the upgrade counts it all."""
    from alembic import command

    from kindroute.store import schema

    engine = svc.db.engine
    with engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0007")
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if conn.dialect.name == "sqlite"
            else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))}
        assert "report_counts" not in tables
        # a change made before the upgrade (no trigger then): the upgrade must count it
        conn.execute(text("UPDATE case_tracks SET deadline = NULL WHERE case_id = "
                          "(SELECT MIN(case_id) FROM case_tracks)"))
        conn.commit()
    schema.upgrade(engine)
    assert kept(svc) == recounted(svc)
    assert sum(kept(svc)[0].values()) > 100
    check(svc, None)
    check(svc, "Ingrid Bakker")


def test_the_demo_tallies_what_a_recount_finds_also_when_appending(svc):
    assert kept(svc) == recounted(svc)
    generate(svc.db, cases=30, seed=12, now=NOW, append=True)
    assert kept(svc) == recounted(svc)
