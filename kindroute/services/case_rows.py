"""Every record of one case that its screen shows, read in one statement.

Opening a case is what the case screen waits for, and on a shared database every round trip
counts (bench P10: 50 sessions at once). Its records — the active assignments, consents,
tracks, steps taken, notes, agreements, documents, what the clocks need from the plan (OPP
versions, goals not yet evaluated, periods kept from before decision fields), the rest of what
the guards look at, and the name of everyone these point at — are read as one ``UNION ALL`` of
equally shaped rows, in no particular order: :func:`read_case_rows` sorts each kind the way the
screens show it, and :func:`step_rows` gives the rows a step reads itself
(:func:`clocks.step_statement`), so the guards' facts and the clocks come from one code.
:func:`open_statement` puts the case row itself in front, with the reader's access check, so
that a case is opened in one round trip (:func:`read_case`).
"""

from __future__ import annotations

from collections import defaultdict
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
    Text,
    bindparam,
    case,
    cast,
    exists,
    select,
    true,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from kindroute.services.case_people import NAMES
from kindroute.services.clocks import ClockInputs, clock_kinds, inputs_from
from kindroute.services.stepping import PLACED, case_school, occupied
from kindroute.store import tables
from kindroute.store.models import (
    Agreement,
    Assignment,
    CaseEvent,
    CaseTrack,
    ChecklistTick,
    ConsentRecord,
    DecisionPeriod,
    Document,
    Goal,
    GoalEvaluation,
    Note,
    OppHoorrecht,
    OppInstemming,
    OppVersion,
    PlusklasLocation,
    PlusklasPlacement,
    PlusklasServes,
    TurnConfirmation,
)
from kindroute.store.psycopg_cache import PREPARE_AT_ONCE
from kindroute.store.sql import shaped_part
from kindroute.workflow import Route

# The shape every row shares: (kind, five integers, four strings, two texts, three dates, two
# times; no label is a name a Row already has, such as ``t`` or ``count``).
_SHAPE: tuple[tuple[str, Any], ...] = (
    ("o", Integer), ("n", Integer), ("n2", Integer), ("n3", Integer), ("n4", Integer),
    ("a", String), ("b", String), ("c", String), ("d", String),
    ("e", Text), ("f", Text),
    ("d1", Date), ("d2", Date), ("d3", Date),
    ("at", DateTime), ("at2", DateTime),
)


def _part(kind: str, where: ColumnElement[bool], **cols: Any) -> Select[Any]:
    return shaped_part(_SHAPE, kind, where, **cols)


def _statement() -> Any:
    case = bindparam("case_id", type_=Integer)
    evaluated = select(GoalEvaluation.id).where(GoalEvaluation.goal_id == Goal.id).exists()
    names = NAMES.subquery()
    return union_all(
        _part("A", (Assignment.case_id == case) & Assignment.ended_at.is_(None),
              o=Assignment.id, n=Assignment.person_id, a=Assignment.role, at=Assignment.started_at),
        _part("C", ConsentRecord.case_id == case,
              o=ConsentRecord.id, n=cast(ConsentRecord.pupil_cosigned, Integer),
              n2=ConsentRecord.recorded_by_id,
              a=ConsentRecord.role, b=ConsentRecord.organisation, c=ConsentRecord.purpose,
              d=ConsentRecord.given_by, d1=ConsentRecord.valid_from, d2=ConsentRecord.valid_until,
              d3=ConsentRecord.withdrawn_on, at=ConsentRecord.recorded_at),
        _part("T", CaseTrack.case_id == case,
              n=CaseTrack.entered_seq, a=CaseTrack.track, b=CaseTrack.step, c=CaseTrack.at_turn_role,
              d1=CaseTrack.deadline, at=CaseTrack.entered_at),
        _part("E", (CaseEvent.case_id == case) & (CaseEvent.kind == "step"),
              o=CaseEvent.seq, a=CaseEvent.track, b=CaseEvent.from_step, c=CaseEvent.to_step,
              d=CaseEvent.trigger, e=CaseEvent.actor_name, f=CaseEvent.note, at=CaseEvent.at),
        _part("N", Note.case_id == case,
              o=Note.id, n=Note.author_id, a=Note.step, f=Note.text, at=Note.at),
        _part("G", Agreement.case_id == case,
              o=Agreement.id, n=Agreement.who_id, n2=Agreement.created_by_id, a=Agreement.who_role,
              e=Agreement.what, d1=Agreement.due_on, at=Agreement.done_at, at2=Agreement.created_at),
        _part("D", Document.case_id == case,
              o=Document.id, n=Document.author_id, a=Document.kind, b=Document.outcome, c=Document.step,
              e=Document.title, f=Document.fields_json, at=Document.at),
        _part("O", OppVersion.case_id == case,
              o=OppVersion.version, n=OppVersion.id, a=OppVersion.status, d1=OppVersion.adopted_on,
              at=OppVersion.created_at),
        _part("V", (Goal.case_id == case) & ~evaluated,
              o=Goal.id, a=Goal.area, e=Goal.goal, d1=Goal.evaluate_on),
        _part("P", DecisionPeriod.case_id == case,
              o=DecisionPeriod.document_id, a=DecisionPeriod.kind, d1=DecisionPeriod.end_on),
        # what else the guards look at (stepping.FACTS; a step reads those on their own)
        _part("Q", TurnConfirmation.case_id == case,
              o=TurnConfirmation.id, n=TurnConfirmation.visit, a=TurnConfirmation.track,
              b=TurnConfirmation.trigger, c=TurnConfirmation.role),
        _part("K", ChecklistTick.case_id == case,
              o=ChecklistTick.id, n=ChecklistTick.visit, a=ChecklistTick.step, b=ChecklistTick.item),
        _part("I", OppInstemming.case_id == case,
              o=OppInstemming.id, n=OppInstemming.opp_version_id, a=OppInstemming.outcome),
        _part("H", OppHoorrecht.case_id == case, o=OppHoorrecht.id, n=OppHoorrecht.opp_version_id),
        _part("F", (PlusklasServes.location_id == PlusklasLocation.id)
              & (PlusklasServes.school_id == case_school(case)),
              o=PlusklasLocation.id, n=PlusklasLocation.places - occupied(PlusklasLocation.id)),
        _part("L", (PlusklasPlacement.case_id == case) & (PlusklasPlacement.status == PLACED),
              o=PlusklasPlacement.id, n=PlusklasPlacement.location_id),
        # everyone the case's records point at (``case_people``): one row per person
        _part("W", true(), o=names.c.id, d=names.c.name),
    )


#: The rows of one case (parameter ``case_id``), kinds: A active assignments, C consents,
#: T tracks, E steps taken, N notes, G agreements, D documents, O OPP versions, V goals not
#: yet evaluated, P periods kept from before decision fields; for the guards also Q turns
#: confirmed, K checklist ticks, I instemming, H hoorrecht, F free Plus-klas places per
#: location serving the school, L the case's placement; W names of the people referred to.
CASE_ROWS = _statement()


@dataclass(frozen=True, slots=True)
class CaseHead:
    """The case row with what the screen shows of its pupil and school, and whether the reader
    may see it (the ``R`` row of :func:`open_statement`)."""

    id: int
    school_id: int
    status: str
    opened_at: datetime
    registered_on: date | None
    version: int
    zorgplicht_extended: bool
    zorgplicht_decision: str | None
    zorgplicht_decided_on: date | None
    pupil_id: int
    pupil_name: str
    date_of_birth: date | None
    group: int
    school_name: str
    visible: bool


def head_statement(visible: ColumnElement[bool]) -> Select[Any]:
    """The case row (parameter ``case_id``) with what the screen shows of its pupil and school,
    and ``visible``, the reader's access clause on ``cases``: the ``R`` row of
    :func:`open_statement` (:func:`head_of` reads it)."""
    c, p, sc = tables.cases.c, tables.pupils.c, tables.schools.c
    return shaped_part(
        _SHAPE, "R", (c.id == bindparam("case_id", type_=Integer)) & (p.id == c.pupil_id)
        & (sc.id == c.school_id),
        o=p.id, n=c.school_id, n2=c.version, n3=case((c.zorgplicht_extended, 1), else_=0),
        n4=case((visible, 1), else_=0), a=c.status, b=c.zorgplicht_decision,
        c=cast(p.group, String), d=p.name, e=sc.name, d1=c.registered_on,
        d2=c.zorgplicht_decided_on, d3=p.date_of_birth, at=c.opened_at,
    )


def head_of(r: Row[Any] | None, case_id: int) -> CaseHead | None:
    """The :class:`CaseHead` in a row of :func:`head_statement` (None: no such case)."""
    if r is None:
        return None
    return CaseHead(
        id=case_id, school_id=r.n, status=r.a, opened_at=r.at, registered_on=r.d1, version=r.n2,
        zorgplicht_extended=bool(r.n3), zorgplicht_decision=r.b, zorgplicht_decided_on=r.d2,
        pupil_id=r.o, pupil_name=r.d, date_of_birth=r.d3, school_name=r.e,
        group=int(r.c),  # a string in the shape's columns
        visible=bool(r.n4),
    )


def open_statement(visible: ColumnElement[bool]) -> Any:
    """Opening a case in one round trip: its :func:`head_statement` row and, only when
    ``visible`` holds, the rows of :data:`CASE_ROWS` — a case the reader may not see sends
    nothing else to the client. The access check is one uncorrelated ``EXISTS``: the server
    evaluates it once for the whole statement (PostgreSQL: a one-time filter over the union)."""
    c = tables.cases.c
    seen = exists(select(c.id).where((c.id == bindparam("case_id", type_=Integer)) & visible))
    return (union_all(head_statement(visible), select(CASE_ROWS.subquery("case_rows")).where(seen))
            .execution_options(**{PREPARE_AT_ONCE: True}))  # see store/psycopg_cache.py


def read_case(conn: Connection, statement: Any, case_id: int
              ) -> tuple[CaseHead | None, dict[str, list[Row[Any]]], dict[int, str]]:
    """What :func:`open_statement`'s ``statement`` gives for ``case_id``: the case's head (None:
    no such case; then nothing else) and, as :func:`read_case_rows`, its rows and names (empty
    when the reader may not see it)."""
    head_row, rows, names = _sorted(conn.execute(statement, {"case_id": case_id}), head="R")
    return head_of(head_row, case_id), rows, names


#: How each kind is ordered as the screens show it (the statement itself does not order).
_ORDER: dict[str, Any] = {
    "A": lambda r: (r.a, r.o),  # by role
    "T": lambda r: r.a,  # by track
    "N": lambda r: (r.at, r.o),  # by time
}


def read_case_rows(s: Session | Connection, case_id: int) -> tuple[dict[str, list[Row[Any]]], dict[int, str]]:
    """The rows of :data:`CASE_ROWS` for ``case_id`` by kind, each kind in order (by id, or as
    :data:`_ORDER` says), and {person id: name} of everyone they point at."""
    _head, rows, names = _sorted(s.execute(CASE_ROWS, {"case_id": case_id}))
    return rows, names


def _sorted(result: Any, head: str | None = None
            ) -> tuple[Row[Any] | None, dict[str, list[Row[Any]]], dict[int, str]]:
    """The rows of ``result`` by kind, each kind in order; the names (kind ``W``) as a dict and
    the one row of kind ``head`` apart."""
    rows: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in result:
        rows[row.kind].append(row)
    for kind, kind_rows in rows.items():
        kind_rows.sort(key=_ORDER.get(kind, _by_first))
    names = {r.o: r.d for r in rows.pop("W", ())}
    heads = rows.pop(head, None) if head is not None else None
    return (heads[0] if heads else None), rows, names


def _by_first(row: Row[Any]) -> Any:
    return row.o


def step_rows(rows: dict[str, list[Row[Any]]], route: Route) -> list[tuple[Any, ...]]:
    """The rows :func:`clocks.step_statement` reads for the same case — :data:`stepping.FACTS`
    and the rest of the clocks' inputs — made from its rows of :data:`CASE_ROWS` (read for the
    case screen anyway): what :func:`stepping.build_facts` and :func:`clocks.inputs_from` take.
    The tests hold both reads together."""
    out: list[tuple[Any, ...]] = []
    add = out.append  # (kind, o, a, b, c, n, d1, d2, d3, t)
    for r in rows["T"]:
        add(("T", 0, r.a, r.b, r.c, r.n, r.d1, None, None, r.at))
    for r in rows["A"]:
        add(("A", r.o, r.a, None, None, r.n, None, None, None, None))
    for r in rows["C"]:
        add(("C", r.o, r.a, r.c, r.d, r.n, r.d1, r.d2, r.d3, None))
    for r in rows["D"]:
        add(("D", r.o, r.a, r.b, r.c, r.n, None, None, None, r.at))
    for r in rows["O"]:
        add(("O", r.n, r.a, None, None, r.o, r.d1, None, None, r.at))
    for r in rows["Q"]:
        add(("Q", r.o, r.a, r.b, r.c, r.n, None, None, None, None))
    for r in rows["K"]:
        add(("K", r.o, r.a, r.b, None, r.n, None, None, None, None))
    for kind in ("I", "H", "L"):
        for r in rows[kind]:
            add((kind, r.o, r.a, None, None, r.n, None, None, None, None))
    for r in rows["F"]:
        add(("P", r.o, None, None, None, r.n, None, None, None, None))
    # the clocks' own kinds (lower case), as clocks.step_statement selects them
    kinds = set(clock_kinds(route))
    for r in rows["V"]:
        add(("g", r.o, r.a, None, r.e, None, r.d1, None, None, None))
    for r in rows["G"]:
        if r.d1 is not None and r.at is None:
            add(("a", r.o, None, None, r.e, None, r.d1, None, None, None))
    for r in rows["D"]:
        if r.a in kinds:
            add(("f", r.o, r.a, r.b, r.f, None, None, None, None, None))
    for r in rows["P"]:
        if r.a in kinds:
            add(("p", r.o, r.a, None, None, None, r.d1, None, None, None))
    return out


def clock_inputs(case: Any, rows: dict[str, list[Row[Any]]], route: Route) -> ClockInputs:
    """What :func:`clocks.compute_clocks` needs, from the case row (or object) and its rows of
    :data:`CASE_ROWS`, through the same :func:`clocks.inputs_from` a step uses."""
    return inputs_from(step_rows(rows, route), route, ClockInputs.of_case(case))
