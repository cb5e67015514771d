"""What the app hears and shows while it opens: its start-up workers' messages, the problem screen.

The workers of :class:`kindroute.app.KindrouteApp` open the database off the UI thread and
post these messages; the app's handlers own what is shown. When the database cannot be
opened, :class:`ProblemScreen` says why and ``q`` stops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from rich.text import Text

    from kindroute.services import Actor

#: An empty shared database is set up from the command line, never by whoever opens it first.
SHARED_EMPTY = (
    "De gedeelde database {where} is nog leeg. De beheerder van het SWV richt hem in vanaf de "
    "opdrachtregel: kindroute user add NAAM --role swv --organisation SWV --db … (met wachtwoord)."
)


class Opened(Message):
    """The database is open (through the front door, a ``kindroute.bootstrap.Front``): what the
    app should show first."""

    def __init__(self, front: Any, empty: bool, actor: Actor | None, problem: str | None) -> None:
        super().__init__()
        self.front = front
        self.empty = empty
        self.actor = actor
        self.problem = problem


class HeadsChecked(Message):
    """Every case's head has been checked (in the background): Dutch warnings, empty when in order."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__()
        self.warnings = warnings


class FirstPageOpen(Message):
    """A quick way in worked (``FirstStart`` or ``KeptStart``): the case lists and who is acting."""

    def __init__(self, first: Any) -> None:
        super().__init__()
        self.first = first


class ProblemScreen(Screen[None]):
    """The database could not be opened: the message, and ``q`` to stop."""

    def __init__(self, message: Text) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Middle(id="problem"), Center():
            yield Static(self.message, id="problem-text")
        yield Footer()
