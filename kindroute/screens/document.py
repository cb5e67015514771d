"""Document vastleggen: an OPP, an expert advice or an SWV decision (these unblock steps)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services import CaseDetail

KINDS = (
    ("OPP vastgesteld", "opp:vastgesteld"),
    ("OPP (concept)", "opp:concept"),
    ("Deskundigenadvies (naam deskundige hieronder)", "deskundigenadvies:"),
    ("Besluit SWV: toegekend", "swv_besluit:toegekend"),
    ("Besluit SWV: afgewezen", "swv_besluit:afgewezen"),
)


class DocumentScreen(FormScreen):
    TITLE_TEXT = "Document vastleggen"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"deskundige": "expert", "Titel": "title", "soort": "kind"}
    DONE = "Document vastgelegd."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        yield from self.field("Soort", Select(KINDS, id="kind", prompt="kies de soort"))
        yield from self.field("Naam van de deskundige (alleen bij een advies)", Input(id="expert"))
        yield from self.field("Titel of omschrijving (mag leeg)", Input(id="title"))

    def check(self) -> bool:
        return self.require(kind="Soort")

    def save(self) -> Any:
        kind, outcome = self.value("kind").split(":", 1)
        if kind == "deskundigenadvies":
            outcome = self.value("expert")
        return self.services.record_document(self.actor, self.detail.id, kind, outcome=outcome,
                                             title=self.value("title"), expected_version=self.detail.version)
