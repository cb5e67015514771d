"""Every clock of a case in one place: what is due by when, and the earliest of them.

A case has many clocks: the term of the step each track stands in, the zorgplicht term of an
aanmelding, the term of a concept OPP, the OPP's yearly evaluation, the evaluation date of each
goal, the end of an arrangement or a TLV (with a reminder some weeks before), and every open
agreement's due date. The ends of what the SWV granted are data: a date field of a route's
decision marked ``clock = "end"`` (``remind_weeks`` before it a reminder; ``after_referral``: it
keeps running for a referred case). :func:`compute_clocks` turns what is recorded into that one list; the
earliest due date is kept on the case row (``cases.next_due``, indexed) by every service that
changes a clock (:func:`refresh_next_due` from ``_touch``; a step writes it with its own UPDATE of
the case row, from the inputs it read with the guards' facts: :func:`step_statement`), so the
worklist sorts by it and ``cases --overdue`` filters on it in SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from kindroute.services import stepping
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, JsonMixin
from kindroute.services.stepping import fact_part
from kindroute.store.models import (
    Agreement,
    Case,
    CaseTrack,
    DecisionPeriod,
    Document,
    Goal,
    GoalEvaluation,
    OppVersion,
)
from kindroute.workflow import Route
from kindroute.workflow.model import Decision
from kindroute.workflow.vocabulary import OPP_ADOPTED, STATUS_OPEN, STATUS_REFERRED

#: The zorgplicht term in weeks after the aanmelding, and its one extension (Wet passend onderwijs).
ZORGPLICHT_WEEKS = 6
ZORGPLICHT_EXTENSION_WEEKS = 4
#: The OPP is evaluated with the parents at least once a school year (WPO art. 40a).
OPP_EVALUATION_DAYS = 365
#: A concept OPP without a route step that gives its term: the legal 6 weeks.
OPP_TERM_DAYS = 42
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


#: (document id, decision id, outcome, field values) of a recorded decision.
DecisionRow = tuple[int, str, str, dict[str, Any]]


def clock_decisions(route: Route) -> dict[str, Decision]:
    """The route's decisions with a date field that is a clock (``clock = "end"``)."""
    return route.clock_decisions


def field_values(raw: str | None) -> dict[str, Any]:
    """A document's stored field values (``fields_json``); {} when none or unreadable."""
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def legacy_row(route: Route, document_id: int, kind: str, end: date) -> DecisionRow | None:
    """A period recorded before decision fields held it (table ``decision_periods``, schema 0008;
    nothing writes it any more) as the fields of the route's decision of the same name
    (arrangement, tlv)."""
    decision = clock_decisions(route).get(kind)
    if decision is None or decision.clock_field is None:
        return None
    f = decision.clock_field
    return (document_id, kind, f.when[0] if f.when else "", {f.id: end.isoformat()})


def decision_ends(rows: list[DecisionRow], route: Route) -> list[tuple[Decision, date]]:
    """Per decision kind with a clock: the end date of its newest decision that grants (its
    outcome is one the clock field belongs to) and holds that date. A later refusal of a new
    request does not hide the end of what still runs."""
    kinds = clock_decisions(route)
    newest: dict[str, tuple[int, date]] = {}
    for doc_id, kind, outcome, values in rows:
        decision = kinds.get(kind)
        f = decision.clock_field if decision is not None else None
        if f is None or not f.belongs_to(outcome):
            continue
        try:
            end = date.fromisoformat(str(values.get(f.id, "")))
        except ValueError:
            continue
        if kind not in newest or doc_id > newest[kind][0]:
            newest[kind] = (doc_id, end)
    return [(kinds[k], end) for k, (_doc, end) in sorted(newest.items(), key=lambda kv: kv[1][0])]


def decision_rows(conn: Connection | Session, route: Route, lo: int, hi: int) \
        -> list[tuple[int, DecisionRow]]:
    """(case id, row) of every decision with a clock of the cases ``lo``..``hi``, with the
    periods kept from before decision fields (``decision_periods``)."""
    kinds = list(clock_decisions(route))
    if not kinds:
        return []
    out: list[tuple[int, DecisionRow]] = [
        (cid, (did, kind, outcome, field_values(raw)))
        for cid, did, kind, outcome, raw in conn.execute(
            select(Document.case_id, Document.id, Document.kind, Document.outcome, Document.fields_json)
            .where(Document.case_id.between(lo, hi), Document.kind.in_(kinds)))
    ]
    for cid, did, kind, end in conn.execute(
        select(DecisionPeriod.case_id, DecisionPeriod.document_id, DecisionPeriod.kind, DecisionPeriod.end_on)
        .where(DecisionPeriod.case_id.between(lo, hi), DecisionPeriod.kind.in_(kinds))
    ):
        row = legacy_row(route, did, kind, end)
        if row is not None:
            out.append((cid, row))
    return out


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
    #: (document id, decision id, outcome, field values) of the decisions whose route kind has a
    #: clock field (see :func:`decision_rows`)
    decisions: list[DecisionRow] = field(default_factory=list)
    #: (what, due_on) of open agreements with a date
    agreements: list[tuple[str, date]] = field(default_factory=list)

    @classmethod
    def of_case(cls, case: Any) -> ClockInputs:
        """The inputs a case row holds itself (status and zorgplicht; any row or object with those
        attributes); :func:`inputs_from` adds the rest."""
        return cls(status=case.status, registered_on=case.registered_on,
                   zorgplicht_extended=bool(case.zorgplicht_extended),
                   zorgplicht_decision=case.zorgplicht_decision)

    def entered(self, track: str, step: str, deadline: date | None, role: str | None, status: str) -> None:
        """A step taken since these were read: ``track`` now stands in ``step`` (its deadline and
        role at turn), and the case's status is ``status`` (a step changes nothing else a clock
        is computed from)."""
        self.tracks = [t for t in self.tracks if t[0] != track] + [(track, step, deadline, role)]
        self.status = status


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
    due = _due(inputs, route, labelled=True)
    due.sort(key=lambda c: (c[2], _rank(c[0])))
    return [Clock(kind, label, on, on < today) for kind, label, on in due]


def _due(inputs: ClockInputs, route: Route, *, labelled: bool) -> list[tuple[str, str, date]]:
    """(kind, label, due date) of every clock of a case, unsorted; without ``labelled`` every
    label is "" (what :func:`earliest` needs is the dates, of the same clocks)."""
    due: list[tuple[str, str, date]] = []
    running = inputs.status == STATUS_OPEN
    if running:
        for track, step, deadline, role in inputs.tracks:
            if deadline is None or role is None:
                continue
            label = ""
            if labelled:
                s = route.steps.get(step)
                t = route.tracks.get(track)
                title = s.title if s else step
                prefix = f"{t.label}: " if t is not None and track != route.main_track.id else ""
                label = f"{prefix}stap '{title}'"
            due.append(("step", label, deadline))
        if inputs.registered_on is not None and inputs.zorgplicht_decision is None:
            end = zorgplicht_deadline(inputs.registered_on, inputs.zorgplicht_extended)
            extra = " (verlengd)" if inputs.zorgplicht_extended else ""
            due.append(("zorgplicht", f"Zorgplicht: plaats bieden{extra}" if labelled else "", end))
        if inputs.opp:
            version, status, created, _adopted = max(inputs.opp)
            if status != OPP_ADOPTED:
                due.append(("opp", f"OPP versie {version} vaststellen" if labelled else "",
                            created + timedelta(days=opp_term_days(route))))
            adopted = [a for _v, _s, _c, a in inputs.opp if a is not None]
            if adopted:
                due.append(("opp_evaluation", "OPP jaarlijks evalueren met ouders" if labelled else "",
                            one_year_after(max(adopted))))
        for area, goal, on in inputs.goals:
            due.append(("goal", f"Doel evalueren ({area}): {_short(goal)}" if labelled else "", on))
        for what, on in inputs.agreements:
            due.append(("agreement", f"Afspraak: {_short(what)}" if labelled else "", on))
    if (running or inputs.status == STATUS_REFERRED) and inputs.decisions:
        for decision, end in decision_ends(inputs.decisions, route):
            f = decision.clock_field
            assert f is not None
            if not running and not f.after_referral:
                continue
            if f.remind_weeks:
                due.append((f"{decision.id}_reminder", f"{decision.label} eindigt op {_nl(end)}: evaluatie "
                            "of vervolg plannen" if labelled else "", end - timedelta(weeks=f.remind_weeks)))
            due.append((f"{decision.id}_end", f"{decision.label} eindigt" if labelled else "", end))
    return due


def _rank(kind: str) -> int:
    """Where a clock kind sorts among clocks of the same day (a route's own decision ids too)."""
    if kind in KINDS:
        return KINDS.index(kind)
    for suffix in ("_reminder", "_end"):
        if kind.endswith(suffix):
            return KINDS.index(f"arrangement{suffix}")
    return len(KINDS)


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _clock_parts(case_id: Any, kinds: tuple[str, ...]) -> list[Select[Any]]:
    """The parts of the clocks' inputs the guards' facts do not hold, in the shape of
    :data:`stepping.FACTS` (lower-case kinds, apart from its own): g goals not yet evaluated,
    a open agreements with a date, f decisions with a clock (their field values), p periods
    kept from before decision fields."""
    evaluated = select(GoalEvaluation.id).where(GoalEvaluation.goal_id == Goal.id).exists()
    parts = [
        fact_part("g", (Goal.case_id == case_id) & ~evaluated, o=Goal.id, a=Goal.area, c=Goal.goal,
                  d1=Goal.evaluate_on),
        fact_part("a", (Agreement.case_id == case_id) & Agreement.due_on.is_not(None)
                  & Agreement.done_at.is_(None), o=Agreement.id, c=Agreement.what, d1=Agreement.due_on),
    ]
    if kinds:
        # the kinds as plain bound values (an IN list of Python values is expanded on every execution)
        listed = [bindparam(f"clock_kind_{i}", k, type_=String) for i, k in enumerate(kinds)]
        parts += [
            fact_part("f", (Document.case_id == case_id) & Document.kind.in_(listed), o=Document.id,
                      a=Document.kind, b=Document.outcome, c=Document.fields_json),
            fact_part("p", (DecisionPeriod.case_id == case_id) & DecisionPeriod.kind.in_(listed),
                      o=DecisionPeriod.document_id, a=DecisionPeriod.kind, d1=DecisionPeriod.end_on),
        ]
    return parts


@lru_cache(maxsize=8)
def inputs_statement(kinds: tuple[str, ...]) -> CompoundSelect:
    """Everything the clocks of one case are computed from (parameter ``case_id``) in one
    ``UNION ALL``, built once per set of decision kinds with a clock: c the case row, T its
    tracks and O its OPP versions (as :data:`stepping.FACTS` reads them), and
    :func:`_clock_parts`."""
    case_id = bindparam("case_id", type_=Integer)
    return union_all(
        fact_part("c", Case.id == case_id, a=Case.status, b=Case.zorgplicht_decision,
                  n=cast(Case.zorgplicht_extended, Integer), d1=Case.registered_on),
        stepping.tracks_part(case_id), stepping.opp_part(case_id), *_clock_parts(case_id, kinds))


@lru_cache(maxsize=8)
def step_statement(kinds: tuple[str, ...]) -> CompoundSelect:
    """:data:`stepping.FACTS` and the rest of the clocks' inputs in one read (parameter
    ``case_id``): what a step needs besides its case row, so that it knows the case's clocks
    after it without reading them again (:func:`inputs_from`, :meth:`ClockInputs.entered`)."""
    case_id = bindparam("case_id", type_=Integer)
    return union_all(*stepping.fact_parts(case_id), *_clock_parts(case_id, kinds))


def clock_kinds(route: Route) -> tuple[str, ...]:
    """The route's decision kinds with a clock, as :func:`inputs_statement` is keyed."""
    return tuple(clock_decisions(route))


def inputs_from(rows: Iterable[Any], route: Route, case: ClockInputs) -> ClockInputs:
    """Fill ``case`` (status and zorgplicht) with the rows of :func:`inputs_statement` or
    :func:`step_statement`; other kinds of rows are left alone."""
    goals: list[tuple[int, str, str, date]] = []
    kept: list[DecisionRow] = []  # periods from before decision fields: after the decisions
    agreements: list[tuple[int, str, date]] = []
    for kind, o, a, b, c, n, d1, _d2, _d3, t in rows:
        if kind == "T":
            case.tracks.append((a, b, d1, c))
        elif kind == "O":
            case.opp.append((n, a, _day(t), d1))
        elif kind == "g":
            goals.append((o, a, c, d1))
        elif kind == "a":
            agreements.append((o, c, d1))
        elif kind == "f":
            case.decisions.append((o, a, b, field_values(c)))
        elif kind == "p":
            row = legacy_row(route, o, a, d1)
            if row is not None:
                kept.append(row)
    case.goals = [(area, goal, on) for _i, area, goal, on in sorted(goals, key=_first)]
    case.decisions += kept
    case.agreements = [(what, on) for _i, what, on in sorted(agreements, key=_first)]
    return case


def read_inputs(conn: Connection | Session, case_id: int, route: Route) -> ClockInputs | None:
    """Read what the clocks of ``case_id`` are computed from (None: no such case), in one
    statement (:func:`inputs_statement`)."""
    rows = conn.execute(inputs_statement(clock_kinds(route)), {"case_id": case_id}).all()
    case = next((r for r in rows if r[0] == "c"), None)
    if case is None:
        return None
    inputs = ClockInputs(status=case.a, registered_on=case.d1, zorgplicht_extended=bool(case.n),
                         zorgplicht_decision=case.b)
    return inputs_from(rows, route, inputs)


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def earliest(inputs: ClockInputs, route: Route) -> date | None:
    """The earliest due date of these clocks (what ``cases.next_due`` holds): the first of
    :func:`compute_clocks`, from the same clocks without their labels."""
    due = _due(inputs, route, labelled=False)
    return min(on for _kind, _label, on in due) if due else None


def next_due(conn: Connection | Session, case_id: int, route: Route) -> date | None:
    """The earliest due date of the case's clocks (what ``cases.next_due`` holds)."""
    inputs = read_inputs(conn, case_id, route)
    return earliest(inputs, route) if inputs is not None else None


def refresh_next_due(session: Session, case: Case, route: Route) -> None:
    """Recompute ``case.next_due`` after a change in this session (flushes it first)."""
    session.flush()
    case.next_due = next_due(session, case.id, route)


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
    for cid, row in decision_rows(conn, route, lo, hi):
        inputs[cid].decisions.append(row)
    for cid, what, on in conn.execute(select(Agreement.case_id, Agreement.what, Agreement.due_on).where(
            Agreement.case_id.between(lo, hi), Agreement.due_on.is_not(None), Agreement.done_at.is_(None))):
        inputs[cid].agreements.append((what, on))
    values = []
    for cid, inp in inputs.items():
        values.append({"i": cid, "d": earliest(inp, route)})
    if values:
        table = Case.__table__
        conn.execute(update(table).where(table.c.id == bindparam("i")).values(next_due=bindparam("d")),
                     values)
    return len(values)


def refresh_every_case(conn: Connection, route: Route) -> int:
    """Recompute ``cases.next_due`` of every case under ``route`` (after a bulk load, or in the
    transaction that installs a new route version: its terms and clock fields may differ)."""
    top = conn.scalar(select(func.max(Case.id))) or 0
    return sum(refresh_range(conn, route, lo, lo + BATCH - 1) for lo in range(1, top + 1, BATCH))


class CaseClocks(ServiceContext):
    """Read the clocks of a case."""

    def case_clocks(self, actor: Actor | None, case_id: int) -> list[Clock]:
        """Every clock of the case ``actor`` may see, earliest first."""
        with self._uow(write=False) as uow:
            s = uow.session
            self._case(s, case_id, actor)
            inputs = read_inputs(s, case_id, self.route)
            assert inputs is not None
            return compute_clocks(inputs, self.route, self.today())

    def refresh_all_next_due(self) -> int:
        """Recompute ``cases.next_due`` of every case (after a bulk load or a route change)."""
        with self._uow() as uow:
            n = refresh_every_case(uow.connection, self.route)
            uow.commit()
            return n
