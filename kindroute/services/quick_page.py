"""The app's first page from the statements kept at the previous start: no SQLAlchemy at all.

Once the full services are up, :mod:`kindroute.services.first_page_cache` compiles the very
Core statements the case lists ran for the worklist's first page (the schema revision, the
route's hash, the person, the page, its tracks and its count) for SQLite and keeps their SQL
text and parameter names in the user's cache directory. At the next start, with a local file
and an entry that still fits, the page is read here with the standard library's ``sqlite3``
(read-only) and mapped by the same :mod:`~kindroute.services.list_rows` functions as the Core
path. Whatever does not fit — no entry, another kindroute or another version of the modules
that make the statements, another file, schema revision, route or person, a ``sqlite3`` error
— gives None, and the app takes the Core way in (:func:`kindroute.bootstrap.open_first_page`).

The cache holds no pupil data: SQL, parameter names, the route's step titles and role labels.
An entry is found by a hash of kindroute's version, the source of the modules that make the
statements, the file's path and application id, the person named and the page size.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import kindroute
from kindroute.bootstrap import DB_ENV, USER_ENV, frozen_moment, is_shared
from kindroute.services.case_filter import CaseFilter, worklist_filter
from kindroute.services.dto_first import Actor, CaseRow
from kindroute.services.list_rows import actor_of, case_rows, person_key

if TYPE_CHECKING:
    from kindroute.bootstrap import FirstStart, Front

log = logging.getLogger(__name__)

CACHE_NAME = "first-page.json"
FORMAT = 1
#: Entries kept (one per database file, person and page size); the oldest go first.
MAX_ENTRIES = 8
#: The modules (under kindroute/) whose code makes, runs or maps the kept statements.
SOURCES = (
    "services/access.py", "services/case_filter.py", "services/case_lists.py", "services/dto_first.py",
    "services/first_page.py", "services/first_page_cache.py", "services/ground.py",
    "services/list_rows.py", "services/quick_page.py", "services/stored_route.py", "services/text.py",
    "store/schema.py", "store/sql.py", "store/tables.py",
)
#: The same as the store's engine (kindroute.store.db): wait for a writer, keep the foreign keys.
BUSY_TIMEOUT_MS = 5000

Clock = Callable[[], datetime]


def cache_path() -> Path:
    """The cache file in the user's cache directory (platformdirs)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kindroute", appauthor=False)) / CACHE_NAME


_SOURCE_HASH: list[str] = []


def source_hash() -> str:
    """kindroute's version and the source of :data:`SOURCES`, hashed (once per process)."""
    if not _SOURCE_HASH:
        h = hashlib.sha256(kindroute.__version__.encode())
        base = Path(kindroute.__file__).parent
        for rel in SOURCES:
            h.update(rel.encode() + b"\0" + (base / rel).read_bytes())
        _SOURCE_HASH.append(h.hexdigest())
    return _SOURCE_HASH[0]


def entry_key(file: Path, app_id: int, who: str | int, page_size: int) -> str:
    """The key of the entry for ``file`` (with its ``PRAGMA application_id``), the person named
    ``who`` and the page size."""
    parts = [FORMAT, source_hash(), str(file.resolve()), app_id, str(who).strip(), page_size]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def load_entries(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """The entries of the cache file; none when it is missing, unreadable or of another format."""
    try:
        data = json.loads((path or cache_path()).read_text(encoding="utf-8"))
        entries = data["entries"] if data.get("format") == FORMAT else {}
        return entries if isinstance(entries, dict) else {}
    except (OSError, ValueError, TypeError, AttributeError, KeyError):
        return {}


def save_entry(key: str, entry: dict[str, Any], path: Path | None = None) -> Path:
    """Keep ``entry`` under ``key`` (the file readable by its owner only, written whole or not at all)."""
    path = path or cache_path()
    entries = load_entries(path)
    entries[key] = dict(entry, written=time.time())
    for old in sorted(entries, key=lambda k: entries[k].get("written", 0))[:-MAX_ENTRIES]:
        del entries[old]
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": FORMAT, "entries": entries}, fh)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def local_file(db: str | None) -> Path | None:
    """The SQLite file ``db`` names (``--db``, ``KINDROUTE_DB``, the own file), None for a server."""
    if is_shared(db):
        return None
    value = db or os.environ.get(DB_ENV) or ""
    if not value:
        from platformdirs import user_data_dir

        value = str(Path(user_data_dir("kindroute", appauthor=False)) / "kindroute.sqlite")
    if "://" in value:
        if not value.startswith("sqlite:///"):
            return None
        value = value[len("sqlite:///"):]
    return Path(value).expanduser().absolute()


def start_name(who: str | int | None, file: Path | None, remember: bool) -> str | int | None:
    """The person named at start, as the Core way in finds them: ``who``, ``KINDROUTE_USER``, or
    (``remember``) the person remembered for ``file``."""
    name = who if who is not None and str(who).strip() else os.environ.get(USER_ENV) or None
    if name is None and remember and file is not None:
        from kindroute.config import remembered_person

        name = remembered_person("sqlite:///" + str(file))
    return name


# ----------------------------------------------------------------------------- running kept SQL

_CONVERT: dict[str, Callable[[Any], Any]] = {
    "date": date.fromisoformat, "datetime": datetime.fromisoformat, "bool": bool,
}


def run(con: sqlite3.Connection, stmt: dict[str, Any], values: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run a kept statement: its parameters from ``values`` (by source) or kept constants, and its
    result columns turned into the types SQLAlchemy would give."""
    sql: str = stmt["sql"]
    params: dict[str, Any] = {}
    for name, spec in stmt["params"].items():
        if "value" in spec:
            params[name] = spec["value"]
            continue
        value = values[spec["from"]]
        if "as" in spec:  # a day, in the form the dialect binds it to that column
            value = spec["as"].format(value)
        if isinstance(value, list):  # an expanding IN, as SQLAlchemy renders it at execution
            names = [f"{name}_{i + 1}" for i in range(len(value))]
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(f":{n}" for n in names))
            params.update(zip(names, value, strict=True))
        else:
            params[name] = value
    converters = [_CONVERT.get(kind) if kind else None for kind in stmt["types"]]
    out = []
    for row in con.execute(sql, params):
        out.append(tuple(v if c is None or v is None else c(v) for v, c in zip(row, converters, strict=True)))
    return out


@contextmanager
def read_only(file: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to ``file`` (``mode=ro``), one snapshot for everything read in it."""
    con = sqlite3.connect(file.as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                          isolation_level=None, check_same_thread=False)
    try:
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("BEGIN")
        yield con
    finally:
        con.close()


class Stale(Exception):
    """The kept entry no longer fits the database (revision, route or person changed)."""


def check(con: sqlite3.Connection, entry: dict[str, Any], who: str | int) -> Actor:
    """The entry still fits the open file: its revision, route and person. Returns the person."""
    sql = entry["sql"]
    if run(con, sql["revision"], {}) != [(entry["revision"],)]:
        raise Stale("schema revision")
    if run(con, sql["route"], {}) != [(entry["route_hash"],)]:
        raise Stale("route")
    _by_id, value = person_key(who)
    actor = actor_of(run(con, sql["person"], {"who": value}))
    if actor is None or person_print(actor) != entry["person"]:
        raise Stale("person")
    return actor


def person_print(actor: Actor) -> str:
    """A hash of who ``actor`` is and may do (the kept statements were made for exactly that)."""
    parts = [actor.id, actor.name, list(actor.roles), actor.school_id, actor.organisation]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def filter_print(f: CaseFilter) -> str:
    return json.dumps(asdict(f), sort_keys=True)


# ----------------------------------------------------------------------------- the app's way in


class KeptLists:
    """The case lists while the full services are built: the kept page and count for the first
    page, everything else through the Core way in (opened on first need)."""

    def __init__(self, start: KeptStart, entry: dict[str, Any], actor: Actor, clock: Clock,
                 first: list[CaseRow]) -> None:
        self._start = start
        self._entry = entry
        self.actor = actor
        self.clock = clock
        self.filter = worklist_filter(CaseFilter(), actor.id)
        self._first: list[CaseRow] | None = first
        self._titles: dict[str, str] = entry["step_titles"]
        self._labels: dict[str, str] = entry["role_labels"]

    def today(self) -> date:
        return self.clock().date()

    def step_title(self, step: str) -> str:
        return self._titles.get(step, step)

    def role_label(self, role: str | None) -> str:
        return "" if role is None else self._labels.get(role, role)

    def _kept(self, actor: Actor | None, f: CaseFilter | None) -> bool:
        return actor == self.actor and f is not None and f == self.filter

    def take_first_page(self, actor: Actor | None, f: CaseFilter | None, limit: int) -> list[CaseRow] | None:
        """The rows read at start, once, when ``actor``, ``f`` and ``limit`` are the kept page's."""
        if self._first is None or not self._kept(actor, f) or limit != self._entry["page_size"]:
            return None
        rows, self._first = self._first, None
        return rows

    def list_cases(self, actor: Actor | None, f: CaseFilter | None = None, *, limit: int | None = None,
                   offset: int = 0, purpose: str = "list") -> list[CaseRow]:
        if self._kept(actor, f) and limit == self._entry["page_size"] and offset == 0:
            if self._first is not None:
                rows, self._first = self._first, None
                return rows
            try:
                return self._start.read_page(self._entry, self.actor, self.today())
            except Exception as exc:  # noqa: BLE001 - then the Core way in answers
                log.info("kept first page not used again: %r", exc)
        return self._start.core().lists.list_cases(actor, f, limit=limit, offset=offset, purpose=purpose)

    def count_cases(self, actor: Actor | None, f: CaseFilter | None = None, *, cap: int | None = None,
                    stop: Callable[[], bool] | None = None) -> int:
        """As ``CaseLists.count_cases``; ``stop`` ends a count that is no longer wanted."""
        if self._kept(actor, f) and cap is None and not (stop is not None and stop()):
            try:
                return self._start.read_count(self._entry, self.actor, self.today())
            except Exception as exc:  # noqa: BLE001 - then the Core way in answers
                log.info("kept count not used: %r", exc)
        return self._start.core().lists.count_cases(actor, f, cap=cap, stop=stop)

    def __getattr__(self, name: str) -> Any:
        """Anything else the case lists offer, from the Core way in."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._start.core().lists, name)


class KeptStart:
    """The quick way in from the kept statements: ``lists``, ``actor`` and :meth:`front`, as
    :class:`~kindroute.bootstrap.FirstStart` offers them."""

    def __init__(self, db: str | None, file: Path, who: str | int, clock: Clock | None,
                 remember: bool) -> None:
        self.db, self.file, self.who, self._clock, self.remember = db, file, who, clock, remember
        self._core: FirstStart | None = None
        self._lock = threading.Lock()
        self.lists: KeptLists
        self.actor: Actor

    def clock(self) -> Clock:
        if self._clock is not None:
            return self._clock
        moment = frozen_moment()
        return (lambda: moment) if moment is not None else datetime.now

    def read_page(self, entry: dict[str, Any], who_hint: Actor | None, today: date) -> list[CaseRow]:
        with read_only(self.file) as con:
            actor = check(con, entry, self.who)
            if who_hint is not None and actor != who_hint:
                raise Stale("person")
            self.actor = actor
            values = {"today": today.isoformat(), "actor": actor.id}
            rows = run(con, entry["sql"]["page"], values)
            ids = [r[0] for r in rows]
            tracks = [t for i in range(0, len(ids), 500)
                      for t in run(con, entry["sql"]["tracks"], {"ids": ids[i:i + 500]})]
        titles = entry["step_titles"]
        return case_rows(rows, tracks, today, lambda step: titles.get(step, step))

    def read_count(self, entry: dict[str, Any], actor: Actor, today: date) -> int:
        with read_only(self.file) as con:
            if check(con, entry, self.who) != actor:
                raise Stale("person")
            return int(run(con, entry["sql"]["count"], {"today": today.isoformat(), "actor": actor.id})[0][0])

    def core(self) -> FirstStart:
        """The Core way in on the same file and person (opened once, on first need)."""
        with self._lock:
            if self._core is None:
                from kindroute.bootstrap import open_first_page
                from kindroute.errors import IdentityRequired

                core = open_first_page(self.db, None, self.who, self._clock, remember=self.remember)
                if core is None:
                    raise IdentityRequired("Wie u bent, is veranderd sinds de start; start opnieuw.")
                self._core = core
            return self._core

    def front(self) -> Front:
        """The full front door (as :meth:`FirstStart.front`), with :attr:`actor` acting."""
        front = self.core().front()
        front.actor = self.actor
        return front


def open_kept_page(db: str | None, route: Any, who: str | int | None, clock: Clock | None, *,
                   remember: bool, page_size: int, path: Path | None = None) -> KeptStart | None:
    """The worklist's first page from the kept statements, or None (then the Core way in decides).

    Only for a local file that exists, with no route asked for (``route``/``KINDROUTE_ROUTE``),
    a person named (``who``, ``KINDROUTE_USER``, or the one remembered) and an entry that fits.
    """
    if route is not None or os.environ.get("KINDROUTE_ROUTE"):
        return None
    file = local_file(db)
    if file is None or not file.is_file() or file.stat().st_size == 0:
        return None
    name = start_name(who, file, remember)
    if name is None:
        return None
    entries = load_entries(path)
    if not entries:
        return None
    start = KeptStart(db, file, name, clock, remember)
    try:
        with read_only(file) as con:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        entry = entries.get(entry_key(file, app_id, name, page_size))
        if entry is None:
            return None
        now = start.clock()
        rows = start.read_page(entry, None, now().date())
        if filter_print(worklist_filter(CaseFilter(), start.actor.id)) != entry["filter"]:
            return None
    except Exception as exc:  # noqa: BLE001 - a kept page that does not fit is not used, whatever the reason
        log.info("kept first page not used: %r", exc)
        return None
    start.lists = KeptLists(start, entry, start.actor, now, rows)
    return start
