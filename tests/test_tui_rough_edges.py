"""The rough edges of everyday use, each pinned by a Pilot test (issue: everyday use)."""

from __future__ import annotations

import pytest
from test_app import open_case, screen_text
from test_tui_support import IB, NOW, TEACHER, demo_db, make_app, services_for, settle, type_text
from textual.widgets import DataTable, Input

from kindroute.screens.case import CaseScreen
from kindroute.screens.step import StepScreen
from kindroute.services import CaseFilter


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]  # noqa: SLF001 - what the user was told


def teacher_case_not_at_turn(services):
    """A case the teacher sees, the IB at turn, its checklist done so the route allows a step."""
    teacher, ib = services.resolve_actor(TEACHER), services.resolve_actor(IB)
    for row in services.list_cases(teacher, CaseFilter(sort="id"), limit=200):
        d = services.case_detail(teacher, row.id)
        if d.at_turn_role == "ib":
            for item, _, done in d.tracks[0].checklist:
                if not done:
                    services.tick_checklist(ib, d.id, item)
            d = services.case_detail(teacher, row.id)
            assert any(n.allowed for n in d.next)
            return teacher, d
    raise AssertionError("no such case in the demo data")


async def test_teacher_keys_for_manager_forms_say_so_and_the_footer_hides_them(services):
    teacher = services.resolve_actor(TEACHER)
    row = services.list_cases(teacher, CaseFilter(sort="id"), limit=1)[0]
    app = make_app(services, who=TEACHER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert not app.screen.__class__.__name__.endswith("AssignScreen")
        assert any("geen rollen toewijzen" in m for m in notices(app))
        await open_case(pilot, row.id)
        footer = screen_text(app).splitlines()[-1]
        assert "Stap zetten" in footer and "Rol toewijzen" not in footer and "Toestemming" not in footer
        before = len(notices(app))
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "toestemmingen vastleggen" in notices(app)[before]


async def test_ib_footer_still_offers_the_manager_keys(services):
    ib = services.resolve_actor(IB)
    row = services.list_cases(ib, CaseFilter(sort="id"), limit=1)[0]
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, row.id)
        footer = screen_text(app).splitlines()[-1]
        assert "Rol toewijzen" in footer and "Toestemming" in footer


async def test_step_dialog_marks_steps_not_at_turn(services):
    teacher, detail = teacher_case_not_at_turn(services)
    index = next(i for i, n in enumerate(detail.next) if n.allowed and n.track == detail.tracks[0].track)
    app = make_app(services, who=TEACHER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, detail.id)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert "niet aan zet" in screen_text(app)
        await pilot.press(str(index + 1))
        await pilot.pause()
        assert app.screen.chosen is None
        assert any("niet aan zet" in m for m in notices(app))
        await pilot.press("escape", "2")
        await pilot.pause()
        assert "niet aan zet" in screen_text(app)  # the tab Volgende stappen says it too
    assert services.case_detail(teacher, detail.id).version == detail.version


async def test_x_on_an_agreement_keeps_the_row_and_can_be_undone(services):
    ib = services.resolve_actor(IB)
    row = services.list_cases(ib, CaseFilter(sort="id"), limit=1)[0]
    for what in ("Eerste afspraak", "Tweede afspraak", "Derde afspraak"):
        services.add_agreement(ib, row.id, what)
    agreements = services.case_detail(ib, row.id).agreements
    target = len(agreements) - 2
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await open_case(pilot, row.id)
        await pilot.press("6")
        table = screen.query_one("#agreements-table", DataTable)
        table.move_cursor(row=target)
        await pilot.press("x")
        await settle(pilot)
        assert table.cursor_row == target
        assert services.case_detail(ib, row.id).agreements[target].done
        assert any("ongedaan maken" in m for m in notices(app))
        await pilot.press("x")  # a second x acts on the same row: it reopens, never closes another
        await settle(pilot)
        after = services.case_detail(ib, row.id).agreements
        assert [g.done for g in after] == [g.done for g in agreements]
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert not services.case_detail(ib, row.id).agreements[target].done
        assert table.cursor_row == target


async def test_checklist_boxes_read_without_colour(services):
    ib = services.resolve_actor(IB)
    row = services.list_cases(ib, CaseFilter(sort="id"), limit=1)[0]
    detail = services.case_detail(ib, row.id)
    items = detail.tracks[0].checklist
    assert len(items) >= 2
    services.tick_checklist(ib, row.id, items[0][0], done=True)
    services.tick_checklist(ib, row.id, items[1][0], done=False)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, row.id)
        await pilot.press("3")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        first = next(line for line in lines if items[0][1] in line)
        second = next(line for line in lines if items[1][1] in line)
        assert "[x]" in first and "[ ]" in second
        await pilot.press("space")
        await settle(pilot)
        first = next(line for line in screen_text(app).splitlines() if items[0][1] in line)
        assert "[ ]" in first


async def test_escape_clears_the_casussen_filter_in_one_press(services):
    from kindroute.screens.cases import CasesScreen
    from kindroute.widgets.case_list import CaseList

    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)
        case_list = app.screen.query_one(CaseList)
        before = case_list.count
        await pilot.press("slash")
        await type_text(pilot, "jan")
        await settle(pilot)
        assert case_list.count < before
        await pilot.press("escape")
        await settle(pilot)
        box = app.screen.query_one("#name-filter", Input)
        assert isinstance(app.screen, CasesScreen) and box.value == "" and box.has_class("hidden")
        assert case_list.count == before and case_list.has_focus
        await pilot.press("escape")
        assert not isinstance(app.screen, CasesScreen)


async def test_worklist_cursor_follows_the_case_when_the_list_reorders(services):
    from kindroute.widgets.case_list import CaseList

    ib = services.resolve_actor(IB)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m")  # all cases of the school: a step keeps the case in the list
        await settle(pilot)
        case_list = app.screen.query_one(CaseList)
        rows = case_list.loaded_rows()
        index, choice = next(
            (i, n) for i, r in enumerate(rows[:20]) for n, step in enumerate(
                services.case_detail(ib, r.id).next, start=1)
            # overdue by its step term alone: the step moves its earliest clock, and the case with it
            if step.allowed and r.overdue and r.next_due == r.deadline
            and not services.route.steps[step.to].final)
        case_id = rows[index].id
        for _ in range(index):
            await pilot.press("j")
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(str(choice), "enter")
        await settle(pilot)
        assert services.case_detail(ib, case_id).version > rows[index].version
        new_index = [r.id for r in case_list.loaded_rows()].index(case_id)
        assert new_index != index  # it moved (no longer overdue) …
        assert case_list.highlighted.id == case_id  # … and the cursor went with it


def label_text(app, widget_id: str) -> str:
    from textual.widgets import Label

    label = app.screen.query_one(f"#{widget_id}", Label)
    return str(label.render()) if label.has_class("shown") else ""


async def test_form_shows_every_error_at_once_and_scrolls_to_the_first(services):
    ib = services.resolve_actor(IB)
    count = services.case_count()
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#pupil", Input).value = "Sam Visser"
        screen.query_one("#born", Input).value = "31-2-2017"
        screen.query_one("#group", Input).value = "12"
        screen.query_one("#registered", Input).value = "gisteren"
        screen.query_one("#school").clear()
        screen.query_one("#note").focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "geen geldige datum" in label_text(app, "born-error")
        assert "Groep 12" in label_text(app, "group-error")
        assert "School is leeg" in label_text(app, "school-error")
        assert "geen geldige datum" in label_text(app, "registered-error")
        assert app.focused is screen.query_one("#born", Input)
        field = screen.query_one("#born-field")
        scroll = screen.query_one(".form-fields")
        assert scroll.scroll_offset.y <= field.virtual_region.y  # its label is in view
    assert services.case_count() == count
    assert ib is not None


async def test_birth_date_that_does_not_fit_the_group_warns_and_asks(services):
    ib = services.resolve_actor(IB)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("plus")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#pupil", Input).value = "Noor Peeters"
        screen.query_one("#born", Input).value = "2022-01-10"
        screen.query_one("#group", Input).value = "5"
        await pilot.press("ctrl+s")
        await settle(pilot)
        warning = label_text(app, "born-error")
        assert "groep 5" in warning and "Nogmaals opslaan" in warning
        assert screen is app.screen  # nothing saved yet
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert services.case_detail(ib, app.screen.case_id).pupil == "Noor Peeters"


async def test_agreement_due_in_the_past_warns_and_asks(services):
    ib = services.resolve_actor(IB)
    row = services.list_cases(ib, CaseFilter(sort="id"), limit=1)[0]
    before = len(services.case_detail(ib, row.id).agreements)
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, row.id)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one("#what", Input).value = "Gesprek met ouders"
        app.screen.query_one("#due", Input).value = "2026-02-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "in het verleden" in label_text(app, "due-error")
        assert len(services.case_detail(ib, row.id).agreements) == before
        await pilot.press("ctrl+s")
        await settle(pilot)
        agreements = services.case_detail(ib, row.id).agreements
        assert len(agreements) == before + 1 and str(agreements[-1].due_on) == "2026-02-01"
    assert NOW.date().isoformat() > "2026-02-01"


async def test_every_tab_stop_of_the_document_form_is_a_visible_field(services):
    from textual.containers import VerticalScroll

    ib = services.resolve_actor(IB)
    row = services.list_cases(ib, CaseFilter(sort="id"), limit=1)[0]
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_case(pilot, row.id)
        await pilot.press("d")
        await pilot.pause()
        seen = []
        for _ in range(4):
            focused = app.focused
            assert focused is not None and not isinstance(focused, VerticalScroll)
            seen.append(focused.id)
            await pilot.press("tab")
        # a decision's own fields show (and are tab stops) only once that decision is chosen
        assert seen[:3] == ["kind", "expert", "title"] and seen[3] == "kind"


async def test_no_english_status_or_role_ids_in_the_casussen_title(services):
    from dataclasses import replace

    from kindroute.screens.cases import CasesScreen

    app = make_app(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CasesScreen)
        screen.filter = replace(screen.filter, status="referred", at_turn_role="swv")
        screen.reload()
        await settle(pilot)
        title = screen_text(app).splitlines()[1]
        assert "status: verwezen" in title and "referred" not in title
        assert "aan zet: SWV" in title and "(swv)" not in title.lower().replace("aan zet: swv", "")


async def test_document_form_offers_a_teacher_nothing_the_route_does_not_let_them_record(services):
    from textual.widgets import Select

    teacher = services.resolve_actor(TEACHER)
    row = services.list_cases(teacher, CaseFilter(sort="id"), limit=1)[0]
    app = make_app(services, who=TEACHER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_case(pilot, row.id)
        await pilot.press("d")
        await pilot.pause()
        values = [value for _, value in app.screen.query_one("#kind", Select)._options]  # noqa: SLF001
        # the default route: the OPP is the IB's or director's, the decision the SWV's, an advice the experts'
        assert not any(str(v).startswith(("swv_besluit", "opp", "deskundigenadvies")) for v in values)


async def test_every_key_screen_works_at_80x24(services):
    app = make_app(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        overdue = [line for line in text.splitlines() if "+" in line and "d" in line.split("+")[-1]]
        assert overdue and all(line.rstrip().endswith("d") for line in overdue[:3])  # marker not cut
        assert "? Help" in text.splitlines()[-1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        lines = screen_text(app).splitlines()
        assert any("7 Toestem." in line and "8 Plan" in line and "1 Wie" in line for line in lines)
        assert any(line.strip().startswith("aan zet:") and "deadline:" in line for line in lines)
        await pilot.press("7")
        await pilot.pause()
        assert app.screen.query_one("#case-tabs").active == "consents"
        await pilot.press("w")
        await settle(pilot)
        steps = [line for line in screen_text(app).splitlines() if "●" in line or "▶" in line]
        assert len(steps) >= 6
        await pilot.press("tab")
        await pilot.pause()
        assert "JEUGDHULP" in screen_text(app)


async def test_the_case_screen_footer_is_composed_once_with_its_keys(services, monkeypatch):
    """Opening a case paints the footer's keys in the first frame without building them again:
    the screen resuming and the focus moving to a table change nothing the footer shows. When
    what it shows does change (a narrow terminal drops the palette key), it is built again."""
    from kindroute.widgets.footer import KrFooter

    built: list[int] = []  # the case screen's footer, each time it is composed: its keys
    compose = KrFooter.compose

    def counting(self):  # type: ignore[no-untyped-def]
        if isinstance(self.screen, CaseScreen):
            built.append(len(self.screen.active_bindings))
        yield from compose(self)

    monkeypatch.setattr(KrFooter, "compose", counting)
    ib = services.resolve_actor(IB)
    row = services.list_cases(ib, CaseFilter(sort="id"), limit=1)[0]
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        built.clear()
        screen = await open_case(pilot, row.id)
        footer = screen_text(app).splitlines()[-1]
        assert "Stap zetten" in footer and "Rol toewijzen" in footer
        assert len(built) == 1, built  # composed at mount, with the keys, and not again
        await pilot.press("2")  # another tab: the focus moves, the shown keys stay
        await settle(pilot)
        assert len(built) == 1, built
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert len(built) == 2, built  # compact: the palette key goes, the footer is rebuilt
        assert app.screen is screen and "Opdrachten" not in screen_text(app).splitlines()[-1]
