"""Document vastleggen: a decision or a document of the route (``[[decisions]]``,
``[[documents]]``); these unblock steps. Who may record which kind is the route's ``recorded_by``.

A decision's own fields (an arrangement's start and end, a TLV's type and category) show as
fields of the form once that decision and outcome are chosen: a choice as a list, a date or a
number as a line; a field that belongs to other outcomes (``when``) stays hidden. A date that is
a clock says so, with its reminder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from kindroute.screens.form import FormScreen
from kindroute.workflow.model import DecisionField

if TYPE_CHECKING:
    from kindroute.services import CaseDetail


def kinds(route: Any, may: Any = None) -> list[tuple[str, str]]:
    """The choices of the route: each decision with each outcome, each document; with ``may``
    (kind id -> bool) only those this person may record."""
    out = [(f"{d.label}: {o}", f"{d.id}:{o}") for d in route.decisions.values() for o in d.outcomes
           if may is None or may(d.id)]
    out += [(d.label, f"{d.id}:") for d in route.documents.values() if may is None or may(d.id)]
    return out


def widget_id(decision: str, field: str) -> str:
    """The widget id of a decision's field in the form."""
    return f"df-{decision}-{field}"


def field_label(spec: DecisionField) -> str:
    """The label of a decision's field in the form: what it is, required or not, and what it does."""
    notes = [n for n in spec.notes() if not n.startswith("alleen bij")]  # hidden for other outcomes
    return spec.label + (" *" if spec.required else "") + (f" ({'; '.join(notes)})" if notes else "")


def field_widget(decision: str, spec: DecisionField) -> Input | Select[str]:
    ident = widget_id(decision, spec.id)
    if spec.type == "choice":
        return Select([(c, c) for c in spec.choices], id=ident, prompt="kies")
    hint = {"date": "JJJJ-MM-DD of D-M-JJJJ", "number": "een geheel getal"}.get(spec.type, "")
    return Input(id=ident, placeholder=hint)


class DocumentScreen(FormScreen):
    TITLE_TEXT = "Document vastleggen"
    HINT = "ctrl+s opslaan · tab volgend veld · esc annuleren"
    ERROR_FIELDS = {"Omschrijving": "expert", "Titel": "title", "soort": "kind"}
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
        for decision in route.decisions.values():
            for spec in decision.fields:
                yield from self.field(field_label(spec), field_widget(decision.id, spec))
        yield from self.field("Titel (mag leeg)", Input(id="title"))

    def show_error(self, message: str, field_id: str | None = None, *, warning: bool = False) -> None:
        """An error about a field of the chosen decision ("veld 'einde'", or its label) shows under it."""
        if field_id is None:
            kind, _outcome = self._chosen()
            decision = self.services.route.decisions.get(kind)
            for spec in decision.fields if decision is not None else ():
                if f"veld '{spec.id}'" in message or message.startswith(f"{spec.label}:"):
                    field_id = widget_id(kind, spec.id)
                    break
        super().show_error(message, field_id, warning=warning)

    def on_mount(self) -> None:
        self._show_fields()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "kind":
            self._show_fields()

    def _chosen(self) -> tuple[str, str]:
        kind, _sep, outcome = self.value("kind").partition(":")
        return kind, outcome

    def _show_fields(self) -> None:
        """Show the fields of the chosen decision and outcome; hide every other decision's."""
        kind, outcome = self._chosen()
        for decision in self.services.route.decisions.values():
            for spec in decision.fields:
                shown = decision.id == kind and spec.belongs_to(outcome)
                self.query_one(f"#{widget_id(decision.id, spec.id)}-field").display = shown
        self.query_one("#expert-field").display = kind not in self.services.route.decisions

    def check(self) -> bool:
        return self.require(kind="Soort")

    def decision_fields(self) -> dict[str, str]:
        """The values filled in for the chosen decision and outcome (empty ones left out)."""
        kind, outcome = self._chosen()
        decision = self.services.route.decisions.get(kind)
        if decision is None:
            return {}
        values = {spec.id: self.value(widget_id(kind, spec.id)) for spec in decision.fields
                  if spec.belongs_to(outcome)}
        return {k: v for k, v in values.items() if v}

    def save(self) -> Any:
        kind, outcome = self._chosen()
        if kind in self.services.route.decisions:
            return self.services.record_decision(self.actor, self.detail.id, kind, outcome,
                                                 fields=self.decision_fields(), title=self.value("title"),
                                                 expected_version=self.detail.version)
        return self.services.record_document(self.actor, self.detail.id, kind, outcome=self.value("expert"),
                                             title=self.value("title"), expected_version=self.detail.version)
