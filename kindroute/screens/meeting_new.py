"""Nieuwe bespreking: kind, date and time, attendees (people, and parents by name).

Dismisses with the new meeting's id. The acting person chairs it and is always present.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, SelectionList
from textual.widgets.selection_list import Selection

from kindroute.screens.base import run_service
from kindroute.screens.form import FormScreen

KIND_OPTIONS = [
    ("Leerlingbespreking", "leerlingbespreking"),
    ("Groepsbespreking", "groepsbespreking"),
    ("MDO (ondersteuningsteam)", "mdo"),
    ("Oudergesprek", "oudergesprek"),
    ("Overdracht", "overdracht"),
]


class NewMeetingScreen(FormScreen):
    TITLE_TEXT = "Nieuwe bespreking"
    HINT = "ctrl+s opslaan · spatie: aanwezig aan/uit · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"Datum": "meeting-date", "Tijd": "meeting-date", "ouder": "meeting-parents",
                    "soort": "meeting-kind"}
    DONE = "Bespreking aangemaakt; stel nu de agenda samen."
    AUTO_FOCUS = "Select"

    def fields(self) -> ComposeResult:
        now = self.services.now()
        yield from self.field("Soort", Select(KIND_OPTIONS, id="meeting-kind", value="leerlingbespreking",
                                              allow_blank=False))
        yield from self.field("Datum en tijd (JJJJ-MM-DD UU:MM of 23-11-2026 14:30)",
                              Input(f"{now:%Y-%m-%d %H:%M}", id="meeting-date"))
        yield from self.field("Aanwezig (spatie: aan/uit)", SelectionList[int](id="meeting-people"))
        yield from self.field("Ouders van … (namen zoals opgegeven, gescheiden door komma's)",
                              Input(id="meeting-parents", placeholder="bijv. Familie Jansen"))

    def on_mount(self) -> None:
        run_service(self, self.services.list_people, self._people, group="people", exclusive=True)

    def _people(self, people: list[Any]) -> None:
        actor = self.actor
        sel = self.query_one("#meeting-people", SelectionList)
        mine = [p for p in people if p.id != actor.id and (p.school_id in (None, actor.school_id))]
        sel.add_options([
            Selection(Text(f"{p.name} ({', '.join(self.services.role_label(r) for r in p.roles)})"), p.id)
            for p in mine
        ])
        if mine:
            sel.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def save(self) -> Any:
        people = list(self.query_one("#meeting-people", SelectionList).selected)
        parents = [n.strip() for n in self.value("meeting-parents").split(",") if n.strip()]
        return self.services.meetings.create(self.actor, self.value("meeting-kind"),
                                             self.value("meeting-date"), attendees=people, parents=parents)
