"""Het verslag of a meeting, as the acting person may see it (shown after closing); ``a`` adds an
addendum, the only change a closed meeting takes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from kindroute.screens.base import KrScreen, run_service
from kindroute.widgets.title_bar import TitleBar


class VerslagScreen(KrScreen):
    BINDINGS = [
        Binding("escape,q", "back", "Terug", id="back"),
        Binding("a", "addendum", "Aanvulling", id="addendum"),
    ]

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
        self.load()
        self.query_one(VerticalScroll).focus()

    def load(self) -> None:
        svc, actor, mid = self.services, self.actor, self.meeting_id
        run_service(self, lambda: svc.meetings.render(actor, mid, "text"), self._show, group="verslag")

    def _show(self, text: str) -> None:
        self.text = text
        self.query_one("#verslag-text", Static).update(Text(text))

    def action_addendum(self) -> None:
        from kindroute.screens.meeting_forms import AddendumScreen

        self.app.push_screen(AddendumScreen(self.meeting_id),
                             callback=lambda result: self.load() if result else None)

    def action_back(self) -> None:
        self.dismiss(None)
