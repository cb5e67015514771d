"""Welcome on an empty database: load demo data, or start with your own school."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Footer, Static

from kindroute.screens.base import KrScreen, run_service
from kindroute.widgets.title_bar import TitleBar

DEMO_CASES = 120
DEMO_SEED = 1


class WelcomeScreen(KrScreen):
    """An empty database: one key for demo data, one for an empty school."""

    BINDINGS = [
        Binding("d", "demo", "Demodata laden", id="demo"),
        Binding("l", "empty", "Leeg beginnen", id="empty"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Center(), Vertical(id="welcome", classes="dialog"):
            yield Static(Text("Welkom bij kindroute", style="bold"), classes="dialog-title")
            yield Static(
                "Deze database is nog leeg. Kindroute laat per leerling zien in welke stap van de "
                "ondersteuningsroute de casus staat, wie aan zet is en tot wanneer.\n\n"
                "  d  Demodata laden — een paar scholen met verzonnen leerlingen om te oefenen\n"
                "  l  Leeg beginnen  — uw eigen school en uw naam invullen\n"
                "  q  Stoppen",
                markup=False,
            )
            yield Static("", id="welcome-status", markup=False)
        yield Footer()

    def action_demo(self) -> None:
        self.query_one("#welcome-status", Static).update("Demodata wordt aangemaakt…")
        services = self.services
        clock = services.clock

        def generate() -> None:
            from kindroute.demo import generate as make_demo

            make_demo(services.db, cases=DEMO_CASES, seed=DEMO_SEED, now=clock())

        run_service(self, generate, lambda _: self.kr.call_later(self._continue),
                    done="Demodata geladen.", group="demo", exclusive=True)

    def _continue(self) -> None:
        self.kr.after_demo()

    def action_empty(self) -> None:
        from kindroute.screens.setup import SetupScreen

        def created(actor: object) -> None:
            if actor is not None and actor is not True:
                self.kr.remember(actor)  # type: ignore[arg-type]
                self.kr.start(actor)  # type: ignore[arg-type]

        self.app.push_screen(SetupScreen(), callback=created)
