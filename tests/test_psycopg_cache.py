"""A server database keeps kindroute's long statements converted (see
:mod:`kindroute.store.psycopg_cache`): opening a case a second time does not split its text again."""

from __future__ import annotations

import pytest
from test_trust_support import PG_URL, actor, needs_pg, open_case

pytestmark = [needs_pg, pytest.mark.pg]


def test_opening_a_case_again_does_not_convert_its_statement_again(monkeypatch):
    import test_trust_support
    from psycopg import _queries

    from kindroute.store.db import open_database
    from kindroute.store.psycopg_cache import STATEMENT_BYTES

    assert PG_URL
    with test_trust_support.pg_database() as url:
        db = open_database(url)
        try:
            svc = test_trust_support.make_services(db, test_trust_support.Clock())
            assert _queries.MAX_CACHED_STATEMENT_LENGTH >= STATEMENT_BYTES
            ib, cid = actor(svc), open_case(svc)
            svc.case_detail(ib, cid)
            split: list[int] = []
            real = _queries._query2pg_nocache

            def counted(query, encoding):  # type: ignore[no-untyped-def]
                split.append(len(query))
                return real(query, encoding)

            monkeypatch.setattr(_queries, "_query2pg_nocache", counted)
            svc.case_detail(ib, cid)
            svc.case_detail(ib, cid)
            assert split == []
            # without the raised limit, the open's statement (over 4 KB) is split every time
            monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)
            svc.case_detail(ib, cid)
            assert split and max(split) > 4096
        finally:
            db.dispose()


def test_a_case_opened_and_a_step_read_are_prepared_at_their_first_execution():
    """psycopg prepares a query at its sixth execution; the open and the step's read are
    prepared at their first, so the server keeps one plan for them from the sixth on instead
    of the eleventh. Another statement executed once is left unprepared."""
    import test_trust_support
    from sqlalchemy import text

    from kindroute.store.db import open_database

    def prepared(db) -> list[str]:  # type: ignore[no-untyped-def]
        with db.engine.connect() as conn:  # the pool's one connection: the session's own
            return list(conn.scalars(text("SELECT statement FROM pg_prepared_statements")))

    with test_trust_support.pg_database() as url:
        db = open_database(url)
        try:
            svc = test_trust_support.make_services(db, test_trust_support.Clock())
            ib, cid = actor(svc), open_case(svc)
            test_trust_support.tick_all(svc, cid)  # its first step allowed
            db.engine.dispose()  # a fresh connection: nothing prepared on it yet
            assert prepared(db) == []
            svc.case_detail(ib, cid)
            after_open = prepared(db)
            assert len(after_open) == 1 and "UNION ALL" in after_open[0], after_open
            step = next(n for n in svc.case_detail(ib, cid).next if n.allowed)
            svc.advance_case(ib, cid, step.trigger)
            after_step = prepared(db)
            assert len(after_step) == 2 and any("FOR UPDATE" in s for s in after_step), after_step
        finally:
            db.dispose()
