"""The small dialogs of a meeting: an item's text, an agreement, a step, leaving, closing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Select, Static, TextArea

from kindroute.screens.base import KrModal
from kindroute.screens.form import FormScreen
from kindroute.screens.step import StepScreen

if TYPE_CHECKING:
    from kindroute.services import Actor, CaseDetail, StepResult
    from kindroute.services.meeting_dto import AttendeeInfo, ItemView

FIELD_OPTIONS = [
    ("Conclusie", "conclusion"),
    ("Notities", "notes"),
    ("Visie van de ouders", "parents_view"),
    ("Visie van de leerling", "pupil_view"),
]


class ItemTextScreen(FormScreen):
    """``o``: the item's conclusion (or notes, or a view) in a multi-line editor; ctrl+s saves."""

    TITLE_TEXT = "Conclusie / notitie"
    HINT = "ctrl+s opslaan · enter nieuwe regel · tab naar 'Wat' · esc annuleren"
    DONE = "Vastgelegd bij dit agendapunt."
    AUTO_FOCUS = "TextArea"

    def __init__(self, meeting_id: int, item: ItemView, field: str = "conclusion") -> None:
        super().__init__(item.pupil or f"casus {item.case_id}")
        self.meeting_id = meeting_id
        self.item = item
        self.field_id = field

    def fields(self) -> ComposeResult:
        text = getattr(self.item, self.field_id)
        area = TextArea(text, id="item-text", soft_wrap=True, classes="note-area")
        yield from self.field("Tekst (meerdere regels)", area)
        yield from self.field("Wat", Select(FIELD_OPTIONS, id="item-field", value=self.field_id,
                                            allow_blank=False))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "item-field" and event.value != self.field_id:
            self.field_id = str(event.value)
            self.query_one("#item-text", TextArea).text = getattr(self.item, self.field_id)

    def save(self) -> Any:
        text = self.query_one("#item-text", TextArea).text
        self.services.meetings.update_item(self.actor, self.meeting_id, self.item.case_id,
                                           **{self.field_id: text})
        return self.field_id


class MeetingAgreementScreen(FormScreen):
    """``a``: an agreement; who is any attendee or "ouders"."""

    TITLE_TEXT = "Afspraak"
    ERROR_FIELDS = {"Afspraak": "what", "Datum": "due"}
    DONE = "Afspraak vastgelegd."

    def __init__(self, meeting_id: int, detail: CaseDetail, attendees: list[AttendeeInfo]) -> None:
        super().__init__(detail.pupil)
        self.meeting_id = meeting_id
        self.detail = detail
        self.attendees = attendees

    def fields(self) -> ComposeResult:
        people = [a for a in self.attendees if a.person_id is not None]
        options = [("Ouders", "ouders")] + [(f"{a.name} ({a.role_label})", str(a.person_id)) for a in people]
        yield from self.field("Wat", Input(id="what", placeholder="bijv. thuis elke dag 15 minuten lezen"))
        yield from self.field("Wie", Select(options, id="who", prompt="(nog) niemand"))
        yield from self.field("Vóór (datum, bijv. 2026-03-20 of 20-3-2026; mag leeg)",
                              Input(id="due", placeholder="JJJJ-MM-DD"))

    def check(self) -> bool:
        return self.require(what="Afspraak")

    def save(self) -> Any:
        who = self.value("who") or None
        return self.services.meetings.add_agreement(
            self.actor, self.meeting_id, self.detail.id, self.value("what"),
            who=int(who) if who and who.isdigit() else who, due_on=self.value("due") or None,
            expected_version=self.detail.version)


class MeetingStepScreen(StepScreen):
    """``s``: a step taken in the meeting, linked to the agenda item."""

    def __init__(self, meeting_id: int, detail: CaseDetail) -> None:
        super().__init__(detail)
        self.meeting_id = meeting_id

    def take(self, actor: Actor, d: CaseDetail, trigger: str, note: str) -> StepResult:
        return self.services.meetings.take_step(actor, self.meeting_id, d.id, trigger, note=note,
                                                expected_version=d.version)


class LeaveScreen(KrModal):
    """Escape in a meeting: leave (it stays open), close it, or stay. Dismisses with
    "leave", "close" or None."""

    BINDINGS = [
        Binding("enter,y,j", "choose('leave')", "Verlaten", id="leave", show=False),
        Binding("f", "choose('close')", "Afsluiten", id="close_meeting", show=False),
        Binding("escape,n", "choose(None)", "Blijven", id="stay", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Bespreking verlaten?", style="bold"), classes="dialog-title")
            yield Static(Text("De bespreking blijft open: met b en enter gaat u verder bij deze leerling."))
            yield Static("enter verlaten · f afsluiten en verslag · esc blijven", classes="dialog-hint")

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


class CloseScreen(KrModal):
    """Closing a meeting: confirm. Dismisses with True or None."""

    BINDINGS = [
        Binding("enter,y,j", "choose(True)", "Afsluiten", id="confirm", show=False),
        Binding("escape,n", "choose(None)", "Annuleren", id="cancel", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Bespreking afsluiten?", style="bold"), classes="dialog-title")
            yield Static(Text("Daarna kan er alleen nog een aanvulling bij. Punten die niet besproken zijn, "
                              "krijgen 'niet aan toegekomen'."))
            yield Static("enter afsluiten en verslag tonen · esc annuleren", classes="dialog-hint")

    def action_choose(self, choice: bool | None) -> None:
        self.dismiss(choice)


class AddendumScreen(FormScreen):
    """An addendum to a closed meeting (its only change); several lines, ctrl+s saves."""

    TITLE_TEXT = "Aanvulling op het verslag"
    HINT = "ctrl+s opslaan · enter nieuwe regel · esc annuleren"
    ERROR_FIELDS = {"Aanvulling": "addendum-text"}
    DONE = "Aanvulling opgeslagen."
    AUTO_FOCUS = "TextArea"

    def __init__(self, meeting_id: int) -> None:
        super().__init__(f"bespreking {meeting_id}")
        self.meeting_id = meeting_id

    def fields(self) -> ComposeResult:
        area = TextArea(id="addendum-text", soft_wrap=True, classes="note-area")
        yield from self.field("Aanvulling (wordt met datum en naam toegevoegd)", area)

    def save(self) -> Any:
        text = self.query_one("#addendum-text", TextArea).text
        self.services.meetings.add_addendum(self.actor, self.meeting_id, text)
        return True
