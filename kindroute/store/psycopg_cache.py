"""psycopg converts a long statement again on every execution; kindroute's are few and fixed.

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
"""

from __future__ import annotations

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
