"""The service layer's shape: one module per idea behind the one ``Services`` facade."""

from __future__ import annotations

import inspect
from pathlib import Path

from kindroute.services import Services
from kindroute.services.case_flow import CaseFlow
from kindroute.services.case_lists import CaseLists
from kindroute.services.case_view import CaseView
from kindroute.services.case_work import CaseWork
from kindroute.services.clocks import CaseClocks
from kindroute.services.context import ServiceContext
from kindroute.services.core import Services as CoreServices
from kindroute.services.decisions import Decisions
from kindroute.services.goals import GoalServices
from kindroute.services.ground import ServiceGround
from kindroute.services.meeting_part import MeetingParts
from kindroute.services.opp import OppServices
from kindroute.services.people import PeopleServices
from kindroute.services.placement import PlacementServices
from kindroute.services.plan_view import PlanView
from kindroute.services.swv_part import SwvParts
from kindroute.services.turns import Terms

SERVICES_DIR = Path(__file__).resolve().parent.parent / "kindroute" / "services"

#: Every public method the faces (TUI, CLI, bench, tests) call, and the part that holds it.
PUBLIC = {
    ServiceGround: {"now", "today", "role_label", "step_title"},
    ServiceContext: {"facts"},
    PeopleServices: {"resolve_actor", "add_school", "start_school", "list_schools", "add_person",
                     "list_people", "add_pupils", "count_people"},
    CaseFlow: {"open_case", "advance_case", "close_case", "reopen_case", "extend_zorgplicht"},
    CaseWork: {"assign_role", "end_assignment", "record_consent", "withdraw_consent", "add_note",
               "add_agreement", "complete_agreement", "tick_checklist"},
    Decisions: {"record_decision", "record_document"},
    Terms: {"set_term"},
    CaseLists: {"list_cases", "count_cases", "worklist", "step_counts", "step_overdue_counts", "case_count"},
    CaseView: {"case_detail", "next_steps", "who_is_at_turn"},
    MeetingParts: set(),  # a property: services.meetings
    SwvParts: {"report"},  # and the properties board, partners, plusklas
    GoalServices: {"add_goal", "evaluate_goal"},
    OppServices: {"save_opp", "record_instemming", "record_hoorrecht"},
    PlacementServices: {"decide_zorgplicht", "record_period"},
    CaseClocks: {"case_clocks", "refresh_all_next_due"},
    PlanView: {"case_plan"},
}


def test_facade_is_importable_both_ways() -> None:
    assert Services is CoreServices


def test_each_public_method_lives_in_its_part_and_reaches_the_facade() -> None:
    for part, names in PUBLIC.items():
        for name in names:
            assert name in vars(part), f"{name} should be defined in {part.__name__}"
            assert getattr(Services, name) is getattr(part, name)
    every = {n for names in PUBLIC.values() for n in names}
    public = {n for n, _ in inspect.getmembers(Services, inspect.isfunction) if not n.startswith("_")}
    assert public == every


def test_facade_adds_no_behaviour_of_its_own() -> None:
    own = {n for n in vars(Services) if not n.startswith("__")}
    assert own == set(), own


#: Parts that need only the ground (no ORM): the app's first page reads through them alone.
ON_THE_GROUND = {CaseLists}


def test_parts_share_only_the_context() -> None:
    """A part builds on the context (or its ground), never on another part, so each reads on its own."""
    assert ServiceContext.__bases__ == (ServiceGround,)
    for part in PUBLIC:
        if part in (ServiceContext, ServiceGround):
            continue
        assert part.__bases__ == ((ServiceGround,) if part in ON_THE_GROUND else (ServiceContext,)), part


def test_the_ground_parts_load_without_the_orm() -> None:
    """The first page's modules import SQLAlchemy Core only (a fresh interpreter tells)."""
    import subprocess
    import sys

    code = ("import sys, kindroute.services.first_page; "
            "heavy = {'sqlalchemy.orm', 'kindroute.store.models'}; "
            "sys.exit(1 if heavy & set(sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_no_service_module_over_500_lines() -> None:
    for path in SERVICES_DIR.glob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 500, f"{path.name}: {lines} lines"


def test_export_shows_status_and_document_kind_in_words(tmp_path) -> None:
    """The case file speaks the users' words from the vocabulary, not stored ids."""
    from test_trust_support import Clock, actor, open_case, sqlite_services, tick_all, walk

    from kindroute.services.export import export_case

    svc = sqlite_services(tmp_path / "kr.sqlite", Clock())
    try:
        ib = actor(svc)
        cid = open_case(svc, "Noor de Vries")
        svc.assign_role(ib, cid, "so_expert", "Sara Smit")
        svc.record_consent(ib, cid, role="so_expert", purpose="Advies", given_by="Moeder")
        svc.record_document(svc.resolve_actor("Sara Smit"), cid, "deskundigenadvies", outcome="Dr. Jansen")
        walk(svc, cid, "naar_aanpak_groep")
        tick_all(svc, cid)
        svc.close_case(ib, cid)
        out = export_case(svc, ib, cid, "md")
    finally:
        svc.db.dispose()
    assert "afgesloten" in out and "closed" not in out
    assert "Deskundigenadvies —" in out and "deskundigenadvies —" not in out
