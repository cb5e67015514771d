"""Termijn vaststellen: the end date of a step whose term the route lets a role set per case
(``term_set_by``); the date drives the worklist and the overdue lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input

from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services import CaseDetail


class TermScreen(FormScreen):
    TITLE_TEXT = "Termijn vaststellen"
    ERROR_FIELDS = {"Einddatum": "term-until"}
    DONE = "Termijn vastgesteld."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        yield from self.field("Einddatum van de huidige stap (D-M-JJJJ)", Input(id="term-until"))

    def check(self) -> bool:
        return self.require(**{"term-until": "Einddatum"})

    def save(self) -> Any:
        return self.services.set_term(self.actor, self.detail.id, self.value("term-until"),
                                      expected_version=self.detail.version)
