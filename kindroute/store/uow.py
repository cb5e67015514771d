"""Unit of work: one use case, one transaction, all or nothing.

``with UnitOfWork(db) as uow: ...; uow.commit()`` — anything not committed is
rolled back when the block ends, also when an exception escapes. transitions keeps
a state change even when a later callback raises; this transaction is what makes a
step and its history event land together or not at all.

A unit of work runs either on an ORM session (``uow.session``) or, for the busiest
paths, on a bare Core connection (``uow.connection``); both begin on first use (on
SQLite a writing one with ``BEGIN IMMEDIATE``), so a locked database is reported
like any other database error.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from kindroute.errors import Conflict, InvalidInput
from kindroute.store.db import Database, translate_db_error

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: What a writer hears when the case changed under it (its ``WHERE version = …`` matched nothing).
STALE_MESSAGE = (
    "Deze casus is zojuist gewijzigd door iemand anders — opnieuw geladen. "
    "Er is niets opgeslagen; probeer het opnieuw."
)


#: What a user hears when a number they gave does not fit the database (past 64 bits).
OUT_OF_RANGE_MESSAGE = ("Een getal is te groot (of te klein) om op te zoeken of op te slaan; "
                        "controleer de invoer.")


def _out_of_range(exc: BaseException | None) -> bool:
    """A driver's "number out of range" (PostgreSQL: SQLSTATE 22003), also when wrapped."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == "22003" or isinstance(orig, OverflowError)


def _stale(exc: BaseException) -> bool:
    """The ORM's optimistic lock failed (its UPDATE … WHERE version = … matched nothing); only
    possible once the ORM is loaded, so a Core-only unit of work does not import it to ask."""
    if "sqlalchemy.orm" not in sys.modules:
        return False
    from sqlalchemy.orm.exc import StaleDataError

    return isinstance(exc, StaleDataError)


class UnitOfWork:
    def __init__(self, db: Database, *, write: bool = True) -> None:
        self.db = db
        self.write = write
        self._session: Session | None = None
        self._connection: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        return self

    @property
    def session(self) -> Session:
        """The ORM session of this unit of work (created on first use)."""
        if self._session is None:
            if self._connection is not None:
                raise RuntimeError("this unit of work already runs on a bare connection")
            from sqlalchemy.orm import Session

            self._session = Session(bind=self.db.bind(self.write), expire_on_commit=False, autoflush=True)
        return self._session

    @property
    def connection(self) -> Connection:
        """A Core connection in this unit of work's transaction (the session's, if it has one)."""
        if self._session is not None:
            return self._session.connection()
        if self._connection is None:
            conn = self.db.bind(self.write).connect()
            try:
                conn.begin()
            except BaseException:
                conn.close()
                raise
            self._connection = conn
        return self._connection

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._session is not None:
                try:
                    self._session.rollback()
                finally:
                    self._session.close()
        finally:
            if self._connection is not None:
                self._connection.close()  # rolls back what was not committed
        if exc is not None and _stale(exc):
            raise Conflict(STALE_MESSAGE) from None
        if isinstance(exc, OverflowError) or _out_of_range(exc):
            raise InvalidInput(OUT_OF_RANGE_MESSAGE) from None
        if isinstance(exc, DBAPIError):
            raise translate_db_error(exc, self.db.url) from None

    def commit(self) -> None:
        if self._connection is not None:
            self._connection.commit()
        else:
            self.session.commit()

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()
