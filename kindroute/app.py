"""The kindroute Textual app: a keyboard-driven face over the services.

Start-up is quick on purpose: the first frame is the worklist screen itself (header,
"Laden…" in the list, footer with its keys), built from Textual and kindroute's own
screen modules only. After that frame, a thread worker imports the services (SQLAlchemy,
the workflow engine), opens the database, checks its schema, resolves who is acting and
hands over; the worklist then loads its rows in a worker of its own. An empty database
replaces the worklist with the welcome screen, an unknown person with a choice, and a
database that cannot be used with its message.

Keys work from the first frame: ``c``, ``w`` and ``b`` wait until the data is there and
then open their screen; actions on a case say that the list is still loading.

Two environment variables exist for measuring start-up from the outside (``bench/``):

* ``KINDROUTE_READY_FILE=path``: the app appends ``time.time()`` and a newline once, when
  the worklist screen is shown and takes keys (its first frame; the rows may still load).
* ``KINDROUTE_ROWS_FILE=path``: the app appends ``time.time()`` and a newline once, when
  the worklist shows the result of its first load (its rows, or that there are none).
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
from textual.screen import Screen
from textual.widgets import Footer, Static

from kindroute.screens.worklist import WorklistScreen
from kindroute.widgets.palette import KindrouteCommands
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from rich.text import Text

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
        self._marked: set[str] = set()
        self._open_done = False
        self._pending: str | None = None
        #: The worklist screen is shown and takes keys (its first frame).
        self.interactive = False
        #: The database is open and the acting person known: screens may use the services.
        self.opened = False
        #: The worklist shows the result of its first load.
        self.ready = False
        self.failed = False

    # ------------------------------------------------------------------ start-up
    @property
    def services(self) -> Services:
        assert self._services is not None, "services are not open yet"
        return self._services

    def get_default_screen(self) -> Screen[Any]:
        """The first screen is the worklist; it waits for the database (see :meth:`start`)."""
        return WorklistScreen()

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        """The waiting worklist has been painted and takes keys: mark it, then open the database."""
        self.interactive = True
        self._mark("KINDROUTE_READY_FILE")
        self._open()

    def mark_ready(self) -> None:
        """The worklist shows the result of its first load."""
        if self.ready:
            return
        self.ready = True
        self._mark("KINDROUTE_ROWS_FILE")
        self._warm_up()

    def _mark(self, variable: str) -> None:
        """Append ``time.time()`` to the file named by ``variable`` (once per variable)."""
        path = os.environ.get(variable)
        if not path or variable in self._marked:
            return
        self._marked.add(variable)
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"{time.time()}\n")
        except OSError as exc:
            log.warning("%s not written: %s", variable, exc)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import the screens a user opens next while the list is on screen and idle."""
        import kindroute.screens.case  # noqa: F401
        import kindroute.screens.step  # noqa: F401

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> None:
        from kindroute.errors import KindrouteError

        try:
            services = self._services or self._make_services()
            from kindroute.services.history import check_heads

            self._history_warnings = check_heads(services.db)  # shown by on_opened
            empty = services.count_people() == 0
            actor, problem = (self.actor, None)
            if actor is None and not empty:
                actor, problem = self._resolve_actor(services)
            import kindroute.screens.filters  # noqa: F401 - the list title needs it; load it here
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

    def _leave_start(self) -> None:
        """Close whatever was opened above the waiting worklist; forget a waiting action."""
        self._pending = None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.refresh_bindings()

    def _fatal(self, message: str) -> None:
        from rich.text import Text

        self._open_done = True
        self.failed = True
        self._leave_start()
        text = Text(message + "\n\n", style="bold")
        text.append("Druk op q om te stoppen.", style="dim")
        self.push_screen(ProblemScreen(text))

    def on_opened(self, message: Opened) -> None:
        self._services = message.services
        self._open_done = True
        if message.empty:
            from kindroute.screens.welcome import WelcomeScreen

            self._leave_start()
            self.push_screen(WelcomeScreen())
            return
        if message.problem:
            self.notify(message.problem, severity="error", markup=False, timeout=10)
        for warning in getattr(self, "_history_warnings", ()):
            self.notify(warning, severity="warning", markup=False, timeout=15)
        if message.actor is None:
            self._leave_start()
            self.choose_person()
        else:
            self._begin(message.actor)

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
        """Show the worklist for ``actor``, closing the screens above it (welcome, choice)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self._begin(actor)

    def _begin(self, actor: Actor) -> None:
        """The person is known: the worklist (always the bottom screen) loads its rows."""
        self.set_actor(actor)
        self.opened = True
        worklist = self.screen_stack[0]
        if isinstance(worklist, WorklistScreen):
            worklist.begin()
        self.refresh_bindings()
        if self._pending is not None:
            action, self._pending = self._pending, None
            self.call_later(self.run_action, action)

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        roles = ", ".join(self.services.role_label(r) for r in actor.roles)
        self.sub_title = f"{actor.name} · {roles}"

    def still_loading(self, action: str | None = None, title: str = "") -> bool:
        """True (and a short notice) while the database is still opening.

        With ``action``, that action runs as soon as the worklist can load its data.
        """
        if self.opened:
            return False
        if action is not None:
            self._pending = action
            self.notify(f"Nog aan het laden; {title} opent zodra de gegevens er zijn.", markup=False,
                        timeout=3)
        else:
            self.notify("Nog aan het laden…", markup=False, timeout=3)
        return True

    # ------------------------------------------------------------------ global actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cases", "flowchart", "review", "home") and not self.opened:
            return not self._open_done  # while opening they wait for the data; then a person is needed
        return True

    def open_case(self, case_id: int) -> None:
        from kindroute.screens.case import CaseScreen

        self.push_screen(CaseScreen(case_id))

    def action_home(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, WorklistScreen):
            self.pop_screen()

    def action_cases(self) -> None:
        if self.still_loading("cases", "Casussen"):
            return
        from kindroute.screens.cases import CasesScreen

        if not isinstance(self.screen, CasesScreen):
            self.push_screen(CasesScreen())

    def action_flowchart(self, case_id: int | None = None) -> None:
        if self.still_loading("flowchart", "het stroomschema"):
            return
        from kindroute.screens.flowchart import FlowchartScreen

        if not isinstance(self.screen, FlowchartScreen):
            self.push_screen(FlowchartScreen(case_id=case_id))

    def action_review(self) -> None:
        if self.still_loading("review", "de bespreking"):
            return
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
        if len(self.screen_stack) > 1:
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
