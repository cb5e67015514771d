"""Notitie toevoegen: one line of text on the case, saved with author and step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input

from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services import CaseDetail


class NoteScreen(FormScreen):
    TITLE_TEXT = "Notitie"
    ERROR_FIELDS = {"Notitie": "note-text"}
    DONE = "Notitie opgeslagen."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        yield from self.field("Notitie", Input(id="note-text", placeholder="Wat is er besproken of gebeurd?"))

    def check(self) -> bool:
        return self.require(**{"note-text": "Notitie"})

    def save(self) -> Any:
        return self.services.add_note(self.actor, self.detail.id, self.value("note-text"),
                                      expected_version=self.detail.version)
