"""Is a pooled PostgreSQL connection still alive? Answered without a round trip when it can be.

The pool checks every connection it hands out (``pool_pre_ping``), so that a server restart
or a connection ended by the administrator costs the next unit of work nothing but a new
connection. Asking the server (``SELECT 1``) costs a round trip on every unit of work: one
more wait for the server, on a shared machine one more wait for a core. But a server that
ends a connection says so on its socket: it sends its last message (``FATAL: terminating
connection …``) and closes it, and either makes the socket readable. A connection that sits
idle in the pool receives nothing else (kindroute does not LISTEN). So an idle connection
whose socket has nothing to read is alive as it was left, and only a readable (or otherwise
doubtful) one is asked with the full ping. Database drivers do the same before reusing a
connection (e.g. Go's MySQL driver reads the idle socket without blocking: its ``connCheck``).

A connection whose peer vanished without closing it (a cable pulled) is not seen this way;
the full ping would wait for the network's timeout on it as well.
"""

from __future__ import annotations

import select
from typing import Any

from sqlalchemy import Engine


def install_quiet_ping(engine: Engine) -> None:
    """Make ``engine``'s pre-ping skip the round trip for an idle connection with a quiet socket."""
    if engine.dialect.driver != "psycopg":
        return
    full_ping = engine.dialect.do_ping

    def do_ping(dbapi_connection: Any) -> bool:
        return quiet(dbapi_connection) or full_ping(dbapi_connection)

    engine.dialect.do_ping = do_ping  # type: ignore[method-assign]


def quiet(dbapi_connection: Any) -> bool:
    """True when the psycopg connection is open, idle, and nothing waits to be read on its socket."""
    try:
        from psycopg import pq

        pgconn = dbapi_connection.pgconn
        if (pgconn.status != pq.ConnStatus.OK
                or pgconn.transaction_status != pq.TransactionStatus.IDLE):
            return False
        return not _readable(pgconn.socket)
    except Exception:  # noqa: BLE001 - any doubt: ask the server
        return False


def _readable(fd: int) -> bool:
    if hasattr(select, "poll"):  # no limit on the descriptor's number, unlike select()
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    readable, _, errored = select.select([fd], [], [fd], 0)
    return bool(readable or errored)
