"""The plan of a case: goals, the OPP as versions with instemming and hoorrecht, the zorgplicht
of an aanmelding, decision periods, and every clock (kept in ``cases.next_due``)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from test_services import NOW, Clock, ib, open_case, tick_all, walk
from test_trust_support import needs_pg, pg_database

from kindroute.errors import AccessDenied, InvalidInput, NotFound, StepNotAllowed
from kindroute.services import CaseFilter, Services
from kindroute.store.db import open_database
from kindroute.store.models import Case
from kindroute.workflow import load_route
from kindroute.workflow.loader import default_route_path

TO_OPP = ("naar_aanpak_groep", "naar_leerlingbespreking", "naar_aanpak_school", "naar_ondersteuningsteam",
          "naar_opp_opstellen")


def strict_route(tmp_path):
    """The default route, with instemming and hoorrecht required to leave the OPP step."""
    text = default_route_path().read_text(encoding="utf-8")
    old = ('to = "arrangement_aanvraag"\nguards = { checklist_complete = true, '
           'decision = { id = "opp", outcome = "vastgesteld" } }')
    assert old in text
    text = text.replace(old, 'to = "arrangement_aanvraag"\nguards = { checklist_complete = true, '
                             'opp_vastgesteld = true, instemming = true, hoorrecht = true }')
    path = tmp_path / "route.toml"
    path.write_text(text, encoding="utf-8")
    return load_route(path)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def _people(s: Services) -> None:
    s.add_school("OBS De Regenboog", "12AB")
    s.add_school("CBS Het Anker", "34CD")
    s.add_person("Ingrid Bakker", ["ib"], school="12AB")
    s.add_person("Tom de Wit", ["leerkracht"], school="12AB")
    s.add_person("Anna Anker", ["ib"], school="34CD")
    s.add_person("Sara Smit", ["so_expert"], organisation="SWV Passend Primair")
    s.add_person("Jeroen Wijk", ["jeugdhulp"], organisation="Wijkteam Noord")
    s.add_person("Willem SWV", ["swv"], organisation="SWV Passend Primair")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=[needs_pg, pytest.mark.pg])])
def svc(request, tmp_path, clock):
    with contextlib.ExitStack() as stack:
        url = str(tmp_path / "kr.sqlite") if request.param == "sqlite" else stack.enter_context(pg_database())
        db = open_database(url)
        s = Services(db, route=strict_route(tmp_path), clock=clock)
        _people(s)
        yield s
        db.dispose()


def next_due(svc: Services, case_id: int) -> date | None:
    with svc.db.sessions() as s:
        return s.scalar(select(Case.next_due).where(Case.id == case_id))


def kinds(svc: Services, case_id: int) -> dict[str, date]:
    return {c.kind: c.due for c in svc.case_clocks(None, case_id)}


# ---------------------------------------------------------------------------- goals


def test_goal_is_a_clock_until_evaluated(svc, clock):
    cid = open_case(svc)
    step_due = next_due(svc, cid)
    assert step_due == NOW.date() + timedelta(days=14)
    gid = svc.add_goal(ib(svc), cid, area="lezen", goal="Leest AVI E4 vloeiend", approach="Duolezen",
                       who="ouders", evaluate_on="2026-12-01")
    assert kinds(svc, cid)["goal"] == date(2026, 12, 1)
    assert next_due(svc, cid) == date(2026, 12, 1)  # earlier than the step's term
    goal = svc.case_detail(None, cid, plan=True).goals[0]
    assert (goal.id, goal.area, goal.who, goal.who_role, goal.result) == (
        gid, "lezen", "Ouders/verzorgers", "ouders", None)
    clock.now = NOW + timedelta(days=9)
    assert svc.case_plan(None, cid).goals[0].overdue
    assert [r.id for r in svc.list_cases(None, CaseFilter(overdue=True))] == [cid]
    svc.evaluate_goal(ib(svc), cid, gid, result="deels", note="Groeit, nog niet stabiel")
    plan = svc.case_plan(None, cid)
    assert plan.goals[0].result == "deels" and plan.goals[0].evaluations[0].by == "Ingrid Bakker"
    assert "goal" not in kinds(svc, cid)
    assert next_due(svc, cid) == step_due
    assert svc.list_cases(None, CaseFilter(overdue=True)) == []


def test_goal_input_is_checked(svc):
    cid = open_case(svc)
    with pytest.raises(InvalidInput, match="geen rol"):
        svc.add_goal(ib(svc), cid, area="lezen", goal="x", who="niemand bekend", evaluate_on="2026-12-01")
    with pytest.raises(InvalidInput, match="vóór de start"):
        svc.add_goal(ib(svc), cid, area="lezen", goal="x", evaluate_on="2026-01-01")
    with pytest.raises(InvalidInput, match="behaald"):
        svc.evaluate_goal(ib(svc), cid, 1, result="goed")
    with pytest.raises(NotFound):
        svc.evaluate_goal(ib(svc), cid, 99, result="behaald")
    with pytest.raises(AccessDenied):
        svc.add_goal(svc.resolve_actor("Anna Anker"), cid, area="lezen", goal="x", evaluate_on="2026-12-01")
    assert svc.case_plan(None, cid).goals == ()


# ---------------------------------------------------------------------------- the OPP


def test_adjusting_an_adopted_opp_makes_a_new_version_and_the_guards_follow_it(svc, clock):
    cid = open_case(svc)
    walk(svc, cid, *TO_OPP)
    me = ib(svc)
    gid = svc.add_goal(me, cid, area="rekenen", goal="Tafels 1-5", evaluate_on="2027-01-15")

    def blocked() -> tuple[str, ...]:
        tick_all(svc, cid)
        n = {n.trigger: n for n in svc.next_steps(None, cid)}["naar_arrangement_aanvraag"]
        return n.reasons

    assert blocked() == ("Het OPP is nog niet vastgesteld",
                         "Er is nog geen OPP waarmee ouders kunnen instemmen",
                         "Er is nog geen OPP waarover de leerling gehoord kan worden")
    assert svc.save_opp(me, cid, uitstroomprofiel="vmbo basis/kader", reasons="IQ 85",
                        stimulerend="gemotiveerd") == (1, "concept")
    assert kinds(svc, cid)["opp"] == NOW.date() + timedelta(days=42)
    svc.record_hoorrecht(me, cid, view="Ik wil op deze school blijven.", weighed="Ondersteuning in de klas")
    with pytest.raises(InvalidInput, match="wat er nu volgt"):
        svc.record_instemming(me, cid, outcome="deels", by="Mw. de Vries")
    svc.record_instemming(me, cid, outcome="deels", by="Mw. de Vries", note="Gesprek volgende week")
    assert "Ouders hebben nog niet ingestemd" in blocked()[1]
    svc.record_instemming(me, cid, outcome="eens", by="Mw. de Vries")
    assert svc.save_opp(me, cid, adopt=True) == (1, "vastgesteld")
    assert blocked() == ()
    plan = svc.case_plan(None, cid)
    assert plan.opp.version == 1 and plan.opp.adopted == NOW.date()
    assert plan.opp.next_evaluation == date(2027, 11, 23)
    assert plan.opp_versions[0].goals == (gid,)
    assert kinds(svc, cid)["opp_evaluation"] == date(2027, 11, 23) and "opp" not in kinds(svc, cid)
    with pytest.raises(InvalidInput, match="al vastgesteld"):
        svc.save_opp(me, cid, adopt=True)

    clock.now = NOW + timedelta(days=30)
    assert svc.save_opp(me, cid, belemmerend="faalangst") == (2, "concept")  # adjusting: a new version
    reasons = blocked()
    assert reasons == ("Het OPP is bijgesteld: versie 2 van het OPP is nog niet vastgesteld",
                       "Ouders hebben nog niet ingestemd met het handelingsdeel van versie 2 van het OPP",
                       "De mening van de leerling over versie 2 van het OPP is nog niet vastgelegd")
    v1, v2 = svc.case_plan(None, cid).opp_versions
    assert (v1.status, v2.status, v2.uitstroomprofiel, v2.belemmerend) == (
        "vastgesteld", "concept", "vmbo basis/kader", "faalangst")
    assert v1.instemming and not v2.instemming
    with pytest.raises(StepNotAllowed):
        svc.advance_case(me, cid, "naar_arrangement_aanvraag")
    svc.save_opp(me, cid, adopt=True)
    svc.record_instemming(me, cid, outcome="eens", by="Dhr. de Vries")
    assert len(blocked()) == 1  # the pupil is not yet heard on version 2
    svc.record_hoorrecht(me, cid, view="Goed zo.")
    svc.advance_case(me, cid, "naar_arrangement_aanvraag")
    detail = svc.case_detail(None, cid, plan=True)
    assert detail.step == "arrangement_aanvraag"
    assert (detail.opp.version, detail.opp.status, detail.opp.instemming.by) == (
        2, "vastgesteld", "Dhr. de Vries")
    assert detail.opp.next_evaluation == date(2027, 12, 23)


def test_opp_is_recorded_by_the_school_only(svc):
    cid = open_case(svc)
    with pytest.raises(AccessDenied):
        svc.save_opp(svc.resolve_actor("Tom de Wit"), cid, uitstroomprofiel="havo")
    with pytest.raises(InvalidInput, match="nog geen OPP"):
        svc.record_hoorrecht(ib(svc), cid, view="x")
    with pytest.raises(InvalidInput, match="uitstroomprofiel"):
        svc.save_opp(ib(svc), cid, reasons="r", adopt=True)
    assert svc.case_plan(None, cid).opp is None  # nothing half-written


def test_an_old_opp_document_still_counts_without_versions(tmp_path, clock):
    db = open_database(str(tmp_path / "kr.sqlite"))
    s = Services(db, clock=clock)  # the default route
    _people(s)
    cid = open_case(s)
    walk(s, cid, *TO_OPP)
    s.record_document(ib(s), cid, "opp", outcome="vastgesteld")
    tick_all(s, cid)
    assert {n.trigger: n for n in s.next_steps(None, cid)}["naar_arrangement_aanvraag"].allowed
    s.save_opp(ib(s), cid, uitstroomprofiel="vmbo")  # from now on the versions decide
    assert not {n.trigger: n for n in s.next_steps(None, cid)}["naar_arrangement_aanvraag"].allowed
    db.dispose()


# ---------------------------------------------------------------------------- zorgplicht


def test_zorgplicht_only_for_an_aanmelding_and_stopped_by_its_decision(svc):
    signalled = open_case(svc, "Kind Signalering")
    registered = open_case(svc, "Kind Aanmelding", born="2018-04-04", registered_on="2026-11-02")
    assert "zorgplicht" not in kinds(svc, signalled)
    assert svc.case_detail(None, signalled).zorgplicht_deadline is None
    with pytest.raises(InvalidInput, match="geen aanmelding"):
        svc.extend_zorgplicht(ib(svc), signalled)
    with pytest.raises(InvalidInput, match="geen aanmelding"):
        svc.decide_zorgplicht(ib(svc), signalled, "plaatsen")
    assert kinds(svc, registered)["zorgplicht"] == date(2026, 12, 14)
    assert next_due(svc, registered) == date(2026, 12, 7)  # the step term (14 days) comes first
    svc.extend_zorgplicht(ib(svc), registered)
    assert kinds(svc, registered)["zorgplicht"] == date(2027, 1, 11)
    with pytest.raises(InvalidInput, match="plaatsen, niet_plaatsen"):
        svc.decide_zorgplicht(ib(svc), registered, "misschien")
    svc.decide_zorgplicht(ib(svc), registered, "andere school gevonden", note="Plek op De Brug")
    assert "zorgplicht" not in kinds(svc, registered)
    plan = svc.case_plan(None, registered)
    assert (plan.zorgplicht.decision, plan.zorgplicht.decided_on) == ("andere_school", NOW.date())
    assert svc.case_detail(None, registered).zorgplicht_deadline is None
    with pytest.raises(InvalidInput, match="al besloten"):
        svc.decide_zorgplicht(ib(svc), registered, "plaatsen")


def test_an_overdue_zorgplicht_shows_in_the_overdue_list(svc, clock):
    cid = open_case(svc, registered_on="2026-10-01")  # 6 weeks: 2026-11-12, before today
    assert kinds(svc, cid)["zorgplicht"] == date(2026, 11, 12)
    assert [r.id for r in svc.list_cases(None, CaseFilter(overdue=True))] == [cid]


# decision periods (the ends of an arrangement and a TLV): tests/test_decision_clocks.py


# ---------------------------------------------------------------------------- every track's turn


def test_a_jeugdhulp_worker_sees_the_case_where_he_is_at_turn(svc):
    cid = open_case(svc)
    walk(svc, cid, *TO_OPP[:4])  # in the ondersteuningsteam
    me = ib(svc)
    jw = svc.resolve_actor("Jeroen Wijk")
    svc.assign_role(me, cid, "jeugdhulp", "Jeroen Wijk")
    svc.record_consent(me, cid, role="jeugdhulp", purpose="Toeleiding wijkteam", given_by="Ouders")
    assert svc.worklist(jw) == []
    svc.advance_case(me, cid, "start_jeugdhulp")
    rows = svc.worklist(jw)
    assert [r.id for r in rows] == [cid]
    assert rows[0].turns["jeugdhulp"] == {
        "step": "toeleiding_jeugdhulp", "step_title": "Toeleiding jeugdhulp",
        "at_turn_role": "jeugdhulp", "at_turn": "Jeroen Wijk"}
    assert rows[0].turns["school"]["at_turn"] == "Ingrid Bakker"
    assert [r.id for r in svc.list_cases(me, CaseFilter(at_turn_role="jeugdhulp"))] == [cid]


def test_the_worklist_sorts_by_the_earliest_clock(svc):
    late = open_case(svc, "Kind Later")
    soon = open_case(svc, "Kind Eerder", born="2016-01-01")
    assert [r.id for r in svc.worklist(ib(svc), mine=False)] == [late, soon]  # same term: by id
    svc.add_agreement(ib(svc), soon, "Ouders bellen", due_on="2026-11-25")
    assert [r.id for r in svc.worklist(ib(svc), mine=False)] == [soon, late]
    assert svc.worklist(ib(svc), mine=False)[0].next_due == date(2026, 11, 25)


# ---------------------------------------------------------------------------- migration


def test_migration_0008_upgrades_a_0002_database_with_data_and_fills_next_due(tmp_path):
    """A database at schema 0002 with cases keeps them and gets each open case's earliest clock."""
    from sqlalchemy import create_engine, text

    from kindroute.store import schema

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0002")
    with engine.begin() as conn:
        run = conn.execute
        run(text("INSERT INTO schools (id, name, brin) VALUES (1, 'OBS De Regenboog', '12AB')"))
        run(text("INSERT INTO people (id, name, roles, school_id, active, created_at) "
                 "VALUES (1, 'Ingrid Bakker', 'ib', 1, 1, '2026-09-01 08:00:00')"))
        for pid in (1, 2, 3):
            run(text("INSERT INTO pupils (id, name, first_name, tussenvoegsel, last_name, search_name, "
                     "sort_name, date_of_birth, \"group\", school_id) "
                     "VALUES (:i, 'Kind', 'Kind', '', '', 'kind', 'kind', '2017-01-01', 5, 1)"), {"i": pid})
        cases = [  # id, status, registered_on, extended
            (1, "open", "2026-10-01", 0),   # zorgplicht 2026-11-12 comes before its step term
            (2, "open", None, 0),           # the step term, then an agreement
            (3, "closed", "2026-01-05", 1),  # closed: no clocks
        ]
        for cid, status, reg, ext in cases:
            run(text("INSERT INTO cases (id, pupil_id, school_id, status, opened_at, opened_by_id, "
                     "route_version, registered_on, zorgplicht_extended, history_head, history_count, "
                     "version) "
                     "VALUES (:i, :i, 1, :s, '2026-10-01 09:00:00', 1, '2026.1', :r, :e, '', 0, 1)"),
                {"i": cid, "s": status, "r": reg, "e": ext})
            run(text("INSERT INTO case_tracks (case_id, track, step, entered_at, deadline, at_turn_role, "
                     "entered_seq) VALUES (:i, 'school', 'signalering', '2026-10-01 09:00:00', "
                     "'2026-12-01', 'leerkracht', 0)"), {"i": cid})
        run(text("INSERT INTO agreements (case_id, what, due_on, created_by_id, created_at) "
                 "VALUES (2, 'Ouders bellen', '2026-11-20', 1, '2026-10-02 10:00:00')"))
        run(text("INSERT INTO agreements (case_id, what, due_on, created_by_id, created_at, done_at) "
                 "VALUES (2, 'Al gedaan', '2026-10-05', 1, '2026-10-02 10:00:00', '2026-10-04 10:00:00')"))
    engine.dispose()
    db = open_database(str(path))  # migrates to the head
    try:
        with db.engine.connect() as conn:
            due = dict(conn.execute(text("SELECT id, next_due FROM cases")).all())
            assert due == {1: "2026-11-12", 2: "2026-11-20", 3: None}
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == schema.HEAD_REVISION
            for table in ("goals", "goal_evaluations", "opp_versions", "opp_goals", "opp_instemming",
                          "opp_hoorrecht", "decision_periods"):
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0
        s = Services(db, clock=lambda: NOW)
        assert [c.kind for c in s.case_clocks(None, 1)] == ["zorgplicht", "step"]
        # the services keep the same date the migration wrote
        assert s.refresh_all_next_due() == 3
        with db.engine.connect() as conn:
            assert dict(conn.execute(text("SELECT id, next_due FROM cases")).all()) == due
    finally:
        db.dispose()


# ---------------------------------------------------------------------------- the keyed history


def test_the_plan_is_in_the_keyed_history_and_audit_verify_agrees(svc, clock):
    from sqlalchemy import text

    from kindroute.services.audit import verify_history
    from kindroute.store.models import CaseEvent

    cid = open_case(svc)
    walk(svc, cid, *TO_OPP)
    me = ib(svc)
    gid = svc.add_goal(me, cid, area="rekenen", goal="Tafels 1-5", evaluate_on="2027-01-15")
    svc.save_opp(me, cid, uitstroomprofiel="vmbo basis/kader", reasons="IQ 85")
    svc.record_hoorrecht(me, cid, view="Ik wil hier blijven.")
    svc.record_instemming(me, cid, outcome="eens", by="Mw. de Vries")
    svc.save_opp(me, cid, adopt=True)
    svc.evaluate_goal(me, cid, gid, result="behaald")
    registered = open_case(svc, "Kind Aanmelding", born="2018-04-04", registered_on="2026-11-02")
    svc.extend_zorgplicht(me, registered)
    svc.decide_zorgplicht(me, registered, "andere school gevonden", note="Plek op De Brug")
    report = verify_history(svc.db, svc.route)
    assert report.ok, report.problems
    with svc.db.sessions() as s:
        kinds_of = set(s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == cid)))
        assert {"goal", "goal_evaluation", "opp", "opp_hoorrecht", "opp_instemming"} <= kinds_of
        assert "zorgplicht" in set(s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == registered)))
    # the OPP decision the versions write is a sealed document: changed outside kindroute, it is found
    with svc.db.engine.begin() as conn:
        conn.execute(text("UPDATE documents SET outcome = 'concept' WHERE case_id = :c"), {"c": cid})
    report = verify_history(svc.db, svc.route)
    assert any(p.startswith(f"casus {cid}:") for p in report.problems), report.problems
