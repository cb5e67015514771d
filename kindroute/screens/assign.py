"""Rol toewijzen: a person for a role on this case (the previous holder's turn ends)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Select

from kindroute.screens.base import call_service
from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services import CaseDetail, PersonInfo


class AssignScreen(FormScreen):
    TITLE_TEXT = "Rol toewijzen"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"rol": "role", "Persoon": "person"}
    DONE = "Rol toegewezen."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        from kindroute.services.screen_queries import role_choices

        first = self.detail.at_turn_role
        roles = role_choices(self.services.route)
        yield from self.field("Rol", Select(roles, id="role", prompt="kies een rol",
                                            value=first if first else Select.NULL))
        yield from self.field("Persoon", Select([], id="person", prompt="kies eerst een rol"))

    def on_mount(self) -> None:
        self.query_one("#role", Select).focus()
        self._people()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "role":
            self._people()

    def _people(self) -> None:
        role = self.value("role")
        if not role:
            return
        services = self.services
        call_service(self, lambda: services.list_people(role), lambda people: self.PeopleLoaded(role, people),
                     group="people", exclusive=True)

    class PeopleLoaded(Message):
        """The people who hold ``role``."""

        def __init__(self, role: str, people: list[PersonInfo]) -> None:
            super().__init__()
            self.role = role
            self.people = people

    def on_assign_screen_people_loaded(self, message: PeopleLoaded) -> None:
        if message.role != self.value("role"):
            return  # the role changed meanwhile: a newer list is on its way
        people = message.people
        select = self.query_one("#person", Select)
        options = [(p.name + (f" ({p.school or p.organisation})" if p.school or p.organisation else ""), p.id)
                   for p in people]
        select.set_options(options)
        if not options:
            self.show_error("Niemand in de database heeft deze rol.", "person")

    def check(self) -> bool:
        return self.require(role="Rol", person="Persoon")

    def save(self) -> Any:
        return self.services.assign_role(self.actor, self.detail.id, self.value("role"),
                                         int(self.value("person")), expected_version=self.detail.version)
