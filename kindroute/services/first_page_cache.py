"""Keep the worklist's first page as compiled SQL, for the next start (see quick_page).

:func:`keep_first_page` runs once the full services are up (the rows are already on screen): it
builds the case lists' own Core statements for this person's first page — the page, its tracks
and its count, with the decisions the lists make on the way (where a list starts) — plus the
schema revision, the route's hash and the person lookup, compiles them for SQLite with named
parameters, and keeps them with :func:`~kindroute.services.quick_page.save_entry`.

Parameters are never kept as values when they come from the moment or the person: the lists
are built with a marked ``today`` and a marked person id, and those parameters are kept by
name ("today", "actor"); the rest are the route's own words (track, roles) and numbers. A
page that would need other data in its SQL (a two-step page, a name filter, an outside role
whose reading is logged) is not kept.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import column, select, table
from sqlalchemy.dialects import sqlite

from kindroute.services import access
from kindroute.services.case_filter import CaseFilter, worklist_filter
from kindroute.services.case_lists import CaseLists
from kindroute.services.dto import Actor
from kindroute.services.first_page import person_stmt
from kindroute.services.list_rows import person_key
from kindroute.services.quick_page import entry_key, filter_print, person_print, save_entry
from kindroute.services.stored_route import ROUTES
from kindroute.store.schema import HEAD_REVISION
from kindroute.workflow import NOT_STARTED

log = logging.getLogger(__name__)

DIALECT = sqlite.dialect(paramstyle="named")
ALEMBIC = table("alembic_version", column("version_num"))


class _Today(date):
    """``today``, marked: its parameters are kept by name."""


class _PersonId(int):
    """The acting person's id, marked: its parameters are kept by name."""


class NotKept(Exception):
    """This page cannot be kept as SQL alone."""


class _Marked(CaseLists):
    """The case lists of ``lists`` with a marked ``today``."""

    def __init__(self, lists: CaseLists) -> None:
        super().__init__(lists.db, lists.route, clock=lists.clock)

    def today(self) -> date:
        day = super().today()
        return _Today(day.year, day.month, day.day)


def compile_stmt(stmt: Any, named: dict[str, str] | None = None) -> dict[str, Any]:
    """``stmt`` compiled for SQLite: its SQL, where each parameter comes from, its result types."""
    compiled = stmt.compile(dialect=DIALECT)
    params: dict[str, dict[str, Any]] = {}
    for name, value in compiled.params.items():
        if named and name in named:
            params[name] = {"from": named[name]}
        elif isinstance(value, _Today):
            params[name] = {"from": "today", "as": _date_form(compiled.binds[name].type)}
        elif isinstance(value, _PersonId):
            params[name] = {"from": "actor"}
        elif value is None or isinstance(value, (str, int, float)):
            params[name] = {"value": value}
        else:
            raise NotKept(f"parameter {name} holds a {type(value).__name__}")
    return {"sql": compiled.string, "params": params,
            "types": [_kind(c.type) for c in stmt.selected_columns]}


def _date_form(type_: Any) -> str:
    """How the dialect binds a day to a column of ``type_``, as a template for the day's ISO form."""
    process = type_.dialect_impl(DIALECT).bind_processor(DIALECT)
    sample = date(2000, 1, 2)
    bound = str(process(sample) if process is not None else sample.isoformat())
    if "2000-01-02" not in bound:
        raise NotKept(f"a day bound as {bound!r}")
    return bound.replace("2000-01-02", "{}")


def _kind(type_: Any) -> str | None:
    try:
        python = type_.python_type
    except NotImplementedError:  # a type SQLAlchemy cannot name in Python: not a day or moment
        return None
    if python is datetime:
        return "datetime"
    if python is date:
        return "date"
    return "bool" if python is bool else None


def first_page_entry(lists: CaseLists, actor: Actor, who: str | int, page_size: int) -> dict[str, Any]:
    """The entry for ``actor``'s worklist page (named ``who`` at start); raises :class:`NotKept`."""
    route = lists.route
    if access.is_outside_reader(actor, route):
        raise NotKept("an outside role's reading is logged")
    marked = _Marked(lists)
    me = replace(actor, id=_PersonId(actor.id))
    f = worklist_filter(CaseFilter(), me.id)
    by_id, _value = person_key(who)
    with marked._uow(write=False) as uow:
        conn = uow.connection
        page, two_step = marked._page_stmt(conn, me, f, page_size, 0)
        if two_step:
            raise NotKept("a two-step page")
        count = marked._count_stmt(conn, me, f, None)
        revision = conn.scalar(select(ALEMBIC.c.version_num))
        route_hash = conn.scalar(select(ROUTES.c.hash).order_by(ROUTES.c.id.desc()).limit(1))
    if revision != HEAD_REVISION or route_hash != route.hash:
        raise NotKept("the database is not at the schema's head or holds another route")
    titles = {step: lists.step_title(step) for step in route.steps}
    titles[NOT_STARTED] = lists.step_title(NOT_STARTED)
    return {
        "revision": revision,
        "route_hash": route_hash,
        "person": person_print(actor),
        "filter": filter_print(worklist_filter(CaseFilter(), actor.id)),
        "page_size": page_size,
        "step_titles": titles,
        "role_labels": {role: lists.role_label(role) for role in route.roles},
        "sql": {
            "revision": compile_stmt(select(ALEMBIC.c.version_num)),
            "route": compile_stmt(select(ROUTES.c.hash).order_by(ROUTES.c.id.desc()).limit(1)),
            "person": compile_stmt(person_stmt(by_id), {"who": "who"}),
            "page": compile_stmt(page),
            "tracks": compile_stmt(marked._tracks_stmt(), {"ids": "ids"}),
            "count": compile_stmt(count),
        },
    }


def keep_first_page(lists: CaseLists, actor: Actor, who: str | int, page_size: int,
                    path: Path | None = None) -> Path | None:
    """Keep ``actor``'s first worklist page for the next start on this local file; the cache
    file's path, or None when there is nothing to keep (a server database, a page not kept)."""
    if not lists.db.is_sqlite:
        return None
    import sqlite3

    from kindroute.services.quick_page import local_file

    file = local_file(lists.db.url)
    if file is None or not file.is_file():
        return None
    try:
        entry = first_page_entry(lists, actor, who, page_size)
        con = sqlite3.connect(file.as_uri() + "?mode=ro", uri=True)
        try:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
        finally:
            con.close()
        return save_entry(entry_key(file, app_id, who, page_size), entry, path)
    except NotKept as exc:
        log.info("first page not kept: %s", exc)
        return None


def keep_for_next_start(lists: CaseLists, actor: Actor, db: str | None, who: str | int | None,
                        remember: bool, page_size: int) -> None:
    """The app's call once its services are up: keep ``actor``'s first page for the person named at
    start (as :func:`~kindroute.services.quick_page.open_kept_page` will look for it). Never raises:
    without an entry the next start takes the Core way in."""
    from kindroute.services.quick_page import local_file, start_name

    try:
        name = start_name(who, local_file(db), remember)
        if name is not None:
            keep_first_page(lists, actor, name, page_size)
    except Exception:  # noqa: BLE001 - a cache that cannot be written must not stop the app
        log.exception("keeping the first page failed")
