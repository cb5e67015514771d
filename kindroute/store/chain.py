"""The hash chain over a case's history: each event seals its content and its predecessor."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

GENESIS = "0" * 64


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
    payload = json.dumps(
        [
            case_id,
            seq,
            track,
            from_step,
            to_step,
            trigger,
            actor_id,
            actor_name,
            at.replace(tzinfo=None).isoformat(timespec="microseconds"),
            note,
            prev_hash,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
