"""The engine: next steps with reasons, applying steps on shared machines, replay."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest

from kindroute.errors import StepNotAllowed
from kindroute.workflow import NOT_STARTED, CaseFacts, Consent, Engine, get_engine, load_route
from kindroute.workflow import engine as engine_module
from kindroute.workflow.model import Record

ROOT = Path(__file__).resolve().parent.parent
ROUTE = load_route()
TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return get_engine(ROUTE)


def all_ticked(step: str) -> frozenset[tuple[str, str]]:
    return frozenset((step, i.id) for i in ROUTE.steps[step].checklist)


def facts(school: str, jeugdhulp: str = NOT_STARTED, **kwargs) -> CaseFacts:
    return CaseFacts(steps={"school": school, "jeugdhulp": jeugdhulp}, today=TODAY, **kwargs)


def so_expert_consent(**kwargs) -> Consent:
    return Consent("so_expert", "consultatie", "ouders", date(2026, 1, 1), **kwargs)


def test_initial_steps(engine: Engine) -> None:
    assert engine.initial_steps() == {"school": "signalering", "jeugdhulp": NOT_STARTED}


def test_one_shared_machine_per_track(engine: Engine) -> None:
    assert set(engine.machines) == {"school", "jeugdhulp"}
    for machine in engine.machines.values():
        assert machine.models == []
        assert not any(name.startswith("to_") for name in machine.events)
    f = facts("signalering", checklist_done=all_ticked("signalering"))
    engine.apply(f, "naar_aanpak_groep")
    assert engine.machines["school"].models == [], "applying must not attach the case"


def test_get_engine_caches_per_route() -> None:
    assert get_engine(ROUTE) is get_engine(ROUTE)
    other = load_route()
    assert get_engine(other) is not get_engine(ROUTE)
    assert get_engine(other).route is other


def test_next_steps_from_start_lists_school_and_idle_jeugdhulp(engine: Engine) -> None:
    options = engine.next_steps(facts("signalering"))
    assert [(o.trigger, o.track, o.source, o.dest) for o in options] == [
        ("naar_aanpak_groep", "school", "signalering", "aanpak_groep"),
        ("start_jeugdhulp", "jeugdhulp", NOT_STARTED, "toeleiding_jeugdhulp"),
    ]
    assert not any(o.allowed for o in options)
    start = options[1]
    assert len(start.reasons) == 2, "all blocking reasons, not just the first"
    assert any("jeugdhulpverlener" in r for r in start.reasons)
    assert any("Ondersteuningsteam" in r for r in start.reasons)


def test_next_steps_collects_every_reason(engine: Engine) -> None:
    options = {o.trigger: o for o in engine.next_steps(facts("ondersteuningsteam"))}
    assert set(options) == {
        "naar_consultatie_so_expert",
        "naar_opp_opstellen",
        "terug_naar_aanpak_school",
        "start_jeugdhulp",
    }
    consult = options["naar_consultatie_so_expert"]
    assert not consult.allowed
    assert consult.reasons[0].startswith("Checklist van stap 'Ondersteuningsteam (MDO)'")
    assert consult.reasons[1] == "Toestemming van ouders voor de SO-expert ontbreekt"


def test_next_steps_allowed_when_guards_hold(engine: Engine) -> None:
    f = facts(
        "ondersteuningsteam", checklist_done=all_ticked("ondersteuningsteam"), consents=(so_expert_consent(),)
    )
    options = {o.trigger: o for o in engine.next_steps(f)}
    assert options["naar_consultatie_so_expert"].allowed
    assert options["naar_consultatie_so_expert"].reasons == ()
    assert options["naar_opp_opstellen"].allowed


def test_check_unknown_trigger(engine: Engine) -> None:
    with pytest.raises(StepNotAllowed, match="Onbekende overgang 'vliegen'"):
        engine.check(facts("signalering"), "vliegen")


def test_check_trigger_not_from_current_step(engine: Engine) -> None:
    with pytest.raises(StepNotAllowed, match="kan niet vanuit stap 'Signalering'"):
        engine.check(facts("signalering"), "naar_opp_opstellen")
    with pytest.raises(StepNotAllowed, match="niet gestart"):
        engine.check(facts("ondersteuningsteam"), "jeugdhulp_gestart")


def test_apply_moves_and_returns_track_source_dest(engine: Engine) -> None:
    f = facts("signalering", checklist_done=all_ticked("signalering"))
    assert engine.apply(f, "naar_aanpak_groep") == ("school", "signalering", "aanpak_groep")


def test_apply_blocked_raises_with_reasons(engine: Engine) -> None:
    f = facts(
        "ondersteuningsteam",
        checklist_done=all_ticked("ondersteuningsteam"),
        consents=(so_expert_consent(withdrawn_on=date(2026, 2, 1)),),
    )
    with pytest.raises(StepNotAllowed) as info:
        engine.apply(f, "naar_consultatie_so_expert")
    assert info.value.reasons == ("Toestemming van ouders voor de SO-expert is ingetrokken op 1-2-2026",)
    assert "ingetrokken" in str(info.value)


def test_apply_starts_the_optional_track(engine: Engine) -> None:
    consent = Consent("jeugdhulp", "toeleiding", "ouders", date(2026, 1, 1))
    f = facts("ondersteuningsteam", consents=(consent,), pupil_birth_date=date(2018, 5, 1))
    assert engine.apply(f, "start_jeugdhulp") == ("jeugdhulp", NOT_STARTED, "toeleiding_jeugdhulp")
    f2 = replace(f, steps={"school": "opp_opstellen", "jeugdhulp": "toeleiding_jeugdhulp"})
    assert engine.apply(f2, "jeugdhulp_gestart") == ("jeugdhulp", "toeleiding_jeugdhulp", "jeugdhulp_loopt")


def test_the_machine_itself_refuses_a_failing_guard(engine: Engine, monkeypatch) -> None:
    """Even if the engine's pre-check were bypassed, the shared machine's conditions refuse."""
    ok = facts("signalering", checklist_done=all_ticked("signalering"))
    blocked = facts("signalering")
    monkeypatch.setattr(engine, "check", lambda f, t: Engine.check(engine, ok, t))
    with pytest.raises(StepNotAllowed):
        engine.apply(blocked, "naar_aanpak_groep")


def test_missing_track_in_facts_means_initial(engine: Engine) -> None:
    f = CaseFacts(steps={"school": "signalering"}, today=TODAY)
    assert [o.trigger for o in engine.next_steps(f)] == ["naar_aanpak_groep", "start_jeugdhulp"]


def test_at_turn_deadline_final(engine: Engine) -> None:
    assert engine.at_turn_role("consultatie_so_expert") == "so_expert"
    assert engine.at_turn_role("afgesloten") is None
    assert engine.at_turn_role(NOT_STARTED) is None
    assert engine.deadline("signalering", date(2026, 3, 2)) == date(2026, 3, 16)
    assert engine.deadline("arrangement_uitvoering", TODAY) is None
    assert engine.deadline("afgesloten", TODAY) is None
    assert engine.is_final("afgesloten") and engine.is_final("verwezen_sbo_so")
    assert not engine.is_final("evaluatie") and not engine.is_final(NOT_STARTED)
    with pytest.raises(StepNotAllowed, match="bestaat niet"):
        engine.at_turn_role("nergens")


def test_full_route_to_referral(engine: Engine) -> None:
    """Walk the longest path with the facts each step needs."""
    steps = engine.initial_steps()
    done: set[tuple[str, str]] = set()
    at = datetime(2026, 3, 2, 12, 0)
    base = {
        "consents": (so_expert_consent(),),
        "assignees": frozenset({("so_expert", 7), ("deskundige", 8)}),
        "entered_at": {"school": datetime(2026, 3, 2, 9, 0)},
    }
    opp = Record("opp", "vastgesteld", 1, "opp_opstellen", at)
    advices = (Record("deskundigenadvies", "", 7, "tlv_aanvraag", at),
               Record("deskundigenadvies", "", 8, "tlv_aanvraag", at))
    path = [
        ("naar_aanpak_groep", {}),
        ("naar_leerlingbespreking", {}),
        ("naar_aanpak_school", {}),
        ("naar_ondersteuningsteam", {}),
        ("naar_consultatie_so_expert", {}),
        ("terug_naar_ondersteuningsteam", {}),
        ("naar_opp_opstellen", {}),
        ("naar_arrangement_aanvraag", {"records": (opp,)}),
        ("arrangement_toegekend",
         {"records": (opp, Record("swv_besluit", "toegekend", 2, "arrangement_aanvraag", at))}),
        ("naar_evaluatie", {}),
        ("naar_tlv_aanvraag", {}),
        ("tlv_toegekend",
         {"records": (*advices, Record("swv_besluit", "toegekend", 2, "tlv_aanvraag", at))}),
    ]
    events = []
    for trigger, extra in path:
        done |= all_ticked(steps["school"])
        f = CaseFacts(steps=dict(steps), today=TODAY, checklist_done=frozenset(done), **base, **extra)
        track, source, dest = engine.apply(f, trigger)
        events.append((track, source, dest, trigger))
        steps[track] = dest
    assert steps == {"school": "verwezen_sbo_so", "jeugdhulp": NOT_STARTED}
    assert engine.replay(events) == steps


def test_replay(engine: Engine) -> None:
    events = [
        ("school", "signalering", "aanpak_groep", "naar_aanpak_groep"),
        ("school", "aanpak_groep", "afgesloten", "doel_behaald"),
        ("school", "afgesloten", "signalering", "heropenen"),
    ]
    assert engine.replay(events) == {"school": "signalering", "jeugdhulp": NOT_STARTED}
    assert engine.replay([]) == engine.initial_steps()


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([("school", "aanpak_groep", "afgesloten", "doel_behaald")], "gebeurtenis 0"),
        (
            [
                ("school", "signalering", "aanpak_groep", "naar_aanpak_groep"),
                ("school", "aanpak_groep", "evaluatie", "doel_behaald"),
            ],
            "gebeurtenis 1: overgang 'doel_behaald'",
        ),
        ([("school", "signalering", "aanpak_groep", "heropenen")], "gebeurtenis 0: overgang"),
        ([("vakantie", "-", "x", "y")], "gebeurtenis 0: onbekend spoor"),
        ([("jeugdhulp", "-", "toeleiding_jeugdhulp", "naar_aanpak_groep")], "gebeurtenis 0"),
    ],
)
def test_replay_rejects_events_that_do_not_fit(engine: Engine, events, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        engine.replay(events)


def test_engine_cache_is_module_level() -> None:
    engine_module._ENGINES.clear()
    first = get_engine(ROUTE)
    assert engine_module._ENGINES[id(ROUTE)] == (ROUTE, first)


def test_workflow_imports_neither_textual_nor_sqlalchemy() -> None:
    code = (
        "import kindroute.workflow, sys; "
        "kindroute.workflow.to_mermaid(kindroute.workflow.load_route()); "
        "assert 'textual' not in sys.modules and 'sqlalchemy' not in sys.modules"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
