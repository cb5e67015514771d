"""The route a database holds: its newest ``routes`` row, read with one Core query.

Shared by :mod:`~kindroute.services.route_store` and the app's first page, which reads it
before the ORM models are loaded (the row is read through a lightweight ``table()``
description of the ``routes`` table; its model is ``store.models_route.RouteVersion``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, column, select, table

from kindroute.workflow import Route, parse_route

ROUTES = table("routes", column("id"), column("name"), column("version"), column("hash"), column("content"))

#: Stored routes parsed in this process, by hash.
_PARSED: dict[str, Route] = {}


def current_row(conn: Any) -> Any:
    """The newest ``routes`` row (id, name, version, hash, content), or None. ``conn``: a
    Core connection or an ORM session."""
    c = ROUTES.c
    return conn.execute(select(c.id, c.name, c.version, c.hash, c.content)
                        .order_by(c.id.desc()).limit(1)).first()


def parse_stored(row: Any) -> Route:
    """The Route of a stored ``routes`` row (parsed once per process)."""
    route = _PARSED.get(row.hash)
    if route is None:
        route = _PARSED[row.hash] = parse_route(row.content, f"database: {row.name} {row.version}")
    return route


def stored_route_of(conn: Connection) -> Route | None:
    """The route held by the database of ``conn``, or None when it holds none yet."""
    row = current_row(conn)
    return parse_stored(row) if row is not None else None
