"""Read a case's plan: goals with their evaluations, the OPP versions with instemming and
hoorrecht, the SWV decisions' periods, the zorgplicht term and every clock."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kindroute.services.case_rows import clock_inputs, read_case_rows
from kindroute.services.clocks import (
    clock_decisions,
    compute_clocks,
    field_values,
    one_year_after,
    zorgplicht_deadline,
)
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor
from kindroute.services.plan_dto import (
    GoalEvaluationInfo,
    GoalInfo,
    HoorrechtInfo,
    InstemmingInfo,
    OppSummary,
    OppVersionInfo,
    PeriodInfo,
    PlanInfo,
    ZorgplichtInfo,
)
from kindroute.store.models import (
    Case,
    DecisionPeriod,
    Document,
    Goal,
    GoalEvaluation,
    OppGoal,
    OppHoorrecht,
    OppInstemming,
    OppVersion,
    Person,
)
from kindroute.workflow import Route


def read_periods(s: Session, case_id: int, route: Route) -> tuple[PeriodInfo, ...]:
    """The granted decisions of the case whose end is a clock, oldest first, with their fields;
    a period kept from before decision fields (``decision_periods``) in the same words."""
    kinds = clock_decisions(route)
    if not kinds:
        return ()
    out: list[PeriodInfo] = []
    for did, kind, outcome, raw in s.execute(
        select(Document.id, Document.kind, Document.outcome, Document.fields_json)
        .where(Document.case_id == case_id, Document.kind.in_(list(kinds))).order_by(Document.id)
    ):
        decision = kinds[kind]
        f = decision.clock_field
        values = field_values(raw)
        if f is None or not f.belongs_to(outcome) or f.id not in values:
            continue
        try:
            end = date.fromisoformat(str(values[f.id]))
        except ValueError:
            continue
        shown = tuple((x.label, str(values[x.id])) for x in decision.fields if x.id in values)
        out.append(PeriodInfo(did, kind, decision.label, outcome, end, shown))
    for p in s.scalars(select(DecisionPeriod).where(DecisionPeriod.case_id == case_id,
                                                    DecisionPeriod.kind.in_(list(kinds)))):
        soort = " ".join(x for x in ((p.tlv_type or "").upper(), p.tlv_category or "") if x)
        shown = tuple((label, value) for label, value in (
            ("Startdatum", p.start_on.isoformat()), ("Einddatum", p.end_on.isoformat()),
            ("Ondersteuning", p.support), ("Soort", soort), ("Schooljaar", p.school_year or ""),
            ("Bezwaar mogelijk tot", p.bezwaar_until.isoformat() if p.bezwaar_until else "")) if value)
        out.append(PeriodInfo(p.document_id, p.kind, kinds[p.kind].label, "", p.end_on, shown))
    return tuple(sorted(out, key=lambda p: p.document_id))


def read_plan(s: Session, case: Case, route: Route, today: date, *,
              names: dict[int, str] | None = None, rows: dict[str, list[Any]] | None = None) -> PlanInfo:
    """The plan of ``case`` as the faces show it (the caller checked access). ``names``: the
    people's names already read (:func:`case_people.case_people`); others are read as they come.
    Without, they come with the rows the clocks are computed from (:data:`case_rows.CASE_ROWS`:
    one statement, not the seven of :func:`clocks.read_inputs` and one per person); ``rows``:
    those rows when the caller read them already (:meth:`CaseView.case_detail`)."""
    if rows is None or names is None:
        rows, names = read_case_rows(s, case.id)

    def name_of(pid: int | None) -> str:
        if pid is None:
            return "?"
        if pid not in names:
            p = s.get(Person, pid)
            names[pid] = p.name if p else "?"
        return names[pid]

    def role_label(role: str | None) -> str | None:
        if role is None:
            return None
        r = route.roles.get(role)
        return r.label if r else role

    evals: dict[int, list[GoalEvaluationInfo]] = {}
    for e in s.scalars(select(GoalEvaluation).where(GoalEvaluation.case_id == case.id)
                       .order_by(GoalEvaluation.evaluated_on, GoalEvaluation.id)):
        evals.setdefault(e.goal_id, []).append(
            GoalEvaluationInfo(e.id, e.evaluated_on, e.result, e.note, name_of(e.by_id)))
    running = case.status == "open"
    goals = tuple(
        GoalInfo(
            g.id, g.area, g.goal, g.approach,
            name_of(g.who_id) if g.who_id is not None else role_label(g.who_role), g.who_role,
            g.start_on, g.evaluate_on,
            evals[g.id][-1].result if g.id in evals else None,
            bool(running and g.id not in evals and g.evaluate_on < today),
            tuple(evals.get(g.id, ())),
        )
        for g in s.scalars(select(Goal).where(Goal.case_id == case.id).order_by(Goal.id))
    )
    versions = list(s.scalars(select(OppVersion).where(OppVersion.case_id == case.id)
                              .order_by(OppVersion.version)))
    ids = [v.id for v in versions]
    links: dict[int, list[int]] = {}
    agreed: dict[int, list[InstemmingInfo]] = {}
    heard: dict[int, list[HoorrechtInfo]] = {}
    if ids:
        for vid, gid in s.execute(select(OppGoal.opp_version_id, OppGoal.goal_id)
                                  .where(OppGoal.opp_version_id.in_(ids)).order_by(OppGoal.goal_id)):
            links.setdefault(vid, []).append(gid)
        for i in s.scalars(select(OppInstemming).where(OppInstemming.case_id == case.id)
                           .order_by(OppInstemming.id)):
            agreed.setdefault(i.opp_version_id, []).append(
                InstemmingInfo(i.id, i.given_on, i.given_by, i.outcome, i.note, name_of(i.recorded_by_id)))
        for h in s.scalars(select(OppHoorrecht).where(OppHoorrecht.case_id == case.id)
                           .order_by(OppHoorrecht.id)):
            heard.setdefault(h.opp_version_id, []).append(
                HoorrechtInfo(h.id, h.heard_on, h.view, h.weighed, name_of(h.recorded_by_id)))
    infos = tuple(
        OppVersionInfo(
            v.version, v.status, v.created_at, name_of(v.created_by_id), v.adopted_on,
            name_of(v.adopted_by_id) if v.adopted_by_id else None, v.uitstroomprofiel, v.reasons,
            v.stimulerend, v.belemmerend, v.support, v.support_who, v.duration,
            tuple(links.get(v.id, ())), tuple(agreed.get(v.id, ())), tuple(heard.get(v.id, ())),
        )
        for v in versions
    )
    summary = None
    if versions:
        cur, info = versions[-1], infos[-1]
        adopted = [v.adopted_on for v in versions if v.adopted_on is not None]
        summary = OppSummary(
            cur.version, cur.status, cur.adopted_on, cur.uitstroomprofiel,
            info.instemming[-1] if info.instemming else None,
            info.hoorrecht[-1] if info.hoorrecht else None,
            one_year_after(max(adopted)) if adopted else None,
        )
    periods = read_periods(s, case.id, route)
    zorgplicht = None
    if case.registered_on is not None:
        zorgplicht = ZorgplichtInfo(
            case.registered_on, zorgplicht_deadline(case.registered_on, bool(case.zorgplicht_extended)),
            bool(case.zorgplicht_extended), case.zorgplicht_decision, case.zorgplicht_decided_on)
    clocks = tuple(compute_clocks(clock_inputs(case, rows, route), route, today))
    return PlanInfo(case.id, case.version, goals, summary, infos, periods, zorgplicht, clocks)


class PlanView(ServiceContext):
    """Read the plan of one case."""

    def case_plan(self, actor: Actor | None, case_id: int) -> PlanInfo:
        with self._uow(write=False) as uow:
            case = self._case(uow.session, case_id, actor)
            return read_plan(uow.session, case, self.route, self.today())
