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
refresh (``call_after_refresh``); a sample ends there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from tui_probe import shared_actor, start_as_kindroute, start_over


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

    CaseScreen.show = case_loaded  # type: ignore[method-assign]
    FlowchartScreen.on_flowchart_screen_counted = flow_loaded  # type: ignore[method-assign]
    CaseList.on_case_list_page_loaded = page_loaded  # type: ignore[method-assign]

    async def until(cond: Any, what: str) -> None:
        deadline = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.0005)

    async def timed(press: Any, what: str) -> float:
        before = len(painted)
        t0 = time.perf_counter()
        await press()
        await until(lambda: len(painted) > before, what)
        return (painted[before] - t0) * 1000

    start_as_kindroute()
    app = KindrouteApp(db=db, who=who, actor=shared_actor(db, who), remember=False)
    samples: list[float] = []
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
                ms = await timed(lambda: pilot.press("enter"), "the case screen")
                assert isinstance(app.screen, CaseScreen)
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
    return {"samples": samples, "floor": floor, "reload": reload, "mode": mode}


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
