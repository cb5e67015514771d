"""What a pause costs the next operation on this machine, with no database and no kindroute.

Two pure-Python workloads, each timed back to back and right after a pause (the process either
sleeps or busy-waits through it):

- ``tight``: a loop over a few local variables (its memory stays in the CPU's caches);
- ``scattered``: one read from each of a few thousand small lists spread over about 20 MB, as
  an operation that touches many objects does.

If ``scattered`` is several times slower after a pause, sleeping or not, while ``tight`` is not,
then what went cold while the process waited is the memory the operation touches, not the
process itself: P10's sessions pause as people do, and this is what that pause costs them
before any other session is involved (bench/README.md, P10).

``python bench/pause_probe.py [--pause S] [--rounds N] [--json]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

_LISTS: list[list[int]] = []  # made by measure(): about 20 MB of small lists


def tight() -> int:
    s = 0
    for i in range(20_000):
        s += i * i
    return s


def scattered() -> int:
    s = 0
    for values in _LISTS[::7]:  # 2,857 lists, each on pages of its own
        s += values[0]
    return s


def _ms(work: Callable[[], int]) -> float:
    t0 = time.perf_counter()
    work()
    return (time.perf_counter() - t0) * 1000


def _spin(seconds: float) -> None:
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:  # the process keeps its CPU through the pause
        continue


def measure(pause: float = 0.3, rounds: int = 20) -> dict[str, dict[str, float]]:
    """Per workload the median ms back to back, after a sleep of ``pause`` s and after as long
    a busy wait, and the ratio of each to back to back."""
    if not _LISTS:
        _LISTS.extend(list(range(100)) for _ in range(20_000))
    out: dict[str, dict[str, float]] = {}
    for name, work in (("tight", tight), ("scattered", scattered)):
        for _ in range(10):
            work()
        hot = statistics.median(_ms(work) for _ in range(5 * rounds))
        slept, spun = [], []
        for _ in range(rounds):
            time.sleep(pause)
            slept.append(_ms(work))
            _spin(pause)
            spun.append(_ms(work))
        out[name] = {"back_to_back": hot, "after_sleep": statistics.median(slept),
                     "after_busy_wait": statistics.median(spun)}
        out[name]["sleep_ratio"] = out[name]["after_sleep"] / hot
        out[name]["busy_wait_ratio"] = out[name]["after_busy_wait"] / hot
    return out


def describe(res: dict[str, dict[str, float]], pause: float) -> str:
    return "; ".join(
        f"{name} {r['back_to_back']:.2f} ms back to back, {r['after_sleep']:.2f} after a {pause:g} s "
        f"sleep ({r['sleep_ratio']:.1f}×), {r['after_busy_wait']:.2f} after as long a busy wait "
        f"({r['busy_wait_ratio']:.1f}×)"
        for name, r in res.items())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pause", type=float, default=0.3, help="seconds per pause")
    ap.add_argument("--rounds", type=int, default=20, help="pauses per workload and kind")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    res = measure(args.pause, args.rounds)
    print(json.dumps(res) if args.json else describe(res, args.pause))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
