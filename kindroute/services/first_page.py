"""The app's first page on the ground alone: the case lists, without the ORM.

:class:`FirstPage` is :class:`~kindroute.services.case_lists.CaseLists` — the same queries
as :class:`~kindroute.services.Services` — over a database, its stored route and a clock, plus
the one lookup it needs to know who is acting. The app's start-up worker reads the worklist's
first page through it (SQLAlchemy Core only) and builds the full services while the rows are
on screen (see :func:`kindroute.bootstrap.open_first_page`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Integer, String, bindparam, func, select

from kindroute.services.case_lists import CaseLists
from kindroute.services.dto import Actor
from kindroute.services.list_rows import actor_of, person_key
from kindroute.store.tables import people


class FirstPage(CaseLists):
    """The case lists of one database, route and clock (a subset of ``Services``)."""


def person_stmt(by_id: bool):  # type: ignore[no-untyped-def]
    """The person with id (``by_id``) or lower-cased name ``:who``, at most two of them."""
    c = people.c
    stmt = select(c.id, c.name, c.roles, c.school_id, c.organisation, c.active)
    if by_id:
        return stmt.where(c.id == bindparam("who", type_=Integer))
    return stmt.where(func.lower(c.name) == bindparam("who", type_=String)).limit(2)


def find_active_person(conn: Connection, who: str | int) -> Actor | None:
    """The one active person with id or name ``who`` (case-insensitive); None otherwise (nobody,
    someone inactive, or several of that name: the full way in then decides and explains)."""
    by_id, value = person_key(who)
    return actor_of(conn.execute(person_stmt(by_id), {"who": value}).all())
