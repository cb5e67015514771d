"""Pilot tests of the SWV's screens: Inzicht, the verbeterbord and bordsessie, the sociale kaart,
and Plus-klas placement with its waiting list — asserted on widgets and on the database."""

from __future__ import annotations

import pytest
from test_tui_support import IB, demo_db, make_app, services_for, settle, type_text
from textual.widgets import DataTable, OptionList, Static
from textual_plotext import PlotextPlot

from kindroute.screens.board import BoardScreen, BoardSessionScreen
from kindroute.screens.case import CaseScreen
from kindroute.screens.cases import CasesScreen
from kindroute.screens.monitor import MonitorScreen
from kindroute.screens.partners import PartnersScreen
from kindroute.screens.plusklas import PlaceForm, PlusklasScreen
from kindroute.services import CaseFilter
from kindroute.widgets.case_list import CaseList

SWV = "Jeroen Koster"


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


# ----------------------------------------------------------------------------- Inzicht
@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_monitor_draws_its_charts_and_enter_opens_the_step(services, size):
    ib = services.resolve_actor(IB)
    app = make_app(services)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MonitorScreen) and screen.report is not None
        table = screen.query_one("#steps-table", DataTable)
        assert table.row_count == len([s for s in services.route.steps.values() if not s.final])
        chart = screen.query_one("#steps-chart", PlotextPlot)
        drawn = str(chart.render())
        assert "Casussen per stap" in drawn and ("█" in drawn or "▇" in drawn or "▌" in drawn)
        # the step with the most cases: enter opens Casussen filtered on it
        busiest = max(screen.report.steps, key=lambda s: s.now)
        assert busiest.now > 0
        table.focus()
        table.move_cursor(row=[s.step for s in screen.report.steps].index(busiest.step))
        await pilot.press("enter")
        await settle(pilot)
        cases = app.screen
        assert isinstance(cases, CasesScreen)
        assert cases.filter.step == busiest.step
        rows = cases.query_one(CaseList).loaded_rows()
        assert rows and all(r.step == busiest.step for r in rows)
        assert len(rows) == services.count_cases(ib, CaseFilter(step=busiest.step)) == busiest.now


async def test_monitor_tabs_and_school_drill_down(services):
    app = make_app(services, who=SWV)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MonitorScreen)
        await pilot.press("3")
        months = str(screen.query_one("#months-chart", PlotextPlot).render())
        assert "Doorstroom per maand" in months
        await pilot.press("4")
        assert "Doorlooptijd" in str(screen.query_one("#leads-chart", PlotextPlot).render())
        await pilot.press("2")
        schools = screen.query_one("#schools-table", DataTable)
        assert app.focused is schools and schools.row_count == len(screen.report.schools)
        first = screen.report.schools[0]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen) and app.screen.filter.school_id == first.school_id
        rows = app.screen.query_one(CaseList).loaded_rows()
        assert rows and {r.school for r in rows} == {first.school}


# ----------------------------------------------------------------------------- Verbeterbord
async def test_board_moves_adds_and_records_a_retrospective(services):
    ib = services.resolve_actor(IB)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        mine = services.board.list(ib)
        for status in ("idee", "doen", "bezig", "klaar"):
            column = screen.query_one(f"#col-{status}", OptionList)
            assert column.option_count == sum(1 for a in mine if a.status == status)
        ours = next(a for a in mine if a.school == "OBS De Regenboog" and a.status != "klaar")
        column = screen.query_one(f"#col-{ours.status}", OptionList)
        column.focus()
        column.highlighted = [a.id for a in mine if a.status == ours.status].index(ours.id)
        target = "doen" if ours.status != "doen" else "bezig"
        await pilot.press({"doen": "2", "bezig": "3"}[target])
        await settle(pilot)
        assert next(a for a in services.board.list(ib) if a.id == ours.id).status == target
        assert app.focused is screen.query_one(f"#col-{target}")
        # the SWV's own actions are not the IB's to move
        swv_action = next(a for a in mine if a.school is None and a.status == "doen")
        column = screen.query_one("#col-doen", OptionList)
        column.focus()
        doing = [a.id for a in services.board.list(ib) if a.status == "doen"]
        column.highlighted = doing.index(swv_action.id)
        await pilot.press("3")
        await settle(pilot)
        assert next(a for a in services.board.list(ib) if a.id == swv_action.id).status == "doen"
        # a new action
        await pilot.press("plus")
        await settle(pilot)
        await type_text(pilot, "Wachtlijst MDO wekelijks bekijken")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        added = [a for a in services.board.list(ib) if a.action == "Wachtlijst MDO wekelijks bekijken"]
        assert len(added) == 1 and added[0].status == "doen" and added[0].school == "OBS De Regenboog"
        assert added[0].owner == IB
        # a retrospective
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "Korte sessies")
        await pilot.press("tab")
        await type_text(pilot, "Eigenaar vaker noemen")
        await pilot.press("ctrl+s")
        await settle(pilot)
        retro = services.board.retros(ib, limit=1)[0]
        assert (retro.went_well, retro.can_be_better) == ("Korte sessies", "Eigenaar vaker noemen")
        assert "Korte sessies" in str(screen.query_one("#retro", Static).render())


async def test_board_session_walks_open_actions_with_a_timer(services):
    swv = services.resolve_actor(SWV)
    app = make_app(services, who=SWV)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        session = app.screen
        assert isinstance(session, BoardSessionScreen)
        open_actions = [a for a in services.board.list(swv) if a.status != "klaar"]
        assert len(session.actions) == len(open_actions)
        assert "15:00" in screen_text(app) or "14:5" in screen_text(app)
        session.left = 61
        session._tick()
        assert "01:00" in str(session.query_one("#session-title", Static).render())
        first = session.actions[0]
        await pilot.press("n")
        assert session.index == 1
        await pilot.press("p")
        assert session.index == 0
        await pilot.press("4")
        await settle(pilot)
        assert next(a for a in services.board.list(swv) if a.id == first.id).status == "klaar"
        assert first.id not in [a.id for a in session.actions]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.query_one("#col-klaar", OptionList).option_count == sum(
            1 for a in services.board.list(swv) if a.status == "klaar")


# ----------------------------------------------------------------------------- Sociale kaart
async def test_sociale_kaart_from_a_case_shows_who_we_can_ask(services):
    ib = services.resolve_actor(IB)
    case_id = services.list_cases(ib, CaseFilter(), limit=1)[0].id
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PartnersScreen)
        school = services.case_detail(ib, case_id).school
        serving = services.partners.list(ib, school=school)
        assert 0 < len(serving) < len(services.partners.list(ib))
        table = screen.query_one(DataTable)
        assert table.row_count == len(serving)
        assert "wie kunnen we vragen" in screen_text(app) and school in screen_text(app)
        assert serving[0].name in str(screen.query_one("#partner-detail", Static).render())
        await pilot.press("a")
        await settle(pilot)
        assert table.row_count == len(services.partners.list(ib))


# ----------------------------------------------------------------------------- Plus-klas
async def test_plusklas_placement_flow_with_its_waiting_list(services):
    ib = services.resolve_actor(IB)
    swv = services.resolve_actor(SWV)
    services.plusklas.add_location(swv, "Plusklas Proef", places=1, school="21KL", days="vr")
    placed = {p.case_id for loc in services.plusklas.list(None) for p in loc.placements}
    first, second = [r.id for r in services.list_cases(ib, CaseFilter(sort="id"), limit=20)
                     if r.id not in placed][:2]
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PlusklasScreen)
        names = [loc.name for loc in screen.locations]
        screen.query_one("#locations", DataTable).move_cursor(row=names.index("Plusklas Proef"))
        await pilot.pause()

        async def place(case_id: int) -> None:
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, PlaceForm)
            await type_text(pilot, str(case_id))
            await pilot.press("ctrl+s")
            await settle(pilot)

        def status(case_id: int) -> tuple[str, int | None]:
            loc = next(loc for loc in services.plusklas.list(None) if loc.name == "Plusklas Proef")
            p = next(p for p in loc.placements if p.case_id == case_id)
            return p.status, p.position

        await place(first)
        assert status(first) == ("geplaatst", None)
        await place(second)
        assert status(second) == ("wachtend", 1)
        placements = screen.query_one("#placements", DataTable)
        assert placements.row_count == 2
        for _ in range(100):  # the location's line is redrawn after the table (a busy machine: later)
            if "wachtlijst 1" in screen_text(app):
                break
            await pilot.pause(0.05)
        assert "wachtlijst 1" in screen_text(app)
        # the first leaves: the place is free, and the waiting case is placed next
        placements.focus()
        placements.move_cursor(row=0)
        await pilot.press("l")
        await settle(pilot)
        loc = next(loc for loc in services.plusklas.list(None) if loc.name == "Plusklas Proef")
        assert loc.occupied == 0 and loc.waiting == 1
        await pilot.press("tab")
        await place(second)
        assert status(second) == ("geplaatst", None)
        facts = services.case_detail(ib, second)  # the case is still readable and unchanged otherwise
        assert facts.id == second
