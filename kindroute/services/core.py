"""The use cases of kindroute. The only way anything in the store changes.

Each method that changes something takes the acting person, runs as one unit of
work, and either fully happens or not at all. The CLI and the TUI are thin faces
over :class:`Services`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from kindroute.errors import (
    AccessDenied,
    Conflict,
    IdentityRequired,
    InvalidInput,
    NotFound,
    StepNotAllowed,
)
from kindroute.services import access, stepping
from kindroute.services.dto import (
    Actor,
    AgreementInfo,
    AssignmentInfo,
    CaseDetail,
    CaseFilter,
    CaseRow,
    ConsentInfo,
    DocumentInfo,
    HistoryEntry,
    NextStepInfo,
    NoteInfo,
    PersonInfo,
    SchoolInfo,
    StepResult,
    TrackInfo,
)
from kindroute.services.text import (
    check_birth_date,
    check_group,
    check_name,
    check_text,
    fold,
    name_words,
    parse_date,
    search_words,
    split_name,
)
from kindroute.store.chain import GENESIS, event_hash
from kindroute.store.db import Database
from kindroute.store.models import (
    AccessLog,
    Agreement,
    Assignment,
    Case,
    CaseEvent,
    CaseTrack,
    ChecklistTick,
    ConsentRecord,
    Document,
    Note,
    Person,
    Pupil,
    PupilWord,
    School,
)
from kindroute.store.sql import unindexed
from kindroute.store.uow import STALE_MESSAGE, UnitOfWork
from kindroute.workflow import (
    NOT_STARTED,
    CaseFacts,
    Consent,
    Engine,
    Route,
    get_engine,
    load_route,
)

log = logging.getLogger(__name__)

DOCUMENT_KINDS = {
    "opp": "OPP",
    "deskundigenadvies": "Deskundigenadvies",
    "swv_besluit": "Besluit SWV",
}
SWV_OUTCOMES = ("toegekend", "afgewezen")
ZORGPLICHT_WEEKS = 6
ZORGPLICHT_EXTENSION_WEEKS = 4


class Start(NamedTuple):
    """A small set a case list starts from: ``column IN (ids)``, about ``matched`` of them;
    ``word`` when the set is a name filter word's pupils (its own filter is then implied)."""

    column: Any
    ids: Any
    matched: int
    word: str | None = None


def _check_brin(brin: str | None) -> str | None:
    """A BRIN code has the form 99XX; empty means none."""
    if brin is None or not brin.strip():
        return None
    brin = brin.strip().upper()
    if not (len(brin) == 4 and brin[:2].isdigit() and brin[2:].isalpha()):
        raise InvalidInput(f"BRIN '{brin}' heeft niet de vorm 99XX (twee cijfers, twee letters).")
    return brin


def new_pupil(name: str, born: date, group: int, school_id: int) -> Pupil:
    """A pupil row with its derived name columns and the words the name filter finds it by."""
    first, tv, last = split_name(name)
    return Pupil(
        name=name, first_name=first, tussenvoegsel=tv, last_name=last,
        search_name=fold(name), sort_name=fold(f"{last} {first} {tv}"),
        date_of_birth=born, group=group, school_id=school_id,
        words=[PupilWord(word=w) for w in sorted(name_words(name))],
    )


class Services:
    """Use cases over one database and one route."""

    def __init__(
        self,
        db: Database,
        route: Route | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.route = route or load_route()
        self.engine: Engine = get_engine(self.route)
        self.clock = clock or datetime.now
        #: the statement reading a case row for a step, per (actor, day): see :meth:`_step_case_read`
        self._step_reads: dict[tuple[Actor, date], Any] = {}

    # ------------------------------------------------------------------ helpers
    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()

    def _uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.db, write=write)

    def role_label(self, role: str | None) -> str:
        if role is None:
            return ""
        r = self.route.roles.get(role)
        return r.label if r else role

    def step_title(self, step: str) -> str:
        if step == NOT_STARTED:
            return "—"
        s = self.route.steps.get(step)
        return s.title if s else step

    # ------------------------------------------------------------------ identity
    def resolve_actor(self, who: str | int | None) -> Actor:
        """A person by id or (unique, case-insensitive) name."""
        if who is None or (isinstance(who, str) and not who.strip()):
            raise IdentityRequired(
                "Wie bent u? Geef --as NAAM (of zet KINDROUTE_USER); wijzigingen worden "
                "altijd op naam vastgelegd."
            )
        with self._uow(write=False) as uow:
            return self._actor(uow.session, who)

    def _actor(self, session: Session, who: str | int) -> Actor:
        person: Person | None = None
        if isinstance(who, int) or (isinstance(who, str) and who.strip().isdigit()):
            person = session.get(Person, int(who))
        else:
            name = str(who).strip()
            matches = session.scalars(
                select(Person).where(func.lower(Person.name) == name.lower())
            ).all()
            if len(matches) > 1:
                ids = ", ".join(f"{p.id} ({p.organisation or '-'})" for p in matches)
                raise InvalidInput(
                    f"Er zijn meerdere personen met de naam '{name}': {ids}. Gebruik het nummer."
                )
            person = matches[0] if matches else None
        if person is None or not person.active:
            raise NotFound(f"Persoon '{who}' is niet bekend in deze database.")
        return Actor.of(person)

    # ------------------------------------------------------------------ people and schools
    def add_school(self, name: str, brin: str | None = None) -> SchoolInfo:
        check_name(name, "Schoolnaam")
        brin = _check_brin(brin)
        with self._uow() as uow:
            if brin and uow.session.scalar(select(School).where(School.brin == brin)):
                raise InvalidInput(f"Er is al een school met BRIN {brin}.")
            school = School(name=name, brin=brin)
            uow.session.add(school)
            uow.flush()
            info = SchoolInfo(school.id, school.name, school.brin)
            uow.commit()
            return info

    def start_school(self, school: str, brin: str | None, person: str, role: str = "ib") -> Actor:
        """A new school and its first person, together or not at all (the welcome screen)."""
        check_name(school, "Schoolnaam")
        check_name(person, "Uw naam")
        if role not in self.route.roles:
            raise InvalidInput(f"Onbekende rol '{role}'.")
        brin = _check_brin(brin)
        with self._uow() as uow:
            s = uow.session
            if brin and s.scalar(select(School).where(School.brin == brin)):
                raise InvalidInput(f"Er is al een school met BRIN {brin}.")
            school_row = School(name=school, brin=brin)
            s.add(school_row)
            s.flush()
            row = Person(name=person, roles=role, school_id=school_row.id, created_at=self.now(), active=True)
            s.add(row)
            s.flush()
            actor = Actor.of(row)
            uow.commit()
            return actor

    def list_schools(self) -> list[SchoolInfo]:
        with self._uow(write=False) as uow:
            return [
                SchoolInfo(s.id, s.name, s.brin)
                for s in uow.session.scalars(select(School).order_by(School.name))
            ]

    def _school(self, session: Session, school: str | int) -> School:
        key = str(school).strip()
        found: School | None = None
        if key.isdigit():
            found = session.get(School, int(key))
        if found is None:
            found = session.scalar(select(School).where(School.brin == key.upper()))
        if found is None:
            matches = session.scalars(
                select(School).where(func.lower(School.name) == key.lower())
            ).all()
            if len(matches) == 1:
                found = matches[0]
        if found is None:
            raise NotFound(f"School '{school}' is niet bekend (geef naam, BRIN of nummer).")
        return found

    def add_person(
        self,
        name: str,
        roles: Sequence[str],
        *,
        organisation: str | None = None,
        school: str | int | None = None,
    ) -> PersonInfo:
        check_name(name)
        if organisation:
            check_name(organisation, "Organisatie")
        unknown = [r for r in roles if r not in self.route.roles]
        if unknown:
            raise InvalidInput(
                f"Onbekende rol(len): {', '.join(unknown)}. Bekend: {', '.join(self.route.roles)}."
            )
        if not roles:
            raise InvalidInput("Geef minstens één rol.")
        with self._uow() as uow:
            school_row = self._school(uow.session, school) if school is not None else None
            person = Person(
                name=name,
                roles=" ".join(roles),
                organisation=organisation,
                school_id=school_row.id if school_row else None,
                created_at=self.now(),
                active=True,
            )
            uow.session.add(person)
            uow.flush()
            info = self._person_info(person, school_row)
            uow.commit()
            return info

    @staticmethod
    def _person_info(p: Person, school: School | None) -> PersonInfo:
        return PersonInfo(
            p.id, p.name, tuple(p.role_ids), p.organisation, p.school_id, school.name if school else None
        )

    def list_people(self, role: str | None = None) -> list[PersonInfo]:
        with self._uow(write=False) as uow:
            stmt = select(Person, School).outerjoin(School, Person.school_id == School.id)
            stmt = stmt.where(Person.active.is_(True)).order_by(Person.name)
            rows = uow.session.execute(stmt).all()
            out = [self._person_info(p, s) for p, s in rows]
        if role:
            out = [p for p in out if role in p.roles]
        return out

    def add_pupils(self, actor: Actor, school: str | int,
                   pupils: Sequence[tuple[str, date | str, int | str]]) -> tuple[int, int]:
        """Add pupils (name, birth date, group) to a school in one transaction: all or nothing.

        A pupil already at the school (same name and birth date) is skipped. Returns
        (added, skipped). Only the school's IB or director may do this.
        """
        checked = []
        for name, born, group in pupils:
            check_name(name, "Naam van de leerling")
            checked.append((name, check_birth_date(parse_date(born, "Geboortedatum"), self.today()),
                            check_group(group)))
        with self._uow() as uow:
            s = uow.session
            school_row = self._school(s, school)
            if not access.manages_school(actor, school_row.id):
                raise AccessDenied(f"Alleen de IB of directeur van {school_row.name} kan leerlingen inlezen.")
            existing = {(n, b) for n, b in s.execute(select(Pupil.name, Pupil.date_of_birth)
                                                    .where(Pupil.school_id == school_row.id))}
            added = 0
            for name, born_d, group_n in checked:
                if (name, born_d) in existing:
                    continue
                existing.add((name, born_d))
                s.add(new_pupil(name, born_d, group_n, school_row.id))
                added += 1
            uow.commit()
            return added, len(checked) - added

    def count_people(self) -> int:
        with self._uow(write=False) as uow:
            return uow.session.scalar(select(func.count(Person.id))) or 0

    # ------------------------------------------------------------------ loading helpers
    def _case(self, session: Session, case_id: int, actor: Actor | None) -> Case:
        # A writing unit of work locks the case row first (PostgreSQL: SELECT … FOR UPDATE; SQLite
        # already holds the write lock from BEGIN IMMEDIATE): a concurrent writer waits, then sees
        # the new version and gets a Conflict naming who changed it, never a duplicate event.
        write = bool(session.get_bind().get_execution_options().get("kindroute_write"))
        case = session.get(Case, case_id, with_for_update=True if write else None)
        if case is None:
            raise NotFound(f"Casus {case_id} bestaat niet.")
        if actor is not None and not access.can_see(session, actor, case_id, self.route, self.today()):
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
        return case

    def _expect_version(self, case: Case, expected_version: int | None, session: Session) -> None:
        self._check_version(session, case.id, case.version, expected_version)

    def _check_version(
        self, session: Session | Connection, case_id: int, version: int, expected_version: int | None
    ) -> None:
        if expected_version is not None and version != expected_version:
            last = session.scalar(
                select(CaseEvent.actor_name)
                .where(CaseEvent.case_id == case_id)
                .order_by(CaseEvent.seq.desc())
                .limit(1)
            )
            who = f" door {last}" if last else ""
            raise Conflict(
                f"Deze casus is zojuist gewijzigd{who} — opnieuw geladen. Er is niets opgeslagen; "
                "bekijk de casus en probeer het opnieuw."
            )

    def _touch(self, case: Case) -> None:
        """Every change around a case updates the case row, so its version moves on."""
        case.updated_at = self.now()
        case.version = (case.version or 0) + 1

    def _require_manager(self, actor: Actor, case: Case, what: str) -> None:
        if not access.manages_school(actor, case.school_id):
            raise AccessDenied(
                f"Alleen de intern begeleider of directeur van de school mag {what}."
            )

    def _active_assignments(self, session: Session, case_id: int) -> list[Assignment]:
        return list(
            session.scalars(
                select(Assignment)
                .where(Assignment.case_id == case_id, Assignment.ended_at.is_(None))
                .order_by(Assignment.role)
            )
        )

    def facts(self, session: Session, case: Case) -> CaseFacts:
        """Everything the guards look at, read in one query (:data:`stepping.FACTS`)."""
        today = self.today()
        born = case.pupil.date_of_birth if case.pupil else None
        return stepping.build_facts(self.route, stepping.fact_rows(session, case.id), today, born).facts

    # ------------------------------------------------------------------ use cases: cases
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
        """Open a case in the route's first step; creates the pupil if needed."""
        check_name(pupil, "Naam van de leerling")
        group_n = check_group(group)
        born_d = check_birth_date(parse_date(born, "Geboortedatum"), self.today())
        reg = parse_date(registered_on, "Datum aanmelding") if registered_on else None
        if note:
            check_text(note, "Notitie")
        now = self.now()
        with self._uow() as uow:
            s = uow.session
            school_row = self._school(s, school)
            if not (
                access.manages_school(actor, school_row.id)
                or ("leerkracht" in actor.roles and actor.school_id == school_row.id)
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
                pupil_row.group = group_n
                open_already = s.scalar(
                    select(Case.id).where(Case.pupil_id == pupil_row.id, Case.status == "open")
                )
                if open_already:
                    raise InvalidInput(
                        f"{pupil} heeft al een open casus ({open_already}); werk die bij."
                    )
            case = Case(
                pupil=pupil_row,
                school_id=school_row.id,
                status="open",
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
            for role in ("ib", "leerkracht", "directeur"):
                if role in actor.roles and actor.school_id == school_row.id:
                    s.add(Assignment(case_id=case.id, role=role, person_id=actor.id,
                                     started_at=now, assigned_by_id=actor.id))
            if teacher is not None:
                t = self._actor(s, teacher)
                if "leerkracht" not in actor.roles or t.id != actor.id:
                    s.add(Assignment(case_id=case.id, role="leerkracht", person_id=t.id,
                                     started_at=now, assigned_by_id=actor.id))
            if note:
                s.add(Note(case_id=case.id, author_id=actor.id, at=now, step=case.tracks[0].step, text=note))
            uow.flush()
            case_id = case.id
            uow.commit()
            return case_id

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
        seq = case.history_count + 1
        h = event_hash(
            case_id=case_id, seq=seq, track=track, from_step=source, to_step=dest,
            trigger=trigger, actor_id=actor.id, actor_name=actor.name, at=now, note=note,
            prev_hash=case.history_head,
        )
        version = case.version + 1
        values: dict[str, Any] = {"case_id": case_id, "old_version": case.version, "new_version": version,
                                  "head": h, "seq": seq, "now": now}
        update = stepping.UPDATE_CASE
        if track == self.route.main_track.id:
            update = stepping.UPDATE_CASE_STATUS
            if self.engine.is_final(dest):
                values["status"] = "referred" if dest != "afgesloten" else "closed"
                values["closed_at"] = now
            else:
                values["status"] = "open"
                values["closed_at"] = None
        if conn.execute(update, values).rowcount != 1:
            raise Conflict(STALE_MESSAGE)
        conn.execute(stepping.INSERT_EVENT, {
            "case_id": case_id, "seq": seq, "track": track, "from_step": source, "to_step": dest,
            "trigger": trigger, "actor_id": actor.id, "actor_name": actor.name, "at": now, "note": note,
            "prev_hash": case.history_head, "hash": h,
        })
        deadline = self.engine.deadline(dest, now.date())
        at_turn = self.engine.at_turn_role(dest)
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
        if note:
            conn.execute(stepping.INSERT_NOTE, {"case_id": case_id, "author_id": actor.id, "at": now,
                                                "step": source, "text": note})
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
        dest = "afgesloten" if "afgesloten" in self.route.steps else None
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

    # ------------------------------------------------------------------ use cases: around a case
    def assign_role(self, actor: Actor, case_id: int, role: str, person: str | int, *,
                    expected_version: int | None = None) -> AssignmentInfo:
        if role not in self.route.roles:
            raise InvalidInput(f"Onbekende rol '{role}'. Bekend: {', '.join(self.route.roles)}.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_manager(actor, case, "rollen toewijzen")
            target = self._actor(s, person)
            if role not in target.roles:
                raise InvalidInput(
                    f"{target.name} heeft de rol '{self.role_label(role)}' niet "
                    f"(wel: {', '.join(self.role_label(r) for r in target.roles) or 'geen'})."
                )
            now = self.now()
            for a in self._active_assignments(s, case_id):
                if a.role == role:
                    if a.person_id == target.id:
                        raise InvalidInput(
                            f"{target.name} is al {self.role_label(role).lower()} op deze casus."
                        )
                    a.ended_at = now
            s.flush()
            s.add(Assignment(case_id=case_id, role=role, person_id=target.id, started_at=now,
                             assigned_by_id=actor.id))
            self._touch(case)
            uow.commit()
            return AssignmentInfo(role, self.role_label(role), target.name, target.id, now, "")

    def end_assignment(self, actor: Actor, case_id: int, role: str, *,
                       expected_version: int | None = None) -> None:
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_manager(actor, case, "rollen beëindigen")
            active = [a for a in self._active_assignments(s, case_id) if a.role == role]
            if not active:
                raise NotFound(f"Niemand is {self.role_label(role).lower()} op casus {case_id}.")
            for a in active:
                a.ended_at = self.now()
            self._touch(case)
            uow.commit()

    def record_consent(
        self,
        actor: Actor,
        case_id: int,
        *,
        role: str,
        purpose: str,
        given_by: str,
        valid_from: str | date | None = None,
        valid_until: str | date | None = None,
        pupil_cosigned: bool = False,
        organisation: str | None = None,
        expected_version: int | None = None,
    ) -> ConsentInfo:
        r = self.route.roles.get(role)
        if r is None:
            raise InvalidInput(f"Onbekende rol '{role}'. Bekend: {', '.join(self.route.roles)}.")
        check_text(purpose, "Doel van de toestemming")
        check_name(given_by, "Gegeven door")
        if organisation:
            check_name(organisation, "Organisatie")
        start = parse_date(valid_from, "Geldig vanaf") if valid_from else self.today()
        until = parse_date(valid_until, "Geldig tot") if valid_until else None
        if until is not None and until < start:
            raise InvalidInput("De einddatum van de toestemming ligt vóór de begindatum.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_manager(actor, case, "toestemmingen vastleggen")
            c = ConsentRecord(
                case_id=case_id, role=role, organisation=organisation, purpose=purpose,
                given_by=given_by, pupil_cosigned=pupil_cosigned, valid_from=start,
                valid_until=until, recorded_by_id=actor.id, recorded_at=self.now(),
            )
            s.add(c)
            self._touch(case)
            s.flush()
            info = self._consent_info(c, actor.name)
            uow.commit()
            return info

    def withdraw_consent(self, actor: Actor, case_id: int, consent_id: int, *, reason: str = "",
                         on: str | date | None = None,
                         expected_version: int | None = None) -> ConsentInfo:
        if reason:
            check_text(reason, "Reden", required=False)
        when = parse_date(on, "Datum intrekking") if on else self.today()
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            self._require_manager(actor, case, "toestemmingen intrekken")
            c = s.get(ConsentRecord, consent_id)
            if c is None or c.case_id != case_id:
                raise NotFound(f"Toestemming {consent_id} hoort niet bij casus {case_id}.")
            if c.withdrawn_on is not None:
                raise InvalidInput(f"Toestemming {consent_id} is al ingetrokken op {c.withdrawn_on}.")
            c.withdrawn_on = when
            c.withdrawn_by_id = actor.id
            c.withdrawn_reason = reason or None
            self._touch(case)
            s.flush()
            recorder = s.get(Person, c.recorded_by_id)
            info = self._consent_info(c, recorder.name if recorder else "?")
            uow.commit()
            return info

    def add_note(self, actor: Actor, case_id: int, text: str, *,
                 expected_version: int | None = None) -> NoteInfo:
        check_text(text, "Notitie")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            now = self.now()
            step = next((t.step for t in case.tracks if t.track == self.route.main_track.id), None)
            n = Note(case_id=case_id, author_id=actor.id, at=now, step=step, text=text)
            s.add(n)
            self._touch(case)
            s.flush()
            info = NoteInfo(n.id, actor.name, now, step, text)
            uow.commit()
            return info

    def add_agreement(self, actor: Actor, case_id: int, what: str, *,
                      who: str | int | None = None, who_role: str | None = None,
                      due_on: str | date | None = None,
                      expected_version: int | None = None) -> AgreementInfo:
        check_text(what, "Afspraak")
        due = parse_date(due_on, "Datum") if due_on else None
        if who_role is not None and who_role not in self.route.roles:
            raise InvalidInput(f"Onbekende rol '{who_role}'.")
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            who_actor = self._actor(s, who) if who is not None else None
            if who_actor is None and who_role is not None:
                holder = s.scalar(select(Assignment.person_id).where(
                    Assignment.case_id == case_id, Assignment.role == who_role,
                    Assignment.ended_at.is_(None)))
                if holder is not None:
                    who_actor = self._actor(s, holder)
            now = self.now()
            a = Agreement(case_id=case_id, what=what, who_id=who_actor.id if who_actor else None,
                          who_role=who_role, due_on=due, created_by_id=actor.id, created_at=now)
            s.add(a)
            self._touch(case)
            s.flush()
            info = AgreementInfo(a.id, what, who_actor.name if who_actor else None, who_role, due,
                                 False, None, actor.name, now,
                                 bool(due and due < self.today()))
            uow.commit()
            return info

    def complete_agreement(self, actor: Actor, case_id: int, agreement_id: int, *,
                           done: bool = True, expected_version: int | None = None) -> None:
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            a = s.get(Agreement, agreement_id)
            if a is None or a.case_id != case_id:
                raise NotFound(f"Afspraak {agreement_id} hoort niet bij casus {case_id}.")
            a.done_at = self.now() if done else None
            a.done_by_id = actor.id if done else None
            self._touch(case)
            uow.commit()

    def tick_checklist(self, actor: Actor, case_id: int, item: str, *, done: bool = True,
                       track: str | None = None, expected_version: int | None = None) -> None:
        """Mark a checklist item of the current step (of ``track``) done or not done."""
        track = track or self.route.main_track.id
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            row = next((t for t in case.tracks if t.track == track), None)
            if row is None:
                raise InvalidInput(f"Casus {case_id} staat niet in traject '{track}'.")
            step = self.route.steps[row.step]
            if item not in {c.id for c in step.checklist}:
                known = ", ".join(c.id for c in step.checklist) or "geen"
                raise InvalidInput(f"Stap '{step.title}' heeft geen checklistpunt '{item}' (wel: {known}).")
            existing = s.scalar(select(ChecklistTick).where(
                ChecklistTick.case_id == case_id, ChecklistTick.step == step.id,
                ChecklistTick.item == item, ChecklistTick.visit == row.entered_seq))
            if done and existing is None:
                s.add(ChecklistTick(case_id=case_id, step=step.id, item=item, done_by_id=actor.id,
                                    done_at=self.now(), visit=row.entered_seq))
            elif not done and existing is not None:
                s.delete(existing)
            self._touch(case)
            uow.commit()

    def record_document(self, actor: Actor, case_id: int, kind: str, *, outcome: str = "",
                        title: str = "", expected_version: int | None = None) -> DocumentInfo:
        """Record an OPP (vastgesteld), an expert advice (outcome = the expert), an SWV decision."""
        if kind not in DOCUMENT_KINDS:
            raise InvalidInput(f"Onbekende soort '{kind}'. Bekend: {', '.join(DOCUMENT_KINDS)}.")
        if kind == "swv_besluit" and outcome not in SWV_OUTCOMES:
            raise InvalidInput("Een besluit van het SWV is 'toegekend' of 'afgewezen'.")
        if kind == "opp" and outcome not in ("vastgesteld", "concept"):
            raise InvalidInput("Een OPP is 'concept' of 'vastgesteld'.")
        if kind == "deskundigenadvies":
            check_name(outcome, "Naam van de deskundige")
        if title:
            check_text(title, "Titel", required=False)
        with self._uow() as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            self._expect_version(case, expected_version, s)
            if (
                kind == "swv_besluit"
                and "swv" not in actor.roles
                and not access.manages_school(actor, case.school_id)
            ):
                raise AccessDenied("Een besluit van het SWV legt het SWV of de school vast.")
            now = self.now()
            step = next((t.step for t in case.tracks if t.track == self.route.main_track.id), None)
            d = Document(case_id=case_id, kind=kind, outcome=outcome, title=title, step=step,
                         author_id=actor.id, at=now)
            s.add(d)
            self._touch(case)
            s.flush()
            info = DocumentInfo(d.id, kind, outcome, title, step, actor.name, now)
            uow.commit()
            return info

    # ------------------------------------------------------------------ reads
    def _consent_info(self, c: ConsentRecord, recorded_by: str) -> ConsentInfo:
        cons = Consent(c.role, c.purpose, c.given_by, c.valid_from, c.valid_until, c.withdrawn_on,
                       c.pupil_cosigned)
        return ConsentInfo(
            c.id, c.role, self.role_label(c.role), c.organisation, c.purpose, c.given_by,
            c.pupil_cosigned, c.valid_from, c.valid_until, c.withdrawn_on,
            cons.valid_on(self.today()), recorded_by, c.recorded_at,
        )

    def _list_stmt(self, actor: Actor | None, f: CaseFilter, *, count: bool = False,  # type: ignore[no-untyped-def]
                   start: Start | None = None):
        """The filtered cases; ``count=True`` selects only ids and joins only what a filter needs.

        ``start`` (see ``_start``) makes the query start from that small set of cases: the
        school, status and track terms then must not drive it.
        """
        today = self.today()
        few = start is not None
        ct = aliased(CaseTrack)
        a = aliased(Assignment)
        p = aliased(Person)
        at_turn = and_(a.case_id == Case.id, a.role == ct.at_turn_role, a.ended_at.is_(None))
        on_track = and_(ct.case_id == Case.id, (unindexed(ct.track) if few else ct.track) == f.track)
        if count:
            stmt = select(Case.id).join(ct, on_track)
            if f.group is not None:
                stmt = stmt.join(Pupil, Pupil.id == Case.pupil_id)
            if f.school_id is None and f.school:
                stmt = stmt.join(School, School.id == Case.school_id)
            if f.at_turn_person_id is not None:  # filtered on a.person_id: an inner join is the same
                stmt = stmt.join(a, at_turn)
            stmt = stmt.where(access.visible_clause(actor, self.route, today, school_index=not few))
        else:
            stmt = (
                select(Case.id, Pupil.name, Pupil.group, School.name, ct.step, ct.at_turn_role,
                       p.name, ct.deadline, Case.status, Case.version, Pupil.sort_name)
                .join(Pupil, Pupil.id == Case.pupil_id)
                .join(School, School.id == Case.school_id)
                .join(ct, on_track)
                .outerjoin(a, at_turn)
                .outerjoin(p, p.id == a.person_id)
                .where(access.visible_clause(actor, self.route, today, school_index=not few))
            )
        if start is not None:
            stmt = stmt.where(start.column.in_(start.ids))
        for word in search_words(f.text):  # every typed word starts a word of the name
            if start is not None and word == start.word:
                continue  # the query starts from exactly the pupils with this word
            stmt = stmt.where(self._word_exists(word))
        if f.step:
            stmt = stmt.where(ct.step == f.step)
        if f.school_id is not None:
            stmt = stmt.where((unindexed(Case.school_id) if few else Case.school_id) == f.school_id)
        elif f.school:
            key = f.school.strip()
            cond = [func.lower(School.name) == key.lower(), School.brin == key.upper()]
            if key.isdigit():
                cond.append(School.id == int(key))
            stmt = stmt.where(or_(*cond))
        if f.at_turn_role:
            stmt = stmt.where(ct.at_turn_role == f.at_turn_role)
        if f.at_turn_person_id is not None:
            stmt = stmt.where(a.person_id == f.at_turn_person_id)
        if f.overdue:
            stmt = stmt.where(ct.deadline < today, ct.at_turn_role.is_not(None))
        if f.group is not None:
            stmt = stmt.where(Pupil.group == f.group)
        if f.status:
            stmt = stmt.where((unindexed(Case.status) if few else Case.status) == f.status)
        return stmt, ct

    def list_cases(self, actor: Actor | None, f: CaseFilter | None = None, *,
                   limit: int | None = None, offset: int = 0) -> list[CaseRow]:
        f = f or CaseFilter()
        today = self.today()
        with self._uow(write=False) as uow:
            start = self._start(uow.session, actor, f, limit)
            few = start is not None
            stmt, ct = self._list_stmt(actor, f, start=start)
            order = {
                "pupil": [Pupil.sort_name],
                "step": [ct.step],
                "school": [School.name],
                "group": [Pupil.group],
                "id": [Case.id],
            }.get(f.sort)
            if order is None and few:  # a handful of rows: sort them, do not walk the index
                order = [ct.deadline.is_(None), ct.deadline]
                order = [o.desc() for o in order] if f.descending else order
            elif order is None:  # by deadline, empty ones last: walks ix_case_tracks_track_deadline
                order = [ct.deadline.desc().nulls_first() if f.descending else ct.deadline.asc().nulls_last()]
            elif f.descending:
                order = [o.desc() for o in order]
            # ct.case_id equals Case.id; ordering on it lets a page come straight from the index
            order = [*order, ct.case_id]
            two_step = start is not None and start.matched > self.TWO_STEP_FROM and limit is not None
            if two_step and f.sort in ("", "deadline"):
                # Sort the candidates on what the order needs alone, then join the page's rows:
                # thousands of candidates cost a sort of (deadline, id), not thousands of joins.
                keys, kct = self._list_stmt(actor, f, count=True, start=start)
                korder = [kct.deadline.is_(None), kct.deadline]
                korder = [o.desc() for o in korder] if f.descending else korder
                page_ids = list(uow.session.scalars(
                    keys.order_by(*korder, kct.case_id).limit(limit).offset(offset)))
                stmt = stmt.where(Case.id.in_(page_ids)).order_by(*order)
            else:
                stmt = stmt.order_by(*order)
                if limit is not None:
                    stmt = stmt.limit(limit).offset(offset)
            rows = uow.session.execute(stmt).all()
            ids = [r[0] for r in rows]
            steps: dict[int, dict[str, str]] = {i: {} for i in ids}
            for chunk in range(0, len(ids), 500):
                part = ids[chunk:chunk + 500]
                for cid, track, step in uow.session.execute(
                    select(CaseTrack.case_id, CaseTrack.track, CaseTrack.step)
                    .where(CaseTrack.case_id.in_(part))
                ):
                    steps[cid][track] = step
        return [
            CaseRow(
                id=r[0], pupil=r[1], group=r[2], school=r[3], step=r[4],
                step_title=self.step_title(r[4]), steps=steps.get(r[0], {}),
                at_turn_role=r[5], at_turn=r[6], deadline=r[7],
                overdue=bool(r[7] is not None and r[5] is not None and r[7] < today),
                status=r[8], version=r[9],
            )
            for r in rows
        ]

    def count_cases(self, actor: Actor | None, f: CaseFilter | None = None, *,
                    cap: int | None = None) -> int:
        """How many cases ``list_cases`` would give. With ``cap``, counting stops after
        ``cap + 1``: a result above ``cap`` means "more than cap", and the cost no longer
        grows with the number of cases."""
        f = f or CaseFilter()
        with self._uow(write=False) as uow:
            stmt, _ = self._list_stmt(actor, f, count=True, start=self._start(uow.session, actor, f, cap))
            if cap is not None:
                stmt = stmt.limit(cap + 1)
            return uow.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    #: A set of at most this many cases (or pupils) is always where a list starts; above
    #: it, only while starting there is the cheaper of the two ways (see ``_start``).
    FEW_PUPILS = 1000
    #: From this many candidates, a page is sorted on its keys first and joined after.
    TWO_STEP_FROM = 300

    @staticmethod
    def _word_range(word: str, w: type[PupilWord] = PupilWord):  # type: ignore[no-untyped-def]
        """``pupil_words.word`` starting with ``word``, as a range of the word index."""
        cond = w.word >= word
        last = ord(word[-1])
        if last < 0x10FFFF:
            cond = and_(cond, w.word < word[:-1] + chr(last + 1))
        return cond

    def _word_exists(self, word: str):  # type: ignore[no-untyped-def]
        w = aliased(PupilWord)
        return select(w.pupil_id).where(w.pupil_id == Case.pupil_id, self._word_range(word, w)).exists()

    def _start(self, session: Session, actor: Actor | None, f: CaseFilter, rows: int | None) -> Start | None:
        """The smallest of the sets a list can start from, when starting there is cheapest.

        Without one, a list walks the cases in its order (the deadline index) and stops once
        ``rows`` rows passed the filters: about rows × cases / matches steps. That is right
        for a one-letter name filter or an IB of a large school, and wrong for a rare name
        ('jans'), a teacher's or an outside role's few assigned cases, or a small school
        among many: those are cheapest found from their own index, one step per candidate,
        and sorted. Both cost the same at about √(rows × cases) candidates; below that (and
        always below FEW_PUPILS) the list starts from the set. Each set's size is counted in
        its index only up to that threshold, and the number of cases is the highest case id:
        deciding never costs more than the cheaper way. Counting (``rows`` None) always
        starts from a set smaller than all cases.
        """
        cases = session.scalar(select(func.max(Case.id))) or 0
        if not self.FEW_PUPILS:
            return None
        threshold = cases if rows is None else max(self.FEW_PUPILS, math.isqrt(rows * cases))
        candidates: list[Start] = []
        for word in search_words(f.text):
            ids = select(PupilWord.pupil_id).where(self._word_range(word))
            candidates.append(Start(Case.pupil_id, ids, self._size(session, ids, threshold), word))
        sets = access.start_cases(actor, self.today())
        if sets is not None and (rows is not None or sets.assigned):
            # (a count has no order to walk: the school's own index serves it directly)
            visible, every, _assigned = sets
            n = self._size(session, every, threshold)
            if n > threshold and rows is not None:
                # Many assigned cases, but may few of them be seen (consent)? Fewer than a page
                # would make the walk read every case before it stops; the set is cheaper then.
                n = self._size(session, visible, rows)
                n = n if n <= rows else threshold + 1
            candidates.append(Start(Case.id, visible, n))
        best = min(candidates, key=lambda c: c.matched, default=None)
        if best is None or best.matched > threshold:
            return None
        return best

    @staticmethod
    def _size(session: Session, ids, limit: int) -> int:  # type: ignore[no-untyped-def]
        """How many rows ``ids`` gives, counting no further than ``limit + 1``."""
        return session.scalar(select(func.count()).select_from(ids.limit(limit + 1).subquery())) or 0

    def worklist(self, actor: Actor, *, mine: bool = True, limit: int | None = 200,
                 offset: int = 0, f: CaseFilter | None = None) -> list[CaseRow]:
        """Cases at my turn (or all I may see), overdue first, then by deadline."""
        base = f or CaseFilter()
        from dataclasses import replace

        base = replace(base, sort="deadline", at_turn_person_id=actor.id if mine else None)
        return self.list_cases(actor, base, limit=limit, offset=offset)

    def step_counts(self, actor: Actor | None = None, *, school_id: int | None = None) -> dict[str, int]:
        """How many open cases stand in each step (all tracks)."""
        stmt = (
            select(CaseTrack.step, func.count())
            .join(Case, Case.id == CaseTrack.case_id)
            .where(access.visible_clause(actor, self.route, self.today()))
            .group_by(CaseTrack.step)
        )
        if school_id is not None:
            stmt = stmt.where(Case.school_id == school_id)
        with self._uow(write=False) as uow:
            return {step: n for step, n in uow.session.execute(stmt)}

    def case_detail(self, actor: Actor | None, case_id: int) -> CaseDetail:
        """Everything about one case that ``actor`` may see; outside roles' reads are logged."""
        today = self.today()
        log_read = access.is_outside_reader(actor)
        with self._uow(write=log_read) as uow:
            s = uow.session
            case = self._case(s, case_id, actor)
            pupil = case.pupil
            facts = self.facts(s, case)
            people: dict[int, str] = {}

            def name_of(pid: int | None) -> str | None:
                if pid is None:
                    return None
                if pid not in people:
                    person = s.get(Person, pid)
                    people[pid] = person.name if person else "?"
                return people[pid]

            assignments = self._active_assignments(s, case_id)
            holder = {a.role: a for a in assignments}
            main_id = self.route.main_track.id
            tracks = []
            for t in sorted(case.tracks, key=lambda t: list(self.route.tracks).index(t.track)
                            if t.track in self.route.tracks else 99):
                step = self.route.steps.get(t.step)
                checklist = tuple(
                    (c.id, c.label, (t.step, c.id) in facts.checklist_done)
                    for c in (step.checklist if step else ())
                )
                at = holder.get(t.at_turn_role) if t.at_turn_role else None
                tracks.append(TrackInfo(
                    track=t.track,
                    track_label=self.route.tracks[t.track].label if t.track in self.route.tracks else t.track,
                    step=t.step, step_title=self.step_title(t.step), entered_at=t.entered_at,
                    deadline=t.deadline,
                    overdue=bool(t.deadline and t.at_turn_role and t.deadline < today),
                    at_turn_role=t.at_turn_role, at_turn=name_of(at.person_id) if at else None,
                    checklist=checklist,
                ))
            main = next((t for t in tracks if t.track == main_id), tracks[0])
            main_step = self.route.steps.get(main.step)
            a_infos = []
            for a in assignments:
                inv = ""
                if main_step is not None:
                    if main_step.at_turn == a.role:
                        inv = "aan zet"
                    else:
                        inv = main_step.involved.get(a.role, "")
                a_infos.append(AssignmentInfo(a.role, self.role_label(a.role), name_of(a.person_id) or "?",
                                              a.person_id, a.started_at, inv))
            consents = tuple(
                self._consent_info(c, name_of(c.recorded_by_id) or "?")
                for c in s.scalars(select(ConsentRecord).where(ConsentRecord.case_id == case_id)
                                   .order_by(ConsentRecord.id))
            )
            history = tuple(
                HistoryEntry(e.seq, e.track, e.from_step, e.to_step, e.trigger, e.actor_name, e.at, e.note)
                for e in s.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                   .order_by(CaseEvent.seq))
            )
            notes = tuple(
                NoteInfo(n.id, name_of(n.author_id) or "?", n.at, n.step, n.text)
                for n in s.scalars(select(Note).where(Note.case_id == case_id).order_by(Note.at, Note.id))
            )
            agreements = tuple(
                AgreementInfo(g.id, g.what, name_of(g.who_id), g.who_role, g.due_on, g.done_at is not None,
                              g.done_at, name_of(g.created_by_id) or "?", g.created_at,
                              bool(g.due_on and g.done_at is None and g.due_on < today))
                for g in s.scalars(select(Agreement).where(Agreement.case_id == case_id)
                                   .order_by(Agreement.id))
            )
            documents = tuple(
                DocumentInfo(d.id, d.kind, d.outcome, d.title, d.step, name_of(d.author_id) or "?", d.at)
                for d in s.scalars(select(Document).where(Document.case_id == case_id).order_by(Document.id))
            )
            nexts = tuple(
                NextStepInfo(
                    n.trigger, n.label, n.track, n.source, n.dest, self.step_title(n.dest), n.allowed,
                    tuple(n.reasons), self.engine.at_turn_role(n.dest),
                    self.engine.deadline(n.dest, today),
                )
                for n in self.engine.next_steps(facts)
            )
            zp = None
            if case.registered_on is not None:
                weeks = ZORGPLICHT_WEEKS + (ZORGPLICHT_EXTENSION_WEEKS if case.zorgplicht_extended else 0)
                zp = case.registered_on + timedelta(weeks=weeks)
            detail = CaseDetail(
                id=case.id, pupil=pupil.name, pupil_id=pupil.id, date_of_birth=pupil.date_of_birth,
                group=pupil.group, school=case.school.name, school_id=case.school_id, status=case.status,
                step=main.step, steps={t.track: t.step for t in tracks}, tracks=tuple(tracks),
                at_turn_role=main.at_turn_role, at_turn=main.at_turn, deadline=main.deadline,
                overdue=main.overdue, opened_at=case.opened_at, registered_on=case.registered_on,
                zorgplicht_deadline=zp, version=case.version, assignments=tuple(a_infos),
                consents=consents, history=history, notes=notes, agreements=agreements,
                documents=documents, next=nexts,
            )
            if log_read and actor is not None:
                s.add(AccessLog(person_id=actor.id, case_id=case_id, at=self.now(), action="read"))
                uow.commit()
            return detail

    def next_steps(self, actor: Actor | None, case_id: int) -> list[NextStepInfo]:
        return list(self.case_detail(actor, case_id).next)

    def who_is_at_turn(self, actor: Actor | None, case_id: int) -> tuple[str | None, str | None]:
        """(role, person name) at turn in the case's school step."""
        d = self.case_detail(actor, case_id)
        return d.at_turn_role, d.at_turn

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
            uow.commit()
            return case.registered_on + timedelta(weeks=ZORGPLICHT_WEEKS + ZORGPLICHT_EXTENSION_WEEKS)

    def case_count(self) -> int:
        with self._uow(write=False) as uow:
            return uow.session.scalar(select(func.count(Case.id))) or 0

    # --- swv view: the monitor, the verbeterbord, the sociale kaart, Plus-klas places
    def report(self, actor: Actor | None, **kw: Any) -> Any:
        from kindroute.services.report import ReportService

        return ReportService(self).report(actor, **kw)

    @property
    def board(self) -> Any:
        from kindroute.services.board import BoardService

        return BoardService(self)

    @property
    def partners(self) -> Any:
        from kindroute.services.partners import PartnerService

        return PartnerService(self)

    @property
    def plusklas(self) -> Any:
        from kindroute.services.plusklas import PlusklasService

        return PlusklasService(self)
