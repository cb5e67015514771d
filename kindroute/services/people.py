"""People and schools: who acts, which schools there are, and their pupils."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kindroute.errors import AccessDenied, IdentityRequired, InvalidInput
from kindroute.services import access, register
from kindroute.services.context import ServiceContext
from kindroute.services.dto import Actor, PersonInfo, SchoolInfo
from kindroute.services.text import (
    check_birth_date,
    check_group,
    check_name,
    fold,
    name_words,
    parse_date,
    split_name,
)
from kindroute.store.models import Person, Pupil, PupilWord, School


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


class _ImportRace(Exception):
    """A concurrent import committed some of the same pupils first."""


class PeopleServices(ServiceContext):
    """Schools, people and pupils; who is acting."""

    def resolve_actor(self, who: str | int | None) -> Actor:
        """A person by id or (unique, case-insensitive) name."""
        if who is None or (isinstance(who, str) and not who.strip()):
            raise IdentityRequired(
                "Wie bent u? Geef --as NAAM (of zet KINDROUTE_USER); wijzigingen worden "
                "altijd op naam vastgelegd."
            )
        with self._uow(write=False) as uow:
            return self._actor(uow.session, who)

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
            register.record(self.db, uow.session.connection(), None, self.now(), "school",
                            [("schools", school.id)])
            info = SchoolInfo(school.id, school.name, school.brin)
            uow.commit()
            return info

    def start_school(self, school: str, brin: str | None, person: str, role: str | None = None) -> Actor:
        """A new school and its first person, together or not at all (the welcome screen). Without
        ``role`` the first role of the route that sees the school's cases (the IB)."""
        check_name(school, "Schoolnaam")
        check_name(person, "Uw naam")
        if role is None:
            managers = self.route.roles_seeing("school")
            if not managers:
                raise InvalidInput("De route heeft geen rol die de casussen van een school ziet.")
            role = managers[0]
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
            register.record(self.db, s.connection(), actor, self.now(), "school",
                            [("schools", school_row.id), ("people", row.id)])
            uow.commit()
            return actor

    def list_schools(self) -> list[SchoolInfo]:
        with self._uow(write=False) as uow:
            return [
                SchoolInfo(s.id, s.name, s.brin)
                for s in uow.session.scalars(select(School).order_by(School.name))
            ]

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
            register.record(self.db, uow.session.connection(), None, self.now(), "person",
                            [("people", person.id)])
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
        """See :meth:`_add_pupils_once`; tried again when a concurrent import added some first."""
        from kindroute.errors import Conflict

        for _attempt in range(3):
            try:
                return self._add_pupils_once(actor, school, pupils)
            except _ImportRace:
                continue
        raise Conflict("Iemand anders leest op dit moment dezelfde leerlingen in; probeer het zo opnieuw.")

    def _add_pupils_once(self, actor: Actor, school: str | int,
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
            if not access.manages_school(actor, school_row.id, self.route):
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
            try:
                uow.commit()
            except IntegrityError as exc:  # the same pupils, committed by a concurrent import
                if "uq_pupils_identity" in str(exc.orig) or "pupils.name" in str(exc.orig):
                    raise _ImportRace() from None
                raise
            return added, len(checked) - added

    def count_people(self) -> int:
        with self._uow(write=False) as uow:
            return uow.session.scalar(select(func.count(Person.id))) or 0

