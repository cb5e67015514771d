"""A case's way along the route: open, advance (a step), close, reopen, and the zorgplicht term.

A step's reads and writes are prepared statements (:mod:`kindroute.services.stepping`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from kindroute.errors import AccessDenied, Conflict, InvalidInput, KindrouteError, NotFound, StepNotAllowed
from kindroute.services import access, history, stepping
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, StepResult
from kindroute.services.people import new_pupil
from kindroute.services.text import check_birth_date, check_group, check_name, check_text, parse_date
from kindroute.store.chain import GENESIS
from kindroute.store.hmac_chain import record_digest
from kindroute.store.models import Assignment, Case, CaseTrack, Note, Pupil
from kindroute.store.uow import STALE_MESSAGE
from kindroute.workflow import NOT_STARTED, CaseFacts
from kindroute.workflow.vocabulary import (
    ROLE_TEACHER,
    SCHOOL_ROLES,
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_REFERRED,
    STEP_CLOSED,
)

#: The zorgplicht term in weeks after registration, and its one extension.
ZORGPLICHT_WEEKS = 6
ZORGPLICHT_EXTENSION_WEEKS = 4


def zorgplicht_deadline(registered_on: date, extended: bool) -> date:
    """The end of the zorgplicht term of a case registered on ``registered_on``."""
    return registered_on + timedelta(weeks=ZORGPLICHT_WEEKS + (ZORGPLICHT_EXTENSION_WEEKS if extended else 0))


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
                if not (
                    access.manages_school(actor, school_row.id)
                    or (ROLE_TEACHER in actor.roles and actor.school_id == school_row.id)
                ):
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
                            deadline=self.engine.deadline(step, now.date()),
                            at_turn_role=self.engine.at_turn_role(step),
                            entered_seq=0,
                        )
                    )
                s.flush()
                for role in SCHOOL_ROLES:
                    if role in actor.roles and actor.school_id == school_row.id:
                        s.add(Assignment(case_id=case.id, role=role, person_id=actor.id,
                                         started_at=now, assigned_by_id=actor.id))
                if teacher is not None:
                    t = self._actor(s, teacher)
                    if ROLE_TEACHER not in t.roles or t.school_id != school_row.id:
                        raise InvalidInput(f"{t.name} is geen leerkracht van {school_row.name}; kies een "
                                           "leerkracht van die school.")
                    if ROLE_TEACHER not in actor.roles or t.id != actor.id:
                        s.add(Assignment(case_id=case.id, role=ROLE_TEACHER, person_id=t.id,
                                         started_at=now, assigned_by_id=actor.id))
                if note:
                    s.add(Note(case_id=case.id, author_id=actor.id, at=now, step=case.tracks[0].step,
                               text=note))
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

        Two reads (the locked case row with the access check, then every fact the guards need)
        and the writes, as Core statements: see :mod:`kindroute.services.stepping`.
        """
        if note:
            check_text(note, "Notitie", required=False)
        today = self.today()
        with self._uow() as uow:
            conn = uow.connection
            case = conn.execute(self._step_case_read(actor, today), {"case_id": case_id}).one_or_none()
            if case is None:
                raise NotFound(f"Casus {case_id} bestaat niet.")
            if not case.visible:
                raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
            self._check_version(conn, case_id, case.version, expected_version)
            known = stepping.build_facts(self.route, stepping.fact_rows(conn, case_id), today, case.born)
            nxt = self.engine.check(known.facts, trigger)  # unknown trigger -> StepNotAllowed
            self._require_turn(actor, case.school_id, nxt.source, known.holders)
            track, source, dest = self.engine.apply(known.facts, trigger)  # blocked -> StepNotAllowed
            result = self._record_step(conn, actor, case_id, case, known.tracks.get(track),
                                       track, source, dest, trigger, note)
            uow.commit()
            return result

    def _step_case_read(self, actor: Actor, today: date) -> Any:
        """:func:`stepping.case_statement` for ``actor`` today, built once and then reused."""
        key = (actor, today)
        stmt = self._step_reads.get(key)
        if stmt is None:
            if len(self._step_reads) >= 64:
                self._step_reads.clear()
            stmt = self._step_reads[key] = stepping.case_statement(actor, self.route, today)
        return stmt

    def _require_turn(self, actor: Actor, school_id: int, source: str, holders: dict[str, int]) -> None:
        """Only the person at turn (or the school's IB/director) may take a step.

        ``holders``: the person holding each role on the case now.
        """
        if access.manages_school(actor, school_id):
            return
        if source == NOT_STARTED:
            raise AccessDenied("Alleen de intern begeleider of directeur kan dit traject starten.")
        role = self.engine.at_turn_role(source)
        if role is None or holders.get(role) != actor.id:
            raise AccessDenied(
                f"U bent niet aan zet in stap '{self.step_title(source)}': "
                f"dat is de {self.role_label(role).lower()} (of de intern begeleider)."
            )

    def _record_step(
        self,
        conn: Connection,
        actor: Actor,
        case_id: int,
        case: Any,
        row: stepping.TrackState | None,
        track: str,
        source: str,
        dest: str,
        trigger: str,
        note: str,
    ) -> StepResult:
        """Write a step: the case row (version checked), the hash-chained event, the track, a note.

        ``case`` is the row read by :func:`stepping.case_statement`; ``row`` where the case stood
        on ``track`` (None: the track starts now).
        """
        now = self.now()
        if now < case.opened_at:
            raise InvalidInput(f"Een stap op {now:%Y-%m-%d %H:%M} ligt vóór de opening van casus {case_id} "
                               f"({case.opened_at:%Y-%m-%d %H:%M}); controleer de klok.")
        version = case.version + 1
        status, closed_at = case.status, case.closed_at
        update = stepping.UPDATE_CASE
        if track == self.route.main_track.id:
            update = stepping.UPDATE_CASE_STATUS
            if self.engine.is_final(dest):
                status = STATUS_REFERRED if dest != STEP_CLOSED else STATUS_CLOSED
                closed_at = now
            else:
                status, closed_at = STATUS_OPEN, None
        deadline = self.engine.deadline(dest, now.date())
        at_turn = self.engine.at_turn_role(dest)
        seq = case.history_count + 1
        records: list[history.Record] = [
            ("cases", case_id, record_digest((case.pupil_id, case.school_id, status, case.opened_at,
                                              case.opened_by_id, closed_at, case.registered_on,
                                              case.zorgplicht_extended, case.route_version))),
            ("case_tracks", track, record_digest((dest, now, deadline, at_turn, seq))),
        ]
        if note:
            note_id = conn.execute(stepping.INSERT_NOTE, {"case_id": case_id, "author_id": actor.id,
                                                          "at": now, "step": source, "text": note}
                                   ).inserted_primary_key[0]
            records.append(("notes", note_id, record_digest((actor.id, now, source, note))))
        key = history.history_key_for(self.db, conn, write=True)
        seq, h = history.append_event(
            conn, key, case_id=case_id, prev_hash=case.history_head, prev_count=case.history_count,
            kind="step", actor=actor, at=now, records=records, note=note, track=track,
            from_step=source, to_step=dest, trigger=trigger, global_head=case.global_head,
        )
        values: dict[str, Any] = {"case_id": case_id, "old_version": case.version, "new_version": version,
                                  "head": h, "seq": seq, "now": now}
        if update is stepping.UPDATE_CASE_STATUS:
            values["status"] = status
            values["closed_at"] = closed_at
        if conn.execute(update, values).rowcount != 1:
            raise Conflict(STALE_MESSAGE)
        if row is None:
            conn.execute(stepping.INSERT_TRACK, {
                "case_id": case_id, "track": track, "step": dest, "entered_at": now, "deadline": deadline,
                "at_turn_role": at_turn, "entered_seq": seq,
            })
        else:
            conn.execute(stepping.UPDATE_TRACK, {
                "where_case": case_id, "where_track": track, "step": dest, "entered_at": now,
                "deadline": deadline, "at_turn_role": at_turn, "entered_seq": seq,
            })
        return StepResult(
            case_id=case_id, track=track, from_=source, to=dest, trigger=trigger,
            at_turn_role=at_turn, deadline=deadline, version=version,
        )

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
                raise InvalidInput("Deze casus heeft geen datum van aanmelding.")
            if case.zorgplicht_extended:
                raise InvalidInput("De zorgplichttermijn is al eens verlengd; dat kan maar één keer.")
            case.zorgplicht_extended = True
            self._touch(case)
            self._seal(s, case, "zorgplicht_extended", actor)
            uow.commit()
            return zorgplicht_deadline(case.registered_on, extended=True)

