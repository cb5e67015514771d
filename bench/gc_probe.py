"""P7 or P8 (bench/open_probe.py) with the garbage collector's passes logged: one JSON line.

``python bench/gc_probe.py --db FILE --who ID --mode case --reps 30 [--cpu] [--without X]``

* ``samples`` as open_probe's, in wall ms, or with ``--cpu`` in CPU ms of the process (all its
  threads: ``time.process_time``), which other work on a shared machine disturbs far less;
* ``full``: every full (generation 2) pass in CPU ms, and ``young``: the CPU ms of all the
  others; ``alive``: the objects the collector still walks at the end (not the frozen ones).

``--without`` turns off, for an A/B run, what the app does for its collector: ``styles-cache``
(closed screens' lines cached by Textual, see kindroute/widgets/styles_cache.py) and ``settle``
(the full collection and freeze after the start-up, see kindroute/services/early_page.py).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import time
import types
from typing import Any

import open_probe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--who", required=True)
    ap.add_argument("--mode", choices=("case", "flow"), required=True)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--cpu", action="store_true", help="samples in CPU ms of the process")
    ap.add_argument("--without", action="append", default=[], choices=("styles-cache", "settle"))
    args = ap.parse_args()

    passes: list[tuple[int, float]] = []  # (generation, CPU ms)
    started: list[float] = [0.0]

    def logged(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            passes.append((info["generation"], (time.process_time() - started[0]) * 1000))

    if "styles-cache" in args.without:
        import kindroute.app

        kindroute.app.cache_on_colours = lambda: None  # type: ignore[assignment]
    if "settle" in args.without:
        from kindroute.services import early_page

        early_page.settle_collector = early_page._to_settle.clear  # type: ignore[assignment]
    if args.cpu:
        open_probe.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[assignment]
    gc.callbacks.append(logged)
    res = asyncio.run(open_probe.probe(args.db, args.who, args.mode, args.reps, 120.0))
    gc.callbacks.remove(logged)
    samples = res["samples"]
    full = [ms for generation, ms in passes if generation == 2]
    print(json.dumps({
        "mode": args.mode, "clock": "cpu" if args.cpu else "wall", "without": args.without,
        "median": round(statistics.median(samples), 1), "max": round(max(samples), 1),
        "samples": [round(ms, 1) for ms in samples],
        "full": [round(ms, 1) for ms in full], "young": round(sum(ms for g, ms in passes if g < 2)),
        "alive": len(gc.get_objects()),
    }))


if __name__ == "__main__":
    main()
