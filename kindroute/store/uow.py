"""Unit of work: one use case, one transaction, all or nothing.

``with UnitOfWork(db) as uow: ...; uow.commit()`` — anything not committed is
rolled back when the block ends, also when an exception escapes. transitions keeps
a state change even when a later callback raises; this transaction is what makes a
step and its history event land together or not at all.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kindroute.errors import Conflict
from kindroute.store.db import Database, translate_db_error


class UnitOfWork:
    def __init__(self, db: Database, *, write: bool = True) -> None:
        self.db = db
        self.write = write
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        bind = self.db.engine.execution_options(kindroute_write=self.write)
        self.session = Session(bind=bind, expire_on_commit=False, autoflush=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, StaleDataError):
            raise Conflict(
                "Deze casus is zojuist gewijzigd door iemand anders — opnieuw geladen. "
                "Er is niets opgeslagen; probeer het opnieuw."
            ) from None
        if isinstance(exc, DBAPIError):
            raise translate_db_error(exc, self.db.url) from None

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()
