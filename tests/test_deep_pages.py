"""A deep page of a list by the earliest clock (SQLite and PostgreSQL).

Such a page takes its case ids from the cases alone (their order, OFFSET and LIMIT), inside
the page's own statement, and joins pupil, track and holder for its own rows only: joined
before the OFFSET, rows 900–949 cost 950 of each. Every page must be the slice of the whole
list it always was, for every person, filter and direction.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_trust_support import PG_URL, pg_database, statements_of

from kindroute.demo import generate
from kindroute.services import CaseFilter, Services
from kindroute.store.db import open_database

NOW = datetime(2026, 11, 23, 9, 30)

BACKENDS = ["sqlite", pytest.param("pg", marks=[
    pytest.mark.pg, pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is niet gezet")])]


@pytest.fixture(scope="module", params=BACKENDS)
def svc(request, tmp_path_factory):
    if request.param == "sqlite":
        db = open_database(str(tmp_path_factory.mktemp("deep") / "lists.sqlite"))
        generate(db, cases=260, seed=11, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()
        return
    with pg_database() as url:
        db = open_database(url)
        generate(db, cases=260, seed=11, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()


FILTERS = [
    CaseFilter(),
    CaseFilter(descending=True),
    CaseFilter(status="open"),
    CaseFilter(status="closed", descending=True),
    CaseFilter(overdue=True),
    CaseFilter(text="j"),
    CaseFilter(group=5),
    CaseFilter(school="12AB"),
]
# the file's owner, the IB and the director of a school, a teacher, an SO-expert, the SWV
PEOPLE = [None, "Ingrid Bakker", "Henk Jansen", "Tom de Wit", "Marieke Dekker", "Jeroen Koster"]
LONG = {None, "Ingrid Bakker", "Henk Jansen"}  # whose lists the demo makes long enough to go deep


@pytest.mark.parametrize("who", PEOPLE)
def test_every_page_is_its_slice_of_the_whole_list(svc, who):
    actor = svc.resolve_actor(who) if who else None
    checked = 0
    for f in FILTERS:
        whole = [r.id for r in svc.list_cases(actor, f)]
        for size in (7, 50):
            paged = []
            for offset in range(0, len(whole) + size, size):
                paged += [r.id for r in svc.list_cases(actor, f, limit=size, offset=offset)]
            assert paged == whole, (who, f, size)
        # and the rows themselves, not only their ids
        if len(whole) > 20:
            assert svc.list_cases(actor, f, limit=10, offset=10) == svc.list_cases(actor, f)[10:20]
            checked += 1
    assert checked >= 3 or who not in LONG


def test_a_deep_page_joins_only_its_own_rows(svc, monkeypatch):
    monkeypatch.setattr(Services, "FEW_PUPILS", 0)  # walk the cases by their earliest clock
    ib = svc.resolve_actor("Ingrid Bakker")
    seen = statements_of(svc, lambda: svc.list_cases(ib, CaseFilter(), limit=50, offset=100))
    page = next(s for s in seen if "JOIN pupils" in s)
    # the offset is taken among the cases' ids, inside the page's statement, before any join
    inner = page[page.index("IN (SELECT cases.id"):]
    assert "OFFSET" in inner and "JOIN" not in inner.split(")")[0]
    first = next(s for s in statements_of(svc, lambda: svc.list_cases(ib, CaseFilter(), limit=50))
                 if "JOIN pupils" in s)
    assert "IN (SELECT cases.id" not in first  # the first page walks and joins as it goes


@pytest.mark.parametrize("svc", BACKENDS[1:], indirect=True)  # VACUUM after a bulk load is PostgreSQL's
def test_a_demo_on_postgresql_leaves_its_tables_vacuumed(svc):
    """After the bulk load the visibility map is set, so a deep page's ids (and a count) come
    from the index alone, as they will once autovacuum has come by on a database in use."""
    from sqlalchemy import text

    from kindroute.demo import VACUUMED

    with svc.db.engine.connect() as conn:
        done = dict(conn.execute(text(
            "SELECT relname, last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = ANY(:t)"),
            {"t": list(VACUUMED)}).all())
        visible = conn.execute(text("SELECT relallvisible FROM pg_class WHERE relname = 'cases'")).scalar()
    assert done == dict.fromkeys(VACUUMED, True)
    assert visible > 0
