"""Het verslag of a meeting, as the acting person may see it (shown after closing)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from kindroute.screens.base import KrScreen, run_service
from kindroute.widgets.title_bar import TitleBar


class VerslagScreen(KrScreen):
    BINDINGS = [Binding("escape,q", "back", "Terug", id="back")]

    def __init__(self, meeting_id: int) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.text = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="verslag-body"):
            yield Static("Verslag wordt gemaakt…", id="verslag-text")
        yield Footer()

    def on_mount(self) -> None:
        svc, actor, mid = self.services, self.actor, self.meeting_id
        run_service(self, lambda: svc.meetings.render(actor, mid, "text"), self._show, group="verslag")
        self.query_one(VerticalScroll).focus()

    def _show(self, text: str) -> None:
        self.text = text
        self.query_one("#verslag-text", Static).update(Text(text))

    def action_back(self) -> None:
        self.dismiss(None)
