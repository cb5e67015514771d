"""The verbeterbord: improvement actions of a school or the SWV, and retrospectives.

Not about a pupil: an action has a goal, what to do, an owner, a due date, a status
(``idee`` → ``doen`` → ``bezig`` → ``klaar``), maybe the step of the route it improves,
and when done the success it brought. The SWV works on every board; an IB or director on
their school's board. Everyone sees the SWV's board and their own school's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import access
from kindroute.services.dto import Actor, JsonMixin
from kindroute.services.text import check_text, parse_date
from kindroute.store.models import BoardAction, Person, Retrospective, School

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kindroute.services.core import Services

#: The columns of the board, in order, with the word users read.
STATUSES: dict[str, str] = {"idee": "Idee", "doen": "Te doen", "bezig": "Bezig", "klaar": "Klaar"}
DONE = "klaar"


@dataclass(frozen=True)
class BoardActionInfo(JsonMixin):
    id: int
    school: str | None  # None: the SWV's board
    goal: str
    action: str
    owner: str | None
    due_on: date | None
    status: str
    step: str | None
    success: str
    overdue: bool
    updated_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class RetroInfo(JsonMixin):
    id: int
    held_on: date
    school: str | None
    went_well: str
    can_be_better: str
    actions: str
    recorded_by: str


class BoardService:
    """Use cases of the verbeterbord (``Services.board``)."""

    def __init__(self, services: Services) -> None:
        self.s = services

    # ------------------------------------------------------------------ rules
    def _school_id(self, session: Session, school: str | int | None) -> int | None:
        if school is None or str(school).strip() == "" or str(school).strip().lower() == "swv":
            return None
        return self.s._school(session, school).id

    def _may_edit(self, actor: Actor, school_id: int | None) -> None:
        route = self.s.route
        if access.sees_swv(actor, route):
            return
        if school_id is not None and access.manages_school(actor, school_id, route):
            return
        where = "het bord van het SWV" if school_id is None else "het bord van deze school"
        raise AccessDenied(f"U ({actor.name}) kunt {where} niet wijzigen: dat doen het SWV en de "
                           "IB of directie van de school zelf.")

    def _visible(self, actor: Actor | None) -> Any:
        if actor is None or access.sees_swv(actor, self.s.route):
            return None
        if actor.school_id is None:
            return BoardAction.school_id.is_(None)
        return or_(BoardAction.school_id.is_(None), BoardAction.school_id == actor.school_id)

    def _check_status(self, status: str) -> str:
        status = (status or "").strip().lower()
        if status not in STATUSES:
            raise InvalidInput(f"Onbekende status '{status}'. Kies uit: {', '.join(STATUSES)}.")
        return status

    def _check_step(self, step: str | None) -> str | None:
        if step is None or not step.strip():
            return None
        if step not in self.s.route.steps:
            raise InvalidInput(f"Onbekende stap '{step}'. Bekend: {', '.join(self.s.route.steps)}.")
        return step

    def _info(self, a: BoardAction, today: date) -> BoardActionInfo:
        return BoardActionInfo(
            id=a.id, school=a.school.name if a.school else None, goal=a.goal, action=a.action,
            owner=a.owner.name if a.owner else None, due_on=a.due_on, status=a.status, step=a.step,
            success=a.success, overdue=a.status != DONE and a.due_on is not None and a.due_on < today,
            updated_at=a.updated_at, done_at=a.done_at)

    def _get(self, session: Session, actor: Actor, action_id: int) -> BoardAction:
        a = session.get(BoardAction, int(action_id))
        if a is None:
            raise NotFound(f"Verbeteractie {action_id} bestaat niet.")
        self._may_edit(actor, a.school_id)
        return a

    # ------------------------------------------------------------------ use cases
    def add(self, actor: Actor, action: str, *, goal: str = "", owner: str | int | None = None,
            due: str | date | None = None, school: str | int | None = None, step: str | None = None,
            status: str = "idee") -> BoardActionInfo:
        check_text(action, "Actie")
        check_text(goal, "Doel", required=False)
        status = self._check_status(status)
        step = self._check_step(step)
        due_on = parse_date(due, "Datum klaar") if due else None
        now = self.s.now()
        with self.s._uow() as uow:
            session = uow.session
            school_id = self._school_id(session, school)
            self._may_edit(actor, school_id)
            owner_id = self.s._actor(session, owner).id if owner not in (None, "") else None
            row = BoardAction(school_id=school_id, goal=goal, action=action, owner_id=owner_id,
                              due_on=due_on, status=status, step=step, success="", created_by_id=actor.id,
                              created_at=now, updated_at=now, done_at=now if status == DONE else None)
            session.add(row)
            session.flush()
            info = self._info(row, now.date())
            uow.commit()
            return info

    def move(self, actor: Actor, action_id: int, status: str) -> BoardActionInfo:
        status = self._check_status(status)
        now = self.s.now()
        with self.s._uow() as uow:
            row = self._get(uow.session, actor, action_id)
            row.status = status
            row.updated_at = now
            row.done_at = now if status == DONE else None
            uow.session.flush()
            info = self._info(row, now.date())
            uow.commit()
            return info

    def done(self, actor: Actor, action_id: int, *, success: str = "") -> BoardActionInfo:
        """Mark an action ``klaar`` and record the success it brought."""
        check_text(success, "Succes", required=False)
        now = self.s.now()
        with self.s._uow() as uow:
            row = self._get(uow.session, actor, action_id)
            row.status, row.updated_at, row.done_at = DONE, now, now
            if success:
                row.success = success
            uow.session.flush()
            info = self._info(row, now.date())
            uow.commit()
            return info

    def list(self, actor: Actor | None, *, school: str | int | None = None,
             status: str | None = None) -> list[BoardActionInfo]:
        """Actions ordered by status column, then due date (none last), then number."""
        if status:
            status = self._check_status(status)
        with self.s._uow(write=False) as uow:
            session = uow.session
            stmt = select(BoardAction)
            visible = self._visible(actor)
            if visible is not None:
                stmt = stmt.where(visible)
            if school is not None and str(school).strip():
                school_id = self._school_id(session, school)
                stmt = stmt.where(BoardAction.school_id.is_(None) if school_id is None
                                  else BoardAction.school_id == school_id)
            if status:
                stmt = stmt.where(BoardAction.status == status)
            stmt = stmt.order_by(BoardAction.due_on.is_(None), BoardAction.due_on, BoardAction.id)
            today = self.s.today()
            rows = [self._info(a, today) for a in session.scalars(stmt)]
        order = list(STATUSES)
        return sorted(rows, key=lambda r: order.index(r.status))

    # ------------------------------------------------------------------ retrospectives
    def add_retro(self, actor: Actor, *, went_well: str, can_be_better: str, actions: str = "",
                  held_on: str | date | None = None, school: str | int | None = None) -> RetroInfo:
        check_text(went_well, "Wat ging goed")
        check_text(can_be_better, "Wat kan beter")
        check_text(actions, "Acties", required=False)
        day = parse_date(held_on, "Datum") if held_on else self.s.today()
        with self.s._uow() as uow:
            session = uow.session
            school_id = self._school_id(session, school)
            self._may_edit(actor, school_id)
            row = Retrospective(held_on=day, school_id=school_id, went_well=went_well,
                                can_be_better=can_be_better, actions=actions, recorded_by_id=actor.id,
                                recorded_at=self.s.now())
            session.add(row)
            session.flush()
            info = self._retro_info(session, row)
            uow.commit()
            return info

    @staticmethod
    def _retro_info(session: Session, r: Retrospective) -> RetroInfo:
        school = session.get(School, r.school_id) if r.school_id else None
        by = session.get(Person, r.recorded_by_id)
        return RetroInfo(id=r.id, held_on=r.held_on, school=school.name if school else None,
                         went_well=r.went_well, can_be_better=r.can_be_better, actions=r.actions,
                         recorded_by=by.name if by else "?")

    def retros(self, actor: Actor | None, *, limit: int = 20) -> list[RetroInfo]:
        """The newest retrospectives first."""
        with self.s._uow(write=False) as uow:
            session = uow.session
            stmt = select(Retrospective).order_by(Retrospective.held_on.desc(), Retrospective.id.desc())
            if actor is not None and not access.sees_swv(actor, self.s.route):
                stmt = stmt.where(or_(Retrospective.school_id.is_(None),
                                      Retrospective.school_id == actor.school_id))
            return [self._retro_info(session, r) for r in session.scalars(stmt.limit(limit))]
