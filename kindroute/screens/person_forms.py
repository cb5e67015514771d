"""The forms of the Mensen screen: add a person, edit one, end one of their roles.

Each offers only what the acting person may do (the roles they may grant, at the schools
they may manage) and saves through one use case of :mod:`kindroute.services.staff`, which
checks the privilege rules again.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.base import run_service
from kindroute.screens.form import FormScreen

NO_SCHOOL = -1


class AddPersonScreen(FormScreen):
    """A colleague: name, role, school (or an organisation), a password for a shared database."""

    TITLE_TEXT = "Persoon toevoegen"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"naam": "name", "Organisatie": "organisation", "wachtwoord": "password",
                    "rol": "role", "school": "school"}
    DONE = "Persoon toegevoegd."

    def __init__(self, grantable: dict[int | None, list[str]]) -> None:
        super().__init__()
        self.grantable = grantable

    def fields(self) -> ComposeResult:
        yield from self.field("Naam", Input(id="name", placeholder="voornaam achternaam"))
        yield from self.field("Rol", Select([], id="role", prompt="kies een rol"))
        yield from self.field("School", Select([], id="school", prompt="kies een school"))
        yield from self.field("Organisatie (voor rollen buiten de school; mag leeg)",
                              Input(id="organisation"))
        yield from self.field("Wachtwoord (voor een gedeelde database; mag leeg)",
                              Input(id="password", password=True))

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        run_service(self, self.services.list_schools, self._fill, group="lists", exclusive=True)

    def _fill(self, schools: list[Any]) -> None:
        options = [(s.name, s.id) for s in schools if self.grantable.get(s.id)]
        if self.grantable.get(None):
            options.append(("(geen school)", NO_SCHOOL))
        select = self.query_one("#school", Select)
        select.set_options(options)
        own = self.actor.school_id
        if options:
            select.value = own if any(v == own for _, v in options) else options[0][1]
        self._roles()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "school":
            self._roles()

    def _school_id(self) -> int | None:
        value = self.value("school")
        return None if not value or int(value) == NO_SCHOOL else int(value)

    def _roles(self) -> None:
        roles = self.grantable.get(self._school_id(), [])
        label = self.services.role_label
        select = self.query_one("#role", Select)
        select.set_options([(label(r), r) for r in roles])
        if roles:
            select.value = roles[0]

    def check(self) -> bool:
        return self.require(name="Naam", role="Rol")

    def save(self) -> Any:
        from kindroute.services import staff as people

        return people.add_person(
            self.services, self.actor, self.value("name"), [self.value("role")],
            school=self._school_id(), organisation=self.value("organisation") or None,
            password=self.value("password") or None,
        )

    def done_message(self, result: Any) -> str:
        return f"{result.name} toegevoegd."


class EditPersonScreen(FormScreen):
    """Name and organisation; optionally one more role."""

    TITLE_TEXT = "Persoon wijzigen"
    ERROR_FIELDS = {"naam": "name", "Organisatie": "organisation", "rol": "role"}
    DONE = "Gewijzigd."

    def __init__(self, person: Any, grantable: list[str]) -> None:
        super().__init__(person.name)
        self.person = person
        self.grantable = [r for r in grantable if r not in person.roles]

    def fields(self) -> ComposeResult:
        label = self.services.role_label
        yield from self.field("Naam", Input(self.person.name, id="name"))
        yield from self.field("Organisatie (mag leeg)",
                              Input(self.person.organisation or "", id="organisation"))
        yield from self.field("Rol erbij (mag leeg)",
                              Select([(label(r), r) for r in self.grantable], id="role", prompt="(geen)"))

    def check(self) -> bool:
        return self.require(name="Naam")

    def save(self) -> Any:
        from kindroute.services import staff as people

        role = self.value("role")
        return people.edit_person(self.services, self.actor, self.person.id, name=self.value("name"),
                                  organisation=self.value("organisation") or None,
                                  add_roles=[role] if role else [])


class EndRoleScreen(FormScreen):
    """Which of the person's roles ends; the last one ends their access."""

    TITLE_TEXT = "Rol beëindigen"
    HINT = "ctrl+s beëindigen · esc annuleren — de geschiedenis van de casussen blijft bewaard"
    DONE = "Rol beëindigd."

    def __init__(self, person: Any) -> None:
        super().__init__(person.name)
        self.person = person

    def fields(self) -> ComposeResult:
        label = self.services.role_label
        options = [(label(r), r) for r in self.person.roles]
        yield from self.field("Welke rol eindigt?", Select(options, id="role", allow_blank=False))

    def save(self) -> Any:
        from kindroute.services import staff as people

        return people.end_role(self.services, self.actor, self.person.id, self.value("role"))

    def done_message(self, result: Any) -> str:
        if not result.roles:
            return f"{result.name} heeft geen rol meer en kan kindroute niet meer gebruiken."
        return f"Rol beëindigd; {result.name} blijft {', '.join(result.roles)}."


class AddSchoolScreen(FormScreen):
    """A school: name and BRIN (the SWV's administrator)."""

    TITLE_TEXT = "School toevoegen"
    ERROR_FIELDS = {"BRIN": "brin", "Schoolnaam": "name"}
    DONE = "School toegevoegd."

    def fields(self) -> ComposeResult:
        yield from self.field("Naam van de school", Input(id="name", placeholder="bijv. OBS De Linde"))
        yield from self.field("BRIN (twee cijfers, twee letters)", Input(id="brin", placeholder="bijv. 12AB"))

    def check(self) -> bool:
        return self.require(name="Naam van de school", brin="BRIN")

    def save(self) -> Any:
        from kindroute.services import staff as people

        return people.add_school(self.services, self.actor, self.value("name"), self.value("brin"))

    def done_message(self, result: Any) -> str:
        return f"{result.name} ({result.brin}) toegevoegd; + voegt er nu mensen aan toe."
