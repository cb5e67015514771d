"""Nieuwe casus: a pupil (an existing one is picked by name + birth date at the school) and a note."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, Select

from kindroute.screens.base import call_service
from kindroute.screens.form import FormScreen
from kindroute.services.text import check_birth_date, check_group, check_name, check_text, parse_date

if TYPE_CHECKING:
    from kindroute.services import PersonInfo, SchoolInfo


class NewCaseScreen(FormScreen):
    """Dismisses with the new case id."""

    TITLE_TEXT = "Nieuwe casus"
    HINT = ("ctrl+s opslaan · tab volgend veld · esc annuleren — een bestaande leerling "
            "(zelfde naam en geboortedatum) wordt hergebruikt")
    ERROR_FIELDS = {"Naam van de leerling": "pupil", "Geboortedatum": "born", "Groep": "group",
                    "School": "school", "Persoon": "teacher", "Notitie": "note",
                    "Datum aanmelding": "registered", "open casus": "pupil"}
    DONE = "Casus geopend."

    def fields(self) -> ComposeResult:
        yield from self.field("Naam van de leerling", Input(id="pupil", placeholder="voornaam achternaam"))
        yield from self.field("Geboortedatum", Input(id="born", placeholder="JJJJ-MM-DD of D-M-JJJJ"))
        yield from self.field("Groep (1–8)", Input(id="group", placeholder="bijv. 5"))
        yield from self.field("School", Select([], id="school", prompt="kies de school"))
        yield from self.field("Leerkracht (mag leeg)", Select([], id="teacher", prompt="(geen)"))
        yield from self.field("Datum aanmelding (alleen bij nieuwe aanmelding; mag leeg)",
                              Input(id="registered", placeholder="JJJJ-MM-DD"))
        yield from self.field("Notitie: wat is de zorg?", Input(id="note"))

    def on_mount(self) -> None:
        self.query_one("#pupil", Input).focus()
        services = self.services
        route = services.route
        teacher = route.steps[route.main_track.start].at_turn  # who signals: the teacher
        call_service(self, lambda: (services.list_schools(), services.list_people(teacher)),
                     lambda lists: self.ListsLoaded(*lists), group="lists", exclusive=True)

    class ListsLoaded(Message):
        """The schools and the teachers to choose from."""

        def __init__(self, schools: list[SchoolInfo], teachers: list[PersonInfo]) -> None:
            super().__init__()
            self.schools = schools
            self.teachers = teachers

    def on_new_case_screen_lists_loaded(self, message: ListsLoaded) -> None:
        schools, teachers = message.schools, message.teachers
        school = self.query_one("#school", Select)
        school.set_options([(s.name, s.id) for s in schools])
        if self.actor.school_id is not None:
            school.value = self.actor.school_id
        self.teachers = teachers
        self._teachers()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "school" and hasattr(self, "teachers"):
            self._teachers()

    def _teachers(self) -> None:
        school = self.value("school")
        options = [(p.name, p.id) for p in self.teachers if not school or str(p.school_id) == school]
        self.query_one("#teacher", Select).set_options(options)

    def field_checks(self) -> dict[str, Callable[[str], object]]:
        today = self.services.today()
        return {
            "pupil": lambda v: check_name(v, "Naam van de leerling"),
            "born": lambda v: check_birth_date(parse_date(v, "Geboortedatum"), today),
            "group": check_group,
            "registered": lambda v: parse_date(v, "Datum aanmelding"),
            "note": lambda v: check_text(v, "Notitie"),
        }

    def warnings(self) -> list[tuple[str, str]]:
        from kindroute.services.screen_queries import group_age_warning

        warning = group_age_warning(parse_date(self.value("born")), check_group(self.value("group")),
                                    self.services.today())
        return [("born", warning)] if warning else []

    def check(self) -> bool:
        return self.require(pupil="Naam van de leerling", born="Geboortedatum", group="Groep",
                            school="School")

    def save(self) -> Any:
        teacher = self.value("teacher")
        return self.services.open_case(
            self.actor, pupil=self.value("pupil"), school=int(self.value("school")),
            group=self.value("group"),
            born=self.value("born"), note=self.value("note"), teacher=int(teacher) if teacher else None,
            registered_on=self.value("registered") or None,
        )
