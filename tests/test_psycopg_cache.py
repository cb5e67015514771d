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
