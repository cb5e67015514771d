"""The kept first page, read while the app is still being imported.

Plain ``kindroute`` starts :class:`EarlyPage` before it imports the app (Textual alone takes
about 150 ms to import): a thread reads the worklist's first page from the statements kept at
the previous start (:func:`kindroute.services.quick_page.open_kept_page`: the standard
library's ``sqlite3``, no SQLAlchemy, no Textual). That read is over long before the worklist
is mounted, so the app's first frame shows the rows instead of "Laden…" and a second frame.
Should the read not be over when the worklist mounts, the app's opening worker waits for it
rather than reading the page again; when nothing kept fits, the app takes the Core way in.

Plain ``kindroute`` also pauses the garbage collector until the first frame is on screen (on a
second start, with its rows) (:func:`pause_collector`, :func:`resume_collector`): importing
Textual and building the first screen make some 50,000 objects that live as long as the app,
and the collector walked them all once before the rows (a full collection: 20-60 ms, more than
the floor app's whole collecting). Resumed, those objects are moved out of its way
(``gc.freeze``), so later collections, e.g. between two keystrokes, do not walk them either.

The full services, built after the first frame, and the check of the heads make some 70,000
more objects that live as long as the app; once that work is over and the worklist alone is on
screen, one full collection moves what is left out of the way too (:func:`settle_collector`).
Measured at 100,000 cases while cases are opened and closed: each full collection then takes
15 ms instead of 35 ms (80-120 ms before closed screens stopped leaving their lines behind, see
:mod:`kindroute.widgets.styles_cache`).

A closed screen is garbage in cycles (Textual links a widget and its parent both ways), so
only a full collection frees it, and one came about every second case opened, in the middle of
building the next screen: 15-25 ms before its first frame. With a collector that kindroute
manages (plain ``kindroute``), the collection comes when a screen has closed and the screen
below is painted again (:func:`collect_closed`), while the person looks at it; the next
screen is built without one.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kindroute.services.list_rows import PAGE_SIZE

if TYPE_CHECKING:
    from kindroute.services.quick_page import KeptStart

log = logging.getLogger(__name__)


class EarlyPage:
    """The kept first page for ``db``, ``route`` and ``who`` (as the app is started with), read in
    a thread of its own; :meth:`take` hands it to the app once."""

    def __init__(self, db: str | None, route: str | None, who: str | None, *, remember: bool = True,
                 clock: Callable[[], datetime] | None = None, page_size: int = PAGE_SIZE) -> None:
        self.db, self.route, self.who, self.remember, self.clock = db, route, who, remember, clock
        self.page_size = page_size
        self._start: KeptStart | None = None
        self._done = threading.Event()
        self._taken = False
        self._thread = threading.Thread(target=self._read, name="kindroute-early-page", daemon=True)

    @classmethod
    def begin(cls, db: str | None, route: str | None, who: str | None, *, remember: bool = True,
              clock: Callable[[], datetime] | None = None) -> EarlyPage:
        """Start reading (without ``clock``, the app's own: ``KINDROUTE_NOW`` or now)."""
        early = cls(db, route, who, remember=remember, clock=clock)
        early._thread.start()
        return early

    def _read(self) -> None:
        try:
            from kindroute.services.quick_page import open_kept_page

            self._start = open_kept_page(self.db, self.route, self.who, self.clock,
                                         remember=self.remember, page_size=self.page_size)
        except Exception as exc:  # noqa: BLE001 - then the app opens the database its usual way
            log.info("early first page not read: %r", exc)
            self._start = None
        finally:
            self._done.set()

    @property
    def done(self) -> bool:
        """The read is over (with or without a page)."""
        return self._done.is_set()

    def take(self, wait: bool) -> tuple[bool, KeptStart | None]:
        """``(ended, start)``: whether the read is over (after waiting for it, with ``wait``) and
        the kept start it found, handed out once (later calls give ``(True, None)``)."""
        if wait:
            self._done.wait()
        if not self._done.is_set():
            return False, None
        start, self._start = self._start, None
        taken, self._taken = self._taken, True
        return True, None if taken else start


_paused: list[bool] = []
_to_settle: list[bool] = []
_managed: list[bool] = []


def pause_collector() -> None:
    """Pause the garbage collector for the start (see the module's docstring)."""
    if gc.isenabled():
        gc.disable()
        _paused.append(True)
        _to_settle.append(True)
        _managed[:] = [True]


def collect_closed() -> None:
    """A screen was closed and the one below it painted again: collect it now, not during the
    next screen's build (see the module's docstring). Only with a collector that kindroute
    manages and that runs: another program using the app keeps its own collector's rhythm."""
    if _managed and not _paused and gc.isenabled():
        gc.collect()


def resume_collector() -> None:
    """The start is over (the first frame is on screen): the objects made so far go to the
    permanent generation and the collector runs again. Only after :func:`pause_collector` (once)."""
    if _paused:
        _paused.clear()
        gc.freeze()
        gc.enable()


def collector_to_settle() -> bool:
    """:func:`settle_collector` has something to do: the collector was paused for the start (by
    plain ``kindroute``, not in a test or another program that uses the app) and not settled yet."""
    return bool(_to_settle) and not _paused


def settle_collector() -> None:
    """The start-up's work is over (the full services built, the heads checked): a full collection,
    then every object left goes to the permanent generation too. Once, after :func:`resume_collector`.

    Whatever is alive then is never collected again when it becomes garbage in a cycle, so the
    caller waits until no screen but the worklist is open (a closed screen is such garbage).
    """
    if collector_to_settle() and gc.isenabled():
        _to_settle.clear()
        gc.collect()
        gc.freeze()
