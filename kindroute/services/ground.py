"""The ground every part of the services stands on, without the ORM: a database, its route,
a clock, a unit of work, and the route's words for roles and steps.

:class:`~kindroute.services.context.ServiceContext` builds on it (loading the route and its
engine, and the ORM helpers). The case lists (:mod:`~kindroute.services.case_lists`) need
nothing more, so the app's first page reads through them on this ground alone
(:class:`~kindroute.services.first_page.FirstPage`) before the rest is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from kindroute.services.dto import Actor
from kindroute.store.db import Database
from kindroute.store.uow import UnitOfWork
from kindroute.workflow import NOT_STARTED, Route


class ServiceGround:
    """One database, one route, one clock."""

    def __init__(self, db: Database, route: Route, clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.clock = clock or datetime.now
        self.route = route

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()

    def _uow(self, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.db, write=write)

    def role_label(self, role: str | None) -> str:
        if role is None:
            return ""
        r = self.route.roles.get(role)
        return r.label if r else role

    def step_title(self, step: str) -> str:
        if step == NOT_STARTED:
            return "—"
        s = self.route.steps.get(step)
        return s.title if s else step

    def _log_access(self, session: Any, actor: Actor, case_id: int, action: str) -> None:
        """One row of the (chained) access log: ``actor`` did ``action`` with ``case_id``.
        ``session``: an ORM session or a Core connection in the unit of work's transaction."""
        from kindroute.services import history

        conn = session if isinstance(session, Connection) else session.connection()
        key = history.history_key_for(self.db, conn, write=True)
        history.append_access(conn, key, person_id=actor.id, case_id=case_id, at=self.now(), action=action)
