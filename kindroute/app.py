"""The kindroute Textual app: a keyboard-driven face over the services.

Start-up is quick on purpose: the first frame is the worklist screen itself (header, "Laden…",
footer), built from Textual and kindroute's own screen modules only. After it, a worker opens
the database. A local file that names the person acting takes the quick way in
(:func:`kindroute.bootstrap.open_first_page`, SQLAlchemy Core only): the worklist reads its
first page through the case lists, and once those rows are on screen a second worker builds
the full services (ORM, engine, history check) and hands them over; keys on a case wait for
that moment. Otherwise the front door (:func:`kindroute.bootstrap.open_services`) decides: the
worklist, the welcome screen for an empty file, a question (the choice of person on a file, the
login screen on a shared database), or the database's problem. ``c``, ``w`` and ``b`` work from
the first frame and open their screen once the data is there.

On a second start the first frame has the rows: ``kindroute`` reads the worklist's first page
from the statements kept at the previous start while this module (Textual) is still being
imported (:mod:`kindroute.services.early_page`), and the worklist shows them as it mounts. The
count, the full services and the check of the heads follow the first frame.

For measuring start-up from the outside (``bench/``), the app appends ``time.time()`` and a
newline once to the file named by ``KINDROUTE_READY_FILE`` when the worklist is shown and takes
keys, and to ``KINDROUTE_ROWS_FILE`` when it shows the result of its first load.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from kindroute.screens.base import use_fresh_contexts
from kindroute.screens.navigation import GlobalActions
from kindroute.screens.start_up import (
    SHARED_EMPTY,
    FirstPageOpen,
    HeadsChecked,
    Opened,
    ProblemScreen,
)
from kindroute.screens.worklist import WorklistScreen
from kindroute.widgets.palette import KindrouteCommands
from kindroute.widgets.styles_cache import cache_on_colours
from kindroute.widgets.title_bar import refresh_title_bars

if TYPE_CHECKING:

    from kindroute.bootstrap import FirstStart, Front
    from kindroute.services import Actor, Services
    from kindroute.services.early_page import EarlyPage
    from kindroute.services.quick_page import KeptStart

log = logging.getLogger(__name__)

class KindrouteApp(GlobalActions):
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
        Binding("p", "people", "Mensen", id="people", show=False),
        Binding("i", "swv('monitor')", "Inzicht", id="monitor", show=False),  # the SWV's view
        Binding("v", "swv('board')", "Verbeterbord", id="board", show=False),
        Binding("k", "swv('partners')", "Sociale kaart", id="partners", show=False),
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
        early: EarlyPage | None = None,
    ) -> None:
        super().__init__()
        cache_on_colours()  # closed screens take their drawn lines with them (Textual keeps them)
        self._services = services
        self.front: Front | None = None
        self._db = db
        self._who = who
        self._route = route
        self._clock = clock
        self._remember = remember
        self.actor: Actor | None = actor
        self._marked: set[str] = set()
        self._open_done = False
        self._pending: str | Callable[[], Any] | None = None
        #: The quick way in, while the full services are still being built.
        self._first: FirstStart | KeptStart | None = None
        #: The kept first page, read while the app was imported (services/early_page.py).
        self._early = early
        #: The worklist screen is shown and takes keys (its first frame).
        self.interactive = False
        #: The database is open and the acting person known: screens may use the services.
        self.opened = False
        #: The worklist shows the result of its first load.
        self.ready = False
        self.failed = False
        #: The start-up's work is over (the full services built, the heads checked).
        self._started = False

    # ------------------------------------------------------------------ start-up
    @property
    def services(self) -> Services:
        assert self._services is not None, "services are not open yet"
        return self._services

    def get_default_screen(self) -> Screen[Any]:
        """The first screen is the worklist; it waits for the database (see :meth:`start`)."""
        return WorklistScreen()

    def watch_title(self) -> None:
        refresh_title_bars(self)

    def watch_sub_title(self) -> None:
        refresh_title_bars(self)

    def on_mount(self) -> None:
        from kindroute.keymap import apply_keymap

        apply_keymap(self)  # the user's keys.toml, if any
        use_fresh_contexts()  # a finished thread worker keeps no screen alive (screens/base.py)
        self.call_after_refresh(self._first_frame)

    def take_early_page(self) -> None:
        """The waiting worklist is mounted: when the kept first page read while the app was
        imported is there already, the worklist loads its rows now, so its first frame shows them
        (no second frame to wait for)."""
        if self._early is None or self._first is not None or self._services is not None:
            return
        _ended, first = self._early.take(wait=False)  # still reading: the opening worker waits for it
        if first is not None:
            import kindroute.screens.filter_summary  # noqa: F401 - the list title needs it
            self._show_first(first)

    def _first_frame(self) -> None:
        """The worklist has been painted and takes keys: mark it, then open the database (unless
        the kept first page is on screen already: then the rest follows its rows, see mark_ready)."""
        self.interactive = True
        self._mark("KINDROUTE_READY_FILE")
        self._start_done()
        if self._first is None:
            self._open()
            return
        worklist = self.screen_stack[0]
        if isinstance(worklist, WorklistScreen) and worklist.rows_painted():
            self.mark_ready()  # the first frame showed the rows (not queued behind the footer's rebuild)

    def mark_ready(self) -> None:
        """The worklist shows the result of its first load."""
        if self.ready:
            return
        self.ready = True
        self._mark("KINDROUTE_ROWS_FILE")
        if self._first is not None:
            self._open_rest(self._first)  # the warm-up and the check of the heads follow it
        else:
            self._warm_up()
            self._check_heads()

    @staticmethod
    def _start_done() -> None:
        """The first frame is on screen (on a second start with its rows): the garbage collector,
        paused by plain ``kindroute``, runs again (services/early_page.py). Not later: the
        database may still be opened, or even upgraded, in a worker."""
        from kindroute.services.early_page import resume_collector

        resume_collector()

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

    @work(thread=True, group="heads", exit_on_error=False)
    def _check_heads(self) -> None:
        """Every case's head, checked with the key once the rows are on screen: at 100,000 cases it
        takes about a second, too long for the path to the first rows."""
        from kindroute.services.head_check import check_case_heads

        try:
            warnings = check_case_heads(self.services.db).warnings()
        except Exception:  # noqa: BLE001 - a check that cannot run must not stop the app
            log.exception("checking the heads of the history failed")
            return
        self.post_message(HeadsChecked(warnings))

    def on_heads_checked(self, message: HeadsChecked) -> None:
        for warning in message.warnings:
            self.notify(warning, severity="warning", markup=False, timeout=20)
        self._started = True
        self.settle_collector_soon()

    #: Seconds to wait, with the worklist alone on screen, before the collector settles.
    SETTLE_S = 1.0

    def settle_collector_soon(self) -> None:
        """Once the worklist is alone on screen after the start-up: see services/early_page.py."""
        from kindroute.services.early_page import collector_to_settle

        if self._started and collector_to_settle():
            self.set_timer(self.SETTLE_S, self._settle_collector)

    def _settle_collector(self) -> None:
        from kindroute.services.early_page import settle_collector

        if len(self.screen_stack) == 1:  # any other screen open would never be collected
            settle_collector()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open(self) -> None:
        from kindroute.bootstrap import Front, open_first_page, open_services

        try:
            if self._services is None and self.actor is None:
                first: FirstStart | KeptStart | None
                if self._early is not None:  # read (or still reading) since before the app
                    _ended, first = self._early.take(wait=True)
                else:
                    from kindroute.services.list_rows import PAGE_SIZE
                    from kindroute.services.quick_page import open_kept_page

                    first = open_kept_page(self._db, self._route, self._who, self._clock,
                                           remember=self._remember, page_size=PAGE_SIZE)
                first = first or open_first_page(self._db, self._route, self._who, self._clock,
                                                 remember=self._remember)
                if first is not None:
                    import kindroute.screens.filter_summary  # noqa: F401 - the list title needs it
                    self.post_message(FirstPageOpen(first))
                    return
            if self._services is not None:
                front = Front(self._services, who=self._who, remember=self._remember)
            else:
                front = open_services(self._db, self._route, self._who, self._clock, None,
                                      remember=self._remember)
            from kindroute.services.history import check_heads

            self._history_warnings = check_heads(front.services.db)  # shown by on_opened
            empty = front.services.count_people() == 0
            actor, problem = (self.actor, None)
            if actor is None and not empty:
                actor, problem = front.known_person()
            import kindroute.screens.filter_summary  # noqa: F401 - the list title needs it; load it here
        except Exception as exc:  # noqa: BLE001 - a line for the user (details in the log)
            self._open_failed(exc)
            return
        self.post_message(Opened(front, empty, actor, problem))

    def _open_failed(self, exc: Exception) -> None:
        """Opening went wrong (in a worker): the user's own message, or one line with the log."""
        from kindroute.errors import KindrouteError

        if isinstance(exc, KindrouteError):
            self.call_from_thread(self._fatal, str(exc))
            return
        log.error("opening failed", exc_info=exc)
        self.call_from_thread(self._fatal, f"Onverwachte fout bij het openen: {exc}")

    def on_first_page_open(self, message: FirstPageOpen) -> None:
        self._show_first(message.first)

    def _show_first(self, first: FirstStart | KeptStart) -> None:
        """The worklist reads its first page through the case lists; the rest follows (mark_ready)."""
        self._first = first
        self._services = cast("Services", first.lists)  # the lists part of the services, for now
        self.set_actor(first.actor)
        worklist = self.screen_stack[0]
        if isinstance(worklist, WorklistScreen):
            worklist.begin()

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_rest(self, first: FirstStart | KeptStart) -> None:
        """With the first rows on screen: the full services, the history check, the warm-up; then
        the first page is kept as SQL for the next start (services/quick_page.py)."""

        try:
            front = first.front()
            from kindroute.services.history import check_heads

            self._history_warnings = check_heads(front.services.db)
        except Exception as exc:  # noqa: BLE001 - a line for the user (details in the log)
            self._open_failed(exc)
            return
        self.post_message(Opened(front, False, first.actor, None))
        from kindroute.services.quick_page import KeptStart

        if not isinstance(first, KeptStart):  # keep this first page as SQL for the next start
            from kindroute.services.first_page_cache import keep_for_next_start
            from kindroute.services.list_rows import PAGE_SIZE

            keep_for_next_start(front.services, first.actor, self._db, self._who, self._remember, PAGE_SIZE)

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
        front = self.front = message.front
        self._services = front.services
        self._open_done = True
        if self._first is not None:  # the worklist already shows its rows: hand over the rest
            self._first = None
            self.opened = True
            for warning in getattr(self, "_history_warnings", ()):
                self.notify(warning, severity="warning", markup=False, timeout=15)
            self.refresh_bindings()
            self._run_pending()
            self._warm_up()
            self._check_heads()
            return
        if message.empty:
            if front.shared:
                self._fatal(SHARED_EMPTY.format(where=front.where))
                return
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
        """Ask who is acting: the login screen on a shared database, the choice on a local file."""
        front = self.front
        assert front is not None
        if front.shared:
            from kindroute.screens.login import LoginScreen

            self.push_screen(LoginScreen(front.log_in, name=front.name_hint()), callback=self._person_chosen)
            return
        from kindroute.screens.choose_person import ChoosePersonScreen

        self.push_screen(ChoosePersonScreen(front.choose), callback=self._person_chosen)

    def after_demo(self) -> None:
        """Demo data was loaded into an empty file: start as the person known, else ask."""
        from kindroute.screens.base import run_service

        front = self.front
        assert front is not None
        if self.actor is not None:
            self.start(self.actor)
            return

        run_service(self, front.known_person, self._known_after_demo)

    def _known_after_demo(self, found: tuple[Actor | None, str | None]) -> None:
        actor, problem = found
        if problem:
            self.notify(problem, severity="error", markup=False, timeout=10)
        if actor is not None:
            self.start(actor)
        else:
            self.choose_person()

    def remember(self, actor: Actor) -> None:
        """Keep ``actor`` as 'me' for this database (when the app remembers)."""
        if self.front is not None:
            self.front.keep(actor)

    def _person_chosen(self, actor: Actor | None) -> None:
        if actor is None:
            self.exit(return_code=0)
            return
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
        self._run_pending()

    def _run_pending(self) -> None:
        """Run the action (or call) that waited for the data."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            if isinstance(pending, str):
                self.call_later(self.run_action, pending)
            else:
                self.call_later(pending)

    def set_actor(self, actor: Actor) -> None:
        self.actor = actor
        roles = ", ".join(self.services.role_label(r) for r in actor.roles)
        self.sub_title = f"{actor.name} · {roles}"

    def still_loading(self, action: str | None = None, title: str = "",
                      later: Callable[[], Any] | None = None) -> bool:
        """True (and a short notice) while the database is still opening.

        With ``action``, that action runs as soon as the worklist can load its data; with
        ``later``, that call runs once the services are open (after the quick first page: no
        notice, it is a moment).
        """
        if self.opened:
            return False
        if later is not None and self._first is not None:
            self._pending = later
        elif action is not None:
            self._pending = action
            self.notify(f"Nog aan het laden; {title} opent zodra de gegevens er zijn.", markup=False,
                        timeout=3)
        else:
            self.notify("Nog aan het laden…", markup=False, timeout=3)
        return True

    # ------------------------------------------------------------------ global actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("cases", "flowchart", "review", "home", "people", "swv") and not self.opened:
            return not self._open_done  # while opening they wait for the data; then a person is needed
        return True

    def open_case(self, case_id: int) -> None:
        if self.still_loading(later=lambda: self.open_case(case_id)):
            return
        from kindroute.screens.case import open_case_screen

        open_case_screen(self, case_id)

def run_app(db: str | None, who: str | None, route: str | None = None,
            early: EarlyPage | None = None) -> int:
    """Run the app (``kindroute`` without a subcommand); returns the exit code.

    ``KINDROUTE_NOW`` is checked before the first frame (a bad value, or one on a shared
    database, ends here with its message); the database opens through the front door.
    ``early``: the kept first page, being read since before this module was imported.
    """
    from kindroute.bootstrap import check_clock_setting

    check_clock_setting(db)
    app = KindrouteApp(db=db, who=who, route=route, early=early)
    result = app.run()
    if app.return_code is not None:
        return app.return_code
    return int(result or 0)
