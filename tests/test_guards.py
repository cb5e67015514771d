"""The named guards: pure functions of the case facts with Dutch reasons."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kindroute.workflow import CaseFacts, Consent, GuardSpec, load_route
from kindroute.workflow.diagram import guard_description
from kindroute.workflow.guards import GUARDS, Known, check_guard_param, evaluate
from kindroute.workflow.model import Record

ROUTE = load_route()
TODAY = date(2026, 3, 2)


def facts(school: str = "ondersteuningsteam", **kwargs) -> CaseFacts:
    steps = kwargs.pop("steps", {"school": school, "jeugdhulp": "-"})
    return CaseFacts(steps=steps, today=TODAY, **kwargs)


def run(name: str, param, f: CaseFacts, trigger: str = "naar_consultatie_so_expert"):
    return evaluate(GuardSpec(name, param), f, ROUTE, ROUTE.triggers[trigger])


def consent(role: str = "so_expert", **kwargs) -> Consent:
    values = {"purpose": "consultatie", "given_by": "ouders", "valid_from": date(2026, 1, 1)}
    values.update(kwargs)
    return Consent(role=role, **values)


def test_registry_has_the_documented_guards() -> None:
    assert set(GUARDS) == {
        "checklist_complete",
        "consent",
        "consent_assigned_external",
        "assigned",
        "decision",
        "decided",
        "advices",
        "opp_vastgesteld",
        "instemming",
        "hoorrecht",
        "in_step",
        "plusklas_place",
    }


# ----------------------------------------------------------------------------- checklist


def test_checklist_complete_lists_missing_items_of_the_current_step() -> None:
    result = run(
        "checklist_complete",
        True,
        facts("signalering", checklist_done=frozenset({("signalering", "observatie")})),
        "naar_aanpak_groep",
    )
    assert not result.allowed
    assert result.reason == "Checklist van stap 'Signalering' is nog niet af: Ouders geïnformeerd"


def test_checklist_complete_ignores_ticks_of_other_steps() -> None:
    done = frozenset({("aanpak_groep", "observatie"), ("aanpak_groep", "ouders_geinformeerd")})
    result = run("checklist_complete", True, facts("signalering", checklist_done=done), "naar_aanpak_groep")
    assert not result.allowed


def test_checklist_complete_allows_when_all_ticked() -> None:
    done = frozenset({("signalering", "observatie"), ("signalering", "ouders_geinformeerd")})
    result = run("checklist_complete", True, facts("signalering", checklist_done=done), "naar_aanpak_groep")
    assert result.allowed and result.reason == ""


# ----------------------------------------------------------------------------- consent


def test_consent_missing_names_role_label() -> None:
    result = run("consent", "so_expert", facts())
    assert not result.allowed
    assert result.reason == "Toestemming van ouders voor de SO-expert ontbreekt"


def test_consent_valid() -> None:
    assert run("consent", "so_expert", facts(consents=(consent(),))).allowed


def test_consent_for_another_role_does_not_count() -> None:
    result = run("consent", "so_expert", facts(consents=(consent("ggd"),)))
    assert not result.allowed and "ontbreekt" in result.reason


def test_consent_withdrawn() -> None:
    result = run("consent", "so_expert", facts(consents=(consent(withdrawn_on=date(2026, 2, 1)),)))
    assert not result.allowed
    assert result.reason == "Toestemming van ouders voor de SO-expert is ingetrokken op 1-2-2026"


def test_consent_withdrawn_today_is_no_longer_valid() -> None:
    assert not run("consent", "so_expert", facts(consents=(consent(withdrawn_on=TODAY),))).allowed


def test_consent_expired() -> None:
    result = run("consent", "so_expert", facts(consents=(consent(valid_until=date(2026, 3, 1)),)))
    assert result.reason == "Toestemming van ouders voor de SO-expert is verlopen op 1-3-2026"
    assert run("consent", "so_expert", facts(consents=(consent(valid_until=TODAY),))).allowed


def test_consent_not_yet_valid() -> None:
    result = run("consent", "so_expert", facts(consents=(consent(valid_from=date(2026, 4, 1)),)))
    assert result.reason == "Toestemming van ouders voor de SO-expert geldt pas vanaf 1-4-2026"


def test_consent_one_valid_among_old_ones_is_enough() -> None:
    consents = (consent(valid_until=date(2026, 1, 31)), consent(valid_from=date(2026, 2, 1)))
    assert run("consent", "so_expert", facts(consents=consents)).allowed


def test_consent_list_of_roles_reports_each_missing_role() -> None:
    result = run("consent", ("so_expert", "ggd"), facts(consents=(consent("ggd"),)))
    assert result.reason == "Toestemming van ouders voor de SO-expert ontbreekt"
    result = run("consent", ["so_expert", "ggd"], facts())
    assert "SO-expert" in result.reason and "GGD-jeugdarts" in result.reason


@pytest.mark.parametrize(
    ("birth", "cosigned", "allowed"),
    [
        (date(2014, 3, 2), False, False),  # 12 today
        (date(2014, 3, 3), False, True),  # 11, turns 12 tomorrow
        (date(2010, 3, 3), False, False),  # 15
        (date(2010, 3, 2), False, True),  # 16 today: no co-signing
        (date(2012, 1, 1), True, True),  # 14 and co-signed
        (None, False, True),  # unknown age
    ],
)
def test_jeugdhulp_consent_needs_pupil_cosign_from_12_to_16(
    birth: date | None, cosigned: bool, allowed: bool
) -> None:
    f = facts(pupil_birth_date=birth, consents=(consent("jeugdhulp", pupil_cosigned=cosigned),))
    result = run("consent", "jeugdhulp", f, "start_jeugdhulp")
    assert result.allowed == allowed
    if not allowed:
        assert "moet ook door de leerling" in result.reason
        assert "jeugdhulpverlener" in result.reason


def test_cosign_is_only_for_jeugdhulp() -> None:
    f = facts(pupil_birth_date=date(2013, 1, 1), consents=(consent("so_expert"),))
    assert run("consent", "so_expert", f).allowed


def test_consent_assigned_external_checks_only_assigned_external_roles() -> None:
    trigger = "naar_ondersteuningsteam"
    none_assigned = facts("aanpak_school", assigned_roles=frozenset({"leerkracht", "ib"}))
    assert run("consent_assigned_external", True, none_assigned, trigger).allowed

    f = facts("aanpak_school", assigned_roles=frozenset({"ib", "smw", "ggd"}), consents=(consent("smw"),))
    result = run("consent_assigned_external", True, f, trigger)
    assert not result.allowed
    assert result.reason == "Toestemming van ouders voor de GGD-jeugdarts ontbreekt"

    f = facts(
        "aanpak_school", assigned_roles=frozenset({"smw", "ggd"}), consents=(consent("smw"), consent("ggd"))
    )
    assert run("consent_assigned_external", True, f, trigger).allowed


# ----------------------------------------------------------------------------- the others


def test_assigned() -> None:
    result = run("assigned", "plusklas", facts("opp_opstellen"), "naar_plusklas")
    assert not result.allowed
    assert result.reason == "Er is nog niemand toegewezen als plusklasleerkracht"
    f = facts("opp_opstellen", assigned_roles=frozenset({"plusklas"}))
    assert run("assigned", "plusklas", f, "naar_plusklas").allowed


OPP = {"id": "opp", "outcome": "vastgesteld"}
GRANTED = {"id": "swv_besluit", "outcome": "toegekend"}
ADVICES = {"roles": ("so_expert", "deskundige"), "count": 2, "document": "deskundigenadvies"}
ENTERED = datetime(2026, 2, 1, 9, 0)


def record(kind: str, outcome: str = "", person: int = 1, step: str = "tlv_aanvraag",
           at: datetime = datetime(2026, 2, 2, 9, 0)) -> Record:
    return Record(kind=kind, outcome=outcome, person=person, step=step, at=at)


def test_decision_with_scope_case_counts_wherever_the_case_is() -> None:
    result = run("decision", OPP, facts("opp_opstellen"), "naar_plusklas")
    assert result.reason == "Er is nog geen besluit 'OPP' vastgelegd"
    adopted = facts("evaluatie", records=(record("opp", "vastgesteld", step="opp_opstellen"),))
    assert run("decision", OPP, adopted, "naar_plusklas").allowed
    redrawn = facts("evaluatie", records=(record("opp", "vastgesteld", step="opp_opstellen"),
                                          record("opp", "concept", step="evaluatie")))
    assert run("decision", OPP, redrawn, "naar_plusklas").reason == (
        "Besluit 'OPP' is 'concept', niet 'vastgesteld'"
    )


def test_decision_with_scope_step_counts_only_in_the_visit_it_was_made() -> None:
    trig = "arrangement_toegekend"
    here = {"steps": {"school": "arrangement_aanvraag", "jeugdhulp": "-"}, "entered_at": {"school": ENTERED}}
    none = run("decision", GRANTED, CaseFacts(today=TODAY, **here), trig)
    assert none.reason == "Er is nog geen besluit 'Besluit SWV' vastgelegd"
    refused = record("swv_besluit", "afgewezen", step="arrangement_aanvraag")
    other = run("decision", GRANTED, CaseFacts(today=TODAY, records=(refused,), **here), trig)
    assert other.reason == "Besluit 'Besluit SWV' is 'afgewezen', niet 'toegekend'"
    granted = record("swv_besluit", "toegekend", step="arrangement_aanvraag")
    assert run("decision", GRANTED, CaseFacts(today=TODAY, records=(granted,), **here), trig).allowed
    # a decision of an earlier visit of the step does not count for the new request
    old = record("swv_besluit", "toegekend", step="arrangement_aanvraag", at=datetime(2026, 1, 5))
    assert not run("decision", GRANTED, CaseFacts(today=TODAY, records=(old,), **here), trig).allowed
    # nor one made in another step
    elsewhere = record("swv_besluit", "toegekend", step="tlv_aanvraag")
    assert not run("decision", GRANTED, CaseFacts(today=TODAY, records=(elsewhere,), **here), trig).allowed


def test_a_decision_guard_with_several_ids_takes_the_newest_of_them() -> None:
    trig = "arrangement_toegekend"
    either = {"id": ("arrangement", "swv_besluit"), "outcome": "toegekend"}
    here = {"steps": {"school": "arrangement_aanvraag", "jeugdhulp": "-"}, "entered_at": {"school": ENTERED}}
    none = run("decision", either, CaseFacts(today=TODAY, **here), trig)
    assert none.reason == "Er is nog geen besluit 'Arrangement of Besluit SWV' vastgelegd"
    old_way = record("swv_besluit", "toegekend", step="arrangement_aanvraag")
    assert run("decision", either, CaseFacts(today=TODAY, records=(old_way,), **here), trig).allowed
    refused = record("arrangement", "afgewezen", step="arrangement_aanvraag", at=datetime(2026, 2, 3, 9, 0))
    later = run("decision", either, CaseFacts(today=TODAY, records=(old_way, refused), **here), trig)
    assert later.reason == "Besluit 'Arrangement of Besluit SWV' is 'afgewezen', niet 'toegekend'"


def test_decided_holds_for_any_outcome() -> None:
    trig = "arrangement_afgewezen"
    here = {"steps": {"school": "arrangement_aanvraag", "jeugdhulp": "-"}, "entered_at": {"school": ENTERED}}
    assert not run("decided", "swv_besluit", CaseFacts(today=TODAY, **here), trig).allowed
    refused = record("swv_besluit", "afgewezen", step="arrangement_aanvraag")
    assert run("decided", "swv_besluit", CaseFacts(today=TODAY, records=(refused,), **here), trig).allowed


def test_advices_need_different_assigned_persons_in_the_roles() -> None:
    trig = "tlv_toegekend"
    assignees = frozenset({("so_expert", 7), ("deskundige", 8), ("ib", 1)})
    one = facts("tlv_aanvraag", assignees=assignees, records=(record("deskundigenadvies", "x", 7),))
    result = run("advices", ADVICES, one, trig)
    assert not result.allowed
    assert "1 van de 2" in result.reason and "SO-expert" in result.reason
    # the same person twice counts once
    twice = facts("tlv_aanvraag", assignees=assignees, records=(record("deskundigenadvies", "x", 7),
                                                                record("deskundigenadvies", "y", 7)))
    assert not run("advices", ADVICES, twice, trig).allowed
    # someone not assigned to those roles (the IB) does not count
    ib = facts("tlv_aanvraag", assignees=assignees, records=(record("deskundigenadvies", "x", 7),
                                                             record("deskundigenadvies", "y", 1)))
    assert not run("advices", ADVICES, ib, trig).allowed
    # another kind of record does not count
    opp = facts("tlv_aanvraag", assignees=assignees, records=(record("deskundigenadvies", "x", 7),
                                                              record("opp", "vastgesteld", 8)))
    assert not run("advices", ADVICES, opp, trig).allowed
    two = facts("tlv_aanvraag", assignees=assignees, records=(record("deskundigenadvies", "x", 7),
                                                              record("deskundigenadvies", "y", 8)))
    assert run("advices", ADVICES, two, trig).allowed


def test_in_step_looks_at_the_other_track() -> None:
    trig = "start_jeugdhulp"
    result = run("in_step", ("ondersteuningsteam",), facts("signalering"), trig)
    assert not result.allowed
    assert result.reason == ("Alleen mogelijk vanuit stap 'Ondersteuningsteam (MDO)' (nu: 'Signalering')")
    assert run("in_step", ("ondersteuningsteam",), facts("ondersteuningsteam"), trig).allowed


# ----------------------------------------------------------------------------- params, text


@pytest.mark.parametrize(
    ("name", "param", "ok"),
    [
        ("checklist_complete", True, True),
        ("checklist_complete", False, False),
        ("consent", "so_expert", True),
        ("consent", ["so_expert", "smw"], True),
        ("consent", [], False),
        ("consent", "nobody", False),
        ("assigned", 1, False),
        ("in_step", ["evaluatie"], True),
        ("in_step", "nowhere", False),
        ("advices", {"roles": ["so_expert"], "count": 2}, True),
        ("advices", {"roles": ["so_expert"], "count": -1}, False),
        ("advices", {"roles": ["so_expert"], "count": True}, False),
        ("advices", {"roles": ["so_expert"], "count": 1, "document": "opp"}, False),
        ("advices", {"roles": ["so_expert"], "count": 1, "extra": 1}, False),
        ("decision", {"id": "swv_besluit", "outcome": "afgewezen"}, True),
        ("decision", {"id": "swv_besluit", "outcome": "misschien"}, False),
        ("decision", {"id": "swv_besluit"}, False),
        ("decision", {"id": ["arrangement", "swv_besluit"], "outcome": "toegekend"}, True),
        ("decision", {"id": ["arrangement", "opp"], "outcome": "toegekend"}, False),  # not an OPP outcome
        ("decision", {"id": ["arrangement", "besluit"], "outcome": "toegekend"}, False),
        ("decided", "opp", True),
        ("decided", "deskundigenadvies", False),
        ("no_such_guard", True, False),
    ],
)
def test_check_guard_param(name: str, param, ok: bool) -> None:
    known = Known(
        roles=ROUTE.roles.keys(),
        steps=ROUTE.steps.keys(),
        decisions={d.id: d.outcomes for d in ROUTE.decisions.values()},
        documents=ROUTE.documents.keys(),
    )
    problems = check_guard_param(name, param, known)
    assert (problems == []) == ok


def test_guard_descriptions_in_dutch() -> None:
    assert guard_description(GuardSpec("consent", "so_expert"), ROUTE) == "toestemming SO-expert"
    assert guard_description(GuardSpec("checklist_complete"), ROUTE) == "checklist af"
    assert guard_description(GuardSpec("advices", ADVICES), ROUTE) == (
        "2 adviezen (SO-expert, deskundige (orthopedagoog/psycholoog))"
    )
    assert guard_description(GuardSpec("decision", GRANTED), ROUTE) == "Besluit SWV: toegekend"
    assert guard_description(GuardSpec("decided", "opp"), ROUTE) == "OPP genomen"
    assert guard_description(GuardSpec("assigned", "plusklas"), ROUTE) == ("plusklasleerkracht toegewezen")
    assert guard_description(GuardSpec("in_step", ("ondersteuningsteam",)), ROUTE) == (
        "vanuit Ondersteuningsteam (MDO)"
    )
