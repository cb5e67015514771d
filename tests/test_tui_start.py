"""Start-up of the app: empty database, who am I, the ready file, and the virtual case list."""

from __future__ import annotations

from datetime import date

import pytest
from test_tui_support import IB, NOW, clock, demo_db, make_app, services_for, settle, type_text
from textual.app import App, ComposeResult
from textual.widgets import Input, OptionList

from kindroute.app import KindrouteApp
from kindroute.config import remembered_person
from kindroute.screens.choose_person import ChoosePersonScreen
from kindroute.screens.welcome import WelcomeScreen
from kindroute.screens.worklist import WorklistScreen
from kindroute.services import CaseRow
from kindroute.widgets.case_list import PAGE_SIZE, CaseList, CaseSource


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    monkeypatch.delenv("KINDROUTE_READY_FILE", raising=False)


async def test_empty_database_offers_demo_data_then_asks_who(tmp_path):
    db = tmp_path / "leeg.sqlite"
    app = KindrouteApp(db=str(db), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        await pilot.press("d")
        await settle(pilot, rounds=5)
        assert isinstance(app.screen, ChoosePersonScreen)
        people = app.screen.query_one(OptionList)
        index = next(i for i in range(people.option_count)
                     if people.get_option_at_index(i).prompt.plain.startswith(IB))
        people.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        assert app.actor.name == IB
        assert app.services.case_count() > 0
        remembered = remembered_person(app.services.db.url)
        assert remembered == str(app.actor.id)
        app.services.db.dispose()

    # the next start knows who I am
    again = KindrouteApp(db=str(db), clock=clock)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, WorklistScreen) and again.actor.name == IB
        again.services.db.dispose()


async def test_empty_database_start_with_own_school(tmp_path):
    app = KindrouteApp(db=str(tmp_path / "leeg.sqlite"), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        await type_text(pilot, "De Klimop")
        await pilot.press("tab")
        await type_text(pilot, "1x")
        await pilot.press("tab")
        await type_text(pilot, "Mira Jansen")
        await pilot.press("enter")
        await settle(pilot)
        assert "BRIN" in str(app.screen.query_one("#brin-error").render())
        assert app.services.list_schools() == [], "nothing is saved half"
        app.screen.query_one("#brin", Input).value = "12AB"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        assert app.actor.name == "Mira Jansen" and app.actor.roles == ("ib",)
        assert [s.brin for s in app.services.list_schools()] == ["12AB"]
        assert "Mira Jansen · Intern begeleider" in app.sub_title
        app.services.db.dispose()


async def test_env_user_and_ready_file(tmp_path, tmp_path_factory, monkeypatch):
    ready = tmp_path / "ready.txt"
    monkeypatch.setenv("KINDROUTE_READY_FILE", str(ready))
    monkeypatch.setenv("KINDROUTE_USER", "Tom de Wit")
    services = services_for(demo_db(tmp_path, tmp_path_factory))
    app = make_app(services, who=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.actor.name == "Tom de Wit"
        assert float(ready.read_text().strip()) > 0
        assert not app.screen.check_action("toggle_mine", ()), "a teacher has no 'alle' toggle"
    services.db.dispose()


async def test_unknown_person_is_an_error_then_a_choice(tmp_path, tmp_path_factory):
    services = services_for(demo_db(tmp_path, tmp_path_factory))
    app = make_app(services, who="Niemand Bekend")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChoosePersonScreen)
        assert any("Niemand Bekend" in n.message for n in app._notifications)
    services.db.dispose()


# ---------------------------------------------------------------------------- the virtual list


def _row(i: int, pupil: str | None = None) -> CaseRow:
    return CaseRow(id=i, pupil=pupil or f"Leerling {i:06d}", group=1 + i % 8, school="OBS Test", step="x",
                   step_title="Signalering", steps={}, at_turn_role="ib", at_turn="Ingrid Bakker",
                   deadline=date(2026, 3, 1), overdue=i % 2 == 0, status="open", version=1)


class ListApp(App[None]):
    def __init__(self, source: CaseSource) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield CaseList(self.source)

    def on_mount(self) -> None:
        self.query_one(CaseList).reload()
        self.query_one(CaseList).focus()


async def test_case_list_fetches_only_the_pages_it_shows():
    total = 100_000
    calls: list[int] = []

    def page(offset: int, limit: int) -> list[CaseRow]:
        calls.append(offset)
        return [_row(i) for i in range(offset, min(total, offset + limit))]

    app = ListApp(CaseSource(count=lambda: total, page=page, today=NOW.date()))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        case_list = app.query_one(CaseList)
        assert case_list.count == total and calls == [0]
        await pilot.press("end")
        await settle(pilot)
        await settle(pilot)
        assert case_list.cursor == total - 1
        assert case_list.highlighted.pupil == f"Leerling {total - 1:06d}"
        assert set(calls) <= {0, (total - 1) // PAGE_SIZE * PAGE_SIZE, (total - 30) // PAGE_SIZE * PAGE_SIZE}
        assert len(calls) <= 3
        await pilot.press("home", "j", "j")
        assert case_list.cursor == 2


async def test_case_list_shows_rows_before_the_count():
    """The first page is painted while the count is still being made; a count that comes
    in after the list was reloaded is ignored."""
    import threading

    total = 5_000
    release = threading.Event()
    counted: list[str] = []

    def make_source(text: str) -> CaseSource:
        def count() -> int:
            counted.append(text)
            release.wait(10)
            return total

        return CaseSource(count=count, page=lambda o, n: [_row(i) for i in range(o, min(total, o + n))],
                          today=NOW.date())

    app = ListApp(make_source("a"))
    async with app.run_test(size=(100, 30)) as pilot:
        case_list = app.query_one(CaseList)
        for _ in range(100):
            await pilot.pause(0.01)
            if case_list.loaded:
                break
        assert case_list.loaded and not case_list.counted
        assert case_list.loaded_rows()[0].pupil == "Leerling 000000"
        assert case_list.count == 2 * PAGE_SIZE  # the rows there, and room for the next page
        # reloaded while the first count still runs: the old count must not win
        case_list.reload(CaseSource(count=lambda: 7, page=lambda o, n: [_row(i) for i in range(7)][o:o + n],
                                    today=NOW.date()))
        for _ in range(100):
            await pilot.pause(0.01)
            if case_list.counted:
                break
        assert case_list.count == 7 and case_list.counted
        release.set()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert case_list.count == 7 and counted == ["a"]
        case_list.reload(make_source("b"))
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert case_list.counted and case_list.count == total
        # a short first page is the whole list: no count query at all
        counted.clear()
        case_list.reload(CaseSource(count=lambda: counted.append("short") or 3,
                                    page=lambda o, n: [_row(i) for i in range(3)][o:o + n], today=NOW.date()))
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert case_list.counted and case_list.count == 3 and counted == []


async def test_names_are_shown_literally():
    tricky = ["[bold]Piet[/bold] Jansen", "Zoë 🚀 Çelik", "Ali [link=x]B[/link]"]
    source = CaseSource(count=lambda: 3, page=lambda o, n: [_row(i, tricky[i]) for i in range(3)][o:o + n],
                        today=NOW.date())
    app = ListApp(source)
    async with app.run_test(size=(200, 10)) as pilot:
        await settle(pilot)
        lines = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]
        text = "\n".join(lines)
        for name in tricky:
            assert name in text


async def test_title_bar_shows_title_and_person_literally_and_follows_changes():
    from kindroute.widgets.title_bar import TitleBar, refresh_title_bars

    class TitleApp(App[None]):
        TITLE = "kindroute"

        def compose(self) -> ComposeResult:
            yield TitleBar()

        def watch_sub_title(self) -> None:  # as KindrouteApp does: the app redraws its title bars
            refresh_title_bars(self)

    app = TitleApp()
    async with app.run_test(size=(80, 3)) as pilot:
        bar = app.query_one(TitleBar)
        assert bar.render().plain == "kindroute"
        app.sub_title = "[bold]Piet[/bold] · Intern begeleider"
        await pilot.pause()
        assert bar.render().plain == "kindroute — [bold]Piet[/bold] · Intern begeleider"
        assert "[bold]Piet[/bold]" in "".join(s.text for s in bar.render_line(0))
