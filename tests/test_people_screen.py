"""The Mensen screen (p): list, add, edit, end a role — asserted on widgets and on the database."""

from __future__ import annotations

import pytest
from test_tui_support import IB, TEACHER, demo_db, make_app, services_for, settle, type_text
from textual.widgets import DataTable, Input, Label, Select

from kindroute.screens.people import PeopleScreen
from kindroute.screens.person_forms import AddPersonScreen, EditPersonScreen, EndRoleScreen
from kindroute.services import staff as people


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


def names(services) -> list[str]:
    return [p.name for p in people.list_people(services)]


async def open_people(pilot) -> PeopleScreen:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PeopleScreen)
    return screen


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_ib_adds_a_colleague_and_the_list_follows(services, size):
    app = make_app(services)
    async with app.run_test(size=size) as pilot:
        screen = await open_people(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == len(names(services))
        await pilot.press("plus")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AddPersonScreen)
        roles = [str(v) for _, v in form.query_one("#role", Select)._options if v is not Select.NULL]
        assert roles == ["leerkracht", "ib"]  # an IB grants no role above her own
        await type_text(pilot, "Nina Nieuw")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert "Nina Nieuw" in names(services)
        nina = next(p for p in people.list_people(services) if p.name == "Nina Nieuw")
        assert nina.roles == ("leerkracht",)
        assert nina.school_id == services.resolve_actor(IB).school_id
        assert table.row_count == len(names(services))
        assert screen.rows[table.cursor_row].name == "Nina Nieuw"


async def test_a_duplicate_name_is_refused_next_to_the_field(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_people(pilot)
        before = names(services)
        await pilot.press("plus")
        await settle(pilot)
        await type_text(pilot, "tom DE wit")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AddPersonScreen)
        error = str(app.screen.query_one("#name-error", Label).render())
        assert "Er is al een persoon met de naam 'Tom de Wit'" in error
        assert names(services) == before


async def test_edit_and_end_a_role(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_people(pilot)
        table = screen.query_one(DataTable)
        target = next(i for i, p in enumerate(screen.rows) if p.name == TEACHER)
        table.move_cursor(row=target)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EditPersonScreen)
        field = app.screen.query_one("#name", Input)
        field.value = "Tom de Wit-Jansen"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert TEACHER not in names(services) and "Tom de Wit-Jansen" in names(services)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, EndRoleScreen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Tom still teaches pupils with cases: refused, with the reason, nothing changed
        assert isinstance(app.screen, EndRoleScreen)
        error = str(app.screen.query_one("#form-error", Label).render())
        assert "wijs die eerst aan iemand anders toe" in error
        assert "Tom de Wit-Jansen" in names(services)


async def test_a_teacher_is_told_before_the_form(services):
    app = make_app(services, who=TEACHER)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_people(pilot)
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        assert any("U mag geen personen toevoegen" in str(n.message) for n in app._notifications)


async def test_the_administrator_adds_a_school_and_its_first_ib(services):
    admin = next(p.name for p in people.list_people(services) if "swv" in p.roles)
    app = make_app(services, who=admin)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_people(pilot)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "OBS De Linde")
        await pilot.press("tab")
        await type_text(pilot, "45EF")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PeopleScreen)
        school = next(s for s in services.list_schools() if s.brin == "45EF")
        assert school.name == "OBS De Linde"
        await pilot.press("plus")
        await settle(pilot)
        form = app.screen
        form.query_one("#school", Select).value = school.id
        await settle(pilot)
        form.query_one("#role", Select).value = "ib"
        form.query_one("#name", Input).value = "Linda de Linde"
        await pilot.press("ctrl+s")
        await settle(pilot)
        linda = next(p for p in people.list_people(services) if p.name == "Linda de Linde")
        assert (linda.roles, linda.school) == (("ib",), "OBS De Linde")


async def test_only_the_administrator_sees_new_school(services):
    app = make_app(services)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_people(pilot)
        before = services.list_schools()
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and services.list_schools() == before
        keys = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "add_school" not in keys
