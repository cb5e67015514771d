"""The one way in: open a database, build the services, decide who is acting.

Every face goes through :func:`open_services` — the TUI's start-up worker, every CLI
command, the bench and the tests' fixtures — so a database is opened, migrated and
given its clock in one place, and identity follows one rule:

* a local SQLite file is its owner's: the person named (``--as``, ``KINDROUTE_USER``, or
  the person chosen at the app's first start) acts; nobody named means the owner;
* a shared (PostgreSQL) database: the person mapped to the database login, or a name
  plus that person's password (``KINDROUTE_PASSWORD``, a prompt, or the app's login
  screen). A name alone never opens it.

The clock: ``KINDROUTE_NOW`` freezes it on a local file (demos, tests, screenshots); on a
shared database it is refused and the clock is the database server's.

This module imports only the standard library at load time (the app imports it before
its first frame); SQLAlchemy and the services are imported when a database is opened.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kindroute.errors import IdentityRequired, InvalidInput, KindrouteError

if TYPE_CHECKING:
    from kindroute.services import Actor, Services
    from kindroute.services.first_page import FirstPage
    from kindroute.store.db import Database

Clock = Callable[[], datetime]
AskPassword = Callable[[str], str]

NOW_ENV = "KINDROUTE_NOW"
USER_ENV = "KINDROUTE_USER"
DB_ENV = "KINDROUTE_DB"
#: The time zone of the schools: a shared database's clock is read in it, whatever the
#: server's or the client's time zone setting (a client cannot move "today" with PGTZ).
SCHOOL_TIME_ZONE = "Europe/Amsterdam"
#: How often the server's clock is read again; in between it runs on the monotonic clock.
SERVER_CLOCK_REFRESH_S = 60.0


# ----------------------------------------------------------------------------- where


def database_url(db: str | None) -> str:
    """The SQLAlchemy URL for ``--db`` / ``KINDROUTE_DB`` / the default file."""
    from kindroute.store.db import resolve_url

    return resolve_url(db)


def is_shared(db: str | None) -> bool:
    """True when ``db`` (or ``KINDROUTE_DB``) names a server database rather than a local file.

    Decided from the text alone, without importing SQLAlchemy (the app asks before its first frame).
    """
    value = db or os.environ.get(DB_ENV) or ""
    return "://" in value and not value.lower().startswith("sqlite")


def database_problem(exc: BaseException, db: str | None) -> KindrouteError:
    """A low-level database error as the Dutch :class:`~kindroute.errors.DatabaseProblem`."""
    from kindroute.store.db import translate_db_error

    return translate_db_error(exc, database_url(db))


# ----------------------------------------------------------------------------- the clock


def frozen_moment() -> datetime | None:
    """``KINDROUTE_NOW=2026-11-23T09:30`` as a datetime (None when unset); the one place it is read."""
    fixed = os.environ.get(NOW_ENV)
    if not fixed:
        return None
    try:
        return datetime.fromisoformat(fixed.strip())
    except ValueError:
        raise InvalidInput(f"{NOW_ENV} '{fixed}' is geen datum en tijd (JJJJ-MM-DDTUU:MM).") from None


def check_clock_setting(db: str | None) -> None:
    """Refuse ``KINDROUTE_NOW`` where it does not apply, before anything is opened (exit 2)."""
    moment = frozen_moment()
    if moment is not None and is_shared(db):
        raise InvalidInput(
            f"{NOW_ENV} geldt alleen voor een eigen databasebestand (demo's en tests). Op een gedeelde "
            f"database telt de klok van de databaseserver; haal {NOW_ENV} weg en probeer het opnieuw."
        )


class ServerClock:
    """The database server's time, in the schools' time zone.

    Read with one ``SELECT`` on first use and again every :data:`SERVER_CLOCK_REFRESH_S`
    seconds; in between it moves on with the process's monotonic clock, which the user
    cannot set. So it costs one query a minute, not one per use case.
    """

    def __init__(self, db: Database, refresh: float = SERVER_CLOCK_REFRESH_S) -> None:
        self._db = db
        self._refresh = refresh
        self._base: datetime | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def read(self) -> datetime:
        """The server's time now (one query)."""
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        from kindroute.store.db import translate_db_error

        try:
            with self._db.engine.connect() as conn:
                value = conn.execute(text("SELECT now() AT TIME ZONE :zone"),
                                     {"zone": SCHOOL_TIME_ZONE}).scalar_one()
        except DBAPIError as exc:
            raise translate_db_error(exc, self._db.url) from None
        return value.replace(tzinfo=None)

    def __call__(self) -> datetime:
        with self._lock:
            now = time.monotonic()
            if self._base is None or now - self._read_at >= self._refresh:
                self._base = self.read()
                self._read_at = now = time.monotonic()
            return self._base + timedelta(seconds=now - self._read_at)


def clock_for(database: Database, clock: Clock | None = None) -> Clock:
    """The clock of ``database``: ``clock`` when code chose one (tests, the demo), else the
    server's on a shared database (``KINDROUTE_NOW`` refused), else ``KINDROUTE_NOW`` or the
    machine's clock on a local file."""
    if clock is not None:
        return clock
    moment = frozen_moment()
    if not database.is_sqlite:
        if moment is not None:
            check_clock_setting(database.url)
        return ServerClock(database)
    if moment is not None:
        return lambda: moment
    return datetime.now


# ----------------------------------------------------------------------------- remembered person


def remembered(database: Database) -> str | None:
    """The person remembered for ``database`` in the user's config (an id on a file, a name on a server)."""
    from kindroute.config import remembered_person

    return remembered_person(database.url)


def remember(database: Database, actor: Actor) -> None:
    """Remember ``actor`` as 'me' for ``database`` (keyed by its URL without password)."""
    from kindroute.config import remember_person

    remember_person(database.url, str(actor.id) if database.is_sqlite else actor.name)


# ----------------------------------------------------------------------------- the front door


class Front:
    """An open database with its services, and who is acting on it.

    ``who`` is the person named at start (``--as``, else ``KINDROUTE_USER``);
    ``ask_password(name)`` asks for a password when a shared database needs one and
    ``KINDROUTE_PASSWORD`` does not give it (None: there is no one to ask).
    """

    def __init__(self, services: Services, *, who: str | int | None = None,
                 ask_password: AskPassword | None = None, remember: bool = False) -> None:
        self.services = services
        if who is None or (isinstance(who, str) and not who.strip()):
            who = os.environ.get(USER_ENV) or None
        self.who = who
        self.ask_password = ask_password
        self.remembers = remember
        self.actor: Actor | None = None

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def shared(self) -> bool:
        """A server database: a name alone never says who you are."""
        return not self.db.is_sqlite

    @property
    def where(self) -> str:
        """The database as shown to users (a file path, or a URL without password)."""
        return self.db.display

    def close(self) -> None:
        self.db.dispose()

    # -------------------------------------------------------------- the rule
    def identify(self, who: str | int | None = None, *, password: str | None = None,
                 required: bool = True) -> Actor | None:
        """Who acts, by the one rule (see the module docstring); also sets :attr:`actor`.

        Local file: the person named (``who``, else the start's); nobody named gives None
        (the owner) unless ``required``. Shared database: the mapped login, else the name plus
        a password (``password``, ``KINDROUTE_PASSWORD``, or :attr:`ask_password`).
        """
        from kindroute.services.auth import resolve_identity

        name = who if who is not None else self.who
        actor = resolve_identity(self.db, name, password=password, prompt=self.ask_password,
                                 required=required)
        self.actor = actor
        return actor

    def log_in(self, name: str, password: str) -> Actor:
        """The app's login screen on a shared database: a name and a password, nothing less."""
        if not self.shared:
            raise InvalidInput("Aanmelden met een wachtwoord hoort bij een gedeelde database.")
        if not name.strip():
            raise IdentityRequired("Geef uw naam.")
        if not password:
            raise IdentityRequired("Geef uw wachtwoord.")
        actor = self.identify(name.strip(), password=password)
        assert actor is not None
        self.keep(actor)
        return actor

    def choose(self, person_id: int) -> Actor:
        """The app's 'Wie bent u?' choice: only on a local file, which is its chooser's own."""
        if self.shared:
            raise IdentityRequired("Op een gedeelde database meldt u zich aan met naam en wachtwoord.")
        actor = self.identify(person_id)
        assert actor is not None
        self.keep(actor)
        return actor

    def keep(self, actor: Actor) -> None:
        """Remember ``actor`` for the next start (when this front remembers)."""
        self.actor = actor
        if self.remembers:
            remember(self.db, actor)

    def known_person(self) -> tuple[Actor | None, str | None]:
        """Who the app can start as without asking anything: ``(actor, problem)``.

        Local file: the person named, else the one remembered for this file. Shared database:
        the mapped login, else the person named with ``KINDROUTE_PASSWORD``. Otherwise the app
        asks (the choice on a file, the login screen on a server); ``problem`` says why a
        named person was not accepted. A mapped login named as someone else is refused (raises).
        """
        from kindroute.services.auth import PASSWORD_ENV, login_from_db_user

        if self.shared:
            mapped = login_from_db_user(self.db)
            if mapped is not None:
                return self.identify(required=True), None
            if self.who is None or not os.environ.get(PASSWORD_ENV):
                return None, None
            try:
                return self.identify(required=True), None
            except (IdentityRequired, InvalidInput) as exc:
                return None, str(exc)
        if self.who is not None:
            try:
                return self.identify(required=True), None
            except KindrouteError as exc:
                return None, str(exc)
        kept = remembered(self.db) if self.remembers else None
        if kept:
            try:
                return self.identify(kept, required=True), None
            except KindrouteError:
                return None, None
        return None, None

    def name_hint(self) -> str:
        """The name the login screen starts with: the one given at start, else the remembered one."""
        if self.who is not None:
            return str(self.who)
        return (remembered(self.db) if self.remembers else None) or ""


def open_services(
    db: str | None = None,
    route: Any = None,
    who: str | int | None = None,
    clock: Clock | None = None,
    ask_password: AskPassword | None = None,
    *,
    required: bool | None = None,
    remember: bool = False,
    migrate: bool = True,
    check: bool | None = None,
    must_exist: bool = False,
    adopt_route: bool = False,
) -> Front:
    """Open the database ``db`` (a file, a URL, None: ``KINDROUTE_DB`` or the own file), build
    the services over ``route`` (a :class:`~kindroute.workflow.Route`, a route file, or None:
    ``KINDROUTE_ROUTE``, else the route the database holds — a new database takes the default
    route; a different route on a database with cases is refused) with its clock, and return
    the front door.

    ``required``: resolve who acts now (True: someone must be known; False: on a local file
    nobody means its owner); None leaves it to :meth:`Front.identify` / :meth:`Front.known_person`.
    ``remember``: use and keep the person remembered for this database (the app).
    ``migrate``/``check``: see :func:`kindroute.store.db.open_database`; ``must_exist``: refuse a
    file that is not there instead of creating it. ``adopt_route``: a database without cases
    takes ``route`` as its route (``kindroute demo --route``), where otherwise a different route is
    refused.
    """
    from pathlib import Path

    from kindroute.errors import DatabaseProblem
    from kindroute.services import Services
    from kindroute.store.db import open_database
    from kindroute.workflow import Route, load_route

    check_clock_setting(db)
    url = database_url(db)
    if must_exist and url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not path.exists():
            raise DatabaseProblem(f"Database {path} bestaat niet.")
    if not isinstance(route, Route):
        path = route or os.environ.get("KINDROUTE_ROUTE") or None
        route = load_route(path) if path else None  # None: the route the database holds
    database = open_database(url, migrate=migrate, check=check)
    try:
        if adopt_route and route is not None:
            from datetime import datetime

            from kindroute.services.route_store import route_in_use

            route_in_use(database, route, now=datetime.now(), adopt_if_empty=True)
        services = Services(database, route, clock=clock_for(database, clock))
        front = Front(services, who=who, ask_password=ask_password, remember=remember)
        if required is not None:
            front.identify(required=required)
    except BaseException:
        database.dispose()
        raise
    return front


# ----------------------------------------------------------------------------- the first page


class FirstStart:
    """The app's quick way in: a local file's case lists (Core only) and who is acting.

    :attr:`lists` reads the worklist's first page; :meth:`front` then builds the full services
    on the same open database (importing the ORM) while those rows are on screen.
    """

    def __init__(self, lists: FirstPage, actor: Actor, who: str | int | None, remember: bool) -> None:
        self.lists = lists
        self.actor = actor
        self._who = who
        self._remember = remember

    def front(self) -> Front:
        """The full front door on the same database, route and clock, with :attr:`actor` acting."""
        from kindroute.services import Services

        lists = self.lists
        try:
            services = Services(lists.db, lists.route, clock=lists.clock)
        except BaseException:
            lists.db.dispose()
            raise
        front = Front(services, who=self._who, remember=self._remember)
        front.actor = self.actor
        return front


def open_first_page(db: str | None = None, route: Any = None, who: str | int | None = None,
                    clock: Clock | None = None, *, remember: bool = False) -> FirstStart | None:
    """The quick way in for the app's first page, or None when only :func:`open_services` will do.

    It applies to a local file that exists, holds its route (``route``, when given, must be that
    route) and names the person acting without a question (``who``, ``KINDROUTE_USER``, or the
    person remembered): SQLAlchemy Core, the schema check, one query for the route and one for
    the person. Anything else — a shared database, a new or empty file, a person not found, a
    route to adopt or refuse — returns None, and the full way in decides and explains.
    """
    from pathlib import Path

    from kindroute.services.first_page import FirstPage, find_active_person
    from kindroute.services.stored_route import stored_route_of
    from kindroute.store.db import open_database

    check_clock_setting(db)
    if is_shared(db):
        return None
    url = database_url(db)
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url[len("sqlite:///"):])
    if not path.is_file() or path.stat().st_size == 0:
        return None
    database = open_database(url)
    try:
        with database.engine.connect() as conn:
            stored = stored_route_of(conn)
            if stored is None:
                return _close(database)
            wanted = route or os.environ.get("KINDROUTE_ROUTE") or None
            if wanted is not None:
                from kindroute.workflow import Route, load_route

                requested = wanted if isinstance(wanted, Route) else load_route(wanted)
                if requested.hash != stored.hash:
                    return _close(database)
            name = who if who is not None and str(who).strip() else os.environ.get(USER_ENV) or None
            if name is None and remember:
                name = remembered(database)
            actor = find_active_person(conn, name) if name else None
        if actor is None:
            return _close(database)
        lists = FirstPage(database, stored, clock_for(database, clock))
    except BaseException:
        database.dispose()
        raise
    return FirstStart(lists, actor, who, remember)


def _close(database: Database) -> None:
    database.dispose()
    return None


# ----------------------------------------------------------------------------- the schema


def upgrade(db: str | None, route: str | None = None) -> tuple[str, str | None, bool, str]:
    """``kindroute db upgrade``: bring the schema up to date (creating a new file if needed);
    ``route``: the route file a new database starts with (an existing one keeps its own).

    Returns ``(where, revision before, was empty or new, head revision)``.
    """
    from pathlib import Path

    from kindroute.store import schema
    from kindroute.store.db import describe, make_engine, open_database

    url = database_url(db)
    file = Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None
    is_new = file is not None and not (file.exists() and file.stat().st_size > 0)
    before = None
    if not is_new:
        engine = make_engine(url)
        try:
            before = schema.inspect_state(engine)
        except Exception:  # noqa: BLE001 - open_database below gives the Dutch message
            before = None
        finally:
            engine.dispose()
    database = open_database(url)
    try:
        if route:
            from datetime import datetime

            from kindroute.services.route_store import route_in_use
            from kindroute.workflow import load_route

            route_in_use(database, load_route(route), now=datetime.now())
    finally:
        database.dispose()
    empty = is_new or (before is not None and before.empty)
    return describe(url), before.revision if before is not None else None, empty, schema.HEAD_REVISION
