"""A list's count stops once a newer (re)load makes it stale: in the service (SQLite's
progress handler) and in the list widget, which then keeps the newer load's count."""

from __future__ import annotations

import threading
import time

import pytest
from test_tui_start import NOW, ListApp, _row
from test_tui_support import IB, demo_db, services_for, settle

from kindroute.errors import Cancelled
from kindroute.services import CaseFilter
from kindroute.store import sql
from kindroute.widgets.case_list import CaseList, CaseSource


@pytest.fixture
def services(tmp_path, tmp_path_factory):
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


def test_a_count_told_to_stop_stops_and_one_left_alone_is_exact(services, monkeypatch):
    monkeypatch.setattr(sql, "CHECK_EVERY", 10)  # the demo is small: check often
    ib = services.resolve_actor(IB)
    exact = services.count_cases(ib, CaseFilter())
    assert exact > 0
    assert services.count_cases(ib, CaseFilter(), stop=lambda: False) == exact
    with pytest.raises(Cancelled):
        services.count_cases(ib, CaseFilter(), stop=lambda: True)
    # the connection counts normally afterwards (the handler is gone)
    assert services.count_cases(ib, CaseFilter(text="j")) == services.count_cases(
        ib, CaseFilter(text="j"), stop=lambda: False)


async def test_the_list_stops_a_stale_count_and_keeps_the_new_one():
    total = 5_000
    stopped = threading.Event()

    def slow_count(stop) -> int:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if stop():
                stopped.set()
                raise Cancelled()
            time.sleep(0.005)
        return total

    def page(o: int, n: int) -> list:  # type: ignore[type-arg]
        return [_row(i) for i in range(o, min(total, o + n))]

    first = CaseSource(count=lambda: total, count_until=slow_count, page=page, today=NOW.date())
    app = ListApp(first)
    async with app.run_test(size=(100, 30)) as pilot:
        case_list = app.query_one(CaseList)
        for _ in range(200):
            await pilot.pause(0.01)
            if case_list.loaded:
                break
        assert case_list.loaded and not case_list.counted
        case_list.reload(CaseSource(count=lambda: 7, page=lambda o, n: [_row(i) for i in range(7)][o:o + n],
                                    today=NOW.date()))
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert stopped.is_set()  # the first count ended when the list was reloaded
        assert case_list.counted and case_list.count == 7
        assert not app._notifications  # a stopped count is no error for the user
