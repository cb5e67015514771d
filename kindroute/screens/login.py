"""Log in to a shared database: your name and your password, never a list of names.

The screen asks, the front door (:meth:`kindroute.bootstrap.Front.log_in`) decides. A
failed attempt says so in one line that does not tell which of the two was wrong, and
every further failure waits twice as long (1, 2, 4 … seconds, at most
:data:`MAX_DELAY_S`) with the fields disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.widgets import Footer, Input, Label, Static

from kindroute.errors import IdentityRequired, KindrouteError
from kindroute.screens.base import KrScreen, run_service
from kindroute.widgets.title_bar import TitleBar

MAX_DELAY_S = 30.0


def login_delay(failures: int, first: float = 1.0) -> float:
    """Seconds to wait after ``failures`` failed attempts in a row: 1, 2, 4 … (capped)."""
    if failures <= 0:
        return 0.0
    return min(first * 2 ** (failures - 1), MAX_DELAY_S)


class LoginScreen(KrScreen):
    """Name and password for a shared database (dismisses with the Actor; escape stops)."""

    BINDINGS = [
        Binding("escape", "stop", "Stoppen", id="stop", show=True),
    ]
    AUTO_FOCUS = ""

    def __init__(self, log_in: Callable[[str, str], Any], *, name: str = "",
                 first_delay: float = 1.0) -> None:
        super().__init__()
        self._log_in = log_in
        self._name = name
        self._first_delay = first_delay
        #: failed attempts in a row
        self.failures = 0
        #: seconds the fields stay disabled after the last failure (0: not waiting)
        self.waiting = 0.0
        self.checking = False
        self._last = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Center(), Vertical(id="login", classes="dialog"):
            yield Static(Text("Aanmelden", style="bold"), classes="dialog-title")
            yield Static("Deze database wordt gedeeld. Meld u aan met uw naam en wachtwoord.", markup=False)
            yield Label("Naam", classes="field-label", markup=False)
            yield Input(self._name, id="login-name", placeholder="voornaam en achternaam")
            yield Label("Wachtwoord", classes="field-label", markup=False)
            yield Input(id="login-password", password=True)
            yield Label("", id="login-error", classes="error", markup=False)
            yield Static("enter aanmelden · tab volgend veld · esc stoppen", classes="dialog-hint",
                         markup=False)
        yield Footer()

    def on_mount(self) -> None:
        target = "#login-password" if self._name else "#login-name"
        self.query_one(target, Input).focus()

    # ------------------------------------------------------------------ input
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "login-name" and not self.query_one("#login-password", Input).value:
            self.query_one("#login-password", Input).focus()
            return
        self.submit()

    def submit(self) -> None:
        if self.checking or self.waiting:
            return
        name = self.query_one("#login-name", Input).value.strip()
        password = self.query_one("#login-password", Input).value
        if not name:
            self._say("Geef uw naam.")
            self.query_one("#login-name", Input).focus()
            return
        if not password:
            self._say("Geef uw wachtwoord.")
            self.query_one("#login-password", Input).focus()
            return
        self.checking = True
        self._enable(False)
        self._say("Bezig met aanmelden…", error=False)
        log_in = self._log_in
        run_service(self, lambda: log_in(name, password), self._succeeded, on_error=self._failed,
                    group="login", exclusive=True)

    def _succeeded(self, actor: Any) -> None:
        self.checking = False
        self.dismiss(actor)

    def _failed(self, exc: KindrouteError) -> None:
        self.checking = False
        self.query_one("#login-password", Input).value = ""
        if not isinstance(exc, IdentityRequired):  # the database, not the person: no waiting
            self._say(str(exc))
            self._enable(True)
            return
        self._last = str(exc)
        self.failures += 1
        self.waiting = login_delay(self.failures, self._first_delay)
        self._say(f"{exc} Even wachten ({self.waiting:g} s)…")
        self.set_timer(self.waiting, self._wait_over)

    def _wait_over(self) -> None:
        self.waiting = 0.0
        self._enable(True)
        self._say(f"{self._last} Probeer het opnieuw.")

    # ------------------------------------------------------------------ helpers
    def _enable(self, on: bool) -> None:
        for field in self.query(Input).results(Input):
            field.disabled = not on
        if on:
            self.query_one("#login-password", Input).focus()

    def _say(self, message: str, error: bool = True) -> None:
        label = self.query_one("#login-error", Label)
        label.update(message)
        label.set_class(bool(message), "shown")
        label.set_class(not error, "dim")

    def action_stop(self) -> None:
        self.dismiss(None)
