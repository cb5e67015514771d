"""Writing the keyed history: every change to a case is an event, sealed with the history key.

:func:`append_event` is the one door: it takes the global head (locked: ``FOR UPDATE`` on
PostgreSQL, SQLite's write lock otherwise), seals the event with HMAC-SHA256 over its content,
the case's previous event and the global previous event, and moves the head on. The caller
moves the case's own head (``cases.history_head`` / ``history_count``) in the same transaction.

:func:`record_digests` reads the rows a change touched back from the database, so what is
sealed is exactly what ``audit verify`` will read.

:class:`PendingEvents` is the late door for a step: its events are collected while the step,
its automatic steps and the case's clocks are written, and sealed together at the end
(:meth:`PendingEvents.seal`), so the global head is locked only for the last few statements
before the commit instead of for the whole transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, select

from kindroute.errors import Conflict, DatabaseProblem
from kindroute.services.dto import Actor
from kindroute.services.integrity import case_scope
from kindroute.store import history_key
from kindroute.store.db import Database
from kindroute.store.hmac_chain import (
    CASE_TABLES,
    COVERS,
    LATER_TABLES,
    SCHEME_KEYED,
    SEALED,
    event_mac,
    format_head,
    parse_head,
    record_digest,
    records_text,
)
from kindroute.store.models import AccessLog, Base, Case, CaseEvent, Meta
from kindroute.store.uow import STALE_MESSAGE

META = Meta.__table__
CASES = Case.__table__
EVENTS = CaseEvent.__table__
ACCESS = AccessLog.__table__
TABLES = Base.metadata.tables

HEAD_HISTORY = "history_head"
HEAD_ACCESS = "access_head"

_READ_HEAD = (select(META.c.value).where(META.c.key == bindparam("name")).with_for_update())
_WRITE_HEAD = META.update().where(META.c.key == bindparam("name")).values(value=bindparam("value"))
_INSERT_EVENT = EVENTS.insert()
#: moves the global head on only from the value read before (see :class:`PendingEvents`)
_SWAP_HEAD = (META.update().where(META.c.key == bindparam("name"), META.c.value == bindparam("old"))
              .values(value=bindparam("value")))
_WRITE_CASE_HEAD = (CASES.update().where(CASES.c.id == bindparam("where_case"))
                    .values(history_head=bindparam("head")))

Record = tuple[str, Any, str | None]


def history_key_for(db: Database, conn: Connection, *, write: bool) -> bytes | None:
    """The history key of ``db`` (cached once the database knows it). ``write``: a change is about
    to be sealed, so a missing key is an error (and a never-sealed database gets its key now)."""
    if db._history_key is not None:
        return db._history_key
    found = history_key.resolve(conn, create=write)
    if found.key is not None:
        if not found.fresh:
            db._history_key = found.key
        return found.key
    if write:
        raise DatabaseProblem(found.problem or "De sleutel van de geschiedenis ontbreekt.")
    return None


def _take_head(conn: Connection, name: str) -> tuple[int, int, str]:
    gseq, case, h, _mac = parse_head(conn.execute(_READ_HEAD, {"name": name}).scalar())
    if gseq < 0:
        raise DatabaseProblem("De kop van de geschiedenis in de database is onleesbaar; "
                              "voer 'kindroute audit verify' uit.")
    return gseq, case, h


def append_event(
    conn: Connection,
    key: bytes,
    *,
    case_id: int,
    prev_hash: str,
    prev_count: int,
    kind: str,
    actor: Actor,
    at: datetime,
    records: Iterable[Record] = (),
    note: str = "",
    track: str = "",
    from_step: str = "",
    to_step: str = "",
    trigger: str = "",
    global_head: str | None = None,
) -> tuple[int, str]:
    """Seal one change of a case; returns (seq, hash): the case's new history count and head.

    ``global_head``: the head as already read in this transaction under the write lock (SQLite's
    ``BEGIN IMMEDIATE``); otherwise it is read here, locked.
    """
    if global_head is not None and conn.dialect.name == "sqlite":
        gseq, gcase, gprev, _m = parse_head(global_head)
        if gseq < 0:
            raise DatabaseProblem("De kop van de geschiedenis in de database is onleesbaar; "
                                  "voer 'kindroute audit verify' uit.")
    else:
        gseq, gcase, gprev = _take_head(conn, HEAD_HISTORY)
    gseq += 1
    seq = prev_count + 1
    rec = records_text(records)
    h = event_mac(key, case_id=case_id, seq=seq, kind=kind, track=track, from_step=from_step,
                  to_step=to_step, trigger=trigger, actor_id=actor.id, actor_name=actor.name, at=at,
                  note=note, records=rec, prev_hash=prev_hash, gseq=gseq, gprev=gprev, gprev_case=gcase)
    conn.execute(_INSERT_EVENT, {
        "case_id": case_id, "seq": seq, "track": track, "from_step": from_step, "to_step": to_step,
        "trigger": trigger, "actor_id": actor.id, "actor_name": actor.name, "at": at, "note": note,
        "prev_hash": prev_hash, "hash": h, "scheme": SCHEME_KEYED, "kind": kind, "records": rec,
        "gseq": gseq, "gprev": gprev, "gprev_case": gcase,
    })
    head = format_head(key, HEAD_HISTORY, gseq, case_id, h)
    conn.execute(_WRITE_HEAD, {"name": HEAD_HISTORY, "value": head})
    return seq, h


class PendingEvents:
    """Events of one transaction whose place in the global chain is taken at its end.

    :meth:`add` numbers an event within its case (``seq``) at once — the case row is locked by
    the caller, so that number is final — and :meth:`seal` takes the global head (locked until
    the commit), seals every collected event in order, writes them and moves the heads: the
    global one and each case's ``history_head``. Call :meth:`seal` right before the commit.

    ``head``: the global head as this transaction already read it (:func:`stepping.case_statement`
    carries it). :meth:`seal` then moves the head on only if it still holds that value
    (``UPDATE … WHERE value = <read>``: on PostgreSQL that statement takes the row lock, and
    waits for a writer holding it), so it needs no read of its own. Had anyone moved the head
    since (another step committed meanwhile, or this transaction), nothing matches and it takes
    the head as without ``head``: read and locked, then moved.

    A step's UPDATE of its case row (version, count, status, clocks) can wait for the seal too
    (:meth:`write_case_later`): it then carries the case's new head, so the row is written once
    instead of twice. Whoever reads the case row before the seal calls :meth:`write_cases` first.
    """

    def __init__(self, key: bytes, head: str | None = None) -> None:
        self.key = key
        self.head = head
        self._events: list[dict[str, Any]] = []
        self._case_writes: list[tuple[Any, dict[str, Any]]] = []

    def write_case_later(self, statement: Any, values: dict[str, Any]) -> None:
        """Hold a case row's UPDATE (``values`` with ``case_id`` and ``head``; one row expected,
        else :class:`Conflict`) until the seal, which writes it with the case's new head."""
        self._case_writes.append((statement, values))

    def write_cases(self, conn: Connection) -> None:
        """Write the case rows held so far now, with the heads they have (the seal moves those on
        with one more UPDATE each): for a reader of a case row before the seal."""
        self._write_held(conn, {})

    def _write_held(self, conn: Connection, heads: dict[int, str]) -> set[int]:
        written: set[int] = set()
        for statement, values in self._case_writes:
            case_id = values["case_id"]
            if case_id in heads:
                values = {**values, "head": heads[case_id]}
                written.add(case_id)
            if conn.execute(statement, values).rowcount != 1:
                raise Conflict(STALE_MESSAGE)
        self._case_writes.clear()
        return written

    def add(self, *, case_id: int, prev_hash: str, prev_count: int, kind: str, actor: Actor, at: datetime,
            records: Iterable[Record] = (), note: str = "", track: str = "", from_step: str = "",
            to_step: str = "", trigger: str = "") -> int:
        """Collect one change of a case; returns its seq (the case's new history count).
        ``prev_hash``/``prev_count``: the case's head as stored (a later event of the same case in
        this transaction follows the one collected before it)."""
        last = next((e for e in reversed(self._events) if e["case_id"] == case_id), None)
        seq = last["seq"] + 1 if last is not None else prev_count + 1
        self._events.append({
            "case_id": case_id, "seq": seq, "track": track, "from_step": from_step, "to_step": to_step,
            "trigger": trigger, "actor_id": actor.id, "actor_name": actor.name, "at": at, "note": note,
            "prev_hash": None if last is not None else prev_hash, "kind": kind,
            "records": records_text(records),
        })
        return seq

    def steps_of(self, case_id: int) -> list[Any]:
        """The collected step events of a case (trigger, to_step, at), oldest first."""
        return [SimpleNamespace(trigger=e["trigger"], to_step=e["to_step"], at=e["at"])
                for e in self._events if e["case_id"] == case_id and e["kind"] == "step"]

    def _sealed(self, gseq: int, gcase: int, gprev: str) -> tuple[list[dict[str, Any]], str]:
        """The collected events sealed after the global head (gseq, gcase, gprev), and the new head."""
        rows: list[dict[str, Any]] = []
        heads: dict[int, str] = {}
        for e in self._events:
            gseq += 1
            prev = heads.get(e["case_id"], e["prev_hash"])
            h = event_mac(self.key, case_id=e["case_id"], seq=e["seq"], kind=e["kind"], track=e["track"],
                          from_step=e["from_step"], to_step=e["to_step"], trigger=e["trigger"],
                          actor_id=e["actor_id"], actor_name=e["actor_name"], at=e["at"], note=e["note"],
                          records=e["records"], prev_hash=prev, gseq=gseq, gprev=gprev, gprev_case=gcase)
            rows.append({**e, "prev_hash": prev, "hash": h, "scheme": SCHEME_KEYED, "gseq": gseq,
                         "gprev": gprev, "gprev_case": gcase})
            heads[e["case_id"]] = h
            gcase, gprev = e["case_id"], h
        return rows, format_head(self.key, HEAD_HISTORY, gseq, gcase, gprev)

    def seal(self, conn: Connection) -> dict[int, str]:
        """Lock the global head, seal and write the collected events; returns each case's new head."""
        if not self._events:
            self.write_cases(conn)
            return {}
        rows: list[dict[str, Any]] | None = None
        if self.head is not None:
            gseq, gcase, gprev, _m = parse_head(self.head)
            if gseq >= 0:
                rows, value = self._sealed(gseq, gcase, gprev)
                if conn.execute(_SWAP_HEAD, {"name": HEAD_HISTORY, "value": value, "old": self.head}
                                ).rowcount != 1:
                    rows = None  # the head moved since it was read: take it as usual
        if rows is None:
            rows, value = self._sealed(*_take_head(conn, HEAD_HISTORY))
            conn.execute(_WRITE_HEAD, {"name": HEAD_HISTORY, "value": value})
        heads: dict[int, str] = {}
        for row in rows:
            # one statement per event: the figures' trigger reads the event before it on the track
            conn.execute(_INSERT_EVENT, row)
            heads[row["case_id"]] = row["hash"]
        written = self._write_held(conn, heads)  # the held case rows, with their new heads
        for case_id, h in heads.items():
            if case_id not in written:
                conn.execute(_WRITE_CASE_HEAD, {"where_case": case_id, "head": h})
        self._events.clear()
        self.head = None
        return heads


def append_access(conn: Connection, key: bytes, *, person_id: int, case_id: int, at: datetime,
                  action: str) -> None:
    """One row of the access log, chained to the one before (same scheme as the history)."""
    from kindroute.store.hmac_chain import access_mac

    seq, prev_case, prev = _take_head(conn, HEAD_ACCESS)
    seq += 1
    h = access_mac(key, seq=seq, person_id=person_id, case_id=case_id, at=at, action=action,
                   prev_hash=prev, prev_case=prev_case)
    conn.execute(ACCESS.insert(), {"person_id": person_id, "case_id": case_id, "at": at, "action": action,
                                   "seq": seq, "prev_hash": prev, "prev_case": prev_case, "hash": h})
    conn.execute(_WRITE_HEAD, {"name": HEAD_ACCESS, "value": format_head(key, HEAD_ACCESS, seq, case_id, h)})


def _columns(table: str) -> tuple[Any, list[Any]]:
    t = TABLES[table]
    keycol, cols = SEALED[table]
    return t.c[keycol], [t.c[c] for c in cols]


def record_digests(conn: Connection, table: str, keys: Sequence[Any], case_id: int | None = None) \
        -> list[Record]:
    """[table, key, digest] of the rows ``keys`` of ``table`` as stored now (None: gone)."""
    if not keys:
        return []
    keycol, cols = _columns(table)
    stmt = select(keycol, *cols).where(keycol.in_(list(keys)))
    if table in CASE_TABLES:
        frm, case_col = case_scope(table)
        stmt = stmt.select_from(frm).where(case_col == case_id)
    found = {row[0]: record_digest(row[1:]) for row in conn.execute(stmt)}
    return [(table, k, found.get(k)) for k in keys]


def case_baseline(conn: Connection, case_id: int, pupil_id: int) -> list[Record]:
    """Digests of every record of a case: what its first keyed event seals."""
    out = record_digests(conn, "cases", [case_id]) + record_digests(conn, "pupils", [pupil_id])
    for table in CASE_TABLES:
        out += _case_rows(conn, table, case_id)
    return out + [(COVERS, table, None) for table in LATER_TABLES]


def _case_rows(conn: Connection, table: str, case_id: int) -> list[Record]:
    """Digests of every row of a case in ``table``."""
    keycol, _cols = _columns(table)
    frm, case_col = case_scope(table)
    keys = list(conn.execute(select(keycol).select_from(frm).where(case_col == case_id)
                             .order_by(keycol)).scalars())
    return record_digests(conn, table, keys, case_id)


HEAD_WARNING = ("Let op: de geschiedenis van deze database is buiten kindroute gewijzigd ({detail}). "
                "Voer 'kindroute audit verify' uit en meld dit bij de beheerder.")


def check_heads(db: Database) -> list[str]:
    """The cheap check on open: the newest event and access log row are what kindroute last wrote.

    Returns Dutch warnings (empty: in order, or nothing keyed yet). Reads a handful of rows.
    """
    from kindroute.services.audit import event_ok
    from kindroute.store.hmac_chain import access_mac, head_ok

    out: list[str] = []
    with db.engine.connect() as conn, conn.begin():
        key = history_key_for(db, conn, write=False)
        heads = {name: conn.execute(select(META.c.value).where(META.c.key == name)).scalar()
                 for name in (HEAD_HISTORY, HEAD_ACCESS)}
        if key is None:
            if any(parse_head(v)[0] != 0 for v in heads.values()):
                found = history_key.resolve(conn, create=False)
                out.append("De geschiedenis kan niet worden gecontroleerd: "
                           + (found.problem or "de sleutel ontbreekt."))
            return out
        for name, value in heads.items():
            if not head_ok(key, name, value):
                what = "het toegangslog" if name == HEAD_ACCESS else "de geschiedenis"
                out.append(HEAD_WARNING.format(detail=f"de kop van {what} klopt niet"))
        g, case_id, h, _m = parse_head(heads[HEAD_HISTORY])
        # the newest event of the case the head names (no index on gseq: it would slow every step)
        last = conn.execute(select(*_EVENT_COLS).where(EVENTS.c.case_id == case_id)
                            .order_by(EVENTS.c.seq.desc()).limit(1)).first() if g else None
        if (last is None and g != 0) or (last is not None and (
                (last.gseq, last.hash) != (g, h) or not event_ok(key, last.case_id, tuple(last)))):
            out.append(HEAD_WARNING.format(detail=f"de laatste wijziging, van casus {case_id}, klopt niet"))
        g, case_id, h, _m = parse_head(heads[HEAD_ACCESS])
        a = ACCESS.c
        row = conn.execute(select(a.seq, a.person_id, a.case_id, a.at, a.action, a.prev_hash, a.prev_case,
                                  a.hash).where(a.seq.is_not(None)).order_by(a.seq.desc()).limit(1)).first()
        if (row is None and g != 0) or (row is not None and (
                (row.seq, row.hash) != (g, h) or row.hash != access_mac(
                    key, seq=row.seq, person_id=row.person_id, case_id=row.case_id, at=row.at,
                    action=row.action, prev_hash=row.prev_hash or "", prev_case=row.prev_case or 0))):
            out.append(HEAD_WARNING.format(
                detail=f"de laatste regel van het toegangslog, van casus {case_id}, klopt niet"))
    return out


_EVENT_COLS = tuple(EVENTS.c[n] for n in (
    "case_id", "seq", "track", "from_step", "to_step", "trigger", "actor_id", "actor_name", "at", "note",
    "prev_hash", "hash", "scheme", "kind", "records", "gseq", "gprev", "gprev_case"))


def seal_cases(svc: Any, actor: Actor) -> int:
    """Seal every case from before the keyed history that ``actor`` manages: one ``seal`` event
    each, with the digests of all its records. Returns how many cases were sealed."""
    from kindroute.errors import AccessDenied
    from kindroute.services import access
    from kindroute.store.models import Case
    from kindroute.store.uow import UnitOfWork

    swv = access.sees_swv(actor, svc.route)
    if not swv and not access.manages_school(actor, actor.school_id, svc.route):
        raise AccessDenied("Alleen de intern begeleider of directeur (eigen school) of het SWV mag "
                           "casussen verzegelen.")
    done = 0
    while True:
        with UnitOfWork(svc.db) as uow:
            s = uow.session
            stmt = select(Case).where(Case.history_scheme != SCHEME_KEYED).order_by(Case.id).limit(200)
            if not swv:
                stmt = stmt.where(Case.school_id == actor.school_id)
            batch = list(s.scalars(stmt))
            for case in batch:
                svc._touch(case)
                svc._seal(s, case, "seal", actor)
            uow.commit()
        if not batch:
            return done + _cover_cases(svc, actor, swv)
        done += len(batch)


def _cover_cases(svc: Any, actor: Actor, swv: bool) -> int:
    """Keyed cases sealed before their Plus-klas placements and bespreking items were: one ``cover``
    event each with those rows, after which a row added outside kindroute is named too."""
    from kindroute.store.models import Case
    from kindroute.store.uow import UnitOfWork

    marker = records_text([(COVERS, LATER_TABLES[0], None)])[1:-1]
    covered = select(EVENTS.c.case_id).where(EVENTS.c.records.contains(marker))
    done, last = 0, 0
    while True:
        with UnitOfWork(svc.db) as uow:
            s = uow.session
            stmt = (select(Case).where(Case.history_scheme == SCHEME_KEYED, Case.id > last,
                                       Case.id.not_in(covered)).order_by(Case.id).limit(200))
            if not swv:
                stmt = stmt.where(Case.school_id == actor.school_id)
            batch = list(s.scalars(stmt))
            if not batch:
                return done
            for case in batch:
                svc._touch(case)
                s.flush()
                conn = s.connection()
                key = history_key_for(svc.db, conn, write=True)
                records = [r for table in LATER_TABLES for r in _case_rows(conn, table, case.id)]
                records += [(COVERS, t, None) for t in LATER_TABLES]
                seq, h = append_event(conn, key, case_id=case.id, prev_hash=case.history_head,
                                      prev_count=case.history_count, kind="cover", actor=actor,
                                      at=svc.now(), records=records)
                case.history_head, case.history_count = h, seq
                last = case.id
            uow.commit()
            done += len(batch)
