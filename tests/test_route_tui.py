"""The TUI on a route of its own (tests/routes/tlv_route.toml): ticking refused for a role outside
``ticked_by``, the per-case term set with ``e``, the document dialog offering the route's own
decisions — each checked on the screen and in the database."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from test_tui_support import settle
from textual.widgets import SelectionList

from kindroute.app import KindrouteApp
from kindroute.screens.case import CaseScreen
from kindroute.services import Services
from kindroute.store.db import open_database
from kindroute.workflow import load_route

TLV = load_route(Path(__file__).parent / "routes" / "tlv_route.toml")
NOW = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    db = open_database(str(tmp_path / "tlv.sqlite"))
    svc = Services(db, route=TLV, clock=lambda: NOW)
    svc.add_school("OBS De Regenboog", "12AB")
    for name, role, school in (("Ingrid Bakker", "ib", "12AB"), ("Tom de Wit", "leerkracht", "12AB"),
                               ("Olga Berg", "onderwijsspecialist", None), ("Tessa Hof", "tlc", None),
                               ("Carla Kok", "casuscoordinator", None)):
        svc.add_person(name, [role], school=school, organisation=None if school else "SWV De Brug")
    yield svc
    db.dispose()


def app_for(svc: Services, who: str) -> KindrouteApp:
    # a new Services on the same database without a route: the database's own
    return KindrouteApp(services=Services(svc.db, clock=lambda: NOW), who=who, remember=False)


async def open_case(pilot, case_id: int) -> CaseScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_case(case_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseScreen)
    return pilot.app.screen


async def test_ticking_outside_ticked_by_is_refused_on_screen(world) -> None:
    svc = world
    ib = svc.resolve_actor("Ingrid Bakker")
    cid = svc.open_case(ib, pupil="Mila Yilmaz", school="12AB", group=6, born="2016-04-02",
                        teacher="Tom de Wit")
    app = app_for(svc, "Tom de Wit")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, cid)
        await pilot.press("3")
        assert app.screen.query_one("#checklist-list", SelectionList).has_focus
        await pilot.press("space")  # 'Dossier compleet' is the IB's to tick
        await settle(pilot)
        shown = [str(n.message) for n in app._notifications]
        assert any("mag 'Dossier compleet' niet afvinken" in m for m in shown), shown
    assert svc.case_detail(ib, cid).tracks[0].checklist[0][2] is False


async def test_term_key_sets_the_end_date_and_the_document_dialog_offers_the_routes_kinds(world) -> None:
    svc = world
    ib = svc.resolve_actor("Ingrid Bakker")
    cid = svc.open_case(ib, pupil="Sem de Boer", school="12AB", group=4, born="2018-01-01")
    # straight to the arrangement step, whose term the specialist sets (as the case runs in the route)
    with svc.db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE case_tracks SET step = 'uitvoering', deadline = NULL WHERE case_id = ?",
                             (cid,))
        conn.exec_driver_sql(
            "INSERT INTO assignments (case_id, role, person_id, started_at) "
            "SELECT ?, 'onderwijsspecialist', id, '2026-03-01 09:00:00' FROM people WHERE name = 'Olga Berg'",
            (cid,))
        conn.exec_driver_sql(
            "INSERT INTO consents (case_id, role, purpose, given_by, pupil_cosigned, valid_from, "
            "recorded_by_id, recorded_at) VALUES (?, 'onderwijsspecialist', 'Plan', 'Moeder', 0, "
            "'2026-03-01', 1, '2026-03-01 09:00:00')", (cid,))
    app = app_for(svc, "Olga Berg")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, cid)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#term-until").value = "2026-05-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert svc.case_detail(ib, cid).deadline == date(2026, 5, 1)
        await pilot.press("d")
        await settle(pilot)
        kinds = [value for _label, value in app.screen.query_one("#kind")._options if isinstance(value, str)]
        # the route's own kinds, and of those only what the specialist may record: an advice
        assert kinds == ["advies:"]
