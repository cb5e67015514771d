"""A step starts from one statement (its case row locked, and the guards' facts) and writes its
case row once; a case changed while the step waited for its lock is read again.

See :mod:`kindroute.services.step_read` and :meth:`history.PendingEvents.write_case_later`.
"""

from __future__ import annotations

import threading
import time

import pytest
import test_trust_support
from test_trust_support import PG_URL, actor, case_with_clocks, needs_pg, open_case, statements_of, tick_all

from kindroute.errors import AccessDenied, StepNotAllowed
from kindroute.services import Services, stepping
from kindroute.services.audit import verify_history
from kindroute.services.step_read import read_step_start

svc = test_trust_support.svc_both  # SQLite, and PostgreSQL when set


def _first_step(svc, cid):  # type: ignore[no-untyped-def]
    """The case's detail and its first allowed step, its checklist ticked."""
    tick_all(svc, cid)
    detail = svc.case_detail(actor(svc), cid)
    return detail, next(n for n in detail.next if n.allowed)


def test_a_step_reads_once_and_writes_its_case_row_once(svc):
    ib = actor(svc)
    warm = open_case(svc, "Daan Jansen", teacher="Lotte Jansen")
    svc.advance_case(ib, warm, _first_step(svc, warm)[1].trigger)  # the history key is known now
    cid = open_case(svc)
    detail, step = _first_step(svc, cid)

    seen = statements_of(svc, lambda: svc.advance_case(ib, cid, step.trigger,
                                                       expected_version=detail.version))
    reads = [s for s in seen if s.split(" ", 1)[0] in ("SELECT", "WITH")]
    assert len(reads) == 1 and reads[0].startswith("WITH locked AS"), seen
    assert len([s for s in seen if s.startswith("UPDATE cases ")]) == 1, seen
    after = svc.case_detail(ib, cid)
    assert after.step == step.to and after.version == detail.version + 1
    assert [h.trigger for h in after.history][-1] == step.trigger
    # the row carries the step's head: the chain still checks out
    report = verify_history(svc.db, svc.route)
    assert report.ok, report.problems


def test_a_step_on_a_case_the_reader_may_not_see_reads_none_of_its_facts(svc):
    cid = open_case(svc)
    step = _first_step(svc, cid)[1]
    outsider = actor(svc, "Lotte Jansen")  # a teacher not assigned to this case
    with pytest.raises(AccessDenied):
        svc.advance_case(outsider, cid, step.trigger)
    statement = svc._step_case_read(outsider, svc.today())
    with svc.db.engine.connect() as conn:
        case, facts = read_step_start(conn, statement, svc._step_facts, cid)
        assert case is not None and not case.visible and list(facts) == []
        mine = svc._step_case_read(actor(svc), svc.today())
        case, facts = read_step_start(conn, mine, svc._step_facts, cid)
        assert case.visible and {f[0] for f in facts} >= {"T", "A"}
        assert read_step_start(conn, mine, svc._step_facts, cid + 999) == (None, ())


@needs_pg
@pytest.mark.pg
def test_a_step_that_waited_for_the_lock_reads_the_case_as_the_other_writer_left_it():
    """Another writer holds the case row and moves the case on; the step waits for the lock. Its
    statement's snapshot is from before that writer's commit, so it must read the facts again:
    from where the case now stands its trigger is not allowed."""
    import psycopg

    from kindroute.store.db import open_database

    assert PG_URL
    with test_trust_support.pg_database() as url:
        db = open_database(url)
        try:
            svc = test_trust_support.make_services(db, test_trust_support.Clock())
            ib = actor(svc)
            cid = open_case(svc)
            detail, step = _first_step(svc, cid)
            track = svc.route.main_track.id
            outcome: list[BaseException | None] = []

            def take_step() -> None:
                try:
                    svc.advance_case(ib, cid, step.trigger)
                    outcome.append(None)
                except BaseException as exc:  # noqa: BLE001 - handed to the test
                    outcome.append(exc)

            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as other:
                other.execute("SELECT id FROM cases WHERE id = %s FOR UPDATE", (cid,))
                other.execute("UPDATE case_tracks SET step = %s WHERE case_id = %s AND track = %s",
                              (step.to, cid, track))
                other.execute("UPDATE cases SET version = version + 1 WHERE id = %s", (cid,))
                worker = threading.Thread(target=take_step)
                worker.start()
                deadline = time.monotonic() + 20
                with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                                     autocommit=True) as watch:
                    while not watch.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'").fetchone()[0]:
                        assert time.monotonic() < deadline, "the step never waited for the lock"
                        time.sleep(0.02)
                other.commit()
            worker.join(20)
            assert len(outcome) == 1 and isinstance(outcome[0], StepNotAllowed), outcome
            after = svc.case_detail(ib, cid)
            assert after.step == step.to and after.version == detail.version + 1
            assert len(after.history) == len(detail.history)  # no event from the stale state
        finally:
            db.dispose()


def test_the_facts_of_one_statement_are_those_read_on_their_own(svc):
    """Every kind of fact a step reads comes the same through the one statement."""
    ib, cid = case_with_clocks(svc)
    with svc.db.engine.connect() as conn:
        case, facts = read_step_start(conn, svc._step_case_read(ib, svc.today()), svc._step_facts, cid)
        alone = [tuple(r) for r in conn.execute(svc._step_facts, {"case_id": cid})]
        plain = conn.execute(stepping.case_statement(ib, svc.route, svc.today()), {"case_id": cid}).one()
    assert sorted(facts, key=repr) == sorted(alone, key=repr)
    assert {f[0] for f in facts} >= {"T", "g", "a", "O"}
    assert tuple(getattr(case, k) for k in plain._fields) == tuple(plain)
    assert case.seen_version == case.version


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=[needs_pg, pytest.mark.pg])])
def test_a_step_followed_by_an_automatic_step_writes_the_case_row_as_each_left_it(backend, tmp_path):
    """The automatic step reads the case row the step before it wrote (its version, count and
    status): the held UPDATE is written first, and the last one carries the case's new head."""
    import contextlib
    import tomllib
    from pathlib import Path

    import tomli_w

    from kindroute.store.db import open_database
    from kindroute.workflow import parse_route

    text = (Path(__file__).parent.parent / "kindroute" / "workflow" / "default_route.toml").read_text()
    doc = tomllib.loads(text)
    auto = next(t for t in doc["triggers"] if t["id"] == "naar_leerlingbespreking")
    auto["automatic"] = True
    auto.pop("guards", None)
    route = parse_route(tomli_w.dumps(doc), "automatisch.toml")
    with contextlib.ExitStack() as stack:
        url = (str(tmp_path / "kr.sqlite") if backend == "sqlite"
               else stack.enter_context(test_trust_support.pg_database()))
        db = open_database(url)
        stack.callback(db.dispose)
        svc = test_trust_support.populate(Services(db, route=route, clock=test_trust_support.Clock()))
        ib = actor(svc)
        cid = open_case(svc)
        tick_all(svc, cid)
        before = svc.case_detail(ib, cid)
        seen = statements_of(svc, lambda: svc.advance_case(ib, cid, "naar_aanpak_groep",
                                                           expected_version=before.version))
        after = svc.case_detail(ib, cid)
        assert after.step == "leerlingbespreking" and after.version == before.version + 2
        assert [(h.trigger, h.by) for h in after.history][-2:] == [
            ("naar_aanpak_groep", "Ingrid Bakker"), ("naar_leerlingbespreking", "kindroute (automatisch)")]
        # each step's row is written before the next read of the case (the automatic step's
        # own read, and the read that finds no further automatic step); the head at the seal
        updates = [i for i, s in enumerate(seen) if s.startswith("UPDATE cases SET")]
        reads = [i for i, s in enumerate(seen) if s.startswith("SELECT cases.school_id")]
        assert len(updates) == 3 and len(reads) == 2, seen
        assert updates[0] < reads[0] < updates[1] < reads[1] < updates[2], seen
        assert seen[updates[2]].startswith("UPDATE cases SET history_head=")
        report = verify_history(db, route)
        assert report.ok, report.problems
