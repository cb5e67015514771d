"""The keyed history (scheme 2): HMAC-SHA256 events, record digests, and the global links.

Scheme 1 events (``store.chain``) seal a step with plain SHA-256: anyone with write access can
recompute them. Scheme 2 events are sealed with HMAC-SHA256 under a key the database does not
hold (``store.history_key``), and carry

* ``kind``: what happened (``step``, ``note``, ``consent``, …);
* ``records``: for every case record the change touched, its table, key and a digest of its
  content after the change (or ``null``: removed). Replaying these per case gives the state every
  record should have; ``audit verify`` compares it with the rows;
* a global link (``gseq``, ``gprev``, ``gprev_case``): every scheme 2 event of every case in one
  sequence, each naming the hash *and case* of the one before, with the newest one's position kept
  (keyed) in ``kindroute_meta``. Removing any event, even a whole case, breaks a link that names it.

The access log is chained the same way (:func:`access_mac`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

SCHEME_PLAIN = 1
SCHEME_KEYED = 2
GENESIS = "0" * 64

#: Per sealed table: the key column (within a case) and the columns whose content is sealed.
SEALED: dict[str, tuple[str, tuple[str, ...]]] = {
    "cases": ("id", ("pupil_id", "school_id", "status", "opened_at", "opened_by_id", "closed_at",
                     "registered_on", "zorgplicht_extended", "route_version")),
    "case_tracks": ("track", ("step", "entered_at", "deadline", "at_turn_role", "entered_seq")),
    "assignments": ("id", ("role", "person_id", "started_at", "ended_at", "assigned_by_id")),
    "consents": ("id", ("role", "organisation", "purpose", "given_by", "pupil_cosigned", "valid_from",
                        "valid_until", "withdrawn_on", "withdrawn_by_id", "withdrawn_reason",
                        "recorded_by_id", "recorded_at")),
    "notes": ("id", ("author_id", "at", "step", "text")),
    "agreements": ("id", ("what", "who_id", "who_role", "due_on", "created_by_id", "created_at",
                          "done_at", "done_by_id")),
    "checklist_ticks": ("id", ("step", "item", "done_by_id", "done_at", "visit")),
    "documents": ("id", ("kind", "outcome", "title", "step", "author_id", "at", "fields_json")),
    "plusklas_placements": ("id", ("location_id", "status", "requested_on", "start_on", "end_on", "days",
                                   "created_by_id", "created_at")),
    # the agenda position is the meeting's order, not the case's: not sealed
    "meeting_items": ("id", ("meeting_id", "conclusion", "notes", "parents_view", "pupil_view", "discussed",
                             "updated_at", "updated_by_id")),
    "meeting_records": ("id", ("item_id", "kind", "ref_id", "at")),
    "pupils": ("id", ("name", "first_name", "tussenvoegsel", "last_name", "date_of_birth", "group",
                      "school_id", "left_school_on")),
}

#: Tables holding a case's own rows (``case_id``), in the order ``audit verify`` reads them.
CASE_TABLES = ("case_tracks", "assignments", "consents", "notes", "agreements", "checklist_ticks",
               "documents", "plusklas_placements", "meeting_items", "meeting_records")

#: Case tables sealed since schema 0010. A case's first keyed event (``open``/``seal``) names the
#: ones it covers with a marker record ``["*", table, null]``; for a case sealed before, only the
#: rows its events name are checked (``kindroute audit seal`` covers them from then on).
LATER_TABLES = ("plusklas_placements", "meeting_items", "meeting_records")
COVERS = "*"

#: Case tables without a ``case_id`` of their own: (their column naming the parent row, the parent
#: table, which has the ``case_id``).
VIA: dict[str, tuple[str, str]] = {"meeting_records": ("item_id", "meeting_items")}


def _canon(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dumps(values: Any) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def record_digest(values: Sequence[Any]) -> str:
    """SHA-256 of a record's sealed columns (in :data:`SEALED` order). Keyed by the event's MAC."""
    return hashlib.sha256(_dumps([_canon(v) for v in values])).hexdigest()[:32]


def records_text(records: Iterable[tuple[str, Any, str | None]]) -> str:
    """The ``records`` column: a canonical JSON list of [table, key, digest or null]."""
    return json.dumps([[t, k, d] for t, k, d in records], ensure_ascii=False, separators=(",", ":"))


def parse_records(text: str | None) -> list[tuple[str, Any, str | None]]:
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return [("?", "?", "?")]
    out = []
    for item in data if isinstance(data, list) else [("?", "?", "?")]:
        if isinstance(item, list) and len(item) == 3:
            out.append((str(item[0]), item[1], item[2]))
        else:
            out.append(("?", "?", "?"))
    return out


def event_mac(
    key: bytes,
    *,
    case_id: int,
    seq: int,
    kind: str,
    track: str,
    from_step: str,
    to_step: str,
    trigger: str,
    actor_id: int,
    actor_name: str,
    at: datetime,
    note: str,
    records: str,
    prev_hash: str,
    gseq: int,
    gprev: str,
    gprev_case: int,
) -> str:
    """HMAC-SHA256 over a canonical form of a scheme 2 event, its case link and its global link."""
    payload = _dumps([
        SCHEME_KEYED, case_id, seq, kind, track, from_step, to_step, trigger, actor_id, actor_name,
        _canon(at), note, records, prev_hash, gseq, gprev, gprev_case,
    ])
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def access_mac(key: bytes, *, seq: int, person_id: int, case_id: int, at: datetime, action: str,
               prev_hash: str, prev_case: int) -> str:
    """HMAC-SHA256 over one access log row and the row before it."""
    payload = _dumps(["access", seq, person_id, case_id, _canon(at), action, prev_hash, prev_case])
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def register_mac(key: bytes, *, seq: int, kind: str, records: str, actor_id: int, actor_name: str,
                 at: datetime, prev_hash: str) -> str:
    """HMAC-SHA256 over one event of the register chain (people, schools, routes) and its link."""
    payload = _dumps(["register", seq, kind, records, actor_id, actor_name, _canon(at), prev_hash])
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def head_mac(key: bytes, name: str, value: str) -> str:
    """The MAC kept beside a chain's head in ``kindroute_meta`` (``name``: which chain)."""
    return hmac.new(key, _dumps(["head", name, value]), hashlib.sha256).hexdigest()


def purge_mac(key: bytes, *, at: datetime, by_id: int, case_ids: str) -> str:
    """The MAC of a purge record: which cases were removed on purpose."""
    return hmac.new(key, _dumps(["purge", _canon(at), by_id, case_ids]), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short fingerprint of a key, kept in the database to recognise the right key file."""
    return hmac.new(key, b"kindroute history key id", hashlib.sha256).hexdigest()[:16]


def format_head(key: bytes, name: str, gseq: int, case_id: int, hash_: str) -> str:
    """A chain's head as kept in ``kindroute_meta``: position, case, hash and their MAC."""
    value = f"{gseq}:{case_id}:{hash_}"
    return f"{value}:{head_mac(key, name, value)}"


def parse_head(value: str | None) -> tuple[int, int, str, str]:
    """(gseq, case id, hash, mac) of a head kept in ``kindroute_meta``; gseq 0 when empty."""
    if not value:
        return 0, 0, GENESIS, ""
    try:
        g, c, h, m = value.split(":", 3)
        return int(g), int(c), h, m
    except ValueError:
        return -1, 0, "", ""


def head_ok(key: bytes, name: str, value: str | None) -> bool:
    """Is a stored head unchanged since kindroute wrote it (or still empty)?"""
    g, c, h, m = parse_head(value)
    if g == 0 and not m:
        return True
    return g > 0 and hmac.compare_digest(m, head_mac(key, name, f"{g}:{c}:{h}"))
