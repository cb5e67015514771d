"""Proving the history: every case's hash chain, replayed, against its stored state.

``verify_history`` streams three ordered queries (cases, events, current steps),
all sorted by case id, and merges them in one pass: no query per case, memory
bounded by the largest single case. For every case it checks that

* the events are numbered 1..n without gaps or doubles,
* each event's ``prev_hash`` is the hash of the event before it (GENESIS for the first),
* each event's stored hash equals ``event_hash`` recomputed over its content,
* ``cases.history_head`` / ``history_count`` point at the last event,
* replaying the events through the route gives the stored current steps — each event under the
  route version the case ran under at that point (:mod:`kindroute.services.route_store`).

Any difference is reported with the case and the event's seq, as a changed,
removed or inserted event.

Keyed events (scheme 2) are checked with the history key, and with them every record of the
case (:mod:`kindroute.services.integrity`), the links between all keyed events, and the access
log's own chain.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import select

from kindroute.services import integrity
from kindroute.services.history import history_key_for
from kindroute.services.route_store import replay_case, route_plans
from kindroute.store.chain import GENESIS, event_hash
from kindroute.store.db import Database
from kindroute.store.hmac_chain import SCHEME_KEYED, SEALED, event_mac
from kindroute.store.models import Case, CaseEvent, CaseTrack
from kindroute.workflow import NOT_STARTED, Route
from kindroute.workflow.model import ROUTE_INSTALL_TRIGGER

BATCH = 5000


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    access_rows: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        head = f"{self.cases} casussen, {self.events} gebeurtenissen"
        if self.ok:
            return f"{head}: in orde"
        return f"{head}: {len(self.problems)} probleem/problemen gevonden"


def _stream(conn: Any, stmt: Any) -> Iterator[Any]:
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    yield from result


def _grouped(rows: Iterator[Any]) -> Iterator[tuple[int, list[Any]]]:
    for case_id, group in groupby(rows, key=lambda r: r[0]):
        yield case_id, list(group)


def event_ok(key: bytes | None, case_id: int, ev: Any) -> bool | None:
    """Does an event's stored hash match its content? (None: keyed, and no key to check it.)"""
    (_cid, seq, track, from_step, to_step, trigger, actor_id, actor_name, at, note, prev_hash,
     stored_hash, scheme, kind, records, gseq, gprev, gprev_case) = ev
    if scheme == SCHEME_KEYED:
        if key is None:
            return None
        return hmac.compare_digest(stored_hash, event_mac(
            key, case_id=case_id, seq=seq, kind=kind, track=track, from_step=from_step, to_step=to_step,
            trigger=trigger, actor_id=actor_id, actor_name=actor_name, at=at, note=note or "",
            records=records or "", prev_hash=prev_hash, gseq=gseq or 0, gprev=gprev or "",
            gprev_case=gprev_case or 0))
    return stored_hash == event_hash(
        case_id=case_id, seq=seq, track=track, from_step=from_step, to_step=to_step,
        trigger=trigger, actor_id=actor_id, actor_name=actor_name, at=at, note=note or "",
        prev_hash=prev_hash,
    )


def _check_case(
    plan: list[tuple[int, Route]],
    case_id: int,
    head: str,
    count: int,
    events: list[Any],
    tracks: list[Any],
    problems: list[str],
    key: bytes | None = None,
) -> None:
    where = f"casus {case_id}"
    prev = GENESIS
    expected_seq = 1
    chain_ok = True
    seen: set[int] = set()
    for ev in events:
        seq, prev_hash, stored_hash = ev[1], ev[10], ev[11]
        if seq in seen:
            problems.append(f"{where}, gebeurtenis {seq}: komt dubbel voor (ingevoegd)")
            chain_ok = False
            continue
        seen.add(seq)
        if seq != expected_seq:
            if seq > expected_seq:
                missing = ", ".join(str(n) for n in range(expected_seq, seq))
                problems.append(f"{where}: gebeurtenis {missing} ontbreekt (verwijderd)")
            else:
                problems.append(f"{where}, gebeurtenis {seq}: volgnummer buiten de reeks (ingevoegd)")
            chain_ok = False
            expected_seq = seq
        if ev[12] != SCHEME_KEYED and (ev[13] != "step" or ev[15] is not None or ev[14]):
            problems.append(f"{where}, gebeurtenis {seq}: teruggezet naar de oude, ongesleutelde vorm "
                            "(buiten kindroute)")
            chain_ok = False
        if event_ok(key, case_id, ev) is False:
            problems.append(f"{where}, gebeurtenis {seq}: inhoud gewijzigd (hash klopt niet)")
            chain_ok = False
        if prev_hash != prev:
            problems.append(
                f"{where}, gebeurtenis {seq}: sluit niet aan op de vorige gebeurtenis "
                "(een gebeurtenis is verwijderd, ingevoegd of gewijzigd)"
            )
            chain_ok = False
        prev = stored_hash
        expected_seq += 1
    n = len(events)
    if count != n:
        problems.append(f"{where}: {n} gebeurtenissen gevonden, de casus noemt er {count} "
                        f"({'verwijderd' if n < count else 'ingevoegd'})")
    last = events[-1][11] if events else GENESIS
    if head != last:
        problems.append(f"{where}: de kop van de keten wijst niet naar de laatste gebeurtenis "
                        f"({n}); de geschiedenis is aangepast")
    # replay: only meaningful for an intact, ordered chain
    if not chain_ok:
        return
    events = [e for e in events if e[13] == "step"]
    try:
        replayed = replay_case(plan, ((e[1], e[2], e[3], e[4], e[5]) for e in events))
    except (ValueError, Exception) as exc:  # noqa: B014 - engine raises ValueError / StepNotAllowed
        problems.append(f"{where}: geschiedenis laat zich niet afspelen: {exc}")
        return
    stored = {t[1]: (t[2], t[3]) for t in tracks}
    last_seq: dict[str, int] = {}
    for e in events:
        if not (e[5] == ROUTE_INSTALL_TRIGGER and e[3] == e[4]):  # a version change, not a step
            last_seq[e[2]] = e[1]
    for track_id, step in replayed.items():
        row = stored.get(track_id)
        if step == NOT_STARTED:
            if row is not None:
                problems.append(f"{where}: staat in '{row[0]}' op spoor '{track_id}', "
                                "maar de geschiedenis heeft dat spoor nooit gestart")
            continue
        if row is None:
            problems.append(f"{where}: geschiedenis eindigt in '{step}' op spoor '{track_id}', "
                            "maar de casus heeft daar geen stap")
        elif row[0] != step:
            problems.append(f"{where}: huidige stap '{row[0]}' op spoor '{track_id}' wijkt af van de "
                            f"geschiedenis ('{step}')")
        elif row[1] != last_seq.get(track_id, 0):
            problems.append(f"{where}: stap '{step}' op spoor '{track_id}' verwijst naar gebeurtenis "
                            f"{row[1]}, de geschiedenis naar {last_seq.get(track_id, 0)}")
    for track_id in stored:
        if track_id not in replayed:
            problems.append(f"{where}: onbekend spoor '{track_id}'")


def verify_history(db: Database, route: Route, *, max_problems: int = 1000) -> AuditReport:
    """Check every case's history; read-only, streaming, one pass. ``route`` replays the cases of a
    database that holds no route yet."""
    report = AuditReport()
    problems: list[str] = []
    ev_cols = (CaseEvent.case_id, CaseEvent.seq, CaseEvent.track, CaseEvent.from_step, CaseEvent.to_step,
               CaseEvent.trigger, CaseEvent.actor_id, CaseEvent.actor_name, CaseEvent.at, CaseEvent.note,
               CaseEvent.prev_hash, CaseEvent.hash, CaseEvent.scheme, CaseEvent.kind, CaseEvent.records,
               CaseEvent.gseq, CaseEvent.gprev, CaseEvent.gprev_case)
    case_t = Case.__table__
    sealed_cols = [case_t.c[c] for c in SEALED["cases"][1]]
    with db.engine.connect() as conn, conn.begin():
        plans = route_plans(conn)
        key = history_key_for(db, conn, write=False)
        keyed = conn.execute(select(CaseEvent.id).where(CaseEvent.scheme == SCHEME_KEYED).limit(1)).first()
        if key is None and keyed is not None:
            problems.append("De sleutel van de geschiedenis ontbreekt of past niet: de gesleutelde "
                            "gebeurtenissen zijn niet te controleren.")
        purged = integrity.purged_cases(conn, key, problems)
        pupils = integrity.PupilExpectations()
        rows = integrity.CaseRows(conn)
        cases = _stream(conn, select(Case.id, Case.history_head, Case.history_count, Case.history_scheme,
                                     *sealed_cols).order_by(Case.id))
        events = _grouped(_stream(conn, select(*ev_cols).order_by(CaseEvent.case_id, CaseEvent.seq,
                                                                  CaseEvent.id)))
        tracks = _grouped(_stream(conn, select(CaseTrack.case_id, CaseTrack.track, CaseTrack.step,
                                               CaseTrack.entered_seq)
                                  .order_by(CaseTrack.case_id, CaseTrack.track)))
        ev_next = next(events, None)
        tr_next = next(tracks, None)
        version_at = SEALED["cases"][1].index("route_version")
        for case_id, head, count, scheme, *case_row in cases:
            report.cases += 1
            # events / tracks of ids below this case belong to no case at all
            while ev_next is not None and ev_next[0] < case_id:
                problems.append(f"casus {ev_next[0]}: {len(ev_next[1])} gebeurtenis(sen) zonder casus")
                report.events += len(ev_next[1])
                ev_next = next(events, None)
            while tr_next is not None and tr_next[0] < case_id:
                problems.append(f"casus {tr_next[0]}: stappen zonder casus")
                tr_next = next(tracks, None)
            case_events: list[Any] = []
            if ev_next is not None and ev_next[0] == case_id:
                case_events = ev_next[1]
                ev_next = next(events, None)
            case_tracks: list[Any] = []
            if tr_next is not None and tr_next[0] == case_id:
                case_tracks = tr_next[1]
                tr_next = next(tracks, None)
            report.events += len(case_events)
            plan = plans.for_case(case_id, case_row[version_at], route)
            _check_case(plan, case_id, head or "", count or 0, case_events, case_tracks, problems, key)
            integrity.check_records(case_id, tuple(case_row), scheme,
                                    [(e[13], e[14], e[15]) for e in case_events if e[12] == SCHEME_KEYED],
                                    rows.take(case_id, problems), pupils, problems)
            if len(problems) >= max_problems:
                problems.append(f"… gestopt na {max_problems} problemen")
                break
        else:
            while ev_next is not None:
                problems.append(f"casus {ev_next[0]}: {len(ev_next[1])} gebeurtenis(sen) zonder casus")
                report.events += len(ev_next[1])
                ev_next = next(events, None)
            rows.rest(problems)
            pupils.check(conn, problems)
            integrity.check_global_links(conn, key, purged, problems)
            report.access_rows = integrity.check_access_log(conn, key, purged, problems)
            from kindroute.services.register import check_register

            check_register(conn, key, problems)
    report.problems = problems
    return report
