"""Goals of a case (handelingsgericht werken) and their evaluations.

A goal has an area, the goal itself, an approach, who works on it (a role of the route, the
parents included, or a person), a start and an evaluation date; that date is a clock until the
goal is evaluated (``behaald`` / ``deels`` / ``niet``, a note, by whom). A goal added while the
current OPP version is a concept joins that version's handelingsdeel.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from kindroute.errors import InvalidInput, NotFound
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor
from kindroute.services.text import check_name, check_text, parse_date
from kindroute.store.models import Goal, GoalEvaluation, OppGoal, OppVersion
from kindroute.workflow.vocabulary import GOAL_RESULTS, OPP_CONCEPT, STATUS_OPEN


class GoalServices(ServiceContext):
    """Add and evaluate goals."""

    def add_goal(
        self,
        actor: Actor,
        case_id: int,
        *,
        area: str,
        goal: str,
        evaluate_on: str | date,
        approach: str = "",
        who: str | None = None,
        start_on: str | date | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Record a goal; ``who`` is a role id of the route or a person (name or number)."""
        check_name(area, "Gebied")
        check_text(goal, "Doel")
        check_text(approach, "Aanpak", required=False)
        evaluate = parse_date(evaluate_on, "Evaluatiedatum")
        start = parse_date(start_on, "Startdatum") if start_on else self.today()
        if evaluate < start:
            raise InvalidInput(
                f"De evaluatiedatum ({evaluate.isoformat()}) ligt vóór de start ({start.isoformat()})."
            )
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            if case.status != STATUS_OPEN:
                raise InvalidInput(f"Casus {case_id} is niet open: er kunnen geen doelen bij.")
            who_role: str | None = None
            who_id: int | None = None
            if who is not None and who.strip():
                if who.strip() in self.route.roles:
                    who_role = who.strip()
                else:
                    try:
                        who_id = self._actor(s, who).id
                    except NotFound:
                        roles = ", ".join(self.route.roles)
                        raise InvalidInput(
                            f"'{who}' is geen rol ({roles}) en geen bekende persoon."
                        ) from None
            g = Goal(case_id=case_id, area=area.strip(), goal=goal, approach=approach, who_role=who_role,
                     who_id=who_id, start_on=start, evaluate_on=evaluate, created_by_id=actor.id,
                     created_at=self.now())
            s.add(g)
            s.flush()
            concept = s.scalar(select(OppVersion).where(OppVersion.case_id == case_id)
                               .order_by(OppVersion.version.desc()).limit(1))
            if concept is not None and concept.status == OPP_CONCEPT:
                s.add(OppGoal(opp_version_id=concept.id, goal_id=g.id))
            self._touch(case)
            self._seal(s, case, "goal", actor)
            goal_id = g.id
            uow.commit()
            return goal_id

    def evaluate_goal(
        self,
        actor: Actor,
        case_id: int,
        goal_id: int,
        *,
        result: str,
        note: str = "",
        on: str | date | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Record the evaluation of a goal; its clock stops."""
        if result not in GOAL_RESULTS:
            raise InvalidInput(f"Het resultaat is {', '.join(GOAL_RESULTS[:-1])} of {GOAL_RESULTS[-1]}, "
                               f"niet '{result}'.")
        check_text(note, "Toelichting", required=False)
        day = parse_date(on, "Datum") if on else self.today()
        if day > self.today():
            raise InvalidInput("Een evaluatie kan niet in de toekomst liggen.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            goal = s.get(Goal, goal_id)
            if goal is None or goal.case_id != case_id:
                raise NotFound(f"Doel {goal_id} hoort niet bij casus {case_id}.")
            e = GoalEvaluation(goal_id=goal_id, case_id=case_id, evaluated_on=day, result=result, note=note,
                               by_id=actor.id, at=self.now())
            s.add(e)
            self._touch(case)
            self._seal(s, case, "goal_evaluation", actor)
            eval_id = e.id
            uow.commit()
            return eval_id
