"""The reads and writes behind one step of a case, as reusable SQLAlchemy Core statements.

Taking a step is the busiest write in kindroute, so it does not go through ORM flushes:

* one statement reads the case row (``FOR UPDATE OF cases`` on PostgreSQL; SQLite already
  holds the write lock from ``BEGIN IMMEDIATE``) together with the pupil's date of birth and
  whether the actor may see the case (the same :func:`access.visible_clause` the lists use);
* one statement reads every fact the guards look at: tracks, active assignments, consents,
  checklist ticks and documents, as one ``UNION ALL`` of equally shaped rows;
* three statements write: the case row (``WHERE version = <old>``), the history event and the
  track (plus a note when one is given).

The statements are built once and executed with bound parameters, so SQLAlchemy compiles each
shape once and reuses it. :func:`build_facts` turns the fact rows into :class:`CaseFacts`; the
ORM-based :meth:`Services.facts` uses the same statement and function, so both paths see the
same facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    DateTime,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from kindroute.services import access
from kindroute.services.dto import Actor
from kindroute.store.models import (
    Assignment,
    Case,
    CaseEvent,
    CaseTrack,
    ChecklistTick,
    ConsentRecord,
    Document,
    Meta,
    Note,
    Pupil,
)
from kindroute.workflow import NOT_STARTED, CaseFacts, Consent, Route
from kindroute.workflow.vocabulary import DOC_EXPERT_ADVICE, DOC_OPP, DOC_SWV_DECISION, OPP_ADOPTED

CASES = Case.__table__
META = Meta.__table__
TRACKS = CaseTrack.__table__
EVENTS = CaseEvent.__table__
NOTES = Note.__table__

# The shape every fact row shares: (kind, order, three strings, an integer, three dates, a time).
_SHAPE: tuple[tuple[str, Any], ...] = (
    ("o", Integer), ("a", String), ("b", String), ("c", String), ("n", Integer),
    ("d1", Date), ("d2", Date), ("d3", Date), ("t", DateTime),
)


def _facts_part(kind: str, where: ColumnElement[bool], **cols: Any) -> Select[Any]:
    out: list[Any] = [literal_column(f"'{kind}'", String).label("kind")]
    for name, typ in _SHAPE:
        col = cols.get(name)
        out.append((cast(null(), typ) if col is None else col).label(name))
    return select(*out).where(where)


def _facts_statement() -> CompoundSelect:
    case_id = bindparam("case_id", type_=Integer)
    return union_all(
        _facts_part("A", (Assignment.case_id == case_id) & Assignment.ended_at.is_(None),
                    o=Assignment.id, a=Assignment.role, n=Assignment.person_id),
        _facts_part("C", ConsentRecord.case_id == case_id,
                    o=ConsentRecord.id, a=ConsentRecord.role, b=ConsentRecord.purpose,
                    c=ConsentRecord.given_by, n=cast(ConsentRecord.pupil_cosigned, Integer),
                    d1=ConsentRecord.valid_from, d2=ConsentRecord.valid_until,
                    d3=ConsentRecord.withdrawn_on),
        _facts_part("D", Document.case_id == case_id,
                    o=Document.id, a=Document.kind, b=Document.outcome, c=Document.step, t=Document.at),
        _facts_part("K", ChecklistTick.case_id == case_id,
                    o=ChecklistTick.id, a=ChecklistTick.step, b=ChecklistTick.item, n=ChecklistTick.visit),
        _facts_part("T", CaseTrack.case_id == case_id,
                    o=literal_column("0", Integer), a=CaseTrack.track, b=CaseTrack.step,
                    n=CaseTrack.entered_seq, t=CaseTrack.entered_at),
    )


#: Every fact about one case the guards need (parameter ``case_id``), kinds A, C, D, K, T, in no
#: particular order (:func:`build_facts` orders consents and documents by id; sorting in SQL
#: would cost a temporary b-tree per part).
FACTS = _facts_statement()


@dataclass(frozen=True)
class TrackState:
    """Where a case stands on one track, as far as a step needs to know."""

    step: str
    entered_at: datetime
    entered_seq: int


@dataclass(frozen=True)
class StepFacts:
    """The facts for the guards plus what the step itself needs from the same rows."""

    facts: CaseFacts
    tracks: dict[str, TrackState]
    holders: dict[str, int]  # role -> person holding it now


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def build_facts(route: Route, rows: Iterable[Row[Any]], today: date, born: date | None) -> StepFacts:
    """Turn the rows of :data:`FACTS` into :class:`CaseFacts`."""
    tracks: dict[str, TrackState] = {}
    holders: dict[str, int] = {}
    consents: list[tuple[int, Consent]] = []
    ticks: list[tuple[str, str, int]] = []
    docs: list[tuple[int, str, str, str | None, datetime]] = []
    for kind, o, a, b, c, n, d1, d2, d3, t in rows:
        if kind == "T":
            tracks[a] = TrackState(step=b, entered_at=t, entered_seq=n)
        elif kind == "A":
            holders[a] = n
        elif kind == "C":
            consents.append((o, Consent(role=a, purpose=b, given_by=c, valid_from=d1, valid_until=d2,
                                        withdrawn_on=d3, pupil_cosigned=bool(n))))
        elif kind == "K":
            ticks.append((a, b, n))
        elif kind == "D":
            docs.append((o, a, b, c, t))
    consents.sort(key=_first)
    docs.sort(key=_first)
    steps = {tid: NOT_STARTED for tid in route.tracks}
    steps.update({tid: t.step for tid, t in tracks.items()})
    done: set[tuple[str, str]] = set()
    for step, item, visit in ticks:
        where = tracks.get(route.steps[step].track) if step in route.steps else None
        if where is not None and where.step == step and where.entered_seq == visit:
            done.add((step, item))
    opp = any(kind == DOC_OPP and outcome == OPP_ADOPTED for _i, kind, outcome, _s, _t in docs)
    advisers = {outcome.strip().casefold()
                for _i, kind, outcome, _s, _t in docs if kind == DOC_EXPERT_ADVICE}
    main = tracks.get(route.main_track.id)
    decision = None
    if main is not None:
        for _i, kind, outcome, step, at in docs:
            if kind == DOC_SWV_DECISION and at >= main.entered_at and step == main.step:
                decision = outcome
    facts = CaseFacts(
        steps=steps,
        today=today,
        pupil_birth_date=born,
        assigned_roles=frozenset(holders),
        consents=tuple(c for _i, c in consents),
        checklist_done=frozenset(done),
        opp_vastgesteld=opp,
        expert_advices=len(advisers),
        swv_decision=decision,
    )
    return StepFacts(facts=facts, tracks=tracks, holders=holders)


def case_statement(actor: Actor | None, route: Route, today: date) -> Select[Any]:
    """The case row a step starts from, locked, with ``visible``: may ``actor`` see it.

    Parameter ``case_id``. The visibility is :func:`access.visible_clause`, evaluated by the
    database in the same statement, so a step sees exactly the cases the lists show.
    """
    born = select(Pupil.date_of_birth).where(Pupil.id == CASES.c.pupil_id).scalar_subquery()
    # the history's global head, read in the same statement (PostgreSQL locks it separately)
    head = select(META.c.value).where(META.c.key == "history_head").scalar_subquery()
    return (
        select(
            CASES.c.school_id,
            CASES.c.version,
            CASES.c.history_head,
            CASES.c.history_count,
            # the sealed columns of the case row (its digest goes into the step's event)
            CASES.c.pupil_id,
            CASES.c.status,
            CASES.c.opened_at,
            CASES.c.opened_by_id,
            CASES.c.closed_at,
            CASES.c.registered_on,
            CASES.c.zorgplicht_extended,
            CASES.c.route_version,
            born.label("born"),
            head.label("global_head"),
            access.visible_clause(actor, route, today).label("visible"),
        )
        .where(CASES.c.id == bindparam("case_id", type_=Integer))
        .with_for_update(of=CASES)
    )


def _update_case(with_status: bool) -> Any:
    c = CASES.c
    values: dict[str, Any] = {
        "history_head": bindparam("head"),
        "history_count": bindparam("seq"),
        "updated_at": bindparam("now"),
        "version": bindparam("new_version"),
    }
    if with_status:
        values.update(status=bindparam("status"), closed_at=bindparam("closed_at"))
    return (
        CASES.update()
        .where(c.id == bindparam("case_id"), c.version == bindparam("old_version"))
        .values(values)
    )


#: The case row after a step: chain head, count, time, version (and status on the main track).
UPDATE_CASE = _update_case(with_status=False)
UPDATE_CASE_STATUS = _update_case(with_status=True)
INSERT_TRACK = TRACKS.insert()
UPDATE_TRACK = (
    TRACKS.update()
    .where(TRACKS.c.case_id == bindparam("where_case"), TRACKS.c.track == bindparam("where_track"))
    .values(
        step=bindparam("step"),
        entered_at=bindparam("entered_at"),
        deadline=bindparam("deadline"),
        at_turn_role=bindparam("at_turn_role"),
        entered_seq=bindparam("entered_seq"),
    )
)
INSERT_NOTE = NOTES.insert()


def fact_rows(session_or_conn: Any, case_id: int) -> Sequence[Row[Any]]:
    """Execute :data:`FACTS` for one case."""
    return session_or_conn.execute(FACTS, {"case_id": case_id}).all()
