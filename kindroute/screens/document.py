"""Document vastleggen: an OPP, an expert advice or an SWV decision (these unblock steps)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen
from kindroute.workflow.vocabulary import (
    DOC_EXPERT_ADVICE,
    DOC_OPP,
    DOC_SWV_DECISION,
    DOCUMENT_KINDS,
    OPP_ADOPTED,
    SWV_GRANTED,
    SWV_REFUSED,
)

if TYPE_CHECKING:
    from kindroute.services import CaseDetail

KINDS = (
    (f"{DOCUMENT_KINDS[DOC_OPP]} {OPP_ADOPTED}", f"{DOC_OPP}:{OPP_ADOPTED}"),
    (f"{DOCUMENT_KINDS[DOC_OPP]} (concept)", f"{DOC_OPP}:concept"),
    (f"{DOCUMENT_KINDS[DOC_EXPERT_ADVICE]} (naam deskundige hieronder)", f"{DOC_EXPERT_ADVICE}:"),
    (f"{DOCUMENT_KINDS[DOC_SWV_DECISION]}: {SWV_GRANTED}", f"{DOC_SWV_DECISION}:{SWV_GRANTED}"),
    (f"{DOCUMENT_KINDS[DOC_SWV_DECISION]}: {SWV_REFUSED}", f"{DOC_SWV_DECISION}:{SWV_REFUSED}"),
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
        from kindroute.services.screen_queries import refusal

        kinds = KINDS
        if refusal(self.actor, "swv_decision", self.detail.school_id) is not None:
            kinds = tuple(k for k in KINDS if not k[1].startswith(f"{DOC_SWV_DECISION}:"))
        yield from self.field("Soort", Select(kinds, id="kind", prompt="kies de soort"))
        yield from self.field("Naam van de deskundige (alleen bij een advies)", Input(id="expert"))
        yield from self.field("Titel of omschrijving (mag leeg)", Input(id="title"))

    def check(self) -> bool:
        return self.require(kind="Soort")

    def save(self) -> Any:
        kind, outcome = self.value("kind").split(":", 1)
        if kind == DOC_EXPERT_ADVICE:
            outcome = self.value("expert")
        return self.services.record_document(self.actor, self.detail.id, kind, outcome=outcome,
                                             title=self.value("title"), expected_version=self.detail.version)
