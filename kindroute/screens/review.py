"""Bespreking (``b``): choose a meeting to continue, or start a new one.

Open meetings come first (enter continues where the walk was left), then the closed ones
(enter shows their verslag). "Nieuwe bespreking" asks kind, date and attendees, then the
agenda is built (:mod:`meeting_agenda`) and walked (:mod:`meeting_walk`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kindroute.screens.base import KrModal, run_service
from kindroute.widgets.format import nl_datetime

if TYPE_CHECKING:
    from kindroute.app import KindrouteApp
    from kindroute.services.meeting_dto import MeetingSummary

NEW = "new"


class ChooseMeetingScreen(KrModal):
    """Dismisses with "new", a MeetingSummary, or None."""

    BINDINGS = [Binding("escape", "cancel", "Annuleren", id="cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog meeting-choose"):
            yield Static(Text("Bespreking — verder of nieuw?", style="bold"), classes="dialog-title")
            yield OptionList(Option(Text("+ Nieuwe bespreking…", style="bold"), id=NEW), id="meeting-list")
            yield Static("↑/↓ kiezen · enter openen · esc annuleren", classes="dialog-hint")

    def on_mount(self) -> None:
        self.meetings: dict[str, MeetingSummary] = {}
        svc, actor = self.services, self.actor
        run_service(self, lambda: svc.meetings.list(actor), self._fill, group="meetings", exclusive=True)
        self.query_one(OptionList).focus()

    def _fill(self, meetings: list[MeetingSummary]) -> None:
        ol = self.query_one(OptionList)
        for m in meetings:
            key = f"m{m.id}"
            self.meetings[key] = m
            t = Text()
            is_open = m.status == "open"
            t.append("open     " if is_open else "gesloten ", style="bold green" if is_open else "dim")
            t.append(f"{m.kind_label} {nl_datetime(m.held_at)}")
            t.append(f" · {m.items} casus(sen) · {m.chair}", style="dim")
            ol.add_option(Option(t, id=key))
        ol.highlighted = 1 if meetings and meetings[0].status == "open" else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = str(event.option.id)
        self.dismiss(NEW if key == NEW else self.meetings[key])

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_meeting(app: KindrouteApp, meeting: MeetingSummary) -> None:
    """Continue an open meeting where it was (its agenda when it has none), or show a verslag."""
    from kindroute.screens.meeting_verslag import VerslagScreen
    from kindroute.screens.meeting_walk import MeetingWalkScreen

    if meeting.status != "open":
        app.push_screen(VerslagScreen(meeting.id))
    elif meeting.items == 0:
        build_agenda(app, meeting.id)
    else:
        app.push_screen(MeetingWalkScreen(meeting.id, meeting.position))


def build_agenda(app: KindrouteApp, meeting_id: int) -> None:
    """The agenda of a new (or empty) meeting; enter there starts the walk."""
    from kindroute.screens.meeting_agenda import MeetingAgendaScreen
    from kindroute.screens.meeting_walk import MeetingWalkScreen

    def walk(position: Any) -> None:
        if isinstance(position, int):
            app.push_screen(MeetingWalkScreen(meeting_id, position))

    app.push_screen(MeetingAgendaScreen(meeting_id), callback=walk)


def start_review(app: KindrouteApp) -> None:
    """``b``: choose or continue a meeting, or start a new one."""

    def chosen(choice: Any) -> None:
        if choice is None:
            return
        if choice == NEW:
            from kindroute.screens.meeting_new import NewMeetingScreen

            def created(meeting_id: Any) -> None:
                if isinstance(meeting_id, int):
                    build_agenda(app, meeting_id)

            app.push_screen(NewMeetingScreen(), callback=created)
        else:
            open_meeting(app, choice)

    app.push_screen(ChooseMeetingScreen(), callback=chosen)
