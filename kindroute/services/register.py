"""The register chain: people, schools and installed routes, sealed like a case's history.

Who may do what comes from people's roles and schools, and the route says what each role may:
a role granted by SQL, a person renamed to take someone's place, a school renamed or a route row
changed would walk around every rule. So each change to these rows is an event of one keyed
chain for the whole database (``register_events``): HMAC-SHA256 with the history key over the
event and the one before it, the newest kept (keyed) in ``kindroute_meta`` as ``register_head``,
and in ``records`` the digest of every row the change touched.

The first event of a database seals every row as it stands (``seal``): rows from before the chain
are included by the first change, or by ``kindroute audit seal``. :func:`check_register` (part of
``kindroute audit verify``) replays the chain and compares it with the rows: any row changed,
removed or added outside kindroute is named.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from kindroute.services.dto import Actor
from kindroute.services.history import history_key_for
from kindroute.store.db import Database
from kindroute.store.hmac_chain import (
    GENESIS,
    format_head,
    head_ok,
    parse_head,
    parse_records,
    record_digest,
    records_text,
    register_mac,
)
from kindroute.store.models import Base, Meta, RegisterEvent
from kindroute.workflow import Route

HEAD_REGISTER = "register_head"
TABLES = Base.metadata.tables
EVENTS = RegisterEvent.__table__
META = Meta.__table__

#: Per sealed table: the columns whose content is sealed (the key is ``id``).
REGISTER: dict[str, tuple[str, ...]] = {
    "people": ("name", "organisation", "roles", "school_id", "password_hash", "db_login", "active"),
    "schools": ("name", "brin"),
    "routes": ("name", "version", "hash", "content", "installed_at", "installed_by_id"),
}
LABELS = {"people": "persoon", "schools": "school", "routes": "route"}


def _digests(conn: Connection, table: str, keys: Sequence[Any] | None) -> list[tuple[str, Any, str | None]]:
    """[table, id, digest] of rows ``keys`` of ``table`` as stored now (None: gone); all rows when
    ``keys`` is None."""
    t = TABLES[table]
    stmt = select(t.c.id, *(t.c[c] for c in REGISTER[table])).order_by(t.c.id)
    if keys is not None:
        if not keys:
            return []
        stmt = stmt.where(t.c.id.in_(list(keys)))
    found = {row[0]: record_digest(row[1:]) for row in conn.execute(stmt)}
    return [(table, k, found.get(k)) for k in (keys if keys is not None else found)]


def record(db: Database, conn: Connection, actor: Actor | None, at: datetime, kind: str,
           rows: Iterable[tuple[str, Any]] | None) -> None:
    """Seal a change to people, schools or routes (same transaction as the change; flush first).

    ``rows``: (table, id) of every row the change touched; None: every row (the demo, which writes
    its people in bulk). The first event of a database seals every row too.
    """
    key = history_key_for(db, conn, write=True)
    head = conn.execute(select(META.c.value).where(META.c.key == HEAD_REGISTER).with_for_update()).first()
    seq, _c, prev, _m = parse_head(head[0] if head else None)
    if seq == 0 or rows is None:
        if seq == 0:
            kind = "seal" if kind == "seal" else f"seal+{kind}"
        sealed = [d for table in REGISTER for d in _digests(conn, table, None)]
    else:
        wanted: dict[str, list[Any]] = {}
        for table, k in rows:
            wanted.setdefault(table, []).append(k)
        sealed = [d for table, keys in wanted.items() for d in _digests(conn, table, keys)]
    seq += 1
    text = records_text(sealed)
    actor_id, actor_name = (actor.id, actor.name) if actor is not None else (0, "")
    h = register_mac(key, seq=seq, kind=kind, records=text, actor_id=actor_id, actor_name=actor_name,
                     at=at, prev_hash=prev)
    conn.execute(EVENTS.insert(), {"seq": seq, "kind": kind, "records": text, "actor_id": actor_id,
                                   "actor_name": actor_name, "at": at, "prev_hash": prev, "hash": h})
    value = format_head(key, HEAD_REGISTER, seq, 0, h)
    if head is None:
        conn.execute(META.insert(), {"key": HEAD_REGISTER, "value": value})
    else:
        conn.execute(META.update().where(META.c.key == HEAD_REGISTER).values(value=value))


def may_seal(actor: Actor | None, route: Route) -> bool:
    """The register is sealed by the administrator (on a local file: also whoever owns it)."""
    from kindroute.services.privileges import is_admin

    return is_admin(actor, route)


def seal(db: Database, actor: Actor | None, at: datetime) -> bool:
    """Start the register chain when it has not started (``kindroute audit seal``): True if sealed."""
    with db.engine.begin() as conn:
        value = conn.execute(select(META.c.value).where(META.c.key == HEAD_REGISTER)).scalar()
        if parse_head(value)[0] != 0:
            return False
        record(db, conn, actor, at, "seal", ())
    return True


def _name(conn: Connection, table: str, key: Any) -> str:
    if table not in ("people", "schools"):
        return ""
    t = TABLES[table]
    found = conn.execute(select(t.c.name).where(t.c.id == key)).scalar()
    return f" ({found})" if found else ""


def check_register(conn: Connection, key: bytes | None, problems: list[str]) -> int:
    """Replay the register chain against the rows of people, schools and routes; returns how many
    events it has. A database whose chain has not started has nothing to check."""
    value = conn.execute(select(META.c.value).where(META.c.key == HEAD_REGISTER)).scalar()
    rows = conn.execute(select(EVENTS.c.seq, EVENTS.c.kind, EVENTS.c.records, EVENTS.c.actor_id,
                               EVENTS.c.actor_name, EVENTS.c.at, EVENTS.c.prev_hash, EVENTS.c.hash)
                        .order_by(EVENTS.c.seq)).all()
    if key is None:
        return len(rows)
    if not head_ok(key, HEAD_REGISTER, value):
        problems.append("register: de kop van het register (personen, scholen, routes) is gewijzigd "
                        "buiten kindroute")
    g, _c, h, _m = parse_head(value)
    last = (0, GENESIS)
    expected: dict[tuple[str, Any], str | None] = {}
    for seq, kind, records, actor_id, actor_name, at, prev, stored in rows:
        if seq != last[0] + 1 or prev != last[1]:
            problems.append(f"register: gebeurtenis {last[0] + 1} ontbreekt of is gewijzigd (verwijderd "
                            "buiten kindroute)")
        if not hmac.compare_digest(stored, register_mac(key, seq=seq, kind=kind, records=records,
                                                        actor_id=actor_id, actor_name=actor_name, at=at,
                                                        prev_hash=prev)):
            problems.append(f"register: gebeurtenis {seq} is gewijzigd buiten kindroute")
        for table, k, digest in parse_records(records):
            expected[(table, k)] = digest
        last = (seq, stored)
    if (g, h) != last:
        problems.append("register: de laatste gebeurtenis van het register ontbreekt (verwijderd buiten "
                        "kindroute)")
    if not rows:
        return 0
    actual: dict[tuple[str, Any], str | None] = {}
    for table in REGISTER:
        actual.update(((t, k), d) for t, k, d in _digests(conn, table, None))
    for (table, k), want in expected.items():
        have = actual.get((table, k))
        if have == want:
            continue
        label = f"{LABELS.get(table, table)} {k}{_name(conn, table, k)}"
        if have is None:
            problems.append(f"register: {label} ontbreekt (verwijderd buiten kindroute)")
        elif want is None:
            problems.append(f"register: {label} was verwijderd maar staat er weer (buiten kindroute)")
        else:
            problems.append(f"register: {label} is gewijzigd buiten kindroute")
    for (table, k) in actual:
        if (table, k) not in expected:
            problems.append(f"register: {LABELS[table]} {k}{_name(conn, table, k)} staat niet in het "
                            "register (toegevoegd buiten kindroute)")
    return len(rows)
