"""kindroute's few long, fixed statements on psycopg: kept converted, and prepared at once.

psycopg turns a query's ``%(name)s`` placeholders into PostgreSQL's ``$1`` form in Python
(``psycopg._queries.PostgresQuery.convert``, a regular-expression split of the whole text)
and keeps the result in an LRU cache, but only for queries up to
``MAX_CACHED_STATEMENT_LENGTH`` bytes (4096 in psycopg 3.3): longer ones are usually generated
by an ORM with a varying shape and would only churn the cache (psycopg discussion #628).

kindroute's longest statements are the opposite: a case opened (12 KB, one ``UNION ALL`` of
every record of the case) and a step's read (7 KB) are the same text every time, built once
per person and day. Without the cache each execution split them again: about 0.1 ms of an
open's 1.4 ms (bench P10). :func:`cache_long_statements` raises the limit to
:data:`STATEMENT_BYTES`; the cache stays bounded by its own size (128 entries). The limit is
a module constant of psycopg, not part of its public interface: when it is not there (a
psycopg that works otherwise), nothing changes.

The same two statements are prepared on the server at their first execution
(:func:`prepare_at_once`). psycopg prepares a query only at its sixth execution on a connection
(``prepare_threshold``); until then the server parses and plans the whole text every time,
and once prepared it plans it for the values given (a custom plan) five more times before it
may keep one plan for all (a generic plan). A person opens a case or takes a step a few
times a minute, so those first eleven executions are most of a session's: timed one after the
other on a fresh connection at 100,000 cases, an open took 2.3-2.6 ms until it was prepared,
about 1.7 ms with custom plans and 0.8 ms from about the twelfth on. Prepared at once, they
run on the generic plan from the seventh. Other statements keep psycopg's threshold: most are
cheap to plan, and one executed once would pay a round trip for its preparation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

#: An execution option: prepare the statement on the server at its first execution.
PREPARE_AT_ONCE = "kindroute_prepare_at_once"

#: The longest statement kept converted (bytes): above kindroute's longest (about 12 KB).
STATEMENT_BYTES = 32 * 1024


def cache_long_statements() -> bool:
    """Let psycopg keep kindroute's long statements converted; True when the limit is ours now."""
    try:
        from psycopg import _queries
    except ImportError:  # no psycopg: no server database in use
        return False
    limit = getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", None)
    if not isinstance(limit, int):
        return False
    if limit < STATEMENT_BYTES:
        _queries.MAX_CACHED_STATEMENT_LENGTH = STATEMENT_BYTES
    return True


def prepare_at_once(engine: Engine) -> None:
    """Let ``engine`` (psycopg) prepare a statement marked with :data:`PREPARE_AT_ONCE` at its
    first execution on a connection; every other statement as psycopg decides."""

    @event.listens_for(engine, "do_execute")
    def execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool | None:
        if context.execution_options.get(PREPARE_AT_ONCE):
            cursor.execute(statement, parameters, prepare=True)
            return True
        return None
