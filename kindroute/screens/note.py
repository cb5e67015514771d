"""Notitie toevoegen: multi-line text on the case (a TextArea), saved with author and step.

Enter makes a new line; ctrl+s saves, escape cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import TextArea

from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services import CaseDetail


class NoteScreen(FormScreen):
    TITLE_TEXT = "Notitie"
    HINT = "ctrl+s opslaan · enter nieuwe regel · esc annuleren"
    ERROR_FIELDS = {"Notitie": "note-text"}
    DONE = "Notitie opgeslagen."
    AUTO_FOCUS = "TextArea"

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        area = TextArea(id="note-text", soft_wrap=True, show_line_numbers=False, classes="note-area")
        yield from self.field("Notitie (meerdere regels; wat is er besproken of gebeurd?)", area)

    def text(self) -> str:
        return self.query_one("#note-text", TextArea).text.strip()

    def check(self) -> bool:
        if not self.text():
            self.show_error("Notitie is leeg.", "note-text")
            return False
        return True

    def save(self) -> Any:
        return self.services.add_note(self.actor, self.detail.id, self.text(),
                                      expected_version=self.detail.version)
