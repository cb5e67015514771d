"""The named guards: pure functions of the case facts with Dutch reasons."""

from __future__ import annotations

from datetime import date

import pytest

from kindroute.workflow import CaseFacts, Consent, GuardSpec, load_route
from kindroute.workflow.diagram import guard_description
from kindroute.workflow.guards import GUARDS, check_guard_param, evaluate

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
        "opp_vastgesteld",
        "instemming",
        "hoorrecht",
        "expert_advices",
        "swv_decision",
        "in_step",
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


def test_opp_vastgesteld() -> None:
    result = run("opp_vastgesteld", True, facts("opp_opstellen"), "naar_plusklas")
    assert result.reason == "Het OPP is nog niet vastgesteld"
    assert run("opp_vastgesteld", True, facts("opp_opstellen", opp_vastgesteld=True), "naar_plusklas").allowed


def test_expert_advices() -> None:
    result = run("expert_advices", 2, facts("tlv_aanvraag", expert_advices=1), "tlv_toegekend")
    assert not result.allowed
    assert "1 van de 2" in result.reason and "deskundigenadviezen" in result.reason
    assert run("expert_advices", 2, facts("tlv_aanvraag", expert_advices=2), "tlv_toegekend").allowed


def test_swv_decision() -> None:
    trig = "arrangement_toegekend"
    none = run("swv_decision", "toegekend", facts("arrangement_aanvraag"), trig)
    assert none.reason == "Het SWV heeft nog geen besluit genomen over de aanvraag"
    other = run("swv_decision", "toegekend", facts("arrangement_aanvraag", swv_decision="afgewezen"), trig)
    assert other.reason == "Het SWV heeft de aanvraag afgewezen"
    assert run(
        "swv_decision", "toegekend", facts("arrangement_aanvraag", swv_decision="toegekend"), trig
    ).allowed


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
        ("expert_advices", 2, True),
        ("expert_advices", -1, False),
        ("expert_advices", True, False),
        ("swv_decision", "afgewezen", True),
        ("swv_decision", "misschien", False),
        ("no_such_guard", True, False),
    ],
)
def test_check_guard_param(name: str, param, ok: bool) -> None:
    problems = check_guard_param(name, param, ROUTE.roles.keys(), ROUTE.steps.keys())
    assert (problems == []) == ok


def test_guard_descriptions_in_dutch() -> None:
    assert guard_description(GuardSpec("consent", "so_expert"), ROUTE) == "toestemming SO-expert"
    assert guard_description(GuardSpec("checklist_complete"), ROUTE) == "checklist af"
    assert guard_description(GuardSpec("expert_advices", 2), ROUTE) == "2 deskundigenadviezen"
    assert guard_description(GuardSpec("assigned", "plusklas"), ROUTE) == ("plusklasleerkracht toegewezen")
    assert guard_description(GuardSpec("in_step", ("ondersteuningsteam",)), ROUTE) == (
        "vanuit Ondersteuningsteam (MDO)"
    )
