"""Who is acting: identity on a private SQLite file and on a shared PostgreSQL database.

On a SQLite file (readable by its owner only) the owner says who they are with
``--as``. On a shared database a person is either mapped from the database login
(``people.db_login`` = ``current_user`` of the connection) or logs in with a name
and a password, which is stored only as an argon2 hash.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from kindroute.errors import AccessDenied, IdentityRequired, InvalidInput, NotFound
from kindroute.services import privileges, register
from kindroute.services.dto import Actor, PersonInfo
from kindroute.services.privileges import Action, Target, school_bound_roles
from kindroute.services.text import check_name
from kindroute.store.db import Database
from kindroute.store.models import Person
from kindroute.store.uow import UnitOfWork
from kindroute.workflow import Route

PASSWORD_MIN = 10
PASSWORD_MAX = 200
PASSWORD_ENV = "KINDROUTE_PASSWORD"
_BAD_LOGIN = "Aanmelden mislukt: onbekende naam of onjuist wachtwoord."

_hasher = None
_dummy_hash: str | None = None


def _ph():  # type: ignore[no-untyped-def]
    """The argon2 hasher, created on first use (keeps start-up fast)."""
    global _hasher
    if _hasher is None:
        from argon2 import PasswordHasher

        _hasher = PasswordHasher()
    return _hasher


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _ph().hash(password)


def check_password_strength(password: str) -> None:
    if password is None or len(password) < PASSWORD_MIN:
        raise InvalidInput(f"Het wachtwoord is te kort: minstens {PASSWORD_MIN} tekens.")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"Het wachtwoord is te lang: hoogstens {PASSWORD_MAX} tekens.")
    if password != password.strip():
        raise InvalidInput("Het wachtwoord begint of eindigt met een spatie; dat is vast een vergissing.")


def _verify(stored: str | None, password: str) -> bool:
    """Constant-ish work whether or not the person exists (no name probing by timing)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _dummy_hash
    if stored is None:
        if _dummy_hash is None:
            _dummy_hash = _ph().hash("kindroute-dummy-password")
        stored = _dummy_hash
        password = password + "\x00never"
    try:
        return bool(_ph().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def _actor_of(person: Person) -> Actor:
    return Actor.of(person)


def _find_person(session: Session, name: str | int) -> Person | None:
    key = str(name).strip()
    if key.isdigit():
        return session.get(Person, int(key))
    matches = session.scalars(select(Person).where(func.lower(Person.name) == key.lower())).all()
    if len(matches) > 1:
        ids = ", ".join(str(p.id) for p in matches)
        raise InvalidInput(f"Er zijn meerdere personen met de naam '{key}' ({ids}). Gebruik het nummer.")
    return matches[0] if matches else None


def authenticate(db: Database, name: str | int, password: str) -> Actor:
    """The person ``name`` when ``password`` matches their argon2 hash; else IdentityRequired."""
    if not password:
        raise IdentityRequired(f"Geef een wachtwoord (prompt of {PASSWORD_ENV}).")
    with UnitOfWork(db, write=False) as uow:
        try:
            person = _find_person(uow.session, name)
        except InvalidInput:
            person = None
        ok = _verify(person.password_hash if person is not None else None, password)
        if person is None or not person.active or not person.password_hash or not ok:
            raise IdentityRequired(_BAD_LOGIN)
        actor = _actor_of(person)
        needs_rehash = _ph().check_needs_rehash(person.password_hash)
    if needs_rehash:
        with UnitOfWork(db) as uow:
            p = uow.session.get(Person, actor.id)
            if p is not None:
                p.password_hash = _ph().hash(password)
                uow.session.flush()
                register.record(db, uow.session.connection(), actor, datetime.now(), "password",
                                [("people", p.id)])
                uow.commit()
    return actor


def current_db_user(db: Database) -> str | None:
    """The login name of the connection (None on SQLite, which has no logins)."""
    if db.is_sqlite:
        return None
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT current_user")).scalar()


def login_from_db_user(db: Database) -> Actor | None:
    """The person mapped to the connection's database login, if any (PostgreSQL only)."""
    login = current_db_user(db)
    if not login:
        return None
    with UnitOfWork(db, write=False) as uow:
        person = uow.session.scalar(select(Person).where(Person.db_login == login))
        if person is None or not person.active:
            return None
        return _actor_of(person)


def resolve_identity(
    db: Database,
    as_person: str | int | None,
    *,
    password: str | None = None,
    prompt: Callable[[str], str] | None = None,
    required: bool = True,
) -> Actor | None:
    """Who is acting, the one way the CLI and the TUI decide it.

    SQLite: the person named by ``as_person`` (``--as``); without it ``None`` (the
    file's owner, who sees everything) unless ``required``.
    PostgreSQL: the person mapped from the database login; otherwise ``as_person``
    plus a password (``password``, else ``KINDROUTE_PASSWORD``, else ``prompt``).
    """
    if db.is_sqlite:
        if as_person is None or not str(as_person).strip():
            if required:
                raise IdentityRequired(
                    "Wie bent u? Geef --as NAAM (of zet KINDROUTE_USER); wijzigingen worden "
                    "altijd op naam vastgelegd."
                )
            return None
        with UnitOfWork(db, write=False) as uow:
            person = _find_person(uow.session, as_person)
            if person is None or not person.active:
                raise NotFound(f"Persoon '{as_person}' is niet bekend in deze database.")
            return _actor_of(person)
    mapped = login_from_db_user(db)
    if mapped is not None:
        if as_person is not None and str(as_person).strip() and not _same_person(mapped, as_person):
            raise AccessDenied(
                f"U bent via de databaselogin aangemeld als {mapped.name}; u kunt niet handelen als "
                f"'{as_person}'."
            )
        return mapped
    if as_person is None or not str(as_person).strip():
        raise IdentityRequired(
            "Deze gedeelde database vraagt wie u bent: geef --as NAAM en uw wachtwoord "
            f"(of zet {PASSWORD_ENV}), of laat de beheerder uw databaselogin koppelen."
        )
    secret = password if password is not None else os.environ.get(PASSWORD_ENV)
    if secret is None and prompt is not None:
        secret = prompt(f"Wachtwoord voor {as_person}")
    if not secret:
        raise IdentityRequired(f"Geef het wachtwoord van {as_person} (prompt of {PASSWORD_ENV}).")
    return authenticate(db, as_person, secret)


def _same_person(actor: Actor, who: str | int) -> bool:
    key = str(who).strip()
    return (key.isdigit() and int(key) == actor.id) or key.casefold() == actor.name.casefold()


# ---------------------------------------------------------------------- user management


def has_credentials(db: Database) -> bool:
    """True once any person can log in (a password or a database login): no more bootstrap."""
    with UnitOfWork(db, write=False) as uow:
        return (
            uow.session.scalar(
                select(Person.id)
                .where(or_(Person.password_hash.is_not(None), Person.db_login.is_not(None)))
                .limit(1)
            )
            is not None
        )


def add_user(
    db: Database,
    actor: Actor | None,
    name: str,
    roles: Sequence[str],
    *,
    route: Route,
    school: str | int | None = None,
    organisation: str | None = None,
    password: str | None = None,
    db_login: str | None = None,
    now=None,  # type: ignore[no-untyped-def]
) -> PersonInfo:
    """Add a person who can log in. ``actor`` None: the database's administrator."""

    from kindroute.store.models import School

    check_name(name)
    if organisation:
        check_name(organisation, "Organisatie")
    roles = [r for r in roles if r]
    if not roles:
        raise InvalidInput("Geef minstens één rol (--role).")
    unknown = [r for r in roles if r not in route.roles]
    if unknown:
        raise InvalidInput(f"Onbekende rol(len): {', '.join(unknown)}. Bekend: {', '.join(route.roles)}.")
    hashed = hash_password(password) if password is not None else None
    if db_login is not None:
        check_name(db_login, "Databaselogin")
    with UnitOfWork(db) as uow:
        s = uow.session
        school_row = None
        if school is not None:
            key = str(school).strip()
            school_row = s.get(School, int(key)) if key.isdigit() else None
            if school_row is None:
                school_row = s.scalar(select(School).where(School.brin == key.upper()))
            if school_row is None:
                hits = s.scalars(select(School).where(func.lower(School.name) == key.lower())).all()
                school_row = hits[0] if len(hits) == 1 else None
            if school_row is None:
                raise NotFound(f"School '{school}' is niet bekend (geef naam, BRIN of nummer).")
        bound = school_bound_roles(route)
        if any(r in bound for r in roles) and school_row is None:
            names = " of ".join(route.roles[r].label.lower() for r in route.roles if r in bound)
            raise InvalidInput(f"Een {names} hoort bij een school (--school).")
        target = Target(school_row.id if school_row else None, tuple(roles))
        privileges.require(actor, Action.ADD_PERSON, target, route)
        privileges.require_unique_name(name, s.execute(select(Person.id, Person.name)).all())
        if db_login and s.scalar(select(Person.id).where(Person.db_login == db_login)):
            raise InvalidInput(f"Databaselogin '{db_login}' is al aan iemand gekoppeld.")
        person = Person(
            name=name,
            roles=" ".join(roles),
            organisation=organisation,
            school_id=school_row.id if school_row else None,
            password_hash=hashed,
            db_login=db_login,
            active=True,
            created_at=now or datetime.now(),
        )
        s.add(person)
        s.flush()
        register.record(db, s.connection(), actor, now or datetime.now(), "user", [("people", person.id)])
        info = PersonInfo(person.id, person.name, tuple(roles), organisation, person.school_id,
                          school_row.name if school_row else None)
        uow.commit()
        return info


def set_password(db: Database, actor: Actor | None, name: str | int, password: str,
                 route: Route | None = None) -> None:
    """Set (or reset) a person's password. Only its argon2 hash is stored. ``route``: the
    database's route (read from it when not given)."""
    if route is None:
        from kindroute.services.route_store import route_for_reading

        route = route_for_reading(db)
    hashed = hash_password(password)
    with UnitOfWork(db) as uow:
        person = _find_person(uow.session, name)
        if person is None:
            raise NotFound(f"Persoon '{name}' is niet bekend in deze database.")
        target = Target(person.school_id, tuple(person.role_ids), person.id)
        privileges.require(actor, Action.SET_PASSWORD, target, route)
        person.password_hash = hashed
        uow.session.flush()
        register.record(db, uow.session.connection(), actor, datetime.now(), "password",
                        [("people", person.id)])
        uow.commit()
