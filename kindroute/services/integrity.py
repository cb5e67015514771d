"""Proving the records: what the keyed history says every record should be, against the rows.

Used by :func:`kindroute.services.audit.verify_history` (the full check) and
:func:`check_heads` (the cheap check on open). Each check appends Dutch sentences naming the
case to a list of problems.

* :func:`check_records`: per case, the digests the events' ``records`` leave behind against the
  digests of the stored rows. A sealed case (its history starts with an ``open`` or ``seal`` event)
  must have exactly the rows its history names; a case from before the keyed history only the
  rows its keyed events name.
* :func:`check_global_links`: every keyed event names the one before it (hash and case) across all
  cases, and ``kindroute_meta`` keeps the newest (keyed): a removed event or case breaks a link.
* :func:`check_access_log`: the same for the access log.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from kindroute.store.hmac_chain import (
    CASE_TABLES,
    COVERS,
    GENESIS,
    LATER_TABLES,
    SEALED,
    VIA,
    access_mac,
    head_ok,
    parse_head,
    parse_records,
    purge_mac,
    record_digest,
)
from kindroute.store.models import AccessLog, Base, CaseEvent, Meta, PurgeLog

TABLES = Base.metadata.tables
BATCH = 5000

LABELS = {
    "cases": "de casus zelf (status, school, leerling, data)",
    "case_tracks": "stap op spoor",
    "assignments": "toewijzing",
    "consents": "toestemming",
    "notes": "notitie",
    "agreements": "afspraak",
    "checklist_ticks": "checklistpunt",
    "documents": "document",
    "plusklas_placements": "Plus-klasplaatsing",
    "meeting_items": "bespreking (agendapunt)",
    "meeting_records": "vastlegging in een bespreking",
    "pupils": "leerling",
}
BASELINE_KINDS = ("open",)


def is_baseline(kind: str) -> bool:
    return kind in BASELINE_KINDS or kind.startswith("seal")


def _label(table: str, key: Any) -> str:
    if table == "cases":
        return LABELS[table]
    return f"{LABELS.get(table, table)} {key}"


def stream(conn: Connection, stmt: Any) -> Iterator[Any]:
    yield from conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)


def case_scope(table: str) -> tuple[Any, Any]:
    """(what to select from, the column holding the case id) for a case table (see ``VIA``)."""
    t = TABLES[table]
    if table not in VIA:
        return t, t.c.case_id
    fk, parent = VIA[table]
    p = TABLES[parent]
    return t.join(p, p.c.id == t.c[fk]), p.c.case_id


def table_rows(conn: Connection, table: str) -> Iterator[tuple[int, dict[Any, str]]]:
    """(case id, {key: digest}) for every case with rows in ``table``, in case order."""
    t = TABLES[table]
    keycol, cols = SEALED[table]
    frm, case_col = case_scope(table)
    stmt = (select(case_col, t.c[keycol], *(t.c[c] for c in cols)).select_from(frm)
            .order_by(case_col, t.c[keycol]))
    current: int | None = None
    found: dict[Any, str] = {}
    for row in stream(conn, stmt):
        if row[0] != current:
            if current is not None:
                yield current, found
            current, found = row[0], {}
        found[row[1]] = record_digest(row[2:])
    if current is not None:
        yield current, found


class CaseRows:
    """The rows of every sealed table, read alongside the cases in one ordered pass."""

    def __init__(self, conn: Connection) -> None:
        self._iters = {t: table_rows(conn, t) for t in CASE_TABLES}
        self._next = {t: next(it, None) for t, it in self._iters.items()}

    def take(self, case_id: int, orphans: list[str]) -> dict[str, dict[Any, str]]:
        out: dict[str, dict[Any, str]] = {}
        for table, it in self._iters.items():
            nxt = self._next[table]
            while nxt is not None and nxt[0] < case_id:
                orphans.append(f"casus {nxt[0]}: {LABELS[table]} zonder casus (de casus is verwijderd)")
                nxt = next(it, None)
            if nxt is not None and nxt[0] == case_id:
                out[table] = nxt[1]
                nxt = next(it, None)
            self._next[table] = nxt
        return out

    def rest(self, orphans: list[str]) -> None:
        for table, it in self._iters.items():
            nxt = self._next[table]
            while nxt is not None:
                orphans.append(f"casus {nxt[0]}: {LABELS[table]} zonder casus (de casus is verwijderd)")
                nxt = next(it, None)


@dataclass
class PupilExpectations:
    """The newest sealed digest of each pupil (across all cases), and the cases that name it."""

    latest: dict[int, tuple[int, str | None]] = field(default_factory=dict)
    cases: dict[int, set[int]] = field(default_factory=dict)

    def note(self, pupil_id: Any, gseq: int, digest: str | None, case_id: int) -> None:
        try:
            pid = int(pupil_id)
        except (TypeError, ValueError):
            return
        self.cases.setdefault(pid, set()).add(case_id)
        if pid not in self.latest or self.latest[pid][0] < gseq:
            self.latest[pid] = (gseq, digest)

    def check(self, conn: Connection, problems: list[str]) -> None:
        t = TABLES["pupils"]
        _k, cols = SEALED["pupils"]
        ids = sorted(self.latest)
        for i in range(0, len(ids), BATCH):
            part = ids[i:i + BATCH]
            rows = {r[0]: record_digest(r[1:])
                    for r in conn.execute(select(t.c.id, *(t.c[c] for c in cols)).where(t.c.id.in_(part)))}
            for pid in part:
                want = self.latest[pid][1]
                have = rows.get(pid)
                if want == have:
                    continue
                what = "ontbreekt (verwijderd)" if have is None else "is gewijzigd buiten kindroute"
                for cid in sorted(self.cases[pid]):
                    problems.append(f"casus {cid}: leerling {pid} {what}")


def check_records(
    case_id: int,
    case_row: tuple[Any, ...],
    history_scheme: int,
    events: list[Any],
    rows: dict[str, dict[Any, str]],
    pupils: PupilExpectations,
    problems: list[str],
) -> None:
    """Compare a case's records with what its keyed events sealed.

    ``events``: (kind, records, gseq) of the case's keyed events in order; ``case_row``: the
    sealed columns of the case row.
    """
    where = f"casus {case_id}"
    expected: dict[tuple[str, Any], str | None] = {}
    baselines = 0
    covered: set[Any] = set()
    for kind, records, gseq in events:
        if is_baseline(kind):
            baselines += 1
        for table, key, digest in parse_records(records):
            if table == COVERS:
                covered.add(key)
            elif table == "pupils":
                pupils.note(key, gseq or 0, digest, case_id)
            else:
                expected[(table, key)] = digest
    sealed = baselines > 0
    if baselines > 1:
        problems.append(f"{where}: de geschiedenis is {baselines} keer opnieuw verzegeld "
                        "(de casus is buiten kindroute teruggezet)")
    if sealed != (history_scheme == 2):
        problems.append(f"{where}: de markering van de verzegeling klopt niet met de geschiedenis "
                        "(gewijzigd buiten kindroute)")
    actual: dict[tuple[str, Any], str] = {("cases", case_id): record_digest(case_row)}
    for table, found in rows.items():
        for key, digest in found.items():
            actual[(table, key)] = digest
    for (table, key), want in expected.items():
        have = actual.get((table, key))
        if have == want:
            continue
        if have is None:
            problems.append(f"{where}: {_label(table, key)} ontbreekt (verwijderd buiten kindroute)")
        elif want is None:
            problems.append(f"{where}: {_label(table, key)} was verwijderd maar staat er weer "
                            "(buiten kindroute teruggezet)")
        else:
            problems.append(f"{where}: {_label(table, key)} is gewijzigd buiten kindroute")
    if sealed:
        for (table, key) in actual:
            if (table, key) not in expected and (table not in LATER_TABLES or table in covered):
                problems.append(f"{where}: {_label(table, key)} staat niet in de geschiedenis "
                                "(toegevoegd buiten kindroute)")


def purged_cases(conn: Connection, key: bytes | None, problems: list[str]) -> set[int]:
    """Cases a retention purge removed on purpose (from purge records whose MAC holds)."""
    out: set[int] = set()
    for pid, at, by_id, case_ids, mac in conn.execute(
            select(PurgeLog.id, PurgeLog.at, PurgeLog.by_id, PurgeLog.case_ids, PurgeLog.mac)):
        if not case_ids:
            continue
        if key is not None and not hmac.compare_digest(mac or "", purge_mac(key, at=at, by_id=by_id,
                                                                             case_ids=case_ids)):
            problems.append(f"verwijderronde {pid}: gewijzigd buiten kindroute")
            continue
        try:
            out.update(int(c) for c in json.loads(case_ids))
        except (ValueError, TypeError):
            problems.append(f"verwijderronde {pid}: onleesbaar")
    return out


def _meta(conn: Connection, name: str) -> str | None:
    return conn.execute(select(Meta.value).where(Meta.key == name)).scalar()


def check_global_links(conn: Connection, key: bytes | None, purged: set[int], problems: list[str]) -> None:
    """Every keyed event follows the one before it across all cases; the meta head is the newest."""
    stmt = (select(CaseEvent.gseq, CaseEvent.case_id, CaseEvent.hash, CaseEvent.gprev, CaseEvent.gprev_case)
            .where(CaseEvent.gseq.is_not(None)).order_by(CaseEvent.gseq))
    last = (0, 0, GENESIS)
    for gseq, case_id, h, gprev, gprev_case in stream(conn, stmt):
        if gseq != last[0] + 1 or gprev != last[2]:
            if gprev_case not in purged:
                problems.append(f"casus {gprev_case}: een gebeurtenis is verwijderd of gewijzigd buiten "
                                f"kindroute (de volgende, van casus {case_id}, sluit er niet meer op aan)")
        last = (gseq, case_id, h)
    value = _meta(conn, "history_head")
    if key is not None and not head_ok(key, "history_head", value):
        problems.append("de kop van de geschiedenis in de database is gewijzigd buiten kindroute")
        return
    g, c, h, _m = parse_head(value)
    if (g, h) != (last[0], last[2]) and c not in purged:
        problems.append(f"casus {c}: de laatste gebeurtenis van de geschiedenis ontbreekt "
                        "(verwijderd buiten kindroute)")


def check_access_log(conn: Connection, key: bytes | None, purged: set[int], problems: list[str]) -> int:
    """The access log's chain; returns how many chained rows it has."""
    stmt = (select(AccessLog.seq, AccessLog.person_id, AccessLog.case_id, AccessLog.at, AccessLog.action,
                   AccessLog.prev_hash, AccessLog.prev_case, AccessLog.hash)
            .where(AccessLog.seq.is_not(None)).order_by(AccessLog.seq))
    last = (0, 0, GENESIS)
    n = 0
    for seq, person_id, case_id, at, action, prev, prev_case, h in stream(conn, stmt):
        n += 1
        if key is not None and not hmac.compare_digest(h or "", access_mac(
                key, seq=seq, person_id=person_id, case_id=case_id, at=at, action=action,
                prev_hash=prev or "", prev_case=prev_case or 0)):
            problems.append(f"casus {case_id}: toegangslog-regel {seq} is gewijzigd buiten kindroute")
        if (seq != last[0] + 1 or prev != last[2]) and prev_case not in purged:
            problems.append(f"casus {prev_case}: een regel van het toegangslog ontbreekt "
                            "(verwijderd buiten kindroute)")
        last = (seq, case_id, h)
    value = _meta(conn, "access_head")
    if key is not None and not head_ok(key, "access_head", value):
        problems.append("de kop van het toegangslog is gewijzigd buiten kindroute")
        return n
    g, c, h, _m = parse_head(value)
    if (g, h) != (last[0], last[2]) and c not in purged:
        problems.append(f"casus {c}: de laatste regel van het toegangslog ontbreekt "
                        "(verwijderd buiten kindroute)")
    return n
