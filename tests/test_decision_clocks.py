"""The ends of what the SWV granted (an arrangement, a TLV) as clocks: date fields of the route's
``[[decisions]]`` marked ``clock = "end"``, a reminder ``remind_weeks`` before, ``cases.next_due``
recomputed when a term or the route changes."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from test_plan import TO_OPP, _people, kinds, next_due, strict_route
from test_services import NOW, Clock, ib, open_case, tick_all, walk
from test_trust_support import needs_pg, pg_database

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services import CaseFilter, Services, clocks
from kindroute.services.route_store import install_route
from kindroute.store.db import open_database
from kindroute.store.models import Case
from kindroute.workflow import load_route, parse_route
from kindroute.workflow.vocabulary import STATUS_REFERRED


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 9, 0)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[needs_pg, pytest.mark.pg])])
def svc(request, tmp_path, clock: Clock):
    with contextlib.ExitStack() as stack:
        url = str(tmp_path / "kr.sqlite") if request.param == "sqlite" else stack.enter_context(pg_database())
        db = open_database(url)
        s = Services(db, route=strict_route(tmp_path), clock=clock)
        _people(s)
        yield s
        db.dispose()


def swv(svc: Services):
    return svc.resolve_actor("Willem SWV")


def to_request(svc: Services, name: str, born: str = "2017-03-01") -> int:
    """A case with an adopted OPP that asks the SWV for an arrangement (the SWV sees it now)."""
    cid = open_case(svc, name, born=born)
    walk(svc, cid, *TO_OPP)
    me = ib(svc)
    svc.save_opp(me, cid, uitstroomprofiel="vmbo")
    svc.record_instemming(me, cid, outcome="eens", by="Ouders")
    svc.record_hoorrecht(me, cid, view="Prima")
    svc.save_opp(me, cid, adopt=True)
    walk(svc, cid, "naar_arrangement_aanvraag")
    return cid


def test_the_fields_of_an_arrangement_and_a_tlv_are_checked_against_the_route(svc):
    cid = to_request(svc, "Kind Arrangement")
    with pytest.raises(AccessDenied, match="swv"):  # the route: the SWV records its decision
        svc.record_decision(ib(svc), cid, "arrangement", "toegekend",
                            fields={"start": "2026-12-01", "einde": "2027-03-31"})
    with pytest.raises(InvalidInput, match="veld 'einde' \\(Einddatum\\) is verplicht"):
        svc.record_decision(swv(svc), cid, "arrangement", "toegekend", fields={"start": "2026-12-01"})
    with pytest.raises(InvalidInput, match="veld 'einde' .* hoort alleen bij toegekend, niet bij 'afgeweze"):
        svc.record_decision(swv(svc), cid, "arrangement", "afgewezen", fields={"einde": "2027-03-31"})
    refused = svc.record_decision(swv(svc), cid, "arrangement", "afgewezen")
    assert refused.fields == {"bezwaar_tot": "2027-01-04"}  # decision + 6 weeks (Awb art. 6:7)
    so_needs = r"veld 'categorie' \(Categorie \(bij SO\)\) is verplicht als type so"
    with pytest.raises(InvalidInput, match=so_needs):
        svc.record_period(swv(svc), cid, kind="tlv", start="2026-08-01", end="2027-07-31", tlv_type="so")
    tlv = {"type": "so", "start": "2026-08-01", "einde": "2027-07-31"}
    with pytest.raises(InvalidInput, match="verplicht als type so is"):  # the main path: the same rule
        svc.record_decision(swv(svc), cid, "tlv", "toegekend", fields=tlv)
    sbo = svc.record_decision(swv(svc), cid, "tlv", "toegekend", fields={**tlv, "type": "sbo"})
    assert "categorie" not in sbo.fields
    with pytest.raises(InvalidInput, match="einddatum ligt vóór de startdatum"):
        svc.record_period(swv(svc), cid, kind="arrangement", start="2027-08-01", end="2027-07-31")
    with pytest.raises(InvalidInput, match="'opp' is geen besluit met een einddatum"):
        svc.record_period(swv(svc), cid, kind="opp", start="2027-08-01", end="2027-09-01")


def test_arrangement_and_tlv_ends_are_clocks_and_show_overdue(svc, clock):
    arr = to_request(svc, "Kind Arrangement")
    tlv = to_request(svc, "Kind TLV", born="2016-05-05")
    other = open_case(svc, "Kind Zonder", born="2016-06-06")
    svc.record_decision(swv(svc), arr, "arrangement", "toegekend",
                        fields={"start": "2026-09-01", "einde": "2027-01-31", "vorm": "4 uur per week"})
    svc.record_period(swv(svc), tlv, kind="tlv", start="2026-08-01", end="2027-07-31", tlv_type="so",
                      tlv_category="midden", school_year="2026-2027")
    assert kinds(svc, arr)["arrangement_end"] == date(2027, 1, 31)
    assert kinds(svc, arr)["arrangement_reminder"] == date(2027, 1, 31) - timedelta(weeks=6)
    period = svc.case_plan(None, tlv).periods[0]
    assert (period.kind, period.end) == ("tlv", date(2027, 7, 31))
    assert ("Categorie (bij SO)", "midden") in period.fields
    assert ("Bezwaar mogelijk tot", "2027-01-04") in period.fields
    clock.now = at(2027, 2, 1)
    overdue = {r.id for r in svc.list_cases(None, CaseFilter(overdue=True))}
    assert {arr, tlv, other} <= overdue  # their step terms ran out too: see the next test for the ends alone
    arr_clocks = {c.kind: c for c in svc.case_clocks(None, arr)}
    tlv_clocks = {c.kind: c for c in svc.case_clocks(None, tlv)}
    assert arr_clocks["arrangement_end"].overdue and not tlv_clocks["tlv_end"].overdue
    assert tlv_clocks["tlv_reminder"].due == date(2027, 6, 19)
    assert tlv_clocks["tlv_end"].label == "TLV eindigt"


def test_only_the_arrangement_end_makes_a_case_overdue(svc, clock):
    """A case whose step has no term ('arrangement uitvoeren'): only the end of the arrangement."""
    cid = to_request(svc, "Kind Arrangement")
    svc.record_period(swv(svc), cid, kind="arrangement", start="2026-12-01", end="2027-03-31")
    walk(svc, cid, "arrangement_toegekend")
    assert svc.case_detail(None, cid).deadline is None  # the step has no term of its own
    assert next_due(svc, cid) == date(2027, 3, 31) - timedelta(weeks=6)
    svc.record_decision(swv(svc), cid, "arrangement", "afgewezen")  # a later request refused ...
    assert next_due(svc, cid) == date(2027, 3, 31) - timedelta(weeks=6)  # ... hides no running end
    clock.now = at(2027, 2, 16)  # before the reminder (6 weeks before the end: 17-2)
    assert svc.list_cases(None, CaseFilter(overdue=True)) == []
    clock.now = at(2027, 4, 1)
    rows = svc.list_cases(None, CaseFilter(overdue=True))
    assert [r.id for r in rows] == [cid] and rows[0].overdue


def _route_with(tmp_path, old: str, new: str, version: str = "2026.2"):
    text = strict_route(tmp_path).text.replace(old, new)
    text = text.replace('version = "2026.2"', f'version = "{version}"')
    assert old in strict_route(tmp_path).text
    return parse_route(text, "route.toml")


def test_the_reminder_weeks_come_from_the_route(tmp_path, clock):
    end = 'clock = "end", remind_weeks = 6 }'
    route = _route_with(tmp_path, end, 'clock = "end", remind_weeks = 10 }')
    db = open_database(str(tmp_path / "r.sqlite"))
    try:
        s = Services(db, route=route, clock=clock)
        _people(s)
        cid = to_request(s, "Kind Arrangement")
        s.record_period(swv(s), cid, kind="arrangement", start="2026-12-01", end="2027-03-31")
        assert kinds(s, cid)["arrangement_reminder"] == date(2027, 3, 31) - timedelta(weeks=10)
    finally:
        db.dispose()


def test_installing_a_route_version_recomputes_next_due(tmp_path, clock):
    db = open_database(str(tmp_path / "i.sqlite"))
    try:
        s = Services(db, route=strict_route(tmp_path), clock=clock)
        _people(s)
        cid = to_request(s, "Kind Arrangement")
        s.record_period(swv(s), cid, kind="arrangement", start="2026-12-01", end="2027-03-31")
        walk(s, cid, "arrangement_toegekend")
        assert next_due(s, cid) == date(2027, 2, 17)  # 6 weeks before the end
        new = _route_with(tmp_path, 'clock = "end", remind_weeks = 6 }', 'clock = "end", remind_weeks = 2 }',
                          version="2026.9")
        install_route(db, ib(s), new, s.now())
        assert next_due(s, cid) == date(2027, 3, 17)  # the new version's 2 weeks
    finally:
        db.dispose()


def test_setting_a_term_recomputes_next_due(tmp_path, clock):
    old = 'id = "arrangement_uitvoering"'
    route = _route_with(tmp_path, old, old + '\nterm_set_by = "ib"')
    db = open_database(str(tmp_path / "t.sqlite"))
    try:
        s = Services(db, route=route, clock=clock)
        _people(s)
        cid = to_request(s, "Kind Arrangement")
        s.record_period(swv(s), cid, kind="arrangement", start="2026-12-01", end="2027-03-31")
        walk(s, cid, "arrangement_toegekend")
        s.set_term(ib(s), cid, "2027-01-15")
        assert next_due(s, cid) == date(2027, 1, 15)
        with db.sessions() as session:
            assert session.scalar(select(Case.next_due).where(Case.id == cid)) == date(2027, 1, 15)
    finally:
        db.dispose()


def test_a_referred_case_keeps_only_the_tlv_end(svc, clock):
    cid = to_request(svc, "Kind TLV")
    svc.record_period(swv(svc), cid, kind="arrangement", start="2026-12-01", end="2027-03-31")
    svc.record_period(swv(svc), cid, kind="tlv", start="2026-12-01", end="2027-07-31", tlv_type="sbo")
    with svc._uow() as uow:  # referred to SBO (set directly: the walk there needs two advices)
        uow.session.get(Case, cid).status = STATUS_REFERRED
        uow.commit()
    assert set(kinds(svc, cid)) == {"tlv_reminder", "tlv_end"}


def test_load_route_default_has_the_clock_decisions():
    route = load_route()
    assert {d for d in route.decisions if route.decisions[d].clock_field} == {"arrangement", "tlv"}


def test_a_period_recorded_before_decision_fields_still_counts(tmp_path):
    """A database at 0007 whose ``decision_periods`` holds the period of an ``swv_besluit``: the
    period counts as the fields of the route's decision of that kind, and nothing sealed changed."""
    from sqlalchemy import create_engine, text

    from kindroute.store import schema

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0007")
    with engine.begin() as conn:
        run = conn.execute
        run(text("INSERT INTO schools (id, name, brin) VALUES (1, 'OBS De Regenboog', '12AB')"))
        run(text("INSERT INTO people (id, name, roles, school_id, active, created_at) "
                 "VALUES (1, 'Ingrid Bakker', 'ib', 1, 1, '2026-09-01 08:00:00')"))
        run(text("INSERT INTO pupils (id, name, first_name, tussenvoegsel, last_name, search_name, "
                 "sort_name, date_of_birth, \"group\", school_id) "
                 "VALUES (1, 'Kind', 'Kind', '', '', 'kind', 'kind', '2017-01-01', 5, 1)"))
        run(text("INSERT INTO cases (id, pupil_id, school_id, status, opened_at, opened_by_id, "
                 "route_version, zorgplicht_extended, history_head, history_count, version) "
                 "VALUES (1, 1, 1, 'open', '2026-10-01 09:00:00', 1, '2026.2', 0, '', 0, 1)"))
        run(text("INSERT INTO case_tracks (case_id, track, step, entered_at, deadline, at_turn_role, "
                 "entered_seq) VALUES (1, 'school', 'arrangement_uitvoering', '2026-10-01 09:00:00', NULL, "
                 "'leerkracht', 0)"))
        run(text("INSERT INTO documents (id, case_id, kind, outcome, title, step, author_id, at) "
                 "VALUES (7, 1, 'swv_besluit', 'toegekend', '', 'arrangement_aanvraag', 1, "
                 "'2026-09-20 10:00:00')"))
        run(text("INSERT INTO decision_periods (document_id, case_id, kind, start_on, end_on, support, "
                 "bezwaar_until) VALUES (7, 1, 'arrangement', '2026-10-01', '2027-03-31', "
                 "'4 uur per week', '2026-11-01')"))
    engine.dispose()
    db = open_database(str(path))
    try:
        s = Services(db, clock=lambda: at(2026, 11, 23))
        assert s.refresh_all_next_due() == 1
        assert {c.kind: c.due for c in s.case_clocks(None, 1)} == {
            "arrangement_reminder": date(2027, 2, 17), "arrangement_end": date(2027, 3, 31)}
        period = s.case_plan(None, 1).periods[0]
        assert (period.document_id, period.kind, period.end) == (7, "arrangement", date(2027, 3, 31))
        assert ("Ondersteuning", "4 uur per week") in period.fields
        assert next_due(s, 1) == date(2027, 2, 17)
        with db.engine.connect() as conn:  # the sealed document itself is left as it was
            row = conn.execute(text("SELECT kind, fields_json FROM documents")).one()
            assert tuple(row) == ("swv_besluit", None)
    finally:
        db.dispose()


def test_a_step_keeps_next_due_as_reading_every_clock_again_gives(svc, clock):
    """A step knows the case's clocks from its one read before the writes (a step changes only
    tracks and status): the ``next_due`` it keeps is what reading every clock afresh gives, with
    goals, agreements, an adopted OPP and a decision's end among them."""
    cid = to_request(svc, "Kind Stap")
    me = ib(svc)
    svc.add_goal(me, cid, area="lezen", goal="Leest AVI E4 vloeiend", approach="Duolezen", who="ouders",
                 evaluate_on="2027-06-01")
    svc.add_agreement(me, cid, "Ouders bellen", due_on="2027-05-01")
    svc.record_period(swv(svc), cid, kind="arrangement", start="2026-12-01", end="2027-03-31")
    with svc.db.engine.connect() as conn:
        conn.execute(Case.__table__.update().where(Case.id == cid).values(next_due=None))
        conn.commit()
    clock.now = at(2026, 12, 2)
    tick_all(svc, cid)
    with svc.db.engine.connect() as conn:  # what the step reads before its writes
        rows = conn.execute(clocks.step_statement(clocks.clock_kinds(svc.route)), {"case_id": cid}).all()
        before = clocks.read_inputs(conn, cid, svc.route)
    assert before is not None
    step = svc.advance_case(me, cid, "arrangement_toegekend")
    with svc.db.engine.connect() as conn:
        due = conn.execute(select(Case.next_due).where(Case.id == cid)).scalar()
        assert due is not None and due == clocks.next_due(conn, cid, svc.route)
        # every input, not only the earliest: as the step derives them, and as read afresh
        derived = clocks.inputs_from(rows, svc.route, clocks.ClockInputs(
            status=before.status, registered_on=before.registered_on,
            zorgplicht_extended=before.zorgplicht_extended, zorgplicht_decision=before.zorgplicht_decision))
        derived.entered(step.track, step.to, step.deadline, step.at_turn_role, before.status)
        fresh = clocks.read_inputs(conn, cid, svc.route)
    assert fresh is not None and derived.goals and derived.agreements and derived.decisions and derived.opp
    assert sorted(derived.tracks) == sorted(fresh.tracks)
    assert (derived.opp, derived.goals, derived.agreements, derived.decisions, derived.status) == (
        fresh.opp, fresh.goals, fresh.agreements, fresh.decisions, fresh.status)
    assert set(kinds(svc, cid)) >= {"goal", "agreement", "opp_evaluation", "arrangement_end"}
