"""P7 and P8, measured inside one fresh process driving the real app headless with Pilot.

``python bench/open_probe.py --db FILE --who ID --mode case --reps 7`` prints one JSON line.

* ``--mode case`` (P7): from the worklist, ``enter`` on a case → the case screen painted with
  its header and its first tab ("Wie doet wat"). The cursor moves one row down before every
  open, so each sample opens another case; ``escape`` goes back between samples.
* ``--mode flow`` (P8): ``w`` → the stroomschema painted with the counts per step; ``escape``
  back. Its floor, in the same process: the worklist's first frame with its rows — a fresh
  worklist screen pushed the same way, until its first page is painted (``floor``); beside it,
  as context, the first page reloaded in place in the worklist already on screen (``reload``).

The app starts as plain ``kindroute`` starts it: the garbage collector paused until the first
frame, and settled once the start-up's work is over (services/early_page.py); the samples
begin after that, as a person's would.

"Painted" is observed, not assumed: the probe wraps the screen's own handler that applies
the loaded data (``CaseScreen.show``, ``FlowchartScreen._loaded``,
``CaseList.on_case_list_page_loaded``) and asks Textual for a callback after the next
refresh (``call_after_refresh``); a sample of P8 ends there, and so does P7's "settled" time
(Textual has no layout left to do: after a new screen's first frame it lays the screen out
twice more, its widgets having changed size from nothing, without changing what it shows).

P7's sample ends at the frame a person sees: the probe keeps what the app writes to the
terminal (every full and partial update, applied to a grid of the screen's cells, as a
terminal would) and ends the sample at the first frame after which the grid shows the
case's header (the pupil's name) and its first tab ("Wie doet wat": the table's column
titles and its first row).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from tui_probe import shared_actor, start_as_kindroute, start_over


class Glass:
    """The terminal's cells as the app's updates leave them (text only, one cell a character)."""

    def __init__(self) -> None:
        self.lines: dict[int, list[str]] = {}
        self.screen: Any = None

    def _put(self, y: int, x: int, text: str) -> None:
        line = self.lines.setdefault(y, [])
        if len(line) < x + len(text):
            line.extend(" " * (x + len(text) - len(line)))
        line[x:x + len(text)] = text

    def apply(self, screen: Any, update: Any) -> None:
        """``update`` written for ``screen``; what another screen left counts for nothing
        (stricter than a terminal, which would keep it)."""
        from textual._compositor import ChopsUpdate, LayoutUpdate

        if screen is not self.screen:
            self.screen = screen
            self.lines.clear()

        if isinstance(update, LayoutUpdate):  # the whole screen
            self.lines.clear()
            for y, line in enumerate(update.strips, update.region.y):
                self._put(y, update.region.x, "".join(seg.text for strip in line for seg in strip))
        elif isinstance(update, ChopsUpdate):  # parts of lines
            for y, x1, _x2 in update.spans:
                for x, strip in update.chops[y].items():
                    if strip is not None and x >= x1:
                        self._put(y, x, "".join(seg.text for seg in strip))

    def shows(self, *texts: str) -> bool:
        """Every text on one line of the screen (all on the same line)."""
        return any(all(t in line for t in texts) for line in ("".join(v) for v in self.lines.values()))


def shows_case(glass: Glass, screen: Any) -> bool:
    """The case's header and its first tab, with its first row, are on the terminal."""
    from textual.widgets import DataTable

    d = screen.detail
    if d is None:
        return False
    table = screen.query_one("#who-table", DataTable)
    if not table.row_count:
        return glass.shows(d.pupil) and glass.shows("Rol", "Persoon", "Bij deze stap")
    first = [str(c) for c in table.get_row_at(0)][:2]
    return glass.shows(d.pupil) and glass.shows("Rol", "Persoon", "Bij deze stap") and glass.shows(*first)


async def probe(db: str, who: str, mode: str, reps: int, timeout: float) -> dict[str, Any]:
    from kindroute.app import KindrouteApp
    from kindroute.screens.case import CaseScreen
    from kindroute.screens.flowchart import FlowchartScreen
    from kindroute.widgets.case_list import CaseList

    painted: list[float] = []

    def after_refresh(widget: Any) -> None:
        widget.call_after_refresh(lambda: painted.append(time.perf_counter()))

    original_case = CaseScreen.show
    original_flow = FlowchartScreen.on_flowchart_screen_counted
    original_page = CaseList.on_case_list_page_loaded

    def case_loaded(self: CaseScreen, detail: Any) -> None:
        original_case(self, detail)
        after_refresh(self)

    def flow_loaded(self: FlowchartScreen, message: Any) -> None:
        original_flow(self, message)
        after_refresh(self)

    def page_loaded(self: CaseList, message: Any) -> None:
        fresh = message.fresh and message.generation == self.generation
        original_page(self, message)
        if fresh:
            after_refresh(self)

    glass = Glass()
    seen: list[float] = []  # P7: the first frame that shows the case
    waiting = [False]
    original_display = KindrouteApp._display

    def display(self: KindrouteApp, screen: Any, renderable: Any) -> None:
        original_display(self, screen, renderable)
        if renderable is None or screen is not self.screen:
            return
        glass.apply(screen, renderable)
        if waiting[0] and isinstance(screen, CaseScreen) and shows_case(glass, screen):
            waiting[0] = False
            seen.append(time.perf_counter())

    KindrouteApp._display = display  # type: ignore[method-assign]
    CaseScreen.show = case_loaded  # type: ignore[method-assign]
    FlowchartScreen.on_flowchart_screen_counted = flow_loaded  # type: ignore[method-assign]
    CaseList.on_case_list_page_loaded = page_loaded  # type: ignore[method-assign]

    async def until(cond: Any, what: str) -> None:
        deadline = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.0005)

    async def timed(press: Any, what: str, marks: list[float] = painted) -> float:
        before = len(marks)
        t0 = time.perf_counter()
        await press()
        await until(lambda: len(marks) > before, what)
        return (marks[before] - t0) * 1000

    start_as_kindroute()
    app = KindrouteApp(db=db, who=who, actor=shared_actor(db, who), remember=False)
    samples: list[float] = []
    settled: list[float] = []
    floor: list[float] = []
    reload: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: app.ready or app.failed, "the worklist")
        if app.failed:
            raise RuntimeError("the app could not open the database")
        worklist = app.screen
        case_list = worklist.query_one(CaseList)
        await until(lambda: case_list.counted, "the worklist's count")
        await start_over(until)
        await pilot.pause()
        for n in range(reps + 1):  # the first of each is a warm-up (imports), not a sample
            if mode == "case":
                case_list.cursor = n % max(1, min(case_list.count, 40))
                await pilot.pause()
                waiting[0] = True
                before = len(painted)
                ms = await timed(lambda: pilot.press("enter"), "the case on screen", seen)
                assert isinstance(app.screen, CaseScreen)
                await until(lambda b=before: len(painted) > b, "the case screen settled")
                if n:
                    settled.append((painted[before] - seen[-1]) * 1000 + ms)
            else:
                ms = await timed(lambda: pilot.press("w"), "the stroomschema")
                assert isinstance(app.screen, FlowchartScreen)
            if n:
                samples.append(ms)
            await pilot.press("escape")
            await until(lambda: app.screen is worklist, "the worklist again")
            await pilot.pause()
            if mode == "flow":
                # the worklist's first frame with its rows: a fresh worklist screen pushed the same
                # way as the stroomschema (the floor), until its first page is painted
                ms = await timed(lambda: _fresh_worklist(app), "a fresh worklist's rows")
                if n:
                    floor.append(ms)
                fresh = app.screen
                await until(lambda s=fresh: s.query_one(CaseList).counted, "its count")
                app.pop_screen()
                await until(lambda: app.screen is worklist, "the worklist again")
                await pilot.pause()
                # context: the rows reloaded in place in the worklist already on screen
                ms = await timed(lambda: _reload(worklist), "the worklist's rows")
                if n:
                    reload.append(ms)
                await until(lambda: case_list.counted, "the worklist's count")
                await pilot.pause()
        app.exit()
    return {"samples": samples, "settled": settled, "floor": floor, "reload": reload, "mode": mode}


async def _reload(worklist: Any) -> None:
    worklist.reload()


async def _fresh_worklist(app: Any) -> None:
    from kindroute.screens.worklist import WorklistScreen

    screen = WorklistScreen()
    await app.push_screen(screen)
    screen.begin()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--who", required=True)
    ap.add_argument("--mode", choices=("case", "flow"), required=True)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(probe(args.db, args.who, args.mode, args.reps, args.timeout))))


if __name__ == "__main__":
    main()
