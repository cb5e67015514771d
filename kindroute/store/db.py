"""Opening a database: where it lives, connection settings, schema checks, migrations.

A SQLite file in the user data directory is the default. ``--db`` and
``KINDROUTE_DB`` take a file path or any SQLAlchemy URL (PostgreSQL for a shared
SWV database). A database that is not kindroute's, is corrupt, or was made by a
newer kindroute is refused with a clear message and never touched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from kindroute.errors import DatabaseProblem
from kindroute.store import schema

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

#: SQLite ``PRAGMA application_id`` of a kindroute database ("KRTE").
APPLICATION_ID = 0x4B525445
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("kindroute", appauthor=False)) / "kindroute.sqlite"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``KINDROUTE_DB`` / the default into a SQLAlchemy URL."""
    value = db or os.environ.get("KINDROUTE_DB") or str(default_db_path())
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return "sqlite:///" + str(Path(value).expanduser().absolute())


def describe(url: str) -> str:
    """A URL fit to show a user: the file path for SQLite, no password otherwise."""
    try:
        u = make_url(url)
    except ArgumentError:
        return url
    if u.get_backend_name() == "sqlite":
        return u.database or ":memory:"
    return u.render_as_string(hide_password=True)


@dataclass
class Database:
    """An open database: its URL and engine. Core only; the ORM is loaded when first asked for
    (:attr:`sessions`), so the first screen's queries do not wait for it."""

    url: str
    engine: Engine
    _sessions: sessionmaker[Session] | None = field(default=None, repr=False, compare=False)
    _binds: dict[bool, Engine] = field(default_factory=dict, repr=False, compare=False)
    #: the history key once the database has confirmed it (``services.history.history_key_for``)
    _history_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def sessions(self) -> sessionmaker[Session]:
        """ORM sessions on this database (``with db.sessions() as s``)."""
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        return self._sessions

    def bind(self, write: bool) -> Engine:
        """The engine for a reading or writing unit of work (``kindroute_write``, see below).

        On a server database a reading unit of work runs in autocommit: under PostgreSQL's READ
        COMMITTED every statement sees its own snapshot inside a transaction as well, so a
        transaction around reads adds nothing but its ``BEGIN`` and ``ROLLBACK`` — two round
        trips more for a case opened in one statement. (SQLite keeps its ``BEGIN``: there the
        reads of one unit of work share one snapshot.)"""
        bind = self._binds.get(write)
        if bind is None:
            options: dict[str, Any] = {"kindroute_write": write}
            if not write and not self.is_sqlite:
                options["isolation_level"] = "AUTOCOMMIT"
            bind = self._binds[write] = self.engine.execution_options(**options)
        return bind

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        name = self.engine.url.database
        return Path(name) if name and name != ":memory:" else None

    @property
    def display(self) -> str:
        return describe(self.url)

    def dispose(self) -> None:
        self.engine.dispose()


def _install_sqlite_settings(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; and transactions we begin ourselves.

    pysqlite's own transaction handling is switched off so that a writing unit of
    work can start with ``BEGIN IMMEDIATE``: it takes the write lock up front and
    so never fails half-way with a stale snapshot.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("kindroute_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _check_sqlite_file(path: Path) -> bool:
    """Refuse a file that is not SQLite at all. Returns True when the file is new/empty."""
    if not path.exists():
        return True
    if path.is_dir():
        raise DatabaseProblem(f"{path} is een map, geen databasebestand.")
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except PermissionError as exc:
        raise DatabaseProblem(f"Geen toegang tot {path}: {exc.strerror}.") from None
    if not header:
        return True
    if header != SQLITE_HEADER:
        raise DatabaseProblem(
            f"{path} is geen SQLite-database (en dus geen kindroute-database). "
            "Het bestand is niet aangeraakt."
        )
    return False


def _create_private_file(path: Path) -> None:
    """Create the database file readable by its owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _make_private(path: Path) -> None:
    """An existing database file (and its -wal/-shm) readable by its owner only, like a new one.

    SQLite gives the -wal and -shm files the main file's permissions when it creates them.
    A file owned by someone else is left as it is (a shared folder's own rules apply).
    """
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            st = p.stat()
            if st.st_mode & 0o077 and st.st_uid == os.getuid():
                os.chmod(p, st.st_mode & 0o700)
        except OSError:
            continue


def make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except ArgumentError:
        raise DatabaseProblem(f"Ongeldige database-URL: {url}") from None
    if u.get_backend_name() == "sqlite":
        engine = create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_settings(engine)
        return engine
    try:
        engine = create_engine(u, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise DatabaseProblem(f"Databasestuurprogramma ontbreekt voor {describe(url)}: {exc}") from None
    from kindroute.store.liveness import install_quiet_ping
    from kindroute.store.psycopg_cache import cache_long_statements, prepare_at_once

    install_quiet_ping(engine)  # the pre-ping asks the server only when the socket is not quiet
    if u.get_driver_name() == "psycopg":
        cache_long_statements()  # a case opened or a step read: not converted again every time
        prepare_at_once(engine)  # nor parsed and planned again for its first eleven times
    return engine


def open_database(db: str | None = None, *, migrate: bool = True, check: bool | None = None) -> Database:
    """Open (and if needed create and migrate) the database named by ``db``.

    Raises :class:`DatabaseProblem` for a database that cannot be used; in that
    case nothing was written to it. ``check``: run SQLite's ``quick_check`` first
    (None: only for files up to :data:`QUICK_CHECK_MAX_BYTES`, ~2 ms per MB).
    """
    url = resolve_url(db)
    u = make_url(url)
    created = False
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        path = Path(u.database)
        is_new = _check_sqlite_file(path)
        if is_new and not path.exists():
            _create_private_file(path)
            created = True
        _make_private(path)
    sqlite_file = None
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        sqlite_file = u.database
    looked: schema.SchemaState | None = None
    try:
        if sqlite_file is not None and not created:
            # look before touching: the engine would switch the file to WAL mode
            looked = schema.inspect_sqlite_file(sqlite_file)
            _refuse(looked, url, migrate)
            if check or (check is None and Path(sqlite_file).stat().st_size <= QUICK_CHECK_MAX_BYTES):
                _quick_check(sqlite_file, url)
        engine = make_engine(url)
    except sqlite3.DatabaseError as exc:
        raise translate_db_error(exc, url) from None
    database = Database(url=url, engine=engine)
    try:
        # a file found current just now needs no second look through the engine
        state = looked if looked is not None and looked.current else schema.inspect_state(engine)
        _refuse(state, url, migrate)
        if not state.current:
            schema.upgrade(engine)
    except DatabaseProblem:
        engine.dispose()
        raise
    except DBAPIError as exc:
        engine.dispose()
        raise translate_db_error(exc, url) from None
    if created:
        log.info("created database %s", describe(url))
    return database


#: Files up to this size are checked for damage on every open (bigger: ``kindroute audit verify``).
QUICK_CHECK_MAX_BYTES = 128 * 1024 * 1024


def _quick_check(path: str, url: str) -> None:
    """Refuse a damaged file before anything is written to it (read-only connection)."""
    con = sqlite3.connect(Path(path).absolute().as_uri() + "?mode=ro", uri=True,
                          timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        rows = [r[0] for r in con.execute("PRAGMA quick_check(3)")]
    finally:
        con.close()
    if rows != ["ok"]:
        log.info("quick_check of %s: %s", path, rows)
        raise DatabaseProblem(
            f"De database {describe(url)} is beschadigd. Het bestand is niet aangeraakt; "
            "zet een reservekopie terug (kindroute backup)."
        )


def _refuse(state: schema.SchemaState, url: str, migrate: bool) -> None:
    if state.foreign:
        raise DatabaseProblem(
            f"{describe(url)} is geen kindroute-database (onbekende tabellen: "
            f"{', '.join(sorted(state.foreign_tables)[:5])}). Het bestand is niet aangeraakt."
        )
    if state.newer:
        raise DatabaseProblem(
            f"{describe(url)} is gemaakt door een nieuwere versie van kindroute "
            f"(schema {state.revision}). Werk kindroute bij; de database is niet aangeraakt."
        )
    if not state.current and not state.empty and not migrate:
        raise DatabaseProblem(
            f"{describe(url)} heeft een verouderd schema; voer 'kindroute db upgrade' uit."
        )


def translate_db_error(exc: BaseException, url: str) -> DatabaseProblem:
    """A Dutch message for a low-level database failure."""
    msg = str(getattr(exc, "orig", exc)).lower()
    where = describe(url)
    if "locked" in msg or "busy" in msg:
        return DatabaseProblem(
            f"De database {where} is vergrendeld door een ander programma. Probeer het zo opnieuw."
        )
    if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
        return DatabaseProblem(
            f"De database {where} is beschadigd of geen SQLite-database. Het bestand is niet aangeraakt; "
            "zet een reservekopie terug (kindroute backup)."
        )
    if "readonly" in msg or "read-only" in msg or "permission" in msg:
        return DatabaseProblem(f"Geen schrijfrechten op de database {where}.")
    if "could not connect" in msg or "connection" in msg and "refused" in msg:
        return DatabaseProblem(f"Kan geen verbinding maken met de database {where}.")
    if "password authentication" in msg or "authentication failed" in msg:
        return DatabaseProblem(f"Aanmelden bij de database {where} is mislukt.")
    return DatabaseProblem(f"Databasefout bij {where}: {getattr(exc, 'orig', exc)}")
