"""A case's way along the route: open, advance (a step), close, reopen, and the zorgplicht term.

A step's reads and writes are prepared statements (:mod:`kindroute.services.stepping`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kindroute.errors import AccessDenied, Conflict, InvalidInput, KindrouteError, StepNotAllowed
from kindroute.services import access, clocks, history, stepping, turns
from kindroute.services.clocks import refresh_next_due, zorgplicht_deadline
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, StepResult
from kindroute.services.people import new_pupil
from kindroute.services.step_read import read_step_start, step_start_statement
from kindroute.services.text import check_birth_date, check_group, check_name, check_text, parse_date
from kindroute.store.chain import GENESIS
from kindroute.store.models import Assignment, Case, CaseTrack, Note, Pupil
from kindroute.workflow import NOT_STARTED, CaseFacts
from kindroute.workflow.model import SEES_ASSIGNED, SEES_SCHOOL
from kindroute.workflow.vocabulary import (
    STATUS_OPEN,
    STEP_CLOSED,
)

__all__ = ["CaseFlow", "zorgplicht_deadline"]


#: how often opening a case is tried when a concurrent writer wins a unique index
RACE_ATTEMPTS = 3


class _LostRace(Exception):
    """Another transaction committed the same pupil (or its open case) first."""


def _lost_race(exc: IntegrityError) -> bool:
    text = str(exc.orig)
    return any(k in text for k in ("uq_cases_open_pupil", "uq_pupils_identity", "pupils.name",
                                   "cases.pupil_id"))


class CaseFlow(ServiceContext):
    """Open a case and move it along the route."""

    def open_case(
        self,
        actor: Actor,
        *,
        pupil: str,
        school: str | int,
        group: int | str,
        born: str | date,
        note: str = "",
        teacher: str | int | None = None,
        registered_on: str | date | None = None,
    ) -> int:
        """Open a case in the route's first step; creates the pupil if needed.

        "One open case per pupil" and "one pupil per name, birth date and school" are unique
        indexes: when someone else opens a case for the same pupil at the same moment, this one
        loses the race at the database, tries again, and then refuses like any other duplicate.
        """
        for _attempt in range(RACE_ATTEMPTS):
            try:
                return self._open_case_once(actor, pupil=pupil, school=school, group=group, born=born,
                                            note=note, teacher=teacher, registered_on=registered_on)
            except _LostRace:
                continue
        raise Conflict("Iemand anders legt op dit moment dezelfde leerling vast; probeer het zo opnieuw.")

    def _open_case_once(
        self,
        actor: Actor,
        *,
        pupil: str,
        school: str | int,
        group: int | str,
        born: str | date,
        note: str,
        teacher: str | int | None,
        registered_on: str | date | None,
    ) -> int:
        check_name(pupil, "Naam van de leerling")
        group_n = check_group(group)
        born_d = check_birth_date(parse_date(born, "Geboortedatum"), self.today())
        reg = parse_date(registered_on, "Datum aanmelding") if registered_on else None
        if reg is not None and reg > self.today():
            raise InvalidInput(f"Datum aanmelding {reg.isoformat()} ligt in de toekomst.")
        if note:
            check_text(note, "Notitie")
        now = self.now()
        with self._uow() as uow:
            try:
                s = uow.session
                school_row = self._school(s, school)
                own = self._school_roles(actor, school_row.id)
                if not own:
                    raise AccessDenied(
                        f"U ({actor.name}) kunt geen casus openen voor {school_row.name}: alleen "
                        "leerkrachten, IB en directie van die school."
                    )
                pupil_row = s.scalar(
                    select(Pupil).where(
                        Pupil.name == pupil,
                        Pupil.date_of_birth == born_d,
                        Pupil.school_id == school_row.id,
                    )
                )
                if pupil_row is None:
                    pupil_row = new_pupil(pupil, born_d, group_n, school_row.id)
                    s.add(pupil_row)
                else:
                    if pupil_row.group != group_n:
                        pupil_row.group = group_n
                        others = s.scalars(select(Case).where(Case.pupil_id == pupil_row.id)
                                           .order_by(Case.id).with_for_update()).all()
                        for other in others:
                            self._touch(other)
                            self._seal(s, other, "pupil", actor, [("pupils", pupil_row.id)])
                    open_already = s.scalar(
                        select(Case.id).where(Case.pupil_id == pupil_row.id, Case.status == STATUS_OPEN)
                    )
                    if open_already:
                        raise self._open_already(s, actor, pupil, open_already)
                case = Case(
                    pupil=pupil_row,
                    school_id=school_row.id,
                    status=STATUS_OPEN,
                    opened_at=now,
                    opened_by_id=actor.id,
                    route_version=self.route.version,
                    registered_on=reg,
                    history_head=GENESIS,
                    history_count=0,
                    version=1,
                )
                s.add(case)
                for tid, step in self.engine.initial_steps().items():
                    if step == NOT_STARTED:
                        continue
                    case.tracks.append(
                        CaseTrack(
                            track=tid,
                            step=step,
                            entered_at=now,
                            deadline=self.engine.deadline(step, now.date(), opened_on=now.date()),
                            at_turn_role=self.engine.at_turn_role(step),
                            entered_seq=0,
                        )
                    )
                s.flush()
                for role in own:  # the opener holds their own school roles on the case
                    s.add(Assignment(case_id=case.id, role=role, person_id=actor.id,
                                     started_at=now, assigned_by_id=actor.id))
                if teacher is not None:
                    t = self._actor(s, teacher)
                    teacher_role = self._teacher_role(t)
                    if teacher_role is None or t.school_id != school_row.id:
                        raise InvalidInput(f"{t.name} is geen leerkracht van {school_row.name}; kies een "
                                           "leerkracht van die school.")
                    if teacher_role not in own or t.id != actor.id:
                        s.add(Assignment(case_id=case.id, role=teacher_role, person_id=t.id,
                                         started_at=now, assigned_by_id=actor.id))
                if note:
                    s.add(Note(case_id=case.id, author_id=actor.id, at=now, step=case.tracks[0].step,
                               text=note))
                refresh_next_due(s, case, self.route)
                uow.flush()
                self._seal(s, case, "open", actor)
                case_id = case.id
                uow.commit()
                return case_id
            except IntegrityError as exc:
                if _lost_race(exc):
                    raise _LostRace() from None
                raise

    def _open_already(self, s: Any, actor: Actor, pupil: str, case_id: int) -> KindrouteError:
        """The refusal for a pupil who has an open case; names the case only to who may see it."""
        if access.can_see(s, actor, case_id, self.route, self.today()):
            return InvalidInput(f"{pupil} heeft al een open casus ({case_id}); werk die bij.")
        return InvalidInput(f"Voor {pupil} kunt u nu geen casus openen. De intern begeleider van de "
                            "school kan nagaan waarom.")

    def advance_case(
        self,
        actor: Actor,
        case_id: int,
        trigger: str,
        *,
        note: str = "",
        expected_version: int | None = None,
    ) -> StepResult:
        """Take a step: guards checked again inside the transaction; step + event together.

        One read (the locked case row with the access check, and every fact the guards need:
        :mod:`kindroute.services.step_read`) and the writes, as Core statements: see
        :mod:`kindroute.services.stepping`.
        """
        if note:
            check_text(note, "Notitie", required=False)
        today = self.today()
        with self._uow() as uow:
            conn = uow.connection
            # the case row locked, the guards' facts and the case's clocks: one statement (the
            # clocks are known after the step without reading them again)
            case, rows = read_step_start(conn, self._step_case_read(actor, today), self._step_facts,
                                         case_id)
            self._seen_case(case, case_id, actor)
            self._check_version(conn, case_id, case.version, expected_version)
            known = stepping.build_facts(self.route, rows, today, case.born)
            nxt = self.engine.check(known.facts, trigger)  # unknown trigger -> StepNotAllowed
            turns.require_turn(self, actor, case.school_id, nxt.source, known.holders)
            confirmed = turns.confirm_turn(self, conn, actor, case_id, case, known, trigger)
            if confirmed is not None:  # a joint turn that waits for others
                uow.commit()
                return confirmed
            track, source, dest = self.engine.apply(known.facts, trigger)  # blocked -> StepNotAllowed
            # the events are sealed last: the global head stays locked only for those statements;
            # they move it on from the value the case read carried when nobody moved it since
            pending = history.PendingEvents(history.history_key_for(self.db, conn, write=True),
                                            head=case.global_head)
            # the case's clocks after each step are known from what was read: next_due goes in
            # with each step's own UPDATE of the case row
            inputs = clocks.inputs_from(rows, self.route, clocks.ClockInputs.of_case(case))
            result = turns.record_step(self, conn, actor, case_id, case, known.tracks.get(track),
                                       track, source, dest, trigger, note, pending, inputs)
            followed = turns.follow_automatic_conn(self, conn, actor, case_id,
                                                   f"stap '{nxt.label}' door {actor.name}", pending, inputs)
            pending.seal(conn)
            uow.commit()
            return replace(result, followed=tuple(followed)) if followed else result

    def _school_roles(self, actor: Actor, school_id: int) -> list[str]:
        """The actor's roles that belong to the school (not external; the school's own or one that
        sees its cases), when the actor works at that school."""
        if actor.school_id != school_id:
            return []
        return [
            r for r in actor.roles
            if (role := self.route.roles.get(r)) is not None and not role.external
            and role.sees in (SEES_SCHOOL, SEES_ASSIGNED)
        ]

    def _teacher_role(self, teacher: Actor) -> str | None:
        """The role the case's teacher holds: the one at turn in the first step when the teacher
        has it, else the teacher's first role that belongs to a school and sees its own cases."""
        first = self.route.steps[self.route.main_track.start].at_turn
        candidates = [first, *teacher.roles] if first in teacher.roles else list(teacher.roles)
        for role_id in candidates:
            role = self.route.roles.get(role_id or "")
            if role is not None and not role.external and role.sees == SEES_ASSIGNED:
                return role.id
        return None

    @property
    def _step_facts(self) -> Any:
        """:func:`clocks.step_statement` for the route, built once."""
        if self._step_facts_read is None:
            self._step_facts_read = clocks.step_statement(clocks.clock_kinds(self.route))
        return self._step_facts_read

    def _step_case_read(self, actor: Actor, today: date) -> Any:
        """:func:`step_read.step_start_statement` for ``actor`` today, built once and then reused."""
        return self._per_reader(self._step_reads, actor, today, lambda: step_start_statement(
            stepping.case_statement(actor, self.route, today), self._step_facts))

    def _trigger_to(self, facts: CaseFacts, want_final: bool, dest: str | None) -> str:
        main = self.route.main_track.id
        current = facts.steps[main]
        for t in self.route.triggers_from(current):
            if dest is not None and t.dest == dest:
                return t.id
            if dest is None and want_final and self.engine.is_final(t.dest):
                return t.id
        raise StepNotAllowed(
            f"Vanuit stap '{self.step_title(current)}' gaat geen stap naar "
            f"'{self.step_title(dest) if dest else 'een eindstap'}'."
        )

    def close_case(self, actor: Actor, case_id: int, *, note: str = "",
                   expected_version: int | None = None) -> StepResult:
        """Close via the route's step to ``afgesloten`` from where the case stands."""
        with self._uow(write=False) as uow:
            case = self._case(uow.session, case_id, actor)
            facts = self.facts(uow.session, case)
        dest = STEP_CLOSED if STEP_CLOSED in self.route.steps else None
        trigger = self._trigger_to(facts, True, dest)
        return self.advance_case(actor, case_id, trigger, note=note, expected_version=expected_version)

    def reopen_case(self, actor: Actor, case_id: int, *, note: str = "",
                    expected_version: int | None = None) -> StepResult:
        """Reopen a closed case via the route's step back to the start."""
        with self._uow(write=False) as uow:
            case = self._case(uow.session, case_id, actor)
            facts = self.facts(uow.session, case)
        trigger = self._trigger_to(facts, False, self.route.main_track.start)
        return self.advance_case(actor, case_id, trigger, note=note, expected_version=expected_version)

    def extend_zorgplicht(self, actor: Actor, case_id: int) -> date:
        """Extend the zorgplicht term once by 4 weeks."""
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._require_manager(actor, case, "de zorgplichttermijn verlengen")
            if case.registered_on is None:
                raise InvalidInput("Deze casus is geen aanmelding: er loopt geen zorgplichttermijn.")
            if case.zorgplicht_decision is not None:
                raise InvalidInput("Over de plaatsing is al besloten: de zorgplichttermijn loopt niet meer.")
            if case.zorgplicht_extended:
                raise InvalidInput("De zorgplichttermijn is al eens verlengd; dat kan maar één keer.")
            case.zorgplicht_extended = True
            self._touch(case)
            self._seal(s, case, "zorgplicht_extended", actor)
            uow.commit()
            return zorgplicht_deadline(case.registered_on, extended=True)

