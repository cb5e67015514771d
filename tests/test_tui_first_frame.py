"""The first frame comes before the data: the worklist waits, takes keys, and loads when it can.

The database work is held back with an event (the services' first call blocks in the
opening worker until the test lets it go), so every check below runs at a known moment:
no timing is asserted.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from test_tui_support import IB, clock, demo_db, make_app, services_for, settle
from textual.widgets import Input

from kindroute.app import KindrouteApp, ProblemScreen
from kindroute.screens.cases import CasesScreen
from kindroute.screens.help import HelpScreen
from kindroute.screens.welcome import WelcomeScreen
from kindroute.screens.worklist import WorklistScreen
from kindroute.widgets.case_list import CaseList


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    monkeypatch.delenv("KINDROUTE_READY_FILE", raising=False)
    monkeypatch.delenv("KINDROUTE_ROWS_FILE", raising=False)


def hold_opening(services: Any) -> threading.Event:
    """Make the opening worker wait (in ``count_people``) until the returned event is set."""
    release = threading.Event()
    original: Callable[[], int] = services.count_people

    def count_people() -> int:
        assert release.wait(30), "the test never let the opening go on"
        return original()

    services.count_people = count_people
    return release


async def until(pilot, condition: Callable[[], bool], what: str) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition`` holds (without waiting for the held worker)."""
    for _ in range(400):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"never happened: {what}")


@asynccontextmanager
async def held_app(services: Any, who: str | None = IB) -> AsyncIterator[tuple[Any, Any, threading.Event]]:
    """The app on ``services`` at its first frame, its opening worker held until ``release``."""
    release = hold_opening(services)
    app = make_app(services, who)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.interactive, "the first frame")
            yield app, pilot, release
    finally:
        release.set()
        services.db.dispose()


def screen_text(app: Any) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


def notices(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def test_first_frame_is_the_worklist_before_the_data(tmp_path, tmp_path_factory, monkeypatch):
    ready, rows_file = tmp_path / "ready.txt", tmp_path / "rows.txt"
    monkeypatch.setenv("KINDROUTE_READY_FILE", str(ready))
    monkeypatch.setenv("KINDROUTE_ROWS_FILE", str(rows_file))
    async with held_app(services_for(demo_db(tmp_path, tmp_path_factory))) as (app, pilot, release):
        assert isinstance(app.screen, WorklistScreen) and app.screen.waiting
        assert not app.opened and not app.ready and app.actor is None
        text = screen_text(app)
        assert "Werkvoorraad · aan mij" in text and "Laden…" in text
        assert "Casussen" in text and "Filter" in text, "the footer shows the keys"
        assert len(ready.read_text().split()) == 1 and float(ready.read_text()) > 0
        assert not rows_file.exists(), "no rows yet"

        release.set()
        await settle(pilot)
        assert app.opened and app.ready and app.actor is not None and app.actor.name == IB
        assert not app.screen.waiting and app.screen.query_one(CaseList).loaded_rows()
        assert "Ingrid Bakker · Intern begeleider" in app.sub_title
        assert len(rows_file.read_text().split()) == 1
        assert float(rows_file.read_text()) >= float(ready.read_text())
        assert len(ready.read_text().split()) == 1, "each marker is written once"


async def test_keys_before_the_data_wait_or_say_so(tmp_path, tmp_path_factory):
    async with held_app(services_for(demo_db(tmp_path, tmp_path_factory))) as (app, pilot, release):
        worklist = app.screen
        assert isinstance(worklist, WorklistScreen)

        await pilot.press("s")  # an action on a case: nothing to act on yet
        assert "Nog aan het laden…" in notices(app)
        assert app.screen is worklist

        await pilot.press("question_mark")  # help works at once
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is worklist, "back from help")

        await pilot.press("slash")  # the name filter takes text; it applies when the rows load
        assert isinstance(app.focused, Input)
        await pilot.press("j", "a", "n")
        await pilot.press("enter")
        assert worklist.filter.text == "jan"

        await pilot.press("c")  # waits for the data, then opens
        assert any("Casussen opent zodra de gegevens er zijn" in n for n in notices(app))
        assert app.screen is worklist

        release.set()
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen), "c opened Casussen once the data was there"
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is worklist
        rows = worklist.query_one(CaseList).loaded_rows()
        assert worklist.query_one(CaseList).loaded
        assert all("jan" in r.pupil.lower() for r in rows)


async def test_quit_before_the_data(tmp_path, tmp_path_factory):
    async with held_app(services_for(demo_db(tmp_path, tmp_path_factory))) as (app, pilot, release):
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, "the app to quit")
    assert app.return_code == 0


async def test_empty_database_replaces_the_waiting_worklist_with_the_welcome(tmp_path):
    from kindroute.services import Services
    from kindroute.store.db import open_database

    services = Services(open_database(str(tmp_path / "leeg.sqlite")), clock=clock)
    release = hold_opening(services)
    app = KindrouteApp(services=services, remember=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.interactive, "the first frame")
            assert isinstance(app.screen, WorklistScreen) and app.screen.waiting
            await pilot.press("c")  # waits for data that turns out not to be there
            release.set()
            await settle(pilot)
            assert isinstance(app.screen, WelcomeScreen)
            assert not any(isinstance(s, CasesScreen) for s in app.screen_stack), "the waiting c is dropped"
            assert not app.check_action("cases", ()), "without a person there is nothing to open"
    finally:
        release.set()
        services.db.dispose()


@pytest.mark.parametrize("kind", ["text", "foreign"])
async def test_unusable_database_says_why_and_q_stops(tmp_path, kind):
    path = tmp_path / "kapot.sqlite"
    if kind == "text":
        path.write_text("Dit is geen database.\n" * 50)
        expected = "geen SQLite-database"
    else:
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE klanten (id INTEGER PRIMARY KEY, naam TEXT)")
        con.commit()
        con.close()
        expected = "geen kindroute-database"
    app = KindrouteApp(db=str(path), who=IB, remember=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProblemScreen) and app.failed
        text = screen_text(app)
        assert expected in text and "Druk op q om te stoppen." in text
        assert "Traceback" not in text
        await pilot.press("c")  # nothing waits for a database that will not open
        await pilot.pause()
        assert isinstance(app.screen, ProblemScreen)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None, "the app to quit")
    assert app.return_code == 1


async def test_first_page_comes_before_the_full_services(tmp_path, tmp_path_factory, monkeypatch):
    """A local file naming its person: the worklist's rows come through the case lists alone
    (no Services yet); keys on a case wait for the full services and then run."""
    from kindroute.bootstrap import FirstStart
    from kindroute.screens.case import CaseScreen
    from kindroute.services import Services
    from kindroute.services.first_page import FirstPage

    path = demo_db(tmp_path, tmp_path_factory)
    release = threading.Event()
    original = FirstStart.front

    def held_front(self: FirstStart) -> Any:
        assert release.wait(30), "the test never let the opening go on"
        return original(self)

    monkeypatch.setattr(FirstStart, "front", held_front)
    app = KindrouteApp(db=str(path), who=IB, clock=clock, remember=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.ready, "the first rows")
            listed = app.screen.query_one(CaseList)
            assert listed.loaded_rows(), "the worklist shows its rows"
            assert isinstance(app._services, FirstPage) and not isinstance(app._services, Services)
            assert not app.opened and app.actor is not None and app.actor.name == IB
            first = listed.highlighted
            assert first is not None
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, WorklistScreen), "the case waits for the services"

            release.set()
            await until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case screen")
            assert app.opened and isinstance(app.services, Services)
            assert app.screen.case_id == first.id
            await settle(pilot)
    finally:
        release.set()
        if app.front is not None:
            app.front.close()
