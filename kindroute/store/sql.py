"""Small SQL constructs shared by the queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, literal_column, null, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class unindexed(FunctionElement[Any]):  # noqa: N801 - used like a SQL function
    """The column itself, marked so SQLite does not drive the query through an index on it.

    SQLite renders it as ``+column`` (a term with a unary plus cannot constrain an index,
    see the SQLite query planner documentation); elsewhere it is the plain column. Used
    where the planner, without statistics, would otherwise prefer a two-column index
    over a far more selective one.
    """

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Any) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _plain(element: unindexed, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(unindexed, "sqlite")
def _plus(element: unindexed, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.clauses, **kw))


#: SQLite calls the stop check every this many virtual machine steps (well under a millisecond).
CHECK_EVERY = 2000


@contextmanager
def interruptible(connection: Connection, stop: Callable[[], bool] | None) -> Iterator[None]:
    """Queries on ``connection`` inside the block end early once ``stop()`` is true, raising
    :class:`~kindroute.errors.Cancelled`: e.g. the count of a list that a newer keystroke made
    stale, so it no longer holds a core the new list needs. SQLite only (its progress handler);
    on other databases the block runs to its end."""
    from kindroute.errors import Cancelled

    raw = connection.connection.driver_connection if stop is not None else None
    if raw is None or connection.dialect.name != "sqlite":
        yield
        return
    raw.set_progress_handler(lambda: 1 if stop() else 0, CHECK_EVERY)
    try:
        yield
    except OperationalError as exc:
        if stop():
            raise Cancelled() from exc
        raise
    finally:
        raw.set_progress_handler(None, CHECK_EVERY)


#: The columns of one row shape of a ``UNION ALL``: (label, SQL type) in order.
Shape = tuple[tuple[str, Any], ...]


def shaped_part(shape: Shape, kind: str, where: ColumnElement[bool], **cols: Any) -> Select[Any]:
    """One part of a ``UNION ALL`` of equally shaped rows: the literal ``kind``, then every column
    of ``shape`` (those given in ``cols``, the others a typed NULL), from the rows ``where`` holds."""
    out: list[Any] = [literal_column(f"'{kind}'", String).label("kind")]
    for name, typ in shape:
        col = cols.get(name)
        out.append((cast(null(), typ) if col is None else col).label(name))
    return select(*out).where(where)
