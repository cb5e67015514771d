"""Pilot tests of the kindroute app: every screen and flow, asserted on widgets and database."""

from __future__ import annotations

import pytest
from test_tui_support import IB, NOW, demo_db, make_app, services_for, settle, type_text
from textual.widgets import DataTable, Input, Label, SelectionList, Static, TabbedContent

from kindroute.screens.case import CaseScreen
from kindroute.screens.cases import CasesScreen
from kindroute.screens.flowchart import FlowchartScreen
from kindroute.screens.step import StepScreen
from kindroute.screens.worklist import WorklistScreen
from kindroute.services import CaseFilter
from kindroute.widgets.case_list import CaseList


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    monkeypatch.delenv("KINDROUTE_READY_FILE", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


@pytest.fixture
def ib(services):
    return services.resolve_actor(IB)


def screen_text(app) -> str:
    """Everything the current screen shows, as plain text (for 'is it there' checks)."""
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    )


_FOUND: dict[bool, int] = {}  # every test starts from the same demo data: look it up once


def case_with(services, actor, want_allowed: bool) -> int:
    """A case at the IB's school with an allowed (or a blocked) next step."""
    if want_allowed in _FOUND:
        return _FOUND[want_allowed]
    for row in services.list_cases(actor, CaseFilter(sort="id"), limit=200):
        detail = services.case_detail(actor, row.id)
        if any(n.allowed == want_allowed for n in detail.next):
            _FOUND[want_allowed] = row.id
            return row.id
    raise AssertionError("no such case in the demo data")


async def open_case(pilot, case_id: int) -> CaseScreen:
    pilot.app.open_case(case_id)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen)
    assert screen.detail is not None
    return screen


# ---------------------------------------------------------------------------- worklist


async def test_worklist_shows_my_cases_overdue_first(services, ib):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WorklistScreen)
        assert app.ready
        assert "Ingrid Bakker" in app.sub_title and "Intern begeleider" in app.sub_title
        rows = app.screen.query_one(CaseList).loaded_rows()
        assert rows, "the IB has cases at her turn in the demo data"
        assert all(r.at_turn == IB for r in rows)
        deadlines = [r.next_due for r in rows if r.next_due]  # the earliest clock of each case
        assert deadlines == sorted(deadlines)
        overdue = [r.overdue for r in rows]
        assert overdue == sorted(overdue, reverse=True), "overdue cases come first"
        expected = services.count_cases(ib, CaseFilter(at_turn_person_id=ib.id))
        assert app.screen.query_one(CaseList).count == expected


async def test_toggle_mine_and_all(services, ib):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        case_list = app.screen.query_one(CaseList)
        mine = case_list.count
        await pilot.press("m")
        await settle(pilot)
        assert case_list.count == services.count_cases(ib, CaseFilter())
        assert case_list.count > mine
        assert "alle casussen" in screen_text(app)


async def test_filter_narrows_the_list_as_you_type(services, ib):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")  # all cases of the school
        await settle(pilot)
        case_list = app.screen.query_one(CaseList)
        before = case_list.count
        name = case_list.loaded_rows()[0].pupil
        part = name.split()[0][:4]
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*part)
        await settle(pilot)
        assert 0 < case_list.count < before
        assert all(part.lower() in r.pupil.lower() for r in case_list.loaded_rows())
        assert "naam bevat" in screen_text(app)
        await pilot.press("escape")  # clears the filter and leaves the box in one press
        await settle(pilot)
        assert case_list.count == before


async def test_enter_opens_the_highlighted_case(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = app.screen.query_one(CaseList).highlighted
        await pilot.press("j", "k", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert app.screen.case_id == first.id
        assert first.pupil in screen_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)


async def test_a_closed_case_screen_leaves_nothing_behind(services):
    """Each screen has a title bar; one that watched the app itself stayed in the app's list of
    watchers after its screen closed (with all it had drawn) until the title changed again."""
    import gc

    from kindroute.widgets.title_bar import TitleBar

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for _ in range(4):
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, CaseScreen)
            await pilot.press("escape")
            await settle(pilot)
        gc.collect()
        bars = [o for o in gc.get_objects() if isinstance(o, TitleBar)]
        assert len(bars) == len(app.screen_stack), bars
        app.sub_title = "Iemand anders · Intern begeleider"  # the bars still follow the person
        await settle(pilot)
        assert "Iemand anders" in screen_text(app)


async def test_closed_screens_leave_none_of_their_lines_behind(services):
    """Textual cached a colour lookup on every widget's line cache (its StylesCache, with all the
    lines it drew) for as long as 1,024 later lookups: each case or stroomschema opened and closed
    left its lines alive, some 7,000 objects that every full collection walked again. The app
    caches that lookup on the colours alone (kindroute/widgets/styles_cache.py)."""
    import gc

    from textual._styles_cache import StylesCache
    from textual.widget import Widget

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, kind in [("enter", CaseScreen), ("w", FlowchartScreen)] * 3:
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, kind)
            await pilot.press("escape")
            await settle(pilot)
        gc.collect()
        kept = {id(o._styles_cache) for o in gc.get_objects() if isinstance(o, Widget)}
        stray = [o for o in gc.get_objects() if isinstance(o, StylesCache) and id(o) not in kept]
        assert not stray, f"{len(stray)} line caches outlive their widgets"


async def test_a_finished_thread_worker_leaves_nothing_in_its_thread(services):
    """Textual's thread worker puts itself in the context it runs in; in a pool thread's own
    context it stayed after the job, with its node (a closed screen), until that thread ran
    another job. Each job now runs in a context of its own (screens/base.py)."""
    import asyncio

    from textual.worker import active_worker

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        loop = asyncio.get_running_loop()
        seen: list[object] = []

        def job() -> None:
            seen.append(active_worker.get(None))
            active_worker.set("a worker of a closed screen")  # type: ignore[arg-type]

        for _ in range(10):  # more jobs than the pool has threads: some thread runs two
            await loop.run_in_executor(None, job)
        assert seen == [None] * 10


# ---------------------------------------------------------------------------- case and steps


async def test_advance_a_case_records_the_step_by_the_right_person(services, ib):
    case_id = case_with(services, ib, True)
    before = services.case_detail(ib, case_id)
    option = next(i for i, n in enumerate(before.next) if n.allowed)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        await pilot.press(str(option + 1))
        assert "Nieuwe stap" in str(app.screen.query_one("#step-preview", Static).render())
        await type_text(pilot, "met ouders besproken")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        after = services.case_detail(ib, case_id)
        assert len(after.history) == len(before.history) + 1
        last = after.history[-1]
        assert last.by == IB and last.trigger == before.next[option].trigger
        assert last.note == "met ouders besproken"
        assert app.screen.detail.version == after.version, "the case screen updated at once"


async def test_blocked_step_shows_its_reason_and_cannot_be_chosen(services, ib):
    case_id = case_with(services, ib, False)
    before = services.case_detail(ib, case_id)
    index = next(i for i, n in enumerate(before.next) if not n.allowed)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("s", str(index + 1))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, StepScreen)
        assert dialog.chosen is None
        error = str(dialog.query_one("#step-error", Label).render())
        assert before.next[index].reasons[0] in error
        assert before.next[index].reasons[0] in str(dialog.query_one("#step-options", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert len(services.case_detail(ib, case_id).history) == len(before.history)


async def test_concurrent_change_gives_conflict_and_reload(services, ib):
    case_id = case_with(services, ib, True)
    detail = services.case_detail(ib, case_id)
    option = next(i for i, n in enumerate(detail.next) if n.allowed)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("s", str(option + 1))
        services.add_note(ib, case_id, "tegelijk door een collega")  # someone else changes the case
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert any("zojuist gewijzigd" in n.message for n in app._notifications)
        assert len(services.case_detail(ib, case_id).history) == len(detail.history)
        assert app.screen.detail.version == services.case_detail(ib, case_id).version


async def test_case_tabs_show_roles_next_steps_history(services, ib):
    case_id = case_with(services, ib, False)
    detail = services.case_detail(ib, case_id)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, case_id)
        who = screen.query_one("#who-table", DataTable)
        step = services.route.steps[detail.step]
        labels = {str(who.get_row_at(i)[0]) for i in range(who.row_count)}
        for role in [step.at_turn, *step.involved]:
            assert services.role_label(role) in labels
        await pilot.press("2")
        assert screen.query_one(TabbedContent).active == "next"
        assert detail.next[0].label in str(screen.query_one("#next-text", Static).render())
        await pilot.press("4")
        history = str(screen.query_one("#history-text", Static).render())
        assert detail.history[-1].by in history


async def test_add_note_validation_then_save(services, ib):
    case_id = case_with(services, ib, True)
    notes = len(services.case_detail(ib, case_id).notes)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("n", "ctrl+s")
        await settle(pilot)
        assert "Notitie is leeg." in str(app.screen.query_one("#note-text-error", Label).render())
        app.focused.insert("Ouders gebeld [bold]niet[/] 😀")  # a TextArea: enter is a new line
        await pilot.press("enter")
        app.focused.insert("Tweede regel")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        texts = [n.text for n in services.case_detail(ib, case_id).notes]
        assert len(texts) == notes + 1 and texts[-1] == "Ouders gebeld [bold]niet[/] 😀\nTweede regel"
        await pilot.press("5")
        shown = str(app.screen.query_one("#notes-text", Static).render())
        assert "[bold]niet[/] 😀\nTweede regel" in shown


async def test_agreement_add_and_complete(services, ib):
    case_id = case_with(services, ib, True)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("a")
        await type_text(pilot, "Observatie in de klas")
        await pilot.press("tab", "tab")
        await type_text(pilot, "31-2-2026")
        await pilot.press("enter")
        await settle(pilot)
        assert "geen geldige datum" in str(app.screen.query_one("#due-error", Label).render())
        due = app.screen.query_one("#due", Input)
        due.value = "2026-03-20"
        await pilot.press("ctrl+s")
        await settle(pilot)
        agreements = services.case_detail(ib, case_id).agreements
        mine = [g for g in agreements if g.what == "Observatie in de klas"]
        assert mine and not mine[0].done and str(mine[0].due_on) == "2026-03-20"
        await pilot.press("6")
        table = app.screen.query_one("#agreements-table", DataTable)
        table.move_cursor(row=len(agreements) - 1)
        await pilot.press("x")
        await settle(pilot)
        done = [g for g in services.case_detail(ib, case_id).agreements if g.id == mine[0].id][0]
        assert done.done


async def test_consent_record_and_withdraw(services, ib):
    case_id = case_with(services, ib, True)
    count = len(services.case_detail(ib, case_id).consents)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, case_id)
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one("#role").value = "so_expert"
        app.screen.query_one("#given-by", Input).value = "Fatima El Amrani"
        await pilot.press("ctrl+s")
        await settle(pilot)
        consents = services.case_detail(ib, case_id).consents
        assert len(consents) == count + 1 and consents[-1].role == "so_expert" and consents[-1].valid
        await pilot.press("7")
        screen.query_one("#consents-table", DataTable).move_cursor(row=len(consents) - 1)
        await pilot.press("x")
        await type_text(pilot, "ouders willen het niet meer")
        await pilot.press("enter")
        await settle(pilot)
        withdrawn = services.case_detail(ib, case_id).consents[-1]
        assert withdrawn.withdrawn_on == NOW.date() and not withdrawn.valid


async def test_assign_role(services, ib):
    case_id = case_with(services, ib, True)
    people = services.list_people("smw")
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#role").value = "smw"
        await settle(pilot)
        app.screen.query_one("#person").value = people[0].id
        await pilot.press("ctrl+s")
        await settle(pilot)
        roles = {a.role: a.person for a in services.case_detail(ib, case_id).assignments}
        assert roles.get("smw") == people[0].name


async def test_checklist_tick_and_document(services, ib):
    case_id = case_with(services, ib, True)
    detail = services.case_detail(ib, case_id)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, case_id)
        await pilot.press("3")
        checklist = screen.query_one("#checklist-list", SelectionList)
        assert checklist.has_focus
        first = detail.tracks[0].checklist[0]
        await pilot.press("space")
        await settle(pilot)
        after = services.case_detail(ib, case_id).tracks[0].checklist[0]
        assert after[0] == first[0] and after[2] is (not first[2])
        await pilot.press("d")
        await pilot.pause()
        app.screen.query_one("#kind").value = "opp:vastgesteld"
        await pilot.press("ctrl+s")
        await settle(pilot)
        docs = services.case_detail(ib, case_id).documents
        assert docs[-1].kind == "opp" and docs[-1].outcome == "vastgesteld" and docs[-1].author == IB


async def test_new_case_form(services, ib):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        app.screen.query_one("#pupil", Input).value = "Zoë [test] 🚀 Çelik"
        await pilot.press("tab")
        await type_text(pilot, "2017-05-04")
        await pilot.press("tab")
        await type_text(pilot, "12")
        await pilot.press("enter")
        await settle(pilot)
        assert "Groep 12" in str(app.screen.query_one("#group-error", Label).render())
        app.screen.query_one("#group", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        detail = services.case_detail(ib, app.screen.case_id)
        assert detail.pupil == "Zoë [test] 🚀 Çelik" and detail.group == 4
        assert "Zoë [test] 🚀 Çelik" in screen_text(app)


# ---------------------------------------------------------------------------- other screens


async def test_cases_screen_sorts_and_filters_in_the_database(services, ib):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)
        case_list = app.screen.query_one(CaseList)
        assert case_list.count == services.count_cases(ib, CaseFilter())
        await pilot.press("o")  # sort by pupil
        await settle(pilot)
        expected = [r.id for r in services.list_cases(ib, CaseFilter(sort="pupil"), limit=100)]
        assert [r.id for r in case_list.loaded_rows()] == expected
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#overdue").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert case_list.count == services.count_cases(ib, CaseFilter(overdue=True))
        assert all(r.overdue for r in case_list.loaded_rows())
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)


async def test_flowchart_counts_and_highlight(services, ib):
    case_id = case_with(services, ib, True)
    detail = services.case_detail(ib, case_id)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, FlowchartScreen)
        text = str(app.screen.query_one("#flow-main-text", Static).render())
        title = services.step_title(detail.step)
        assert f"{title}" in text and "◀ deze casus" in text
        counts = services.step_counts(ib)
        assert f"Signalering   {counts.get('signalering', 0)} casus" in text
        assert "JEUGDHULP" in str(app.screen.query_one("#flow-side-text", Static).render())


async def test_flowchart_waits_briefly_for_its_counts_and_then_draws_without_them(services, ib, monkeypatch):
    """The route is drawn once, with its counts, when they come within DRAW_WAIT; counts that take
    longer leave the route drawn without them in the meantime (then with them)."""
    import threading

    release = threading.Event()
    original = type(services).step_counts

    def slow_counts(self, *args, **kw):  # type: ignore[no-untyped-def]
        release.wait(10)
        return original(self, *args, **kw)

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        draws: list[dict[str, int]] = []
        monkeypatch.setattr(FlowchartScreen, "draw",
                            lambda self, _d=FlowchartScreen.draw: (draws.append(dict(self.counts)), _d(self)))
        wait = FlowchartScreen.DRAW_WAIT
        # counts that come within the wait (a wait no busy test machine can overrun)
        monkeypatch.setattr(FlowchartScreen, "DRAW_WAIT", 10.0)
        await pilot.press("w")
        await settle(pilot)
        assert draws == [services.step_counts(ib)], "drawn once, with the counts (a quick read)"
        await pilot.press("escape")
        await settle(pilot)

        draws.clear()
        monkeypatch.setattr(FlowchartScreen, "DRAW_WAIT", wait)  # counts held back until released
        monkeypatch.setattr(type(services), "step_counts", slow_counts)
        await pilot.press("w")
        await pilot.pause(FlowchartScreen.DRAW_WAIT + 0.2)
        assert draws == [{}], "the route without counts while they are on their way"
        text = str(app.screen.query_one("#flow-main-text", Static).render())
        assert "Signalering" in text
        release.set()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert len(draws) == 2 and draws[1] == services.step_counts(ib)


async def test_help_lists_all_keys(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        for word in ("Stap zetten", "Filter", "Bespreking", "Stroomschema", "Stoppen", "Nieuwe casus"):
            assert word in text
        await pilot.press("escape")
        assert isinstance(app.screen, WorklistScreen)


async def test_palette_finds_a_case_by_pupil_name(services, ib):
    row = services.list_cases(ib, CaseFilter(), limit=1)[0]
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, row.pupil)
        await settle(pilot)
        await pilot.pause(0.3)  # the palette debounces its searches
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and app.screen.case_id == row.id


async def test_small_terminal_works(services):
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)


async def test_case_tabs_fill_when_shown_and_show_the_latest_load(services, ib):
    case_id = case_with(services, ib, True)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, case_id)
        # the header and the first tab are there; the other tabs' widgets are built (and
        # filled) when they are first shown
        assert screen.query_one("#who-table").row_count > 0
        assert not screen.query("#notes-text") and not screen.query("#agreements-table")
        await pilot.press("5")
        notes = screen.query_one("#notes-text", Static)
        assert str(notes.render()) != ""  # filled: its notes, or that there are none
        services.add_note(ib, case_id, "Na het openen genoteerd")
        await pilot.press("ctrl+r")  # reload while the notes tab is in view
        await settle(pilot)
        assert "Na het openen genoteerd" in str(notes.render())
        await pilot.press("1")
        assert screen.query_one("#who-table").row_count > 0
