"""Every clock of a case in one place: what is due by when, and the earliest of them.

A case has many clocks: the term of the step each track stands in, the zorgplicht term of an
aanmelding, the term of a concept OPP, the OPP's yearly evaluation, the evaluation date of each
goal, the end of an arrangement or a TLV (with a reminder some weeks before), and every open
agreement's due date. :func:`compute_clocks` turns what is recorded into that one list; the
earliest due date is kept on the case row (``cases.next_due``, indexed) by every service that
changes a clock (:func:`refresh_next_due` from ``_touch``, :func:`write_next_due` after a
step), so the worklist sorts by it and ``cases --overdue`` filters on it in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.orm import Session

from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, JsonMixin
from kindroute.store.models import (
    Agreement,
    Case,
    CaseTrack,
    DecisionPeriod,
    Goal,
    GoalEvaluation,
    OppVersion,
)
from kindroute.workflow import Route
from kindroute.workflow.vocabulary import OPP_ADOPTED, STATUS_OPEN, STATUS_REFERRED

#: The zorgplicht term in weeks after the aanmelding, and its one extension (Wet passend onderwijs).
ZORGPLICHT_WEEKS = 6
ZORGPLICHT_EXTENSION_WEEKS = 4
#: The OPP is evaluated with the parents at least once a school year (WPO art. 40a).
OPP_EVALUATION_DAYS = 365
#: A concept OPP without a route step that gives its term: the legal 6 weeks.
OPP_TERM_DAYS = 42
#: The reminder before an arrangement or a TLV ends, in weeks.
REMINDER_WEEKS = 6

#: Clock kinds, in the order a list shows clocks with the same due date.
KINDS = ("step", "zorgplicht", "opp", "opp_evaluation", "goal", "arrangement_reminder",
         "arrangement_end", "tlv_reminder", "tlv_end", "agreement")


def zorgplicht_deadline(registered_on: date, extended: bool) -> date:
    """The end of the zorgplicht term of an aanmelding received on ``registered_on``."""
    weeks = ZORGPLICHT_WEEKS + (ZORGPLICHT_EXTENSION_WEEKS if extended else 0)
    return registered_on + timedelta(weeks=weeks)


def one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=OPP_EVALUATION_DAYS)


@dataclass(frozen=True)
class Clock(JsonMixin):
    """One thing due on a case: ``kind`` (see :data:`KINDS`), a Dutch label, the date, overdue."""

    kind: str
    label: str
    due: date
    overdue: bool


@dataclass
class ClockInputs:
    """What the clocks of one case are computed from (read by :func:`read_inputs`)."""

    status: str
    registered_on: date | None = None
    zorgplicht_extended: bool = False
    zorgplicht_decision: str | None = None
    #: (track, step, deadline, role at turn)
    tracks: list[tuple[str, str, date | None, str | None]] = field(default_factory=list)
    #: (version, status, created, adopted_on) of every OPP version
    opp: list[tuple[int, str, date, date | None]] = field(default_factory=list)
    #: (area, goal, evaluate_on) of goals not yet evaluated
    goals: list[tuple[str, str, date]] = field(default_factory=list)
    #: (kind, start, end, support) of the newest period of each kind
    periods: list[tuple[str, date, date, str]] = field(default_factory=list)
    #: (what, due_on) of open agreements with a date
    agreements: list[tuple[str, date]] = field(default_factory=list)


def _nl(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def opp_term_days(route: Route) -> int:
    """The term of the step an OPP is drawn up in: the step left by a trigger that needs
    ``opp_vastgesteld`` (the route says so, no step id is spelled here)."""
    for trigger in route.triggers.values():
        if any(g.name == "opp_vastgesteld" for g in trigger.guards):
            for source in trigger.sources:
                step = route.steps.get(source)
                if step is not None and step.term_days:
                    return step.term_days
    return OPP_TERM_DAYS


def compute_clocks(inputs: ClockInputs, route: Route, today: date) -> list[Clock]:
    """Every clock of a case, earliest first. A closed case has none; a referred case keeps
    only the end of its TLV."""
    due: list[tuple[str, str, date]] = []
    running = inputs.status == STATUS_OPEN
    if running:
        for track, step, deadline, role in inputs.tracks:
            if deadline is None or role is None:
                continue
            s = route.steps.get(step)
            t = route.tracks.get(track)
            title = s.title if s else step
            prefix = f"{t.label}: " if t is not None and track != route.main_track.id else ""
            due.append(("step", f"{prefix}stap '{title}'", deadline))
        if inputs.registered_on is not None and inputs.zorgplicht_decision is None:
            end = zorgplicht_deadline(inputs.registered_on, inputs.zorgplicht_extended)
            extra = " (verlengd)" if inputs.zorgplicht_extended else ""
            due.append(("zorgplicht", f"Zorgplicht: plaats bieden{extra}", end))
        if inputs.opp:
            version, status, created, _adopted = max(inputs.opp)
            if status != OPP_ADOPTED:
                due.append(("opp", f"OPP versie {version} vaststellen", created + timedelta(
                    days=opp_term_days(route))))
            adopted = [a for _v, _s, _c, a in inputs.opp if a is not None]
            if adopted:
                due.append(("opp_evaluation", "OPP jaarlijks evalueren met ouders",
                            one_year_after(max(adopted))))
        for area, goal, on in inputs.goals:
            due.append(("goal", f"Doel evalueren ({area}): {_short(goal)}", on))
        for what, on in inputs.agreements:
            due.append(("agreement", f"Afspraak: {_short(what)}", on))
    if running or inputs.status == STATUS_REFERRED:
        for kind, _start, end, _support in inputs.periods:
            if kind == "tlv" or running:
                name = "TLV" if kind == "tlv" else "Arrangement"
                due.append((f"{kind}_reminder", f"{name} eindigt op {_nl(end)}: evaluatie of vervolg plannen",
                            end - timedelta(weeks=REMINDER_WEEKS)))
                due.append((f"{kind}_end", f"{name} eindigt", end))
    due.sort(key=lambda c: (c[2], KINDS.index(c[0]) if c[0] in KINDS else 99))
    return [Clock(kind, label, on, on < today) for kind, label, on in due]


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def read_inputs(conn: Connection | Session, case_id: int) -> ClockInputs | None:
    """Read what the clocks of ``case_id`` are computed from (None: no such case)."""
    c = conn.execute(
        select(Case.status, Case.registered_on, Case.zorgplicht_extended, Case.zorgplicht_decision)
        .where(Case.id == case_id)
    ).one_or_none()
    if c is None:
        return None
    inputs = ClockInputs(status=c[0], registered_on=c[1], zorgplicht_extended=bool(c[2]),
                         zorgplicht_decision=c[3])
    inputs.tracks = [tuple(r) for r in conn.execute(  # type: ignore[misc]
        select(CaseTrack.track, CaseTrack.step, CaseTrack.deadline, CaseTrack.at_turn_role)
        .where(CaseTrack.case_id == case_id))]
    inputs.opp = [(v, s, _day(cr), a) for v, s, cr, a in conn.execute(
        select(OppVersion.version, OppVersion.status, OppVersion.created_at, OppVersion.adopted_on)
        .where(OppVersion.case_id == case_id))]
    evaluated = select(GoalEvaluation.id).where(GoalEvaluation.goal_id == Goal.id).exists()
    inputs.goals = [tuple(r) for r in conn.execute(  # type: ignore[misc]
        select(Goal.area, Goal.goal, Goal.evaluate_on)
        .where(Goal.case_id == case_id, ~evaluated).order_by(Goal.id))]
    newest: dict[str, tuple[str, date, date, str]] = {}
    for kind, start, end, support in conn.execute(
        select(DecisionPeriod.kind, DecisionPeriod.start_on, DecisionPeriod.end_on, DecisionPeriod.support)
        .where(DecisionPeriod.case_id == case_id).order_by(DecisionPeriod.id)
    ):
        newest[kind] = (kind, start, end, support)
    inputs.periods = list(newest.values())
    inputs.agreements = [tuple(r) for r in conn.execute(  # type: ignore[misc]
        select(Agreement.what, Agreement.due_on)
        .where(Agreement.case_id == case_id, Agreement.due_on.is_not(None), Agreement.done_at.is_(None))
        .order_by(Agreement.id))]
    return inputs


def next_due(conn: Connection | Session, case_id: int, route: Route) -> date | None:
    """The earliest due date of the case's clocks (what ``cases.next_due`` holds)."""
    inputs = read_inputs(conn, case_id)
    if inputs is None:
        return None
    clocks = compute_clocks(inputs, route, date.min)
    return clocks[0].due if clocks else None


def refresh_next_due(session: Session, case: Case, route: Route) -> None:
    """Recompute ``case.next_due`` after a change in this session (flushes it first)."""
    session.flush()
    case.next_due = next_due(session, case.id, route)


def write_next_due(conn: Connection, case_id: int, route: Route) -> None:
    """Recompute and write ``cases.next_due`` on a bare connection (after a step)."""
    conn.execute(update(Case.__table__).where(Case.__table__.c.id == case_id)
                 .values(next_due=next_due(conn, case_id, route)))


BATCH = 5000


def refresh_range(conn: Connection, route: Route, lo: int, hi: int) -> int:
    """Recompute ``cases.next_due`` for the cases with ids ``lo``..``hi`` from a few range
    reads (a bulk load's cases; the same :func:`compute_clocks` as one case)."""
    inputs: dict[int, ClockInputs] = {
        cid: ClockInputs(status=st, registered_on=reg, zorgplicht_extended=bool(ext), zorgplicht_decision=dec)
        for cid, st, reg, ext, dec in conn.execute(
            select(Case.id, Case.status, Case.registered_on, Case.zorgplicht_extended,
                   Case.zorgplicht_decision).where(Case.id.between(lo, hi)))
    }
    for cid, *row in conn.execute(select(CaseTrack.case_id, CaseTrack.track, CaseTrack.step,
                                         CaseTrack.deadline, CaseTrack.at_turn_role)
                                  .where(CaseTrack.case_id.between(lo, hi))):
        inputs[cid].tracks.append(tuple(row))  # type: ignore[arg-type]
    for cid, v, st, cr, ad in conn.execute(select(OppVersion.case_id, OppVersion.version, OppVersion.status,
                                                  OppVersion.created_at, OppVersion.adopted_on)
                                           .where(OppVersion.case_id.between(lo, hi))):
        inputs[cid].opp.append((v, st, _day(cr), ad))
    evaluated = select(GoalEvaluation.id).where(GoalEvaluation.goal_id == Goal.id).exists()
    for cid, area, goal, on in conn.execute(select(Goal.case_id, Goal.area, Goal.goal, Goal.evaluate_on)
                                            .where(Goal.case_id.between(lo, hi), ~evaluated)):
        inputs[cid].goals.append((area, goal, on))
    for cid, kind, start, end, support in conn.execute(
        select(DecisionPeriod.case_id, DecisionPeriod.kind, DecisionPeriod.start_on, DecisionPeriod.end_on,
               DecisionPeriod.support).where(DecisionPeriod.case_id.between(lo, hi))
        .order_by(DecisionPeriod.id)
    ):
        periods = [p for p in inputs[cid].periods if p[0] != kind]
        inputs[cid].periods = [*periods, (kind, start, end, support)]
    for cid, what, on in conn.execute(select(Agreement.case_id, Agreement.what, Agreement.due_on).where(
            Agreement.case_id.between(lo, hi), Agreement.due_on.is_not(None), Agreement.done_at.is_(None))):
        inputs[cid].agreements.append((what, on))
    values = []
    for cid, inp in inputs.items():
        clocks = compute_clocks(inp, route, date.min)
        values.append({"i": cid, "d": clocks[0].due if clocks else None})
    if values:
        table = Case.__table__
        conn.execute(update(table).where(table.c.id == bindparam("i")).values(next_due=bindparam("d")),
                     values)
    return len(values)


class CaseClocks(ServiceContext):
    """Read the clocks of a case."""

    def case_clocks(self, actor: Actor | None, case_id: int) -> list[Clock]:
        """Every clock of the case ``actor`` may see, earliest first."""
        with self._uow(write=False) as uow:
            s = uow.session
            self._case(s, case_id, actor)
            inputs = read_inputs(s, case_id)
            assert inputs is not None
            return compute_clocks(inputs, self.route, self.today())

    def refresh_all_next_due(self) -> int:
        """Recompute ``cases.next_due`` of every case (after a bulk load or a route change)."""
        with self._uow() as uow:
            conn = uow.connection
            top = conn.scalar(select(func.max(Case.id))) or 0
            n = sum(refresh_range(conn, self.route, lo, lo + BATCH - 1) for lo in range(1, top + 1, BATCH))
            uow.commit()
            return n
