"""Pilot tests of the Plan tab and the OPP form, asserted on widgets and on the database; a
snapshot of the case header with its next two clocks."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_tui_support import IB, demo_db, make_app, services_for, settle, type_text
from textual.widgets import Checkbox, Label, TabbedContent

from kindroute.screens.case import CaseScreen
from kindroute.screens.opp_form import OppFormScreen
from kindroute.screens.plan_forms import GoalFormScreen
from kindroute.services import CaseFilter
from kindroute.store.models import Goal, OppVersion
from kindroute.widgets.plan_tab import PlanTab

SIZE = (120, 40)


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    monkeypatch.delenv("KINDROUTE_READY_FILE", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


def screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


def case_where(services, want_opp: bool) -> int:
    """An open case of the IB's school with (or without) OPP versions."""
    ib = services.resolve_actor(IB)
    for row in services.list_cases(ib, CaseFilter(sort="id"), limit=200):
        plan = services.case_plan(ib, row.id)
        if (plan.opp is not None) == want_opp and (not want_opp or plan.goals):
            return row.id
    raise AssertionError("no such case in the demo data")


async def open_plan(pilot, case_id: int) -> CaseScreen:
    await settle(pilot)
    pilot.app.open_case(case_id)
    await settle(pilot)
    await pilot.press("8")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    assert screen.query_one(TabbedContent).active == "plan"
    return screen


async def test_plan_tab_shows_goals_opp_and_clocks_and_adds_a_goal(services):
    case_id = case_where(services, want_opp=True)
    plan = services.case_plan(None, case_id)
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_plan(pilot, case_id)
        tab = screen.query_one(PlanTab)
        assert tab.has_focus and tab.plan is not None
        text = screen_text(app)
        assert "Doelen" in text and plan.goals[0].area in text
        assert f"Versie {plan.opp.version}" in text and "Uitstroomprofiel" in text
        assert "Termijnen" in text
        await pilot.press("g")
        await settle(pilot)
        assert isinstance(app.screen, GoalFormScreen)
        await type_text(pilot, "rekenen")
        await pilot.press("tab")
        await type_text(pilot, "Splitst getallen tot 20 zonder materiaal")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "2026-04-15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "Splitst getallen tot 20" in screen_text(app)
    with services.db.sessions() as s:
        goal = s.scalars(select(Goal).where(Goal.case_id == case_id).order_by(Goal.id.desc())).first()
        assert (goal.area, goal.goal, str(goal.evaluate_on)) == (
            "rekenen", "Splitst getallen tot 20 zonder materiaal", "2026-04-15")


async def test_opp_form_refuses_adopting_without_profile_then_adopts(services):
    case_id = case_where(services, want_opp=False)
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(pilot, case_id)
        assert "Nog geen OPP" in screen_text(app)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OppFormScreen)
        form.query_one("#adopt", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # refused: nothing saved
        assert "uitstroomprofiel" in str(form.query_one("#uitstroomprofiel-error", Label).render()).lower()
        with services.db.sessions() as s:
            assert s.scalar(select(OppVersion.id).where(OppVersion.case_id == case_id)) is None
        form.query_one("#uitstroomprofiel").focus()
        await type_text(pilot, "vmbo basis/kader")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "vastgesteld" in screen_text(app)
    with services.db.sessions() as s:
        v = s.scalars(select(OppVersion).where(OppVersion.case_id == case_id)).one()
        assert (v.version, v.status, v.uitstroomprofiel) == (1, "vastgesteld", "vmbo basis/kader")


def test_case_header_with_clocks(snap_compare, services):
    case_id = case_where(services, want_opp=True)

    async def open_it(pilot):
        await open_plan(pilot, case_id)

    assert snap_compare(make_app(services), terminal_size=SIZE, run_before=open_it)
