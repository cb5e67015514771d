"""The reads and writes behind one step of a case, as reusable SQLAlchemy Core statements.

Taking a step is the busiest write in kindroute, so it does not go through ORM flushes:

* the case row (``FOR UPDATE OF cases`` on PostgreSQL; SQLite already holds the write lock
  from ``BEGIN IMMEDIATE``) together with the pupil's date of birth, the history's global head
  and whether the actor may see the case (the same :func:`access.visible_clause` the lists
  use): :func:`case_statement`;
* every fact the guards look at: tracks, active assignments, consents, checklist ticks and
  documents, as one ``UNION ALL`` of equally shaped rows — for a step together with the rest of
  what the case's clocks need (:func:`clocks.step_statement`), so ``cases.next_due`` after the
  step is known without reading again;
* both are read in one statement (:mod:`kindroute.services.step_read`);
* the step writes the track (plus a note when one is given); then, last,
  :class:`history.PendingEvents` moves the global head on, inserts the event and writes the case
  row (``WHERE version = <old>``, with its ``next_due``) once, with its new head.

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
    Date,
    DateTime,
    Integer,
    Row,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal_column,
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
    OppHoorrecht,
    OppInstemming,
    OppVersion,
    PlusklasLocation,
    PlusklasPlacement,
    PlusklasServes,
    Pupil,
    TurnConfirmation,
)
from kindroute.store.sql import shaped_part
from kindroute.workflow import NOT_STARTED, CaseFacts, Consent, Route
from kindroute.workflow.model import Record
from kindroute.workflow.vocabulary import OPP_ADOPTED, OPP_AGREED

#: The status of a Plus-klas placement that holds a place (see services/plusklas.py).
PLACED = "geplaatst"

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


def fact_part(kind: str, where: ColumnElement[bool], **cols: Any) -> Select[Any]:
    """One part of a ``UNION ALL`` of fact rows: ``kind`` and the columns of :data:`_SHAPE`
    given in ``cols`` (the others NULL)."""
    return shaped_part(_SHAPE, kind, where, **cols)


def tracks_part(case_id: Any) -> Select[Any]:
    """T: the case's tracks (with what the clocks need: deadline and role at turn)."""
    return fact_part("T", CaseTrack.case_id == case_id,
                     o=literal_column("0", Integer), a=CaseTrack.track, b=CaseTrack.step,
                     c=CaseTrack.at_turn_role, n=CaseTrack.entered_seq, d1=CaseTrack.deadline,
                     t=CaseTrack.entered_at)


def opp_part(case_id: Any) -> Select[Any]:
    """O: the case's OPP versions (with what the clocks need: adopted on, created at)."""
    return fact_part("O", OppVersion.case_id == case_id,
                     o=OppVersion.id, a=OppVersion.status, n=OppVersion.version,
                     d1=OppVersion.adopted_on, t=OppVersion.created_at)


def fact_parts(case_id: Any) -> list[Select[Any]]:
    """The parts of :data:`FACTS` (``case_id``: the bound parameter)."""
    return [
        fact_part("A", (Assignment.case_id == case_id) & Assignment.ended_at.is_(None),
                  o=Assignment.id, a=Assignment.role, n=Assignment.person_id),
        fact_part("C", ConsentRecord.case_id == case_id,
                  o=ConsentRecord.id, a=ConsentRecord.role, b=ConsentRecord.purpose,
                  c=ConsentRecord.given_by, n=cast(ConsentRecord.pupil_cosigned, Integer),
                  d1=ConsentRecord.valid_from, d2=ConsentRecord.valid_until,
                  d3=ConsentRecord.withdrawn_on),
        fact_part("D", Document.case_id == case_id,
                  o=Document.id, a=Document.kind, b=Document.outcome, c=Document.step,
                  n=Document.author_id, t=Document.at),
        fact_part("Q", TurnConfirmation.case_id == case_id,
                  o=TurnConfirmation.id, a=TurnConfirmation.track, b=TurnConfirmation.trigger,
                  c=TurnConfirmation.role, n=TurnConfirmation.visit),
        fact_part("K", ChecklistTick.case_id == case_id,
                  o=ChecklistTick.id, a=ChecklistTick.step, b=ChecklistTick.item, n=ChecklistTick.visit),
        opp_part(case_id),
        fact_part("I", OppInstemming.case_id == case_id,
                  o=OppInstemming.id, a=OppInstemming.outcome, n=OppInstemming.opp_version_id),
        fact_part("H", OppHoorrecht.case_id == case_id,
                  o=OppHoorrecht.id, n=OppHoorrecht.opp_version_id),
        tracks_part(case_id),
        fact_part("P", (PlusklasServes.location_id == PlusklasLocation.id)
                  & (PlusklasServes.school_id == case_school(case_id)),
                  o=PlusklasLocation.id, n=PlusklasLocation.places - occupied(PlusklasLocation.id)),
        fact_part("L", (PlusklasPlacement.case_id == case_id) & (PlusklasPlacement.status == PLACED),
                  o=PlusklasPlacement.id, n=PlusklasPlacement.location_id),
    ]


def case_school(case_id: Any) -> Any:
    return select(Case.school_id).where(Case.id == case_id).scalar_subquery()


def occupied(location_id: Any) -> Any:
    """Places taken at a Plus-klas location now."""
    return (select(func.count()).select_from(PlusklasPlacement)
            .where(PlusklasPlacement.location_id == location_id, PlusklasPlacement.status == PLACED)
            .scalar_subquery())


#: Every fact about one case the guards need (parameter ``case_id``), kinds A, C, D, K, Q, T, O (OPP
#: versions), I (instemming), H (hoorrecht) (and the
#: Plus-klas places: P free places per location serving the school, L the case's placement), in no
#: particular order (:func:`build_facts` orders consents and documents by id; sorting in SQL
#: would cost a temporary b-tree per part). T and O rows also carry what the clocks need (a
#: track's deadline and role at turn; an OPP version's dates): see :mod:`kindroute.services.clocks`.
FACTS = union_all(*fact_parts(bindparam("case_id", type_=Integer)))


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
    docs: list[tuple[int, Record]] = []
    confirmations: list[tuple[str, str, str, int]] = []
    free_places = 0
    placed = False
    opp_versions: list[tuple[int, int, str]] = []  # (version, id, status)
    agreed: list[tuple[int, int, str]] = []  # (id, version id, outcome)
    heard: set[int] = set()  # version ids
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
            docs.append((o, Record(kind=a, outcome=b, person=n, step=c, at=t)))
        elif kind == "Q":
            confirmations.append((a, b, c, n))
        elif kind == "P":
            free_places += max(0, n)
        elif kind == "L":
            placed = True
        elif kind == "O":
            opp_versions.append((n, o, a))
        elif kind == "I":
            agreed.append((o, n, a))
        elif kind == "H":
            heard.add(n)
    consents.sort(key=_first)
    docs.sort(key=_first)
    steps = {tid: NOT_STARTED for tid in route.tracks}
    steps.update({tid: t.step for tid, t in tracks.items()})
    done: set[tuple[str, str]] = set()
    for step, item, visit in ticks:
        where = tracks.get(route.steps[step].track) if step in route.steps else None
        if where is not None and where.step == step and where.entered_seq == visit:
            done.add((step, item))
    confirmed = frozenset(
        (trigger, role) for track, trigger, role, visit in confirmations
        if track in tracks and tracks[track].entered_seq == visit
    )
    current = max(opp_versions, default=None)
    if current is not None:  # the OPP as versions: the current one counts
        opp = current[2] == OPP_ADOPTED
        answers = sorted((i, outcome) for i, vid, outcome in agreed if vid == current[1])
        opp_agreed = bool(answers) and answers[-1][1] == OPP_AGREED
        opp_heard = current[1] in heard
    else:  # no versions: the latest OPP decision recorded on the case counts
        opp_records = [r for _i, r in docs if r.kind == "opp"]
        opp = bool(opp_records) and opp_records[-1].outcome == OPP_ADOPTED
        opp_agreed = opp_heard = False
    facts = CaseFacts(
        steps=steps,
        today=today,
        pupil_birth_date=born,
        assigned_roles=frozenset(holders),
        consents=tuple(c for _i, c in consents),
        checklist_done=frozenset(done),
        assignees=frozenset(holders.items()),
        records=tuple(r for _i, r in docs),
        entered_at={tid: t.entered_at for tid, t in tracks.items()},
        confirmed=confirmed,
        plusklas_free_places=free_places,
        plusklas_placed=placed,
        opp_vastgesteld=opp,
        opp_version=current[0] if current is not None else None,
        opp_instemming=opp_agreed,
        opp_hoorrecht=opp_heard,
    )
    return StepFacts(facts=facts, tracks=tracks, holders=holders)


def case_statement(actor: Actor | None, route: Route, today: date) -> Select[Any]:
    """The case row a step starts from, locked, with ``visible``: may ``actor`` see it.

    Parameter ``case_id``. The visibility is :func:`access.visible_clause`, evaluated by the
    database in the same statement, so a step sees exactly the cases the lists show.
    """
    born = select(Pupil.date_of_birth).where(Pupil.id == CASES.c.pupil_id).scalar_subquery()
    # the history's global head, read in the same statement (unlocked: a step moves it on from
    # this value when it still holds it, see history.PendingEvents)
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
            CASES.c.zorgplicht_decision,  # for the case's clocks after the step
            born.label("born"),
            head.label("global_head"),
            access.visible_clause(actor, route, today).label("visible"),
        )
        .where(CASES.c.id == bindparam("case_id", type_=Integer))
        .with_for_update(of=CASES)
    )


def _update_case(with_status: bool, with_due: bool = False) -> Any:
    c = CASES.c
    values: dict[str, Any] = {
        "history_head": bindparam("head"),
        "history_count": bindparam("seq"),
        "updated_at": bindparam("now"),
        "version": bindparam("new_version"),
    }
    if with_status:
        values.update(status=bindparam("status"), closed_at=bindparam("closed_at"))
    if with_due:
        values.update(next_due=bindparam("next_due"))
    return (
        CASES.update()
        .where(c.id == bindparam("case_id"), c.version == bindparam("old_version"))
        .values(values)
    )


#: The case row after a step: chain head, count, time, version (and status on the main track).
UPDATE_CASE = _update_case(with_status=False)
UPDATE_CASE_STATUS = _update_case(with_status=True)
#: The same with ``next_due``: a step that knows the case's clocks after it (a step's one UPDATE
#: of the row, written at the seal with the case's new head).
UPDATE_CASE_DUE = _update_case(with_status=False, with_due=True)
UPDATE_CASE_STATUS_DUE = _update_case(with_status=True, with_due=True)
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
