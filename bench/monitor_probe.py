"""M: the Inzicht screen's first frame against the worklist's, in one fresh process with Pilot.

``python bench/monitor_probe.py --db FILE --who ID --rounds 5`` prints one JSON line:

* ``monitor_ms``: per round, from asking the app for the Inzicht screen (the action behind
  ``i``) until that screen has been mounted and painted once (its charts still empty, the
  figures loading in a worker); the first round includes importing the screen's module;
* ``worklist_ms``: the same for a fresh worklist screen pushed the same way;
* ``monitor_data_ms``: until the monitor shows its figures (context: the report's queries).

A frame is "painted" at the first ``call_after_refresh`` callback after the screen is mounted,
the marker the app itself uses for its first frame.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from tui_probe import start_as_kindroute, start_over


async def probe(db: str, who: str, rounds: int, timeout: float) -> dict[str, Any]:
    from kindroute.app import KindrouteApp
    from kindroute.screens.worklist import WorklistScreen

    async def until(cond: Any, what: str) -> None:
        deadline = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.0005)

    async def first_frame(app: Any, before: Any, t0: float) -> tuple[Any, float]:
        await until(lambda: app.screen is not before and app.screen.is_mounted, "the new screen")
        screen = app.screen
        done: list[float] = []
        screen.call_after_refresh(lambda: done.append(time.perf_counter()))
        await until(lambda: bool(done), "its first frame")
        return screen, (done[0] - t0) * 1000

    start_as_kindroute()
    app = KindrouteApp(db=db, who=who, remember=False)
    out: dict[str, Any] = {"monitor_ms": [], "worklist_ms": [], "monitor_data_ms": []}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: app.ready or app.failed, "the worklist")
        if app.failed:
            raise RuntimeError("the app could not open the database")
        await start_over(until)
        for _ in range(rounds):
            before = app.screen
            t0 = time.perf_counter()
            app.push_screen(WorklistScreen())
            screen, ms = await first_frame(app, before, t0)
            out["worklist_ms"].append(ms)
            screen.begin()
            await app.workers.wait_for_complete()
            app.pop_screen()
            await pilot.pause()

            before = app.screen
            t0 = time.perf_counter()
            app.action_swv("monitor")
            screen, ms = await first_frame(app, before, t0)
            out["monitor_ms"].append(ms)
            await until(lambda s=screen: s.report is not None, "the monitor's figures")
            out["monitor_data_ms"].append((time.perf_counter() - t0) * 1000)
            app.pop_screen()
            await pilot.pause()
        app.exit()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--who", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=600.0)
    args = ap.parse_args()
    print(json.dumps(asyncio.run(probe(args.db, args.who, args.rounds, args.timeout))))


if __name__ == "__main__":
    main()
