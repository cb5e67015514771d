"""The kindroute Textual app: a keyboard-driven face over the services.

Start-up is quick on purpose: this module imports only Textual. The database, the
services (SQLAlchemy, transitions) and the screens are imported in a thread worker
after the first frame has been painted; the worklist appears when its data is there.

``KINDROUTE_READY_FILE=path`` makes the app append ``time.time()`` to that file once the
worklist shows its first data and takes keys (a benchmark measures start-up with it).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.message import Message
from textual.widgets import Footer, Header, Static

from kindroute.widgets.palette import KindrouteCommands

if TYPE_CHECKING:
    from kindroute.services import Actor, Services

log = logging.getLogger(__name__)


class Opened(Message):
    """The database is open: what the app should show first."""

    def __init__(self, services: Services, empty: bool, actor: Actor | None, problem: str | None) -> None:
        super().__init__()
        self.services = services
        self.empty = empty
        self.actor = actor
        self.problem = problem


class KindrouteApp(App[int]):
    """Kindroute: wie is aan zet, en wanneer?"""

    CSS_PATH = "app.tcss"
    TITLE = "kindroute"
    COMMANDS = App.COMMANDS | {KindrouteCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"

    BINDINGS = [
        Binding("q", "quit", "Stoppen", id="quit", show=False),
        Binding("question_mark,f1", "help", "Help", id="help", show=True, key_display="?"),
        Binding("ctrl+p", "command_palette", "Opdrachten", id="palette", show=False),
        Binding("c", "cases", "Casussen", id="cases", show=False),
        Binding("w", "flowchart", "Stroomschema", id="flowchart", show=False),
        Binding("b", "review", "Bespreking", id="review", show=False),
        Binding("h", "home", "Werkvoorraad", id="home", show=False),
    ]

    def __init__(
        self,
        services: Services | None = None,
        *,
        db: str | None = None,
        who: str | None = None,
        actor: Actor | None = None,
        clock: Callable[[], datetime] | None = None,
        route: str | None = None,
        remember: bool = True,
    ) -> None:
        super().__init__()
        self._services = services
        self._db = db
        self._who = who
        self._route = route
        self._clock = clock
        self._remember = remember
        self.actor: Actor | None = actor
        self._ready_written = False
        self.ready = False
        self.failed = False

    # ------------------------------------------------------------------ start-up
    @property
    def services(self) -> Services:
        assert self._services is not None, "services are not open yet"
        return self._services

    def compose(self) -> ComposeResult:
        yield Header()
        with Middle(id="splash"), Center():
            yield Static("kindroute wordt geopend…", id="splash-text")
        yield Footer()

    def on_mount(self) -> None:
        self._open()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> None:
        from kindroute.errors import KindrouteError

        try:
            services = self._services or self._make_services()
            empty = services.count_people() == 0
            actor, problem = (self.actor, None)
            if actor is None and not empty:
                actor, problem = self._resolve_actor(services)
            # Import the screens here, in the worker, so the UI thread never waits for them.
            import kindroute.screens.case  # noqa: F401
            import kindroute.screens.worklist  # noqa: F401
        except KindrouteError as exc:
            self.call_from_thread(self._fatal, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - a line for the user, details in the log
            log.exception("opening failed")
            self.call_from_thread(self._fatal, f"Onverwachte fout bij het openen: {exc}")
            return
        self.post_message(Opened(services, empty, actor, problem))

    def _make_services(self) -> Services:
        from kindroute.services import Services
        from kindroute.store.db import open_database
        from kindroute.workflow import load_route

        database = open_database(self._db)
        route = load_route(self._route) if self._route else None
        return Services(database, route, clock=self._clock)

    def _resolve_actor(self, services: Services) -> tuple[Actor | None, str | None]:
        """``--as``, then ``KINDROUTE_USER``, then the remembered person; else ask."""
        from kindroute.config import remembered_person
        from kindroute.errors import KindrouteError

        explicit = self._who or os.environ.get("KINDROUTE_USER")
        if explicit:
            try:
                return services.resolve_actor(explicit), None
            except KindrouteError as exc:
                return None, str(exc)
        remembered = remembered_person(services.db.url) if self._remember else None
        if remembered:
            try:
                return services.resolve_actor(remembered), None
            except KindrouteError:
                return None, None
        return None, None

    def _fatal(self, message: str) -> None:
        from rich.text import Text

        text = Text(message + "\n\n", style="bold")
        text.append("Druk op q om te stoppen.", style="dim")
        self.query_one("#splash-text", Static).update(text)
        self.failed = True

    def on_opened(self, message: Opened) -> None:
        self._services = message.services
        if message.empty:
            from kindroute.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())
            return
        if message.problem:
            self.notify(message.problem, severity="error", markup=False, timeout=10)
        if message.actor is None:
            self.choose_person()
        else:
            self.start(message.actor)

    def choose_person(self) -> None:
        from kindroute.screens.choose_person import ChoosePersonScreen

        self.push_screen(ChoosePersonScreen(), callback=self._person_chosen)

    def _person_chosen(self, actor: Actor | None) -> None:
        if actor is None:
            self.exit(return_code=0)
            return
        if self._remember:
            from kindroute.config import remember_person

            remember_person(self.services.db.url, str(actor.id))
        self.start(actor)

    def start(self, actor: Actor) -> None:
        """Show the worklist for ``actor``, replacing everything above the splash screen."""
        from kindroute.screens.worklist import WorklistScreen

        self.set_actor(actor)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(WorklistScreen())

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        roles = ", ".join(self.services.role_label(r) for r in actor.roles)
        self.sub_title = f"{actor.name} · {roles}"

    def mark_ready(self) -> None:
        """The worklist shows data and takes keys: tell a waiting benchmark (once)."""
        self.ready = True
        if self._ready_written:
            return
        self._ready_written = True
        path = os.environ.get("KINDROUTE_READY_FILE")
        if path:
            try:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(f"{time.time()}\n")
            except OSError as exc:
                log.warning("ready file not written: %s", exc)

    # ------------------------------------------------------------------ global actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cases", "flowchart", "review", "home") and self.actor is None:
            return False
        return True

    def open_case(self, case_id: int) -> None:
        from kindroute.screens.case import CaseScreen

        self.push_screen(CaseScreen(case_id))

    def action_home(self) -> None:
        from kindroute.screens.worklist import WorklistScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, WorklistScreen):
            self.pop_screen()

    def action_cases(self) -> None:
        from kindroute.screens.cases import CasesScreen

        if not isinstance(self.screen, CasesScreen):
            self.push_screen(CasesScreen())

    def action_flowchart(self, case_id: int | None = None) -> None:
        from kindroute.screens.flowchart import FlowchartScreen

        if not isinstance(self.screen, FlowchartScreen):
            self.push_screen(FlowchartScreen(case_id=case_id))

    def action_review(self) -> None:
        from kindroute.screens.review import ChooseReviewSetScreen, ReviewScreen

        def chosen(choice: Any) -> None:
            if choice is not None:
                label, case_filter = choice
                self.push_screen(ReviewScreen(label, case_filter))

        self.push_screen(ChooseReviewSetScreen(), callback=chosen)

    def action_help(self) -> None:
        from kindroute.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        self.exit(return_code=1 if self.failed else 0)

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()


def run_app(db: str | None, who: str | None, route: str | None = None) -> int:
    """Run the app (``kindroute`` without a subcommand); returns the exit code."""
    clock = None
    fixed = os.environ.get("KINDROUTE_NOW")
    if fixed:
        moment = datetime.fromisoformat(fixed)
        clock = lambda: moment  # noqa: E731 - a frozen clock for demos and snapshots
    app = KindrouteApp(db=db, who=who, route=route, clock=clock)
    result = app.run()
    if app.return_code is not None:
        return app.return_code
    return int(result or 0)
