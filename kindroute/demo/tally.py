"""The monitor's figures of the demo's cases, tallied while they are made.

The bulk load drops the triggers that keep ``report_counts`` and ``report_now``
(:mod:`kindroute.store.figures`); the generator knows every event's day, so it counts here
what the triggers would have added — a few dict increments per event instead of a second
pass over the history — and the rows go in with the last batch. They are deltas like any
other, so ``--append`` simply adds the new cases' rows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kindroute.store.figures import LEAD_TARGETS, NOT_STARTED

_NO_STAY = ("", NOT_STARTED)


class FigureTally:
    def __init__(self, day_iso: list[str]) -> None:
        self.months = [d[:7] for d in day_iso]
        self.counts: Counter[tuple[Any, ...]] = Counter()
        self.now: Counter[tuple[Any, ...]] = Counter()
        # keys are gathered in lists and counted in one C loop per batch (Counter.update)
        self.keys: list[tuple[Any, ...]] = []
        self.now_keys: list[tuple[Any, ...]] = []

    def case(self, school: int, opened_off: int, events: list[tuple[int, str, str, str]],
             tracks: list[dict[str, Any]], status: str) -> None:
        """One case: opened ``opened_off`` days ago, its events as (day offset, track, from, to)
        in order, its track rows and its status."""
        months, add = self.months, self.keys.append
        add(("open", school, "", "", "", months[opened_off], 0))
        last: dict[str, int] = {}
        arrived: set[str] = set()
        for off, track, source, dest in events:
            m = months[off]
            add(("move", school, track, source, dest, m, 0))
            if source not in _NO_STAY:
                add(("stay", school, track, source, "", m, last.get(track, opened_off) - off))
            if dest in LEAD_TARGETS and dest not in arrived:
                arrived.add(dest)
                add(("lead", school, "", dest, "", m, opened_off - off))
            last[track] = off
        for t in tracks:
            self.now_keys.append((school, t["track"], t["step"], t["deadline"], status,
                                  0 if t["at_turn_role"] is None else 1))

    def flush(self) -> None:
        """Count the keys gathered so far."""
        self.counts.update(self.keys)
        self.now.update(self.now_keys)
        self.keys, self.now_keys = [], []

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """The tallied rows for ``report_counts`` and ``report_now`` (and start afresh)."""
        self.flush()
        counts = [{"kind": k, "school_id": s, "track": t, "step": a, "to_step": b, "month": m, "days": d,
                   "n": n} for (k, s, t, a, b, m, d), n in self.counts.items()]
        now = [{"school_id": s, "track": t, "step": st, "deadline": dl, "status": stat, "turn": turn, "n": n}
               for (s, t, st, dl, stat, turn), n in self.now.items()]
        self.counts, self.now = Counter(), Counter()
        return {"report_counts": counts, "report_now": now}
