"""A pooled PostgreSQL connection is checked before reuse; a round trip only when in doubt.

After the server ended a connection (an administrator, a restart) the next unit of work gets
a new one and answers as before. An idle connection with nothing on its socket is not asked
``SELECT 1`` first.
"""

from __future__ import annotations

import psycopg
import pytest
from test_trust_support import PG_URL, make_services, pg_database

from kindroute.services import CaseFilter
from kindroute.store import liveness
from kindroute.store.db import open_database

pytestmark = [pytest.mark.pg, pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is niet gezet")]


def dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def svc():
    with pg_database() as url:
        db = open_database(url)
        services = make_services(db)
        yield services
        db.dispose()


def full_pings(svc, monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Counts the pings that went to the server."""
    asked: list[int] = []
    dialect = svc.db.engine.dialect
    inner = type(dialect).do_ping

    def counted(self, dbapi_connection):  # type: ignore[no-untyped-def]
        asked.append(1)
        return inner(self, dbapi_connection)

    monkeypatch.delattr(dialect, "do_ping")  # the quiet ping open_database installed
    monkeypatch.setattr(type(dialect), "do_ping", counted)
    liveness.install_quiet_ping(svc.db.engine)  # again, around the counting ping
    return asked


def test_a_quiet_idle_connection_is_reused_without_a_round_trip(svc, monkeypatch):
    svc.list_cases(None, CaseFilter())  # a connection in the pool
    asked = full_pings(svc, monkeypatch)
    for _ in range(5):
        svc.list_cases(None, CaseFilter())
        svc.count_cases(None, CaseFilter())
    assert asked == []


def test_a_connection_the_server_ended_is_replaced(svc, monkeypatch):
    pupils_before = [r.id for r in svc.list_cases(None, CaseFilter())]
    asked = full_pings(svc, monkeypatch)
    with svc.db.engine.connect() as conn:  # the pooled connection's server process
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with psycopg.connect(dsn(PG_URL), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,)).fetchone()[0]
    assert asked == []  # (reading the pid found the connection quiet)
    # the server's last word is on the socket: the pool asks, finds it dead, and connects anew
    assert [r.id for r in svc.list_cases(None, CaseFilter())] == pupils_before
    assert asked, "the ended connection was not checked"
    with svc.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != pid


def test_a_connection_in_doubt_is_asked(svc):
    with svc.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert liveness.quiet(raw)
        raw.execute("BEGIN")  # not idle: in a transaction
        assert not liveness.quiet(raw)
        raw.execute("ROLLBACK")
        assert liveness.quiet(raw)
    assert not liveness.quiet(object())  # not a psycopg connection at all
