"""Document vastleggen: a decision or a document of the route (``[[decisions]]``,
``[[documents]]``); these unblock steps. Who may record which kind is the route's ``recorded_by``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen

if TYPE_CHECKING:
    from kindroute.services import CaseDetail

def kinds(route: Any, may: Any = None) -> list[tuple[str, str]]:
    """The choices of the route: each decision with each outcome, each document; with ``may``
    (kind id -> bool) only those this person may record."""
    out = [(f"{d.label}: {o}", f"{d.id}:{o}") for d in route.decisions.values() for o in d.outcomes
           if may is None or may(d.id)]
    out += [(d.label, f"{d.id}:") for d in route.documents.values() if may is None or may(d.id)]
    return out


class DocumentScreen(FormScreen):
    TITLE_TEXT = "Document vastleggen"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"Omschrijving": "expert", "Titel": "title", "soort": "kind", "veld": "fields"}
    DONE = "Document vastgelegd."

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__(detail.pupil)
        self.detail = detail

    def fields(self) -> ComposeResult:
        from kindroute.services.screen_queries import may_record

        route = self.services.route
        choices = kinds(route, lambda k: may_record(self.actor, route, k, self.detail.school_id))
        yield from self.field("Soort", Select(choices, id="kind", prompt="kies de soort"))
        yield from self.field("Omschrijving (bij een document, mag leeg)", Input(id="expert"))
        yield from self.field("Velden van een besluit (veld=waarde; veld=waarde)", Input(id="fields"))
        yield from self.field("Titel (mag leeg)", Input(id="title"))

    def check(self) -> bool:
        return self.require(kind="Soort")

    def save(self) -> Any:
        kind, outcome = self.value("kind").split(":", 1)
        if kind in self.services.route.decisions:
            pairs = [p.partition("=") for p in self.value("fields").split(";") if p.strip()]
            fields = {k.strip(): v.strip() for k, _sep, v in pairs}
            return self.services.record_decision(self.actor, self.detail.id, kind, outcome, fields=fields,
                                                 title=self.value("title"),
                                                 expected_version=self.detail.version)
        return self.services.record_document(self.actor, self.detail.id, kind, outcome=self.value("expert"),
                                             title=self.value("title"), expected_version=self.detail.version)
