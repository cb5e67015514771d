"""A step locks the global head of the history last: everything else of the step is written first.

Under many users every step waits for the one global head (``kindroute_meta``'s
``history_head`` row, ``FOR UPDATE`` on PostgreSQL) until the step commits. So a step collects its
events (:class:`kindroute.services.history.PendingEvents`) and seals them at the end: after the
lock only the events, the global head and the cases' heads are written.
"""

from __future__ import annotations

import pytest
import test_trust_support
from sqlalchemy import event, select
from test_trust_support import PG_URL, Clock, actor, make_services, needs_pg, open_case, pg_database, tick_all

from kindroute.services import clocks, history
from kindroute.services.audit import verify_history
from kindroute.store.db import open_database
from kindroute.store.hmac_chain import parse_head
from kindroute.store.models import Case, CaseEvent, Meta

svc = test_trust_support.svc_both  # SQLite, and PostgreSQL when set


def _is_head_read(sql: str) -> bool:
    """The read of the global head alone (the case read carries it as a subquery, unlocked)."""
    return sql.lstrip().upper().startswith("SELECT KINDROUTE_META.VALUE")


def test_a_step_takes_the_global_head_after_everything_else(svc):
    ib = actor(svc)
    cid = open_case(svc)
    tick_all(svc, cid)
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(svc.db.engine, "before_cursor_execute", record)
    try:
        svc.advance_case(ib, cid, "naar_aanpak_groep", note="Gesprek gevoerd")
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", record)
    reads = [i for i, s in enumerate(seen) if _is_head_read(s)]
    takes = [i for i, s in enumerate(seen) if _is_head_read(s) or s.startswith("UPDATE kindroute_meta")]
    # the case read carried the head; nobody moved it since, so it is moved on from that value
    # (UPDATE … WHERE value = <read>, which takes the row lock on PostgreSQL) without a read of its own
    assert reads == [], seen
    assert seen[takes[0]].startswith("UPDATE kindroute_meta") and "kindroute_meta.value = " in seen[takes[0]]
    before, after = seen[:takes[0]], seen[takes[0] + 1:]
    # the step's note and the track are written before the head is taken ...
    assert any(s.startswith("UPDATE case_tracks") for s in before)
    assert any(s.startswith("INSERT INTO notes") for s in before)
    # the case row locked, the guards' facts and the clocks' inputs: one read, before the writes
    # (not read again after)
    reads = [s for s in seen if s.startswith(("SELECT", "WITH"))]
    assert len(reads) == 1 and reads[0].startswith("WITH locked AS") and "'g' AS kind" in reads[0], seen
    assert reads[0] in before
    assert not any(s.startswith(("INSERT INTO case_events", "UPDATE cases")) for s in before)
    # ... and after it only the event, the global head and the case row: written once, with its
    # new head, its version and its next_due (the clocks after the step, known from the one read)
    kinds = [s.split(" SET ")[0].split(" (")[0] for s in after]
    assert set(kinds) <= {"INSERT INTO case_events", "UPDATE kindroute_meta", "UPDATE cases"}, after
    assert kinds.count("INSERT INTO case_events") == 1
    updates = [s for s in after if s.startswith("UPDATE cases")]
    assert len(updates) == 1, after
    assert all(f"{c}=" in updates[0].split(" WHERE ")[0] for c in ("history_head", "version", "next_due"))
    with svc.db.engine.connect() as conn:
        due = conn.execute(select(Case.next_due).where(Case.id == cid)).scalar()
        assert due == clocks.next_due(conn, cid, svc.route) and due is not None
    report = verify_history(svc.db, svc.route)
    assert report.ok, report.problems


def test_pending_events_chain_within_a_case_and_move_both_heads(svc):
    ib = actor(svc)
    cid = open_case(svc)
    other = open_case(svc, "Daan Jansen")
    with svc.db.engine.begin() as conn:
        key = history.history_key_for(svc.db, conn, write=True)
        head_before = conn.execute(select(Meta.value).where(Meta.key == "history_head")).scalar()
        case = conn.execute(select(Case.history_head, Case.history_count).where(Case.id == cid)).one()
        o = conn.execute(select(Case.history_head, Case.history_count).where(Case.id == other)).one()
        at = svc.now()
        pending = history.PendingEvents(key)
        first = pending.add(case_id=cid, prev_hash=case.history_head, prev_count=case.history_count,
                            kind="step", actor=ib, at=at, track="school", from_step="a", to_step="b",
                            trigger="t1")
        mid = pending.add(case_id=other, prev_hash=o.history_head, prev_count=o.history_count,
                          kind="step", actor=ib, at=at, track="school", from_step="a", to_step="b",
                          trigger="t1")
        # the second event of the case follows the first, whatever the caller read from the case row
        second = pending.add(case_id=cid, prev_hash=case.history_head, prev_count=case.history_count,
                             kind="step", actor=ib, at=at, track="school", from_step="b", to_step="c",
                             trigger="t2")
        assert (first, second, mid) == (case.history_count + 1, case.history_count + 2, o.history_count + 1)
        assert [e.to_step for e in pending.steps_of(cid)] == ["b", "c"]
        # nothing is written (nor the head locked) before the seal
        assert conn.execute(select(Meta.value).where(Meta.key == "history_head")).scalar() == head_before
        assert conn.execute(select(CaseEvent.seq).where(CaseEvent.case_id == cid,
                                                        CaseEvent.seq > case.history_count)).first() is None
        heads = pending.seal(conn)
        rows = conn.execute(select(CaseEvent).where(CaseEvent.case_id.in_([cid, other]),
                                                    CaseEvent.kind == "step").order_by(CaseEvent.gseq)).all()
        assert [(r.case_id, r.seq) for r in rows] == [(cid, first), (other, mid), (cid, second)]
        g0 = parse_head(head_before)[0]
        assert [r.gseq for r in rows] == [g0 + 1, g0 + 2, g0 + 3]
        assert rows[0].prev_hash == case.history_head and rows[2].prev_hash == rows[0].hash
        assert rows[1].gprev == rows[0].hash and rows[2].gprev == rows[1].hash
        assert heads == {cid: rows[2].hash, other: rows[1].hash}
        now_head = conn.execute(select(Meta.value).where(Meta.key == "history_head")).scalar()
        g, gcase, h, _m = parse_head(now_head)
        assert (g, gcase, h) == (g0 + 3, cid, rows[2].hash)
        assert conn.execute(select(Case.history_head).where(Case.id == cid)).scalar() == rows[2].hash
        assert pending.seal(conn) == {}  # sealed once


def test_a_head_read_before_is_taken_again_when_it_moved(svc):
    """``PendingEvents(head=…)`` moves the head on only from the value it was given: when the
    head moved since (here: another event in the same transaction), it takes the head again."""
    ib = actor(svc)
    cid = open_case(svc)
    other = open_case(svc, "Daan Jansen")
    with svc.db.engine.begin() as conn:
        key = history.history_key_for(svc.db, conn, write=True)
        stale = conn.execute(select(Meta.value).where(Meta.key == "history_head")).scalar()
        o = conn.execute(select(Case.history_head, Case.history_count).where(Case.id == other)).one()
        seq, h = history.append_event(conn, key, case_id=other, prev_hash=o.history_head,
                                      prev_count=o.history_count, kind="turn", actor=ib, at=svc.now())
        conn.execute(Case.__table__.update().where(Case.id == other)
                     .values(history_head=h, history_count=seq))
        case = conn.execute(select(Case.history_head, Case.history_count).where(Case.id == cid)).one()
        pending = history.PendingEvents(key, head=stale)
        pending.add(case_id=cid, prev_hash=case.history_head, prev_count=case.history_count, kind="step",
                    actor=ib, at=svc.now(), track="school", from_step="a", to_step="b", trigger="t1")
        heads = pending.seal(conn)
        now_head = conn.execute(select(Meta.value).where(Meta.key == "history_head")).scalar()
        g, gcase, gh, _m = parse_head(now_head)
        assert (g, gcase, gh) == (parse_head(stale)[0] + 2, cid, heads[cid])
        row = conn.execute(select(CaseEvent.gseq, CaseEvent.gprev).where(CaseEvent.hash == heads[cid])).one()
        assert (row.gseq, row.gprev) == (g, h)
        assert conn.execute(select(Case.history_head).where(Case.id == cid)).scalar() == heads[cid]


@needs_pg
@pytest.mark.pg
def test_a_head_moved_by_another_transaction_is_taken_again_on_postgresql():
    """Two steps read the same head; the one that seals second finds it moved (the other one
    committed meanwhile) and chains after the other's event, not beside it."""
    assert PG_URL
    with pg_database() as url:
        db = open_database(url)
        try:
            svc = make_services(db, Clock())
            ib = actor(svc)
            first, second = open_case(svc), open_case(svc, "Daan Jansen")
            with db.engine.connect() as a, db.engine.connect() as b:
                ta, tb = a.begin(), b.begin()
                key = history.history_key_for(db, a, write=True)
                read = a.execute(select(Meta.value).where(Meta.key == "history_head")).scalar()
                mine = history.PendingEvents(key, head=read)
                theirs = history.PendingEvents(key, head=read)
                for pending, conn, cid in ((mine, a, first), (theirs, b, second)):
                    case = conn.execute(select(Case.history_head, Case.history_count)
                                        .where(Case.id == cid)).one()
                    pending.add(case_id=cid, prev_hash=case.history_head, prev_count=case.history_count,
                                kind="step", actor=ib, at=svc.now(), track="school", from_step="a",
                                to_step="b", trigger="t1")
                their_head = theirs.seal(b)[second]
                tb.commit()  # the other step commits first: the head moved since ``read``
                my_head = mine.seal(a)[first]
                ta.commit()
            with db.engine.connect() as conn:
                rows = {r.case_id: r for r in conn.execute(
                    select(CaseEvent.case_id, CaseEvent.gseq, CaseEvent.gprev, CaseEvent.hash)
                    .where(CaseEvent.hash.in_([my_head, their_head])))}
                g, gcase, h, _m = parse_head(conn.execute(
                    select(Meta.value).where(Meta.key == "history_head")).scalar())
            assert rows[first].gseq == rows[second].gseq + 1 == parse_head(read)[0] + 2
            assert rows[first].gprev == their_head
            assert (g, gcase, h) == (rows[first].gseq, first, my_head)
        finally:
            db.dispose()
