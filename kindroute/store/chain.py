"""The hash chain over a case's history: each event seals its content and its predecessor.

The hash is SHA-256 over a canonical JSON array of the event's fields and the previous
hash (``json.dumps(..., ensure_ascii=False, separators=(",", ":"))``). :func:`event_hash` is
what the services and the audit call. :func:`seal` is the same hash over parts that are
already encoded, for writers that hash hundreds of thousands of events whose steps, names
and notes repeat (the demo): they encode each repeated part once with :func:`encode` and
:func:`step_part`. Both go through :func:`seal`, so there is one form of the hash.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64


def encode(value: str) -> str:
    """One text field as it stands in the canonical JSON form."""
    return json.dumps(value, ensure_ascii=False)


def step_part(track: str, from_step: str, to_step: str, trigger: str) -> str:
    """The step fields of an event (track, from, to, trigger), encoded once for :func:`seal`."""
    return ",".join(encode(v) for v in (track, from_step, to_step, trigger))


def moment(at: datetime) -> str:
    """The event's time as the hash reads it (naive, microseconds)."""
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def seal(case_id: int, seq: int, step: str, actor_id: int, actor_name: str, at: str, note: str,
         prev_hash: str) -> str:
    """The hash over pre-encoded parts: ``step`` from :func:`step_part`, ``actor_name`` and
    ``note`` from :func:`encode`, ``at`` from :func:`moment` (ISO text, needs no escaping)."""
    payload = f'[{case_id},{seq},{step},{actor_id},{actor_name},"{at}",{note},"{prev_hash}"]'
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_hash(
    *,
    case_id: int,
    seq: int,
    track: str,
    from_step: str,
    to_step: str,
    trigger: str,
    actor_id: int,
    actor_name: str,
    at: datetime,
    note: str,
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON form of the event and the previous hash."""
    return seal(case_id, seq, step_part(track, from_step, to_step, trigger), actor_id, encode(actor_name),
                moment(at), encode(note), prev_hash)
