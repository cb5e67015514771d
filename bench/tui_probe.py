"""P2 and P4, measured inside one fresh process driving the real app headless with Pilot.

``python bench/tui_probe.py --db FILE --who ID --text jans --rounds 3`` prints one JSON line:

* ``rss_kb``: VmRSS of this process once the Casussen list shows its first data (P4);
* ``keys``: for every keystroke typed in the ``/`` filter (each letter of ``--text``, then as
  many backspaces), the milliseconds from sending the key until the list has applied the
  first page of rows of the new filter *and* painted them (P2), and, for context, until
  the exact count of the new filter was in (``count_ms``; the list shows its rows first
  and the count when it is made).

The app starts as plain ``kindroute`` starts it: the garbage collector paused until the first
frame, and settled once the start-up's work is over; the samples begin after that.

"Painted" is observed, not assumed: the probe wraps three methods of the app's own
:class:`~kindroute.widgets.case_list.CaseList` — its handlers for a loaded page (the moment
the new rows are in the widget) and a finished count, and ``render_line`` (Textual calls
it while composing a frame). A keystroke is done at the first ``render_line`` after the
first page of the filter's generation was applied.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import time
from pathlib import Path
from typing import Any


def vm_kb(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def start_as_kindroute() -> None:
    """Before the app is made: the garbage collector paused until its first frame, as plain
    ``kindroute`` does (kindroute/__main__.py); the app settles it once its start-up is over."""
    from kindroute.services.early_page import pause_collector

    pause_collector()


async def start_over(until: Any) -> None:
    """Wait until the app's start-up is over and the collector settled (services/early_page.py),
    as a person's first keystroke comes after it. (A check of the heads that fails never ends
    the start-up: then the samples begin at the timeout.)"""
    from kindroute.services.early_page import collector_to_settle

    with contextlib.suppress(TimeoutError):
        await until(lambda: not collector_to_settle(), "the start-up's end")


def shared_actor(db: str, who: str) -> Any:
    """On a shared (PostgreSQL) database, the person ``who`` resolved beforehand.

    A name alone never opens a shared database in the app (it asks for a password); the
    probe measures the lists, not the login, so it hands the app the person directly.
    """
    from kindroute.bootstrap import is_shared

    if not is_shared(db):
        return None
    from kindroute.services import Services
    from kindroute.store.db import open_database

    database = open_database(db)
    try:
        return Services(database).resolve_actor(int(who) if who.isdigit() else who)
    finally:
        database.dispose()


async def probe(db: str, who: str, text: str, rounds: int, timeout: float) -> dict[str, Any]:
    from kindroute.app import KindrouteApp
    from kindroute.widgets.case_list import CaseList

    applied: dict[int, float] = {}  # generation -> when its first page was applied
    painted: dict[int, float] = {}  # generation -> first render_line after that
    counted: dict[int, float] = {}  # generation -> when its exact count was applied

    original_loaded = CaseList.on_case_list_page_loaded
    original_counted = CaseList.on_case_list_count_loaded
    original_render = CaseList.render_line

    def on_loaded(self: CaseList, message: Any) -> None:
        original_loaded(self, message)
        if message.generation == self.generation and message.fresh:
            applied.setdefault(self.generation, time.perf_counter())
        if message.generation == self.generation and self.counted:
            counted.setdefault(self.generation, time.perf_counter())

    def on_counted(self: CaseList, message: Any) -> None:
        original_counted(self, message)
        if message.generation == self.generation and self.counted:
            counted.setdefault(self.generation, time.perf_counter())

    def render_line(self: CaseList, y: int) -> Any:
        strip = original_render(self, y)
        gen = self.generation
        if gen in applied and gen not in painted:
            painted[gen] = time.perf_counter()
        return strip

    CaseList.on_case_list_page_loaded = on_loaded  # type: ignore[method-assign]
    CaseList.on_case_list_count_loaded = on_counted  # type: ignore[method-assign]
    CaseList.render_line = render_line  # type: ignore[method-assign]

    async def until(cond: Any, what: str) -> None:
        deadline = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.0005)

    start_as_kindroute()
    app = KindrouteApp(db=db, who=who, actor=shared_actor(db, who), remember=False)
    result: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: app.ready or app.failed, "the worklist")
        if app.failed:
            raise RuntimeError("the app could not open the database")
        await start_over(until)
        started = time.perf_counter()
        await pilot.press("c")
        await until(lambda: type(app.screen).__name__ == "CasesScreen" and bool(app.screen.query(CaseList)),
                    "the Casussen screen")
        case_list = app.screen.query_one(CaseList)
        await until(lambda: case_list.generation in painted and case_list.counted, "the case list")
        result["open_ms"] = (time.perf_counter() - started) * 1000
        result["count"] = case_list.count
        gc.collect()
        await pilot.pause()
        result["rss_kb"] = vm_kb("VmRSS")
        result["hwm_kb"] = vm_kb("VmHWM")
        await pilot.press("slash")
        keys = list(text) + ["backspace"] * len(text)
        samples: list[dict[str, Any]] = []
        for _ in range(rounds):
            for key in keys:
                before = case_list.generation
                t0 = time.perf_counter()
                await pilot.press(key)
                await until(lambda b=before: case_list.generation > b and case_list.generation in painted,
                            f"the list after {key!r}")
                gen = case_list.generation
                await until(lambda g=gen: g in counted, f"the count after {key!r}")
                samples.append({
                    "key": key, "ms": (painted[gen] - t0) * 1000,
                    "data_ms": (applied[gen] - t0) * 1000, "count_ms": (counted[gen] - t0) * 1000,
                    "count": case_list.count,
                })
                await pilot.pause()
        result["keys"] = samples
        result["rss_after_kb"] = vm_kb("VmRSS")
        app.exit()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--who", required=True)
    ap.add_argument("--text", default="jans")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    out = asyncio.run(probe(args.db, args.who, args.text, args.rounds, args.timeout))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
