"""What every use case shares: the database, the route and its compiled engine, the clock,
the unit of work, and the small loaders and checks around a case.

:class:`ServiceContext` is the base of every part of :class:`~kindroute.services.core.Services`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, object_session

from kindroute.errors import AccessDenied, Conflict, InvalidInput, NotFound
from kindroute.services import access, history, route_store, stepping
from kindroute.services.dto import Actor, ConsentInfo
from kindroute.services.ground import ServiceGround
from kindroute.store.db import Database
from kindroute.store.models import Assignment, Case, CaseEvent, ConsentRecord, Person, School
from kindroute.workflow import CaseFacts, Consent, Engine, Route, get_engine


class ServiceContext(ServiceGround):
    """One database, one route, one clock: the ground every use case stands on."""

    def __init__(
        self,
        db: Database,
        route: Route | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        clock = clock or datetime.now
        #: the route the database holds; ``route`` must be that route, or the database new
        ServiceGround.__init__(self, db, route_store.route_in_use(db, route, now=clock()), clock)
        self.engine: Engine = get_engine(self.route)
        #: the statement reading a case row for a step, per (actor, day): see :meth:`_step_case_read`
        self._step_reads: dict[tuple[Actor, date], Any] = {}
        self._step_facts_read: Any = None  # clocks.step_statement for the route, once
        #: the statement opening a case, per (actor, day): see CaseView._open_statement
        self._open_reads: dict[tuple[Actor, date], Any] = {}

    @staticmethod
    def _per_reader(cache: dict[tuple[Actor, date], Any], actor: Actor | None, today: date,
                    build: Callable[[], Any]) -> Any:
        """A statement built once per (reader, day) by ``build`` and then reused from ``cache``
        (a reader's access clause is part of it; at most 64 are kept)."""
        key = (actor, today)
        stmt = cache.get(key)
        if stmt is None:
            if len(cache) >= 64:
                cache.clear()
            stmt = cache[key] = build()
        return stmt

    @staticmethod
    def _seen_case(case: Any, case_id: int, actor: Actor | None) -> Any:
        """``case`` (a row read with ``visible``, the reader's access clause) when there is one
        and ``actor`` may see it."""
        if case is None:
            raise NotFound(f"Casus {case_id} bestaat niet.")
        if actor is not None and not case.visible:
            raise AccessDenied(f"U ({actor.name}) heeft geen toegang tot casus {case_id}.")
        return case

    # ------------------------------------------------------------------ loading helpers
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
        """Every change around a case updates the case row, so its version moves on, and
        recomputes its earliest clock (``cases.next_due``, see :mod:`~kindroute.services.clocks`)."""
        from kindroute.services.clocks import refresh_next_due

        case.updated_at = self.now()
        case.version = (case.version or 0) + 1
        session = object_session(case)
        if session is not None:
            refresh_next_due(session, case, self.route)

    def _seal(self, session: Session, case: Case, kind: str, actor: Actor,
              records: Sequence[Any] = (), *, note: str = "") -> None:
        """Seal a change of ``case`` as an event of its keyed history (same transaction).

        ``records``: ORM rows the change touched, or (table, key) pairs (e.g. of a removed row);
        the case row itself is always sealed. A case from before the keyed history (or just
        opened: ``kind`` "open") is sealed whole: every record's digest goes into this event.
        """
        session.flush()
        conn = session.connection()
        key = history.history_key_for(self.db, conn, write=True)
        if kind == "open" or case.history_scheme != 2:
            sealed = history.case_baseline(conn, case.id, case.pupil_id)
            if kind != "open":
                kind = f"seal+{kind}"
            case.history_scheme = 2
        else:
            wanted: dict[str, list[Any]] = {"cases": [case.id]}
            for r in records:
                if isinstance(r, tuple):
                    table, k = r
                else:
                    table = r.__table__.name
                    k = getattr(r, history.SEALED[table][0])
                wanted.setdefault(table, []).append(k)
            sealed = []
            for table, keys in wanted.items():
                sealed += history.record_digests(conn, table, keys, case.id)
        seq, h = history.append_event(conn, key, case_id=case.id, prev_hash=case.history_head or "",
                                      prev_count=case.history_count or 0, kind=kind, actor=actor,
                                      at=self.now(), records=sealed, note=note)
        case.history_head = h
        case.history_count = seq

    def _require_manager(self, actor: Actor, case: Case, what: str) -> None:
        if not access.manages_school(actor, case.school_id, self.route):
            names = [self.role_label(r).lower() for r in self.route.roles_seeing("school")]
            who = " of ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            raise AccessDenied(f"Alleen de {who or 'beheerder'} van de school mag {what}.")

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

    def _consent_info(self, c: ConsentRecord, recorded_by: str) -> ConsentInfo:
        cons = Consent(c.role, c.purpose, c.given_by, c.valid_from, c.valid_until, c.withdrawn_on,
                       c.pupil_cosigned)
        return ConsentInfo(
            c.id, c.role, self.role_label(c.role), c.organisation, c.purpose, c.given_by,
            c.pupil_cosigned, c.valid_from, c.valid_until, c.withdrawn_on,
            cons.valid_on(self.today()), recorded_by, c.recorded_at,
        )

