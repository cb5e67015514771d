"""People and schools as use cases: list, add, edit, end a role — under the privilege rules.

Functions over the :class:`~kindroute.services.core.Services` object; every change is one
unit of work and goes through :mod:`kindroute.services.privileges` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kindroute.errors import InvalidInput, NotFound
from kindroute.services import privileges, register
from kindroute.services.dto import Actor, JsonMixin, PersonInfo, SchoolInfo
from kindroute.services.privileges import Action, Target
from kindroute.services.text import check_name
from kindroute.store.models import Assignment, Person, School
from kindroute.store.uow import UnitOfWork

if TYPE_CHECKING:
    from kindroute.services.core import Services


@dataclass(frozen=True)
class PersonRow(JsonMixin):
    """One line of the Mensen screen."""

    id: int
    name: str
    roles: tuple[str, ...]
    organisation: str | None
    school_id: int | None
    school: str | None
    active: bool
    can_log_in: bool


def find_school(session: Session, school: str | int) -> School:
    """A school by number, BRIN or (unique, case-insensitive) name."""
    key = str(school).strip()
    found = session.get(School, int(key)) if key.isdigit() else None
    if found is None:
        found = session.scalar(select(School).where(School.brin == key.upper()))
    if found is None:
        hits = session.scalars(select(School).where(func.lower(School.name) == key.lower())).all()
        found = hits[0] if len(hits) == 1 else None
    if found is None:
        raise NotFound(f"School '{school}' is niet bekend (geef naam, BRIN of nummer).")
    return found


def check_unique_name(session: Session, name: str, own_id: int | None = None) -> None:
    """Names of people are unique per database, case- and accent-insensitively."""
    privileges.require_unique_name(name, session.execute(select(Person.id, Person.name)).all(),
                                   own_id=own_id)


def _check_roles(svc: Services, roles: Sequence[str], school: School | None) -> list[str]:
    roles = list(dict.fromkeys(r for r in roles if r))
    if not roles:
        raise InvalidInput("Geef minstens één rol.")
    unknown = [r for r in roles if r not in svc.route.roles]
    if unknown:
        raise InvalidInput(f"Onbekende rol(len): {', '.join(unknown)}. Bekend: {', '.join(svc.route.roles)}.")
    bound = privileges.school_bound_roles(svc.route)
    if school is None and any(r in bound for r in roles):
        names = " of ".join(svc.route.roles[r].label.lower() for r in svc.route.roles if r in bound)
        raise InvalidInput(f"Een {names} hoort bij een school.")
    return roles


def _info(p: Person) -> PersonInfo:
    return PersonInfo(p.id, p.name, tuple(p.role_ids), p.organisation, p.school_id,
                      p.school.name if p.school else None)


def list_people(svc: Services, *, include_ended: bool = False) -> list[PersonRow]:
    """Everyone (active, or also those whose every role ended), by name."""
    with UnitOfWork(svc.db, write=False) as uow:
        stmt = select(Person, School.name).outerjoin(School, Person.school_id == School.id)
        if not include_ended:
            stmt = stmt.where(Person.active.is_(True))
        rows = uow.session.execute(stmt.order_by(func.lower(Person.name), Person.id)).all()
        return [PersonRow(p.id, p.name, tuple(p.role_ids), p.organisation, p.school_id, school,
                          bool(p.active), bool(p.password_hash or p.db_login)) for p, school in rows]


def add_person(svc: Services, actor: Actor | None, name: str, roles: Sequence[str], *,
               school: str | int | None = None, organisation: str | None = None,
               password: str | None = None) -> PersonInfo:
    """A new person with roles, at a school or an organisation; a password on request."""
    check_name(name)
    if organisation:
        check_name(organisation, "Organisatie")
    hashed = None
    if password:
        from kindroute.services.auth import hash_password

        hashed = hash_password(password)
    with UnitOfWork(svc.db) as uow:
        s = uow.session
        school_row = find_school(s, school) if school not in (None, "") else None
        role_list = _check_roles(svc, roles, school_row)
        privileges.require(actor, Action.ADD_PERSON,
                           Target(school_row.id if school_row else None, tuple(role_list)), route=svc.route)
        check_unique_name(s, name)
        person = Person(name=name, roles=" ".join(role_list), organisation=organisation or None,
                        school_id=school_row.id if school_row else None, password_hash=hashed,
                        created_at=svc.now(), active=True)
        s.add(person)
        s.flush()
        register.record(svc.db, s.connection(), actor, svc.now(), "person", [("people", person.id)])
        info = _info(person)
        uow.commit()
        return info


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"Persoon {person_id} bestaat niet.")
    return person


def edit_person(svc: Services, actor: Actor | None, person_id: int, *, name: str,
                organisation: str | None = None, add_roles: Sequence[str] = ()) -> PersonInfo:
    """Change a person's name or organisation, or give them another role."""
    check_name(name)
    if organisation:
        check_name(organisation, "Organisatie")
    with UnitOfWork(svc.db) as uow:
        s = uow.session
        person = _person(s, person_id)
        current = tuple(person.role_ids)
        privileges.require(actor, Action.EDIT_PERSON, Target(person.school_id, current, person.id),
                           route=svc.route)
        roles = _check_roles(svc, [*current, *add_roles], person.school)
        if roles != list(current):
            privileges.require(actor, Action.ADD_PERSON, Target(person.school_id, tuple(roles), person.id),
                               route=svc.route)
        check_unique_name(s, name, own_id=person.id)
        person.name = name
        person.organisation = organisation or None
        person.roles = " ".join(roles)
        s.flush()
        register.record(svc.db, s.connection(), actor, svc.now(), "person", [("people", person.id)])
        info = _info(person)
        uow.commit()
        return info


def end_role(svc: Services, actor: Actor | None, person_id: int, role: str) -> PersonInfo:
    """End one of a person's roles at their school; their last role ends their access.

    Refused while they still hold that role on a case (assign someone else first), and for
    one's own roles (nobody locks themselves out).
    """
    with UnitOfWork(svc.db) as uow:
        s = uow.session
        person = _person(s, person_id)
        current = tuple(person.role_ids)
        privileges.require(actor, Action.END_ROLE, Target(person.school_id, current, person.id),
                           route=svc.route)
        if role not in current:
            raise InvalidInput(f"{person.name} heeft de rol '{svc.role_label(role)}' niet.")
        if actor is not None and actor.id == person.id:
            raise InvalidInput("U kunt uw eigen rol niet beëindigen; vraag dat een collega of het SWV.")
        held = s.scalar(select(func.count(Assignment.id)).where(
            Assignment.person_id == person.id, Assignment.role == role, Assignment.ended_at.is_(None)))
        if held:
            raise InvalidInput(
                f"{person.name} is nog {svc.role_label(role).lower()} op {held} casus(sen); wijs die "
                "eerst aan iemand anders toe (r op de casus)."
            )
        left = [r for r in current if r != role]
        person.roles = " ".join(left)
        if not left:
            person.active = False
        s.flush()
        register.record(svc.db, s.connection(), actor, svc.now(), "role_end", [("people", person.id)])
        info = _info(person)
        uow.commit()
        return info


def add_school(svc: Services, actor: Actor | None, name: str, brin: str | None) -> SchoolInfo:
    """A new school: the SWV's administrator only (or the owner of a fresh local file)."""
    privileges.require(actor, Action.ADD_SCHOOL, route=svc.route)
    return svc.add_school(name, brin)


def grantable_roles(svc: Services, actor: Actor | None, school_id: int | None) -> list[str]:
    return privileges.grantable_roles(actor, svc.route.roles, school_id, svc.route)
