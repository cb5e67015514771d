"""Inzicht's first frame is its frame alone (title, tab names, "Grafieken laden…"); the charts and
tables follow right after it, then the figures — and keys pressed before that do no harm."""

from __future__ import annotations

import asyncio

import pytest
from test_tui_support import demo_db, make_app, services_for, settle
from textual.widgets import DataTable, Static

from kindroute.screens.monitor import MonitorScreen


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


async def test_inzicht_paints_its_frame_before_building_the_charts(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(MonitorScreen())
        for _ in range(500):
            if isinstance(app.screen, MonitorScreen) and app.screen.is_mounted:
                break
            await asyncio.sleep(0.001)
        screen = app.screen
        seen: list[tuple[bool, str]] = []
        screen.call_after_refresh(lambda: seen.append(
            (screen.built, str(screen.query_one("#monitor-frame", Static).render()))))
        await pilot.press("3")  # a tab key before the tabs exist: ignored
        await settle(pilot)
        assert seen and seen[0][0] is False
        assert "1 Stappen" in seen[0][1] and "Grafieken laden…" in seen[0][1]
        assert screen.built and not screen.query("#monitor-frame")
        assert screen.report is not None
        table = screen.query_one("#steps-table", DataTable)
        assert app.focused is table and table.row_count == len(screen.report.steps)
