"""The statements behind a step (kindroute.services.stepping) on SQLite and on PostgreSQL.

The facts come from one UNION ALL statement; they are checked here against the same facts
read record by record through the ORM. The access check of a step is checked against the
rule the lists use, for every person and case.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import test_trust_support
from sqlalchemy import func, select
from test_trust_support import (
    Clock,
    actor,
    open_case,
    tick_all,
    to_ondersteuningsteam,
)

from kindroute.errors import Conflict
from kindroute.services import Services, access, history, stepping, turns
from kindroute.store.models import (
    Assignment,
    Case,
    CaseEvent,
    ChecklistTick,
    ConsentRecord,
    Document,
    Person,
)
from kindroute.store.uow import STALE_MESSAGE
from kindroute.workflow import NOT_STARTED, CaseFacts, Consent
from kindroute.workflow.model import Record

svc = test_trust_support.svc_both  # SQLite, and PostgreSQL when set


def facts_record_by_record(svc: Services, case_id: int) -> CaseFacts:
    """The guards' facts read table by table through the ORM (the reference)."""
    route = svc.route
    with svc.db.sessions() as s:
        case = s.get_one(Case, case_id)
        tracks = {t.track: t for t in case.tracks}
        steps = {tid: NOT_STARTED for tid in route.tracks}
        steps.update({tid: t.step for tid, t in tracks.items()})
        holders = dict(s.execute(select(Assignment.role, Assignment.person_id).where(
            Assignment.case_id == case_id, Assignment.ended_at.is_(None))).all())
        consents = tuple(
            Consent(role=c.role, purpose=c.purpose, given_by=c.given_by, valid_from=c.valid_from,
                    valid_until=c.valid_until, withdrawn_on=c.withdrawn_on, pupil_cosigned=c.pupil_cosigned)
            for c in s.scalars(select(ConsentRecord).where(ConsentRecord.case_id == case_id)
                               .order_by(ConsentRecord.id))
        )
        ticks = set()
        for tick in s.scalars(select(ChecklistTick).where(ChecklistTick.case_id == case_id)):
            t = tracks.get(route.steps[tick.step].track)
            if t is not None and t.step == tick.step and t.entered_seq == tick.visit:
                ticks.add((tick.step, tick.item))
        docs = s.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id)).all()
        opp_docs = [d for d in docs if d.kind == "opp"]  # no OPP versions here: the latest decision
        return CaseFacts(
            steps=steps, today=svc.today(), pupil_birth_date=case.pupil.date_of_birth,
            assigned_roles=frozenset(holders), consents=consents, checklist_done=frozenset(ticks),
            assignees=frozenset(holders.items()),
            records=tuple(Record(d.kind, d.outcome, d.author_id, d.step, d.at) for d in docs),
            entered_at={tid: t.entered_at for tid, t in tracks.items()},
            opp_vastgesteld=bool(opp_docs) and opp_docs[-1].outcome == "vastgesteld",
        )


def facts_in_one_query(svc: Services, case_id: int) -> CaseFacts:
    with svc.db.sessions() as s:
        return svc.facts(s, s.get_one(Case, case_id))


def test_facts_from_one_query_equal_the_records(svc):
    ib = actor(svc)
    clock: Clock = svc.clock  # type: ignore[assignment]
    cid = open_case(svc)
    other = open_case(svc, "Daan Visser", teacher="Lotte Jansen")  # its records must not leak in
    svc.record_consent(ib, other, role="so_expert", purpose="Elders", given_by="Vader")
    svc.record_document(ib, other, "opp", outcome="vastgesteld")
    seen = [facts_in_one_query(svc, cid)]
    assert seen[0] == facts_record_by_record(svc, cid)
    assert not seen[0].consents and not seen[0].records

    svc.assign_role(ib, cid, "jeugdhulp", "Jeroen Wijk")
    svc.assign_role(ib, cid, "so_expert", "Sara Smit")
    svc.end_assignment(ib, cid, "so_expert")
    svc.record_consent(ib, cid, role="jeugdhulp", purpose="Wijkteam", given_by="Moeder", pupil_cosigned=True)
    gone = svc.record_consent(ib, cid, role="smw", purpose="Gesprek", given_by="Vader",
                              valid_until=clock.now.date() + timedelta(days=30))
    svc.withdraw_consent(ib, cid, gone.id, reason="Niet meer nodig")
    to_ondersteuningsteam(svc, cid)
    tick_all(svc, cid)
    svc.record_document(ib, cid, "opp", outcome="concept", title="OPP")
    svc.assign_role(ib, cid, "deskundige", "Paul Willems")
    svc.record_consent(ib, cid, role="deskundige", purpose="TLV-advies", given_by="Moeder")
    expert = actor(svc, "Paul Willems")
    svc.record_document(expert, cid, "deskundigenadvies", outcome="Advies")
    svc.record_document(expert, cid, "deskundigenadvies", outcome="Aanvulling")  # the same expert
    clock.now += timedelta(minutes=1)
    svc.record_document(ib, cid, "opp", outcome="vastgesteld", title="OPP")
    svc.advance_case(ib, cid, "start_jeugdhulp")  # an optional track starts: its row is inserted
    facts = facts_in_one_query(svc, cid)
    assert facts == facts_record_by_record(svc, cid)
    assert facts.steps["jeugdhulp"] == "toeleiding_jeugdhulp"
    assert facts.assigned_roles >= {"jeugdhulp", "leerkracht", "ib"}
    assert "so_expert" not in facts.assigned_roles
    assert [(c.role, c.pupil_cosigned, c.withdrawn_on is not None) for c in facts.consents] == [
        ("jeugdhulp", True, False), ("smw", False, True), ("deskundige", False, False)]
    assert facts.checklist_done and all(step == "ondersteuningsteam" for step, _ in facts.checklist_done)
    assert [(r.kind, r.outcome) for r in facts.records] == [
        ("opp", "concept"), ("deskundigenadvies", "Advies"), ("deskundigenadvies", "Aanvulling"),
        ("opp", "vastgesteld")]
    assert {r.person for r in facts.records if r.kind == "deskundigenadvies"} == {expert.id}


def test_the_access_check_of_a_step_is_the_rule_of_the_lists(svc):
    ib = actor(svc)
    c1 = open_case(svc)
    c2 = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    c3 = svc.open_case(actor(svc, "Anna Anker"), pupil="Mila Yilmaz", school="34CD", group=4,
                       born="2018-01-01")
    svc.assign_role(ib, c1, "so_expert", "Sara Smit")
    svc.record_consent(ib, c1, role="so_expert", purpose="MDO", given_by="Moeder")
    svc.assign_role(ib, c2, "smw", "Siem Smw")  # assigned without consent
    svc.record_consent(ib, c2, role="ggd", purpose="Onderzoek", given_by="Vader")  # consent, not assigned
    to_ondersteuningsteam(svc, c1)
    with svc.db.sessions() as s:
        people = s.scalars(select(Person.id).order_by(Person.id)).all()
    today = svc.today()
    seen = 0
    with svc.db.sessions() as s:
        for pid in people:
            who = svc.resolve_actor(pid)
            stmt = stepping.case_statement(who, svc.route, today)
            for cid in (c1, c2, c3):
                row = s.execute(stmt, {"case_id": cid}).one()
                assert bool(row.visible) == access.can_see(s, who, cid, svc.route, today), (who.name, cid)
                seen += bool(row.visible)
            assert s.execute(stmt, {"case_id": c3 + 100}).one_or_none() is None
    assert 0 < seen < 3 * len(people)


def test_a_step_whose_version_check_fails_is_a_conflict_and_writes_nothing(svc):
    ib = actor(svc)
    cid = open_case(svc)
    tick_all(svc, cid)
    with svc._uow() as uow:
        conn = uow.connection
        case = conn.execute(stepping.case_statement(ib, svc.route, svc.today()), {"case_id": cid}).one()
        known = stepping.build_facts(svc.route, stepping.fact_rows(conn, cid), svc.today(), case.born)
        track, source, dest = svc.engine.apply(known.facts, "naar_aanpak_groep")
        # as if someone else had written in between
        stale = SimpleNamespace(**{**case._asdict(), "version": case.version - 1})
        with pytest.raises(Conflict) as caught:
            turns.record_step(svc, conn, ib, cid, stale, known.tracks[track], track, source, dest,
                              "naar_aanpak_groep", "")
        assert str(caught.value) == STALE_MESSAGE
    # with the events collected for a seal, the row is written (and checked) at the seal
    with svc._uow() as uow:
        conn = uow.connection
        pending = history.PendingEvents(history.history_key_for(svc.db, conn, write=True),
                                        head=case.global_head)
        turns.record_step(svc, conn, ib, cid, stale, known.tracks[track], track, source, dest,
                          "naar_aanpak_groep", "", pending)
        with pytest.raises(Conflict) as caught:
            pending.seal(conn)
        assert str(caught.value) == STALE_MESSAGE
    with svc.db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseEvent)
                        .where(CaseEvent.case_id == cid, CaseEvent.kind == "step")) == 0
        assert s.get_one(Case, cid).version == case.version
    assert svc.advance_case(ib, cid, "naar_aanpak_groep").version == case.version + 1
