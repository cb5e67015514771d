"""The database as the command line needs it, without the command line reaching into the store.

Two small use cases: say in Dutch what a low-level database error means, and bring a
database's schema up to date (``kindroute db upgrade``), reporting what was there before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kindroute.errors import DatabaseProblem


def database_problem(exc: BaseException, db: str | None) -> DatabaseProblem | None:
    """A Dutch :class:`DatabaseProblem` for a driver error that escaped the services, else None."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    from kindroute.store.db import resolve_url, translate_db_error

    return translate_db_error(exc, resolve_url(db))


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_database`` found and did."""

    where: str  # the database, as users read it
    head: str  # the schema revision it is at now
    created: bool  # it was new or empty
    read: bool  # its schema state could be read before
    before: str | None  # the revision it had then

    @property
    def migrated(self) -> bool:
        """An existing database moved to a newer schema."""
        return not self.created and self.read and self.before != self.head


def upgrade_database(db: str | None) -> Upgrade:
    """Create the database or migrate it to the newest schema."""
    from kindroute.store import schema
    from kindroute.store.db import describe, make_engine, open_database, resolve_url

    url = resolve_url(db)
    before = None
    is_new = url.startswith("sqlite:///") and not _has_content(url[len("sqlite:///"):])
    if not is_new:
        engine = make_engine(url)
        try:
            before = schema.inspect_state(engine)
        except Exception:  # noqa: BLE001 - open_database below gives the Dutch message
            before = None
        finally:
            engine.dispose()
    open_database(db).dispose()
    return Upgrade(where=describe(url), head=schema.HEAD_REVISION,
                   created=is_new or (before is not None and before.empty), read=before is not None,
                   before=before.revision if before is not None else None)


def _has_content(path: str) -> bool:
    p = Path(path)
    return p.exists() and p.stat().st_size > 0
