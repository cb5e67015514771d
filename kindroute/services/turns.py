"""Who may act at a step, joint turns, automatic steps and the clocks of a step.

* **Who may act**: a person holding a role at turn on the case (assigned to it; for an SWV role:
  seeing the case), or a person who runs the school's cases (``sees = "school"``). On a joint turn
  (``turn = "all"``) each role at turn confirms for itself: every confirmation is recorded, and the
  step is taken when the last one confirms.
* **Automatic steps**: after any change to a case, a trigger with ``automatic = true`` whose guards
  hold is taken by kindroute in the same transaction; the history names "kindroute (automatisch)"
  and the change that caused it.
* **Clocks**: a deadline counts from ``term_from`` (entering, opening, or the last time a trigger
  fired); ``term_keeps`` keeps the deadline of the first visit; ``term_set_by`` lets that role set
  the end date per case (:meth:`Turns.set_term`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from kindroute.errors import AccessDenied, Conflict, InvalidInput, StepNotAllowed
from kindroute.services import access, stepping
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, StepResult
from kindroute.services.text import parse_date
from kindroute.store.models import CaseEvent, Note, TurnConfirmation
from kindroute.store.uow import STALE_MESSAGE, UnitOfWork
from kindroute.workflow import NOT_STARTED, Step
from kindroute.workflow.guards import nl_date
from kindroute.workflow.model import (
    AUTOMATIC_AUTHOR,
    SEES_SCHOOL,
    SEES_SWV,
    TERM_FROM_ENTERED,
    TERM_FROM_OPENED,
    ChecklistItem,
)

#: More automatic steps in a row than this means a route the validator should have refused.
MAX_AUTOMATIC = 50


class Turns(ServiceContext):
    """The rules of acting at a step; mixed into :class:`~kindroute.services.core.Services`."""

    # ------------------------------------------------------------------ who may act

    def holds(self, actor: Actor, role_id: str, school_id: int, holders: dict[str, int]) -> bool:
        """``actor`` holds ``role_id`` on this case: assigned to it, or through a role that sees
        the school (on its own school) or the SWV's cases (the case is visible already)."""
        if role_id not in actor.roles:
            return False
        if holders.get(role_id) == actor.id:
            return True
        role = self.route.roles.get(role_id)
        if role is None:
            return False
        if role.sees == SEES_SCHOOL:
            return access.manages_school(actor, school_id, self.route)
        return role.sees == SEES_SWV

    def _require_turn(self, actor: Actor, school_id: int, source: str, holders: dict[str, int]) -> None:
        """Only a person at turn (or who runs the school's cases) may take a step."""
        if access.manages_school(actor, school_id, self.route):
            return
        if source == NOT_STARTED:
            raise AccessDenied(
                "Alleen wie de casussen van de school beheert (intern begeleider, directeur) kan dit "
                "traject starten."
            )
        roles = self.engine.turn_roles(source)
        if any(self.holds(actor, r, school_id, holders) for r in roles):
            return
        who = " of ".join(self.role_label(r).lower() for r in roles) or "niemand"
        raise AccessDenied(
            f"U bent niet aan zet in stap '{self.step_title(source)}': dat is de {who} "
            "(of de intern begeleider)."
        )

    def may_tick(self, actor: Actor, school_id: int, step: Step, item: ChecklistItem,
                 holders: dict[str, int]) -> None:
        """Refuse ticking ``item`` for someone outside its ``ticked_by`` (default: the roles at turn
        and the roles that see the school)."""
        if item.ticked_by:
            allowed = list(item.ticked_by)
        else:
            allowed = [*step.turn_roles, *self.route.roles_seeing(SEES_SCHOOL)]
        if any(self.holds(actor, r, school_id, holders) for r in allowed):
            return
        who = ", ".join(dict.fromkeys(self.role_label(r).lower() for r in allowed)) or "niemand"
        raise AccessDenied(
            f"U ({actor.name}) mag '{item.label}' niet afvinken: dat doet de {who} op deze casus."
        )

    # ------------------------------------------------------------------ joint turns

    def _confirm_turn(self, conn: Connection, actor: Actor, case_id: int, case: Any,
                      known: stepping.StepFacts, trigger: str) -> StepResult | None:
        """On a joint turn: record the actor's confirmation(s). Returns the result when others
        must still confirm; None when this was the last one (the caller takes the step)."""
        waiting = self.engine.awaiting(known.facts, trigger)
        if not waiting:
            return None
        option = self.engine.check(known.facts, trigger)
        if not option.allowed:
            raise StepNotAllowed(f"'{option.label}' is nu niet toegestaan", option.reasons)
        mine = [r for r in waiting if self.holds(actor, r, case.school_id, known.holders)]
        if not mine:
            names = " en ".join(self.role_label(r).lower() for r in waiting)
            raise AccessDenied(
                f"Stap '{self.step_title(option.source)}' vraagt een bevestiging van de {names}; "
                f"u ({actor.name}) bent geen van hen op deze casus."
            )
        rest = [r for r in waiting if r not in mine]
        if not rest:
            return None
        now = self.now()
        row = known.tracks[option.track]
        for role in mine:
            conn.execute(TurnConfirmation.__table__.insert(), {
                "case_id": case_id, "track": option.track, "step": option.source, "visit": row.entered_seq,
                "trigger": trigger, "role": role, "person_id": actor.id, "at": now,
            })
        version = case.version + 1
        if conn.execute(stepping.UPDATE_CASE, {
            "case_id": case_id, "old_version": case.version, "new_version": version,
            "head": case.history_head, "seq": case.history_count, "now": now,
        }).rowcount != 1:
            raise Conflict(STALE_MESSAGE)
        conn.execute(stepping.UPDATE_TRACK, {
            "where_case": case_id, "where_track": option.track, "step": option.source,
            "entered_at": row.entered_at, "deadline": self._current_deadline(conn, case_id, option.track),
            "at_turn_role": rest[0], "entered_seq": row.entered_seq,
        })
        return StepResult(
            case_id=case_id, track=option.track, from_=option.source, to=option.source, trigger=trigger,
            at_turn_role=rest[0], deadline=self._current_deadline(conn, case_id, option.track),
            version=version, waiting=tuple(rest),
        )

    @staticmethod
    def _current_deadline(conn: Connection, case_id: int, track: str) -> date | None:
        t = stepping.TRACKS
        return conn.execute(
            select(t.c.deadline).where(t.c.case_id == case_id, t.c.track == track)
        ).scalar()

    # ------------------------------------------------------------------ automatic steps

    def _follow_automatic(self, uow: UnitOfWork, actor: Actor, case_id: int, cause: str) -> list[StepResult]:
        """After a change made through the ORM session: take the automatic steps that now hold."""
        uow.session.flush()
        return self._follow_automatic_conn(uow.connection, actor, case_id, cause)

    def _follow_automatic_conn(self, conn: Connection, actor: Actor, case_id: int,
                               cause: str) -> list[StepResult]:
        """Take every automatic step whose guards hold, one after another, in this transaction."""
        if not any(t.automatic for t in self.route.triggers.values()):
            return []
        today = self.today()
        robot = Actor(id=actor.id, name=AUTOMATIC_AUTHOR, roles=(), school_id=None)
        taken: list[StepResult] = []
        for _ in range(MAX_AUTOMATIC):
            case = conn.execute(self._step_case_read(None, today), {"case_id": case_id}).one()
            known = stepping.build_facts(self.route, stepping.fact_rows(conn, case_id), today, case.born)
            option = self.engine.automatic_step(known.facts)
            if option is None:
                break
            track, source, dest = self.engine.apply(known.facts, option.trigger)
            note = f"Automatisch na: {cause}"
            taken.append(self._record_step(conn, robot, case_id, case, known.tracks.get(track),  # type: ignore[attr-defined]
                                           track, source, dest, option.trigger, note))
            cause = f"stap '{option.label}'"
        return taken

    # ------------------------------------------------------------------ clocks

    def _entry_deadline(self, conn: Connection, case_id: int, opened_at: datetime | None, dest: str,
                        now: datetime) -> date | None:
        """The deadline of ``dest`` when the case enters it now (the entering event is written)."""
        step = self.route.steps.get(dest)
        if step is None or step.term_days is None:
            return None
        opened_on = opened_at.date() if opened_at else None
        if not step.term_keeps and step.term_from in (TERM_FROM_ENTERED, TERM_FROM_OPENED):
            return self.engine.deadline(dest, now.date(), opened_on=opened_on)
        events = conn.execute(
            select(CaseEvent.trigger, CaseEvent.to_step, CaseEvent.at)
            .where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        ).all()
        entered_on = now.date()
        upto = len(events)
        if step.term_keeps:
            first = next((i for i, e in enumerate(events) if e.to_step == dest), None)
            if first is not None:
                entered_on, upto = events[first].at.date(), first + 1
            elif dest == self.route.tracks[step.track].start and opened_on is not None:
                entered_on, upto = opened_on, 0
        fired = {e.trigger: e.at.date() for e in events[:upto]}
        return self.engine.deadline(dest, entered_on, opened_on=opened_on, fired=fired)

    def set_term(self, actor: Actor, case_id: int, until: str | date, *, track: str | None = None,
                 expected_version: int | None = None) -> date:
        """Set the end date of the current step (a step with ``term_set_by``) for this case."""
        day = parse_date(until, "Einddatum") if not isinstance(until, date) else until
        track = track or self.route.main_track.id
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            row = next((t for t in case.tracks if t.track == track), None)
            step = self.route.steps.get(row.step) if row is not None else None
            if row is None or step is None:
                raise InvalidInput(f"Casus {case_id} staat niet in traject '{track}'.")
            if step.term_set_by is None:
                raise InvalidInput(
                    f"Stap '{step.title}' heeft geen termijn die per casus wordt vastgesteld "
                    "(term_set_by in de route)."
                )
            holders = {a.role: a.person_id for a in self._active_assignments(s, case_id)}
            if not self.holds(actor, step.term_set_by, case.school_id, holders):
                raise AccessDenied(
                    f"Alleen de {self.role_label(step.term_set_by).lower()} van deze casus stelt de "
                    f"termijn van stap '{step.title}' vast."
                )
            if day < row.entered_at.date():
                raise InvalidInput(
                    f"De einddatum {nl_date(day)} ligt vóór het begin van de stap "
                    f"({nl_date(row.entered_at.date())})."
                )
            row.deadline = day
            s.add(Note(case_id=case_id, author_id=actor.id, at=self.now(), step=step.id,
                       text=f"Termijn van stap '{step.title}' vastgesteld tot {nl_date(day)}."))
            self._touch(case)
            uow.commit()
            return day
