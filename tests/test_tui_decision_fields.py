"""The document dialog shows a decision's own fields (the default route's arrangement: start,
end as a clock, support, bezwaar) once that decision and outcome are chosen, and records them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from test_tui_support import settle
from textual.widgets import Input, Label, Select

from kindroute.app import KindrouteApp
from kindroute.screens.case import CaseScreen
from kindroute.screens.document import DocumentScreen
from kindroute.services import Services
from kindroute.store.db import open_database

NOW = datetime(2026, 11, 23, 9, 0)
SWV = "Willem Hof"


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    db = open_database(str(tmp_path / "kr.sqlite"))
    svc = Services(db, clock=lambda: NOW)
    svc.add_school("OBS De Regenboog", "12AB")
    svc.add_person("Ingrid Bakker", ["ib"], school="12AB")
    svc.add_person(SWV, ["swv"], organisation="SWV Passend Primair")
    ib = svc.resolve_actor("Ingrid Bakker")
    cid = svc.open_case(ib, pupil="Mila Yilmaz", school="12AB", group=6, born="2016-04-02")
    # the case asks the SWV for an arrangement (set up directly: the walk there is tested elsewhere)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE case_tracks SET step = 'arrangement_aanvraag' WHERE case_id = ?", (cid,))
    yield svc, cid
    db.dispose()


def shown(screen: DocumentScreen, ident: str) -> bool:
    return bool(screen.query_one(f"#{ident}-field").display)


async def test_the_dialog_shows_and_records_the_fields_of_the_chosen_decision(world) -> None:
    svc, cid = world
    app = KindrouteApp(services=Services(svc.db, clock=lambda: NOW), who=SWV, remember=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_case(cid)
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DocumentScreen)
        assert not shown(screen, "df-arrangement-einde")  # nothing chosen yet
        screen.query_one("#kind", Select).value = "arrangement:afgewezen"
        await settle(pilot)
        # a refusal has no period: only the bezwaar date (belongs to every outcome)
        assert not shown(screen, "df-arrangement-einde") and shown(screen, "df-arrangement-bezwaar_tot")
        assert not shown(screen, "df-tlv-einde")
        screen.query_one("#kind", Select).value = "arrangement:toegekend"
        await settle(pilot)
        assert shown(screen, "df-arrangement-start") and shown(screen, "df-arrangement-einde")
        assert not shown(screen, "df-tlv-einde") and not shown(screen, "expert")
        label = str(screen.query_one("#df-arrangement-einde-field").query_one(Label).render())
        assert "Einddatum * (einddatum is een termijn van de casus, herinnering 6 weken vooraf)" in label
        screen.query_one("#df-arrangement-start", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(screen.query_one("#df-arrangement-einde-error", Label).render())
        assert "veld 'einde' (Einddatum) is verplicht" in error  # under the field it names
        screen.query_one("#df-arrangement-einde", Input).value = "31-3-2027"
        screen.query_one("#df-arrangement-vorm", Input).value = "4 uur per week"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, DocumentScreen)
        await pilot.press("8")  # the Plan tab: the decision with its fields, and its clocks
        await settle(pilot)
        strips = app.screen._compositor.render_strips()  # noqa: SLF001 - what the terminal shows
        text = "\n".join("".join(seg.text for seg in strip) for strip in strips)
        assert "Arrangement: tot en met 31 mrt 2027" in text, text
        assert "einddatum 31 mrt 2027" in text and "uren of soort ondersteuning 4 uur per week" in text
        assert "Arrangement eindigt op 31-3-2027: evaluatie of vervolg plannen" in text
    docs = svc.case_detail(None, cid).documents
    assert (docs[-1].kind, docs[-1].outcome) == ("arrangement", "toegekend")
    clocks = {c.kind: c.due for c in svc.case_clocks(None, cid)}
    assert clocks["arrangement_end"] == date(2027, 3, 31)
    assert clocks["arrangement_reminder"] == date(2027, 2, 17)
