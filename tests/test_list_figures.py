"""The figures a list chooses its way by are kept for a minute, and never decide its rows.

A list counts two figures before its page (``CaseLists._start``): the number of cases and the
size of the set it may start from, each up to a threshold. On a shared database those were two
of a page's four round trips. They are kept for ``FIGURES_KEPT_S`` seconds; a kept figure that
has gone stale may only make a list take the slower way to the same rows.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_trust_support import statements_of

from kindroute.demo import generate
from kindroute.services import CaseFilter, Services, case_lists
from kindroute.store.db import open_database

NOW = datetime(2026, 11, 23, 9, 30)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    db = open_database(str(tmp_path_factory.mktemp("figures") / "lists.sqlite"))
    generate(db, cases=260, seed=11, now=NOW)
    yield db
    db.dispose()


def fresh(db) -> Services:
    return Services(db, clock=lambda: NOW)


def _figures_counted(seen: list[str]) -> list[str]:
    return [s for s in seen if "max(cases.id)" in s or s.startswith("SELECT count(*)")]


def test_a_list_counts_its_figures_once_a_minute(db, monkeypatch):
    svc = fresh(db)
    ib = svc.resolve_actor("Ingrid Bakker")
    now = [1000.0]
    monkeypatch.setattr(case_lists, "figure_clock", lambda: now[0])

    def page(offset: int) -> list[str]:
        return statements_of(svc, lambda: svc.list_cases(ib, CaseFilter(), limit=20, offset=offset))

    first = page(0)
    assert len(_figures_counted(first)) == 2  # the number of cases, and the school's set
    now[0] += 30
    second = page(20)
    assert _figures_counted(second) == []
    assert [s.split()[0] for s in second if s != "BEGIN"] == ["SELECT", "SELECT"]  # rows, tracks
    now[0] += 31  # a minute after they were counted
    assert len(_figures_counted(page(40))) == 2
    # a name filter's word is a figure of its own
    seen = statements_of(svc, lambda: svc.list_cases(ib, CaseFilter(text="ja"), limit=20))
    assert any(s.startswith("SELECT count(*)") and "pupil_words" in s for s in seen)
    again = statements_of(svc, lambda: svc.list_cases(ib, CaseFilter(text="ja"), limit=20))
    assert _figures_counted(again) == []


PEOPLE = [None, "Ingrid Bakker", "Tom de Wit", "Marieke Dekker", "Jeroen Koster"]
FILTERS = [CaseFilter(), CaseFilter(text="ja"), CaseFilter(text="de v"), CaseFilter(status="closed"),
           CaseFilter(overdue=True, descending=True)]


@pytest.mark.parametrize("stale", [0, 10**9])
def test_a_stale_figure_never_changes_the_rows(db, monkeypatch, stale):
    """Every figure wrong at once (nothing there, or more than all cases): every page and every
    count is what it is with the figures counted afresh."""
    truth = fresh(db)
    expected = {}
    for who in PEOPLE:
        actor = truth.resolve_actor(who) if who else None
        for i, f in enumerate(FILTERS):
            expected[who, i] = ([r.id for r in truth.list_cases(actor, f, limit=25, offset=25)],
                                [r.id for r in truth.list_cases(actor, f)],
                                truth.count_cases(actor, f), truth.count_cases(actor, f, cap=10))
    assert any(len(pages[1]) > 25 for pages in expected.values())
    monkeypatch.setattr(Services, "_figure", lambda self, key, count, *args: stale)
    svc = fresh(db)
    for who in PEOPLE:
        actor = svc.resolve_actor(who) if who else None
        for i, f in enumerate(FILTERS):
            got = ([r.id for r in svc.list_cases(actor, f, limit=25, offset=25)],
                   [r.id for r in svc.list_cases(actor, f)],
                   svc.count_cases(actor, f), svc.count_cases(actor, f, cap=10))
            assert got == expected[who, i], (who, f)
