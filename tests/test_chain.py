"""The hash chain has one canonical form: JSON of the event's fields, whatever writes it."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from kindroute.store.chain import GENESIS, event_hash


def canonical(**e) -> str:  # type: ignore[no-untyped-def]
    """The documented form, spelled out with json.dumps."""
    payload = json.dumps([e["case_id"], e["seq"], e["track"], e["from_step"], e["to_step"], e["trigger"],
                          e["actor_id"], e["actor_name"],
                          e["at"].replace(tzinfo=None).isoformat(timespec="microseconds"),
                          e["note"], e["prev_hash"]], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("note", ["", "gewoon", 'aanhalingstekens "zo" en \\ schuin', "regel\nregel\ttab",
                                  "Ömer Çelik — ✓ 😀", "\x00\x1b[31m", "\u202eomgekeerd"])
@pytest.mark.parametrize("at", [datetime(2026, 11, 23, 9, 30), datetime(2026, 1, 2, 3, 4, 5, 6),
                                datetime(2026, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))])
def test_event_hash_is_the_canonical_json_form(note, at):
    event = dict(case_id=12, seq=3, track="school", from_step="a", to_step="b", trigger="naar_b",
                 actor_id=7, actor_name=f"Ingrid {note[:3]}", at=at, note=note, prev_hash=GENESIS)
    assert event_hash(**event) == canonical(**event)
    assert event_hash(**{**event, "seq": 4}) != event_hash(**event)
