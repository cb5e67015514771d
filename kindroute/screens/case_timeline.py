"""The case's Tijdlijn tab: every kind of event, newest first, filterable by kind.

Steps, notes, agreements, consents, documents, assignments, checklist ticks and meeting
items (:mod:`kindroute.services.timeline`). The kind filter is a Select above the list;
multi-line text keeps its line breaks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Select, Static

from kindroute.screens.base import run_service
from kindroute.widgets.format import nl_datetime

if TYPE_CHECKING:
    from kindroute.services.timeline import TimelineEvent

KIND_OPTIONS = [
    ("Stappen", "stap"), ("Notities", "notitie"), ("Afspraken", "afspraak"), ("Toestemmingen", "toestemming"),
    ("Documenten", "document"), ("Toewijzingen", "toewijzing"), ("Checklist", "vinkje"),
    ("Besprekingen", "bespreking"),
]


class TimelinePane(Vertical):
    """A kind filter and the events; ``load(case_id)`` reads them in a worker."""

    DEFAULT_CSS = """
    TimelinePane { height: 1fr; }
    TimelinePane Select { width: 40; margin: 0 0 1 0; }
    TimelinePane VerticalScroll { height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's own name
        super().__init__(id=id)
        self.case_id: int | None = None
        self.kind: str | None = None
        self.generation = 0
        self.events: list[TimelineEvent] = []

    def compose(self) -> ComposeResult:
        yield Select(KIND_OPTIONS, prompt="Alle soorten", id="timeline-kind")
        with VerticalScroll():
            yield Static("Tijdlijn wordt geladen…", id="history-text")

    def load(self, case_id: int) -> None:
        self.case_id = case_id
        self.generation += 1
        gen, kinds = self.generation, [self.kind] if self.kind else None
        screen: Any = self.screen
        svc, actor = screen.services, screen.actor

        def shown(events: list[TimelineEvent]) -> None:
            if gen == self.generation:  # an answer to an older filter or case is dropped
                self.events = events
                self.query_one("#history-text", Static).update(timeline_text(events))

        run_service(self, lambda: svc.meetings.timeline(actor, case_id, kinds), shown, group="timeline",
                    exclusive=True)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.kind = event.value if isinstance(event.value, str) else None
        if self.case_id is not None:
            self.load(self.case_id)


def timeline_text(events: list[TimelineEvent]) -> Text:
    t = Text()
    if not events:
        t.append("Niets van deze soort.", style="dim")
    for e in events:
        t.append(nl_datetime(e.at), style="bold")
        t.append(f"  {e.kind_label:<12}", style="dim")
        t.append(e.title)
        if e.by:
            t.append(f"  door {e.by}", style="dim")
        t.append("\n")
        if e.text:
            t.append("    " + e.text.replace("\n", "\n    ") + "\n", style="italic")
    return t
