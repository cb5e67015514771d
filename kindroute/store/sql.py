"""Small SQL constructs shared by the queries."""

from __future__ import annotations

from typing import Any

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
