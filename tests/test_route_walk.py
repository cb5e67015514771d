"""A case walked through the second route (tests/routes/tlv_route.toml), which uses every key the
route format has: custom roles with ``sees``/``assigns``, a joint turn, advices by two assigned
deskundigen that move the request on by themselves, a TLC decision with fields, a bezwaar that
keeps the clock, optional checklist items with ``ticked_by``, a per-case term and a final step
with someone at turn — with every refusal on the way."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kindroute.errors import AccessDenied, InvalidInput, StepNotAllowed
from kindroute.services import CaseFilter, Services
from kindroute.services.audit import verify_history
from kindroute.store.models import CaseEvent, TurnConfirmation
from kindroute.workflow import load_route

TLV = load_route(Path(__file__).parent / "routes" / "tlv_route.toml")
START = datetime(2026, 3, 2, 9, 0)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def days(self, n: int) -> None:
        self.now += timedelta(days=n)


@pytest.fixture
def world(db):
    clock = Clock()
    svc = Services(db, route=TLV, clock=clock)
    svc.add_school("OBS De Regenboog", "12AB")
    people = {
        "ib": svc.add_person("Ingrid Bakker", ["ib"], school="12AB"),
        "teacher": svc.add_person("Tom de Wit", ["leerkracht"], school="12AB"),
        "director": svc.add_person("Dirk Vos", ["directeur"], school="12AB"),
        "parents": svc.add_person("Fam. Yilmaz", ["ouders"]),
        "coordinator": svc.add_person("Carla Kok", ["casuscoordinator"], organisation="SWV De Brug"),
        "ortho": svc.add_person("Otto Smit", ["orthopedagoog"], organisation="Praktijk Smit"),
        "specialist": svc.add_person("Olga Berg", ["onderwijsspecialist"], organisation="SWV De Brug"),
        "tlc": svc.add_person("Tessa Hof", ["tlc"], organisation="SWV De Brug"),
    }
    actors = {k: svc.resolve_actor(p.id) for k, p in people.items()}
    return svc, clock, actors


def events(db, case_id: int) -> list[CaseEvent]:
    with Session(db.engine) as s:
        return list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))


def test_walk_through_the_tlv_route_with_every_refusal(db, world) -> None:
    svc, clock, a = world
    cid = svc.open_case(a["ib"], pupil="Mila Yilmaz", school="12AB", group=6, born="2016-04-02")
    detail = svc.case_detail(a["ib"], cid)
    assert detail.step == "aanmelding" and detail.at_turn_role == "ib"
    assert detail.deadline == date(2026, 3, 16)

    # --- who sees what: the teacher is not assigned yet, the SWV has no step yet
    with pytest.raises(AccessDenied):
        svc.case_detail(a["teacher"], cid)
    with pytest.raises(AccessDenied):
        svc.assign_role(a["coordinator"], cid, "orthopedagoog", "Otto Smit")
    # --- assigning by `assigns`: the teacher assigns nobody, the IB the teacher and the parents
    svc.assign_role(a["ib"], cid, "leerkracht", "Tom de Wit")
    with pytest.raises(AccessDenied, match="intern begeleider of directeur"):
        svc.assign_role(a["teacher"], cid, "ouders", "Fam. Yilmaz")
    assert svc.case_detail(a["teacher"], cid).id == cid  # assigned now: sees the case

    # --- checklist: `ticked_by` limits ticking; the optional item does not block
    with pytest.raises(AccessDenied, match="intern begeleider"):
        svc.tick_checklist(a["teacher"], cid, "dossier")
    svc.tick_checklist(a["ib"], cid, "dossier")
    with pytest.raises(StepNotAllowed) as blocked:
        svc.advance_case(a["ib"], cid, "indienen")
    assert "Er is nog niemand toegewezen als ouders/verzorgers" in blocked.value.reasons
    svc.assign_role(a["ib"], cid, "ouders", "Fam. Yilmaz")
    with pytest.raises(AccessDenied, match="niet aan zet"):
        svc.advance_case(a["teacher"], cid, "indienen")
    clock.days(3)  # 5 March
    step = svc.advance_case(a["ib"], cid, "indienen")
    assert step.to == "ondertekening"
    assert step.deadline == date(2026, 3, 30)  # term_from = "opened": 28 days from 2 March

    # --- the joint turn: parents and director each confirm; the IB cannot confirm for them
    with pytest.raises(AccessDenied, match="bevestiging van de ouders/verzorgers en directeur"):
        svc.advance_case(a["ib"], cid, "ondertekend")
    first = svc.advance_case(a["parents"], cid, "ondertekend")
    assert first.waiting == ("directeur",) and first.to == "ondertekening"
    assert svc.case_detail(a["ib"], cid).at_turn_role == "directeur"
    with pytest.raises(AccessDenied, match="bevestiging van de directeur"):
        svc.advance_case(a["parents"], cid, "ondertekend")
    with db.engine.connect() as conn:
        assert [r.role for r in conn.execute(select(TurnConfirmation.role))] == ["ouders"]
        # the case screen's facts (from its rows) know the confirmation as a step's own read does
        from kindroute.services import stepping
        from kindroute.services.case_rows import read_case_rows, step_rows

        screen = step_rows(read_case_rows(conn, cid)[0], svc.route)
        assert [r for r in screen if r[0] == "Q"] == [
            tuple(r) for r in stepping.fact_rows(conn, cid) if r[0] == "Q"] != []
    clock.days(1)  # 6 March
    last = svc.advance_case(a["director"], cid, "ondertekend")
    assert last.to == "advisering" and not last.waiting
    assert last.deadline == date(2026, 3, 19)  # term_from = "indienen" (5 March) + 14

    # --- the SWV sees the case now and assigns its own experts, nobody else's
    with pytest.raises(AccessDenied, match="casuscoördinator swv"):
        svc.assign_role(a["ib"], cid, "orthopedagoog", "Otto Smit")
    with pytest.raises(AccessDenied):
        svc.assign_role(a["coordinator"], cid, "tlc", "Tessa Hof")
    svc.assign_role(a["coordinator"], cid, "orthopedagoog", "Otto Smit")
    svc.assign_role(a["coordinator"], cid, "onderwijsspecialist", "Olga Berg")
    for role in ("orthopedagoog", "onderwijsspecialist"):
        svc.record_consent(a["ib"], cid, role=role, purpose="TLV-advies", given_by="Fam. Yilmaz")
    # either of the two roles at turn finds the case in their worklist
    assert [c.id for c in svc.worklist(a["ortho"])] == [cid]
    assert [c.id for c in svc.worklist(a["specialist"])] == [cid]
    assert svc.count_cases(a["specialist"], CaseFilter(at_turn_person_id=a["specialist"].id)) == 1

    # --- external roles see the case only with the parents' consent
    svc.withdraw_consent(a["ib"], cid, svc.case_detail(a["ib"], cid).consents[0].id, reason="Even niet")
    with pytest.raises(AccessDenied):
        svc.record_document(a["ortho"], cid, "advies", title="Advies")
    svc.record_consent(a["ib"], cid, role="orthopedagoog", purpose="TLV-advies", given_by="Fam. Yilmaz")
    # --- documents and decisions: only the roles in recorded_by
    with pytest.raises(AccessDenied, match="toelaatbaarheidscommissie"):
        svc.record_decision(a["specialist"], cid, "tlv", "toegekend", fields={"soort": "SO"})
    with pytest.raises(AccessDenied, match="orthopedagoog, onderwijsspecialist"):
        svc.record_document(a["ib"], cid, "advies")
    clock.days(4)  # 10 March
    one = svc.record_document(a["ortho"], cid, "advies", title="Orthopedagogisch advies")
    assert not one.followed
    assert svc.case_detail(a["ib"], cid).step == "advisering"
    again = svc.record_document(a["ortho"], cid, "advies", title="Aanvulling")  # same person: still one
    assert not again.followed
    clock.days(1)  # 11 March
    two = svc.record_document(a["specialist"], cid, "advies", title="Onderwijsadvies")
    # --- the automatic step: taken in the same transaction, by "kindroute (automatisch)"
    assert [s.to for s in two.followed] == ["tlc_besluit"]
    auto = events(db, cid)[-1]
    assert auto.actor_name == "kindroute (automatisch)" and auto.trigger == "advies_compleet"
    assert "Deskundigenadvies vastgelegd" in auto.note
    detail = svc.case_detail(a["tlc"], cid)
    assert detail.step == "tlc_besluit" and detail.deadline == date(2026, 4, 8)  # 11 March + 28

    # --- the TLC decides, with fields checked against the route
    with pytest.raises(InvalidInput, match="soort"):
        svc.record_decision(a["tlc"], cid, "tlv", "afgewezen")
    with pytest.raises(InvalidInput, match="laag of midden of hoog"):
        svc.record_decision(a["tlc"], cid, "tlv", "afgewezen", fields={"soort": "SO", "categorie": "heel"})
    with pytest.raises(InvalidInput, match="geen uitkomst"):
        svc.record_decision(a["tlc"], cid, "tlv", "misschien", fields={"soort": "SO"})
    with pytest.raises(AccessDenied, match="toelaatbaarheidscommissie"):
        svc.record_decision(a["ib"], cid, "tlv", "afgewezen", fields={"soort": "SO"})
    decided = svc.record_decision(a["tlc"], cid, "tlv", "afgewezen",
                                  fields={"soort": "SO", "categorie": "hoog", "einde": "2027-07-31"})
    assert decided.fields == {"soort": "SO", "categorie": "hoog", "einde": "2027-07-31"}
    shown = svc.case_detail(a["ib"], cid).documents[-1]
    assert (shown.kind, shown.outcome, shown.fields["categorie"]) == ("tlv", "afgewezen", "hoog")
    with pytest.raises(StepNotAllowed) as refused:
        svc.advance_case(a["tlc"], cid, "tlv_afgegeven")
    assert "Besluit 'TLV-besluit' is 'afgewezen', niet 'toegekend'" in refused.value.reasons

    # --- a bezwaar, and back to the TLC: the clock keeps running, the old decision no longer counts
    clock.days(10)  # 21 March
    svc.advance_case(a["ib"], cid, "bezwaar_ingediend")
    with pytest.raises(AccessDenied, match="casuscoördinator swv"):
        svc.record_decision(a["tlc"], cid, "bezwaar", "gegrond")
    svc.record_decision(a["coordinator"], cid, "bezwaar", "gegrond")
    clock.days(5)  # 26 March
    back = svc.advance_case(a["coordinator"], cid, "bezwaar_gegrond")
    assert back.to == "tlc_besluit" and back.deadline == date(2026, 4, 8)  # term_keeps
    with pytest.raises(StepNotAllowed) as fresh:
        svc.advance_case(a["tlc"], cid, "arrangement_in_plaats")
    assert "Er is nog geen besluit 'TLV-besluit' vastgelegd" in fresh.value.reasons

    # --- no TLV after all: an arrangement whose term the specialist sets per case
    svc.record_decision(a["tlc"], cid, "tlv", "afgewezen", fields={"soort": "SBO"})
    step = svc.advance_case(a["tlc"], cid, "arrangement_in_plaats")
    assert step.to == "uitvoering" and step.deadline is None
    with pytest.raises(AccessDenied, match="onderwijsspecialist"):
        svc.set_term(a["teacher"], cid, "2026-05-01")
    with pytest.raises(InvalidInput, match="vóór het begin"):
        svc.set_term(a["specialist"], cid, "2026-01-01")
    assert svc.set_term(a["specialist"], cid, "2026-05-01") == date(2026, 5, 1)
    assert svc.case_detail(a["ib"], cid).deadline == date(2026, 5, 1)
    overdue = CaseFilter(overdue=True)
    assert [c.id for c in svc.list_cases(a["ib"], overdue)] == []
    clock.now = datetime(2026, 5, 4, 9, 0)
    assert [c.id for c in svc.list_cases(a["ib"], overdue)] == [cid]
    other = svc.open_case(a["ib"], pupil="Sem de Boer", school="12AB", group=4, born="2018-01-01")
    with pytest.raises(InvalidInput, match="geen termijn die per casus"):
        svc.set_term(a["ib"], other, "2026-06-01")

    # --- the teacher or the specialist may act (any of them); ticking is the specialist's
    with pytest.raises(AccessDenied, match="onderwijsspecialist"):
        svc.tick_checklist(a["teacher"], cid, "evaluatie")
    svc.tick_checklist(a["specialist"], cid, "evaluatie")
    done = svc.advance_case(a["teacher"], cid, "uitvoering_klaar")
    assert done.to == "afgesloten"
    assert svc.case_detail(a["ib"], cid).status == "closed"

    report = verify_history(db, TLV)
    assert report.ok, report.problems
    # the route's own records are in the keyed history: a change outside kindroute is found
    from sqlalchemy import text

    for sql in ("UPDATE documents SET fields_json = '{\"soort\": \"SO\"}' WHERE id = :d",
                "UPDATE case_tracks SET deadline = '2027-01-01' WHERE " + ONE_TRACK):
        with db.engine.begin() as conn:
            saved = conn.execute(text("SELECT fields_json FROM documents WHERE id = :d"),
                                 {"d": decided.id}).scalar(), conn.execute(
                text("SELECT deadline FROM case_tracks WHERE " + ONE_TRACK), {"c": cid}).scalar()
            conn.execute(text(sql), {"d": decided.id, "c": cid})
        report = verify_history(db, TLV)
        assert any(p.startswith(f"casus {cid}:") and "gewijzigd buiten kindroute" in p
                   for p in report.problems), report.problems
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE documents SET fields_json = :f WHERE id = :d"),
                         {"f": saved[0], "d": decided.id})
            conn.execute(text("UPDATE case_tracks SET deadline = :t WHERE " + ONE_TRACK),
                         {"t": saved[1], "c": cid})
        assert verify_history(db, TLV).ok


#: one track of the case :c (its first by id)
ONE_TRACK = "case_id = :c AND track = (SELECT min(track) FROM case_tracks WHERE case_id = :c)"


def test_final_step_with_the_parents_at_turn(db, world) -> None:
    svc, clock, a = world
    cid = svc.open_case(a["ib"], pupil="Noah Jansen", school="12AB", group=7, born="2015-09-09")
    svc.assign_role(a["ib"], cid, "ouders", "Fam. Yilmaz")
    svc.tick_checklist(a["ib"], cid, "dossier")
    svc.advance_case(a["ib"], cid, "indienen")
    svc.advance_case(a["parents"], cid, "ondertekend")
    svc.advance_case(a["director"], cid, "ondertekend")
    svc.assign_role(a["coordinator"], cid, "orthopedagoog", "Otto Smit")
    svc.assign_role(a["coordinator"], cid, "onderwijsspecialist", "Olga Berg")
    for role in ("orthopedagoog", "onderwijsspecialist"):
        svc.record_consent(a["ib"], cid, role=role, purpose="TLV-advies", given_by="Fam. Jansen")
    svc.record_document(a["ortho"], cid, "advies")
    svc.record_document(a["specialist"], cid, "advies")
    svc.record_decision(a["tlc"], cid, "tlv", "toegekend", fields={"soort": "SBO"})
    final = svc.advance_case(a["tlc"], cid, "tlv_afgegeven")
    assert final.to == "inschrijving" and final.at_turn_role == "ouders"
    detail = svc.case_detail(a["ib"], cid)
    assert detail.status == "referred" and detail.at_turn_role == "ouders"
    assert detail.at_turn == "Fam. Yilmaz"
    assert verify_history(db, TLV).ok
