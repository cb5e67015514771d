"""Mensen (p): the people in the database, and — within the privilege rules — add, edit, end a role.

The list is small (the staff of some schools and partners), so a DataTable holds it whole.
Every change goes through a form (:mod:`kindroute.screens.person_forms`) and one service use
case; a refusal says why (who may grant which role), before or after the form.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static

from kindroute.screens.base import KrScreen
from kindroute.widgets.title_bar import TitleBar


class PeopleLoaded(Message):
    """The list as read by the worker, tagged with the load it answers."""

    def __init__(self, generation: int, rows: list[Any], grantable: dict[int | None, list[str]]) -> None:
        super().__init__()
        self.generation = generation
        self.rows = rows
        self.grantable = grantable


class PeopleScreen(KrScreen):
    """Everyone who works on cases: name, roles, school or organisation."""

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("plus,a,ctrl+n", "add", "Toevoegen", id="add", key_display="+"),
        Binding("e", "edit", "Wijzigen", id="edit"),
        Binding("x", "end_role", "Rol beëindigen", id="end_role"),
        Binding("v", "toggle_ended", "Ook beëindigd", id="ended", show=False),
        Binding("n", "add_school", "Nieuwe school", id="add_school"),
        Binding("j", "cursor(1)", "Omlaag", id="cursor_down", show=False),
        Binding("k", "cursor(-1)", "Omhoog", id="cursor_up", show=False),
        Binding("f5,ctrl+r", "reload", "Vernieuwen", id="reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Any] = []
        self.grantable: dict[int | None, list[str]] = {}
        self.include_ended = False
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Mensen", style="bold"), id="people-title", classes="screen-title")
        table: DataTable[Any] = DataTable(id="people-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="people-empty", classes="dim", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # fixed widths for number, name and roles: the school still shows at 80 columns
        table.add_column("Nr", width=4)
        table.add_column("Naam", width=22)
        table.add_column("Rollen", width=20)
        table.add_column("School of organisatie")
        table.focus()
        self.action_reload()

    # ------------------------------------------------------------------ loading
    def action_reload(self, keep: int | None = None) -> None:
        self._generation += 1
        self._keep = keep
        self._load(self._generation, self.include_ended)

    def _load(self, generation: int, include_ended: bool) -> None:
        from kindroute.services import staff as people

        services, actor = self.services, self.actor

        def job() -> None:
            try:
                rows = people.list_people(services, include_ended=include_ended)
                schools = {actor.school_id} | {s.id for s in services.list_schools()}
                grantable = {sid: people.grantable_roles(services, actor, sid) for sid in schools}
                grantable[None] = people.grantable_roles(services, actor, None)
            except Exception as exc:  # noqa: BLE001 - shown as a line, logged by the app
                self.app.call_from_thread(self.app.notify, str(exc), severity="error", markup=False)
                return
            self.post_message(PeopleLoaded(generation, rows, grantable))

        self.run_worker(job, thread=True, group="people", exclusive=True, exit_on_error=False)

    def on_people_loaded(self, message: PeopleLoaded) -> None:
        if message.generation != self._generation:
            return  # an older load: a newer one is on its way
        self.rows, self.grantable = message.rows, message.grantable
        table = self.query_one(DataTable)
        table.clear()
        label = self.services.role_label
        for p in self.rows:
            name = Text(p.name)
            if not p.active:
                name.append("  (beëindigd)", style="dim")
            table.add_row(str(p.id), name, Text(", ".join(label(r) for r in p.roles) or "—"),
                          Text(p.school or p.organisation or ""), key=str(p.id))
        count = len(self.rows)
        title = Text("Mensen", style="bold")
        title.append(f"  {count} " + ("persoon" if count == 1 else "personen"), style="dim")
        if self.include_ended:
            title.append(" · ook beëindigd", style="dim")
        self.query_one("#people-title", Static).update(title)
        self.query_one("#people-empty", Static).update(
            "" if count else "Nog niemand; + voegt een collega toe.")
        keep = getattr(self, "_keep", None)
        if keep is not None:
            for i, p in enumerate(self.rows):
                if p.id == keep:
                    table.move_cursor(row=i)
                    break

    # ------------------------------------------------------------------ actions
    def _current(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, table.cursor_row + delta))

    def action_toggle_ended(self) -> None:
        self.include_ended = not self.include_ended
        self.action_reload()

    def _may_manage_anyone(self) -> bool:
        return any(self.grantable.values())

    def action_add(self) -> None:
        from kindroute.screens.person_forms import AddPersonScreen

        if not self._may_manage_anyone():
            self.app.notify("U mag geen personen toevoegen: dat doen de intern begeleider of directeur "
                            "(eigen school) en de beheerder van het SWV.", severity="warning", markup=False)
            return
        self.app.push_screen(AddPersonScreen(self.grantable), callback=self._changed)

    def action_edit(self) -> None:
        from kindroute.screens.person_forms import EditPersonScreen

        person = self._current()
        if person is None:
            return
        if not self.grantable.get(person.school_id) and not self.grantable.get(None):
            self.app.notify(f"U mag {person.name} niet wijzigen.", severity="warning", markup=False)
            return
        self.app.push_screen(EditPersonScreen(person, self.grantable.get(person.school_id, [])),
                             callback=self._changed)

    def action_end_role(self) -> None:
        from kindroute.screens.person_forms import EndRoleScreen

        person = self._current()
        if person is None or not person.roles:
            return
        self.app.push_screen(EndRoleScreen(person), callback=self._changed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_school":  # only the SWV's administrator: the footer hides it for others
            from kindroute.services.privileges import Action, may

            return may(self.actor, Action.ADD_SCHOOL, route=self.app.services.route)
        return True

    def action_add_school(self) -> None:
        from kindroute.screens.person_forms import AddSchoolScreen

        self.app.push_screen(AddSchoolScreen(), callback=self._school_added)

    def _school_added(self, result: Any) -> None:
        if result is not None and result is not True:
            self.action_reload()  # the new school's roles become grantable

    def _changed(self, result: Any) -> None:
        if result is None or result is True:
            return
        self.action_reload(keep=getattr(result, "id", None))

    def action_back(self) -> None:
        self.app.pop_screen()
