"""The app's first page on the ground alone: the case lists, without the ORM.

:class:`FirstPage` is :class:`~kindroute.services.case_lists.CaseLists` — the same queries
as :class:`~kindroute.services.Services` — over a database, its stored route and a clock, plus
the one lookup it needs to know who is acting. The app's start-up worker reads the worklist's
first page through it (SQLAlchemy Core only) and builds the full services while the rows are
on screen (see :func:`kindroute.bootstrap.open_first_page`).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from kindroute.services.case_lists import CaseLists
from kindroute.services.dto import Actor
from kindroute.store.tables import people


class FirstPage(CaseLists):
    """The case lists of one database, route and clock (a subset of ``Services``)."""


def find_active_person(conn: Connection, who: str | int) -> Actor | None:
    """The one active person with id or name ``who`` (case-insensitive); None otherwise (nobody,
    someone inactive, or several of that name: the full way in then decides and explains)."""
    key = str(who).strip()
    c = people.c
    cols = (c.id, c.name, c.roles, c.school_id, c.organisation, c.active)
    if key.isdigit():
        rows = conn.execute(select(*cols).where(c.id == int(key))).all()
    else:
        rows = conn.execute(select(*cols).where(func.lower(c.name) == key.lower()).limit(2)).all()
    if len(rows) != 1 or not rows[0].active:
        return None
    r = rows[0]
    return Actor(id=r.id, name=r.name, roles=tuple(r.roles.split()), school_id=r.school_id,
                 organisation=r.organisation)
