"""The login screen: a shared database is opened with a name and a password, never from a list."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_trust_support import Clock, needs_pg, pg_database, populate
from test_tui_support import settle, type_text
from textual.app import App
from textual.widgets import Input, OptionList

from kindroute.app import KindrouteApp, ProblemScreen
from kindroute.bootstrap import open_services
from kindroute.screens.choose_person import ChoosePersonScreen
from kindroute.screens.login import MAX_DELAY_S, LoginScreen, login_delay
from kindroute.screens.worklist import WorklistScreen
from kindroute.services.auth import authenticate, set_password

PASSWORD = "geheim-wachtwoord-1"
BAD_LOGIN = "Aanmelden mislukt: onbekende naam of onjuist wachtwoord."


@pytest.fixture(autouse=True)
def _config(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))


def screen_text(app: Any) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


async def until(pilot, condition, what: str, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


async def enter_password(pilot, password: str) -> None:  # type: ignore[no-untyped-def]
    field = pilot.app.screen.query_one("#login-password", Input)
    field.focus()
    await pilot.pause()
    await type_text(pilot, password)
    await pilot.press("enter")


def test_the_wait_doubles_and_is_capped():
    assert [login_delay(n) for n in range(5)] == [0, 1, 2, 4, 8]
    assert login_delay(50) == MAX_DELAY_S
    assert login_delay(3, first=0.05) == pytest.approx(0.2)


class LoginApp(App[None]):
    """Only the login screen, checking against a real database file (the screen itself, no app)."""

    def __init__(self, log_in, first_delay: float) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.log_in, self.first_delay = log_in, first_delay
        self.result: Any = "nothing yet"

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.log_in, first_delay=self.first_delay), callback=self._done)

    def _done(self, actor: Any) -> None:
        self.result = actor


async def test_wrong_password_is_refused_and_the_wait_grows(tmp_path):
    front = open_services(str(tmp_path / "kr.sqlite"), clock=Clock())
    populate(front.services)
    set_password(front.db, None, "Ingrid Bakker", PASSWORD)
    app = LoginApp(lambda name, password: authenticate(front.db, name, password), first_delay=0.3)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert app.focused is screen.query_one("#login-name", Input)
        await type_text(pilot, "Ingrid Bakker")
        await pilot.press("enter")  # on to the password
        password = screen.query_one("#login-password", Input)
        assert app.focused is password and password.password, "the password is masked"
        waits = []
        for attempt in range(1, 4):
            await enter_password(pilot, f"fout-wachtwoord-{attempt}")
            await until(pilot, lambda a=attempt: screen.failures == a, "the refusal")
            waits.append(screen.waiting)
            assert password.disabled and screen.query_one("#login-name", Input).disabled
            assert BAD_LOGIN in screen_text(app)
            screen.submit()  # nothing is tried while waiting
            await pilot.pause()
            assert screen.failures == attempt and not screen.checking
            await until(pilot, lambda: not password.disabled, "the end of the wait")
        assert waits == pytest.approx([0.3, 0.6, 1.2])
        assert app.result == "nothing yet" and password.value == ""
        await enter_password(pilot, PASSWORD)
        await until(pilot, lambda: app.result != "nothing yet", "the login")
        assert app.result.name == "Ingrid Bakker"
    front.close()


async def test_a_local_file_still_asks_who_from_its_list(tmp_path):
    front = open_services(str(tmp_path / "kr.sqlite"), clock=Clock())
    populate(front.services)
    front.close()
    app = KindrouteApp(db=str(tmp_path / "kr.sqlite"), clock=Clock(), remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoosePersonScreen)
        app.services.db.dispose()


# ---------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_url():
    with pg_database() as url:
        front = open_services(url, clock=Clock())
        populate(front.services)
        set_password(front.db, None, "Ingrid Bakker", PASSWORD)
        front.close()
        yield url


@needs_pg
@pytest.mark.pg
async def test_shared_database_opens_with_name_and_password_only(pg_url):
    app = KindrouteApp(db=pg_url, who=None, remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        await settle(pilot)
        assert not app.opened and app.actor is None
        assert not app.screen.query(OptionList), "no list of people on a shared database"
        text = screen_text(app)
        assert "Aanmelden" in text and "Tom de Wit" not in text and "Ingrid Bakker" not in text
        await pilot.press("escape")  # the list of people is not behind escape either
        await until(pilot, lambda: app.return_code == 0, "the app to stop")


@needs_pg
@pytest.mark.pg
async def test_as_on_a_shared_database_still_asks_the_password(pg_url):
    app = KindrouteApp(db=pg_url, who="Ingrid Bakker", remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#login-name", Input).value == "Ingrid Bakker"
        assert app.focused is screen.query_one("#login-password", Input)
        assert not app.opened and app.actor is None, "a name alone opens nothing"
        await enter_password(pilot, "fout-wachtwoord-1")
        await until(pilot, lambda: screen.failures == 1, "the refusal")
        await pilot.pause()
        assert BAD_LOGIN in screen_text(app) and screen.waiting == 1
        assert not app.opened
        await until(pilot, lambda: not screen.query_one("#login-password", Input).disabled, "the wait", 5)
        await enter_password(pilot, PASSWORD)
        await until(pilot, lambda: app.opened, "the worklist")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen) and app.actor.name == "Ingrid Bakker"
        assert "Ingrid Bakker · Intern begeleider" in app.sub_title
        app.services.db.dispose()


@needs_pg
@pytest.mark.pg
async def test_kindroute_password_logs_in_at_start(pg_url, monkeypatch):
    monkeypatch.setenv("KINDROUTE_PASSWORD", PASSWORD)
    app = KindrouteApp(db=pg_url, who="Ingrid Bakker", remember=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.opened, "the worklist")
        assert app.actor.name == "Ingrid Bakker"
        await asyncio.sleep(0)
        app.services.db.dispose()


@needs_pg
@pytest.mark.pg
async def test_an_empty_shared_database_is_set_up_from_the_command_line():
    with pg_database() as url:
        app = KindrouteApp(db=url, remember=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ProblemScreen), "the message")
            await settle(pilot)
            assert "kindroute user add" in " ".join(screen_text(app).split())
            app.services.db.dispose()
