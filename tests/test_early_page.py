"""The kept first page read while the app is imported (services/early_page.py).

On a second start the worklist's first frame shows the rows themselves; a read still going
when the worklist mounts is waited for by the opening worker; nothing kept falls back to the
Core way in. Reads are held with events, so no timing is asserted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_quick_page import core_page, keep, until
from test_tui_support import IB, clock, demo_db, settle

from kindroute.services import quick_page
from kindroute.services.early_page import EarlyPage


@pytest.fixture
def demo(tmp_path, tmp_path_factory) -> Path:
    return demo_db(tmp_path, tmp_path_factory)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    for name in ("KINDROUTE_USER", "KINDROUTE_READY_FILE", "KINDROUTE_ROWS_FILE", "KINDROUTE_ROUTE"):
        monkeypatch.delenv(name, raising=False)


def early(demo: Path, who: str = IB) -> EarlyPage:
    return EarlyPage.begin(str(demo), None, who, remember=False, clock=clock)


def test_the_early_read_hands_out_the_kept_page_once(demo):
    keep(demo, IB)
    page = early(demo)
    ended, start = page.take(wait=True)
    assert ended and start is not None and start.actor.name == IB
    rows, _count = core_page(demo, IB)
    assert start.lists.list_cases(start.actor, start.lists.filter, limit=len(rows)) == rows
    assert page.take(wait=True) == (True, None), "handed out once"


def test_nothing_kept_ends_the_read_without_a_page(demo):
    assert early(demo).take(wait=True) == (True, None)
    keep(demo, IB)
    assert early(demo, "Tom de Wit").take(wait=True) == (True, None), "another person's page"


def test_a_failing_read_ends_without_a_page(demo, monkeypatch):
    keep(demo, IB)

    def broken(*args: Any, **kw: Any) -> None:
        raise RuntimeError("kapot")

    monkeypatch.setattr(quick_page, "open_kept_page", broken)
    assert early(demo).take(wait=True) == (True, None)


def app_with(demo: Path, page: EarlyPage) -> Any:
    from kindroute.app import KindrouteApp

    return KindrouteApp(db=str(demo), who=IB, clock=clock, remember=False, early=page)


async def close(app: Any) -> None:
    if app.front is not None:
        app.front.close()


async def test_the_first_frame_shows_the_kept_rows(demo, tmp_path, monkeypatch):
    """A read that is over when the worklist mounts: the first frame has the rows, both markers
    are written by the first frame, and the count follows the rows."""
    from kindroute.services.quick_page import KeptLists
    from kindroute.widgets.case_list import CaseList

    ready, rows_file = tmp_path / "ready.txt", tmp_path / "rows.txt"
    monkeypatch.setenv("KINDROUTE_READY_FILE", str(ready))
    monkeypatch.setenv("KINDROUTE_ROWS_FILE", str(rows_file))
    keep(demo, IB)
    page = early(demo)
    for _ in range(3000):
        if page.done:
            break
        time.sleep(0.01)
    opened: list[str] = []
    monkeypatch.setattr(quick_page, "open_kept_page", lambda *a, **k: opened.append("again"))
    app = app_with(demo, page)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.interactive, "the first frame")
            assert app.ready, "the first frame showed the rows"
            assert ready.read_text() and rows_file.read_text()
            listed = app.screen.query_one(CaseList)
            assert listed.painted_rows() and listed.loaded_rows() == core_page(demo, IB)[0][:50]
            assert isinstance(app._services, KeptLists) or app.opened
            await until(pilot, lambda: listed.counted, "the count")
            assert listed.count == core_page(demo, IB)[1]
            await until(pilot, lambda: app.opened, "the full services")
            await settle(pilot)
            assert listed.generation == 1, "one load: not again when the screen is first shown"
            assert not opened, "the kept page was read once, early"
    finally:
        await close(app)


async def test_a_read_still_going_is_waited_for(demo, monkeypatch):
    """The worklist mounts before the read is over: it waits ("Laden…"), and the opening worker
    takes the early page when it comes instead of reading it again."""
    from kindroute.services.quick_page import KeptLists
    from kindroute.widgets.case_list import CaseList

    keep(demo, IB)
    release, calls = threading.Event(), []
    original = quick_page.open_kept_page

    def held(*args: Any, **kw: Any) -> Any:
        calls.append(threading.current_thread().name)
        assert release.wait(30), "the test never let the read go on"
        return original(*args, **kw)

    monkeypatch.setattr(quick_page, "open_kept_page", held)
    page = early(demo)
    app = app_with(demo, page)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.interactive, "the first frame")
            assert not app.ready and app.screen.waiting
            release.set()
            await until(pilot, lambda: app.ready, "the rows")
            assert calls == ["kindroute-early-page"], "read once, by the early thread"
            assert isinstance(app._services, KeptLists) or app.opened
            assert app.screen.query_one(CaseList).loaded_rows() == core_page(demo, IB)[0][:50]
            await until(pilot, lambda: app.opened, "the full services")
            await settle(pilot)
    finally:
        release.set()
        await close(app)


async def test_nothing_kept_takes_the_core_way_in(demo):
    from kindroute.bootstrap import FirstStart
    from kindroute.widgets.case_list import CaseList

    page = early(demo)
    app = app_with(demo, page)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.ready, "the rows")
            assert isinstance(app._first, FirstStart) or app.opened
            assert app.screen.query_one(CaseList).loaded_rows() == core_page(demo, IB)[0][:50]
            await until(pilot, lambda: app.opened, "the full services")
            await settle(pilot)
    finally:
        await close(app)


async def test_rows_read_before_the_list_are_counted_after_their_paint():
    """A first page handed to the list (``CaseSource.ready``) is shown at once; its count is asked
    only once those rows have been drawn, so it never holds up that paint."""
    from datetime import date

    from textual.app import App, ComposeResult

    from kindroute.services.dto_first import CaseRow
    from kindroute.widgets.case_list import PAGE_SIZE, CaseList, CaseSource

    rows = [CaseRow(id=i, pupil=f"Leerling {i}", group=3, school="De School", step="start",
                    step_title="Start", steps={"school": "start"}, at_turn_role="ib", at_turn="Ib",
                    deadline=None, overdue=False, status="open", version=1) for i in range(PAGE_SIZE)]
    painted_when_counted: list[bool] = []

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield CaseList()

        def on_mount(self) -> None:
            listed = self.query_one(CaseList)

            def count() -> int:
                painted_when_counted.append(listed.painted_rows())
                return 1234

            listed.reload(CaseSource(count=count, page=lambda offset, limit: [], today=date(2026, 3, 2),
                                     ready=list(rows)))

    app = One()
    async with app.run_test(size=(100, 20)) as pilot:
        listed = app.query_one(CaseList)
        await until(pilot, lambda: listed.counted, "the count")
        assert listed.count == 1234 and listed.loaded_rows() == rows
        assert painted_when_counted == [True]


async def test_the_footer_rebuilds_once_for_changes_that_come_together(demo, monkeypatch):
    """At start the focus, the screen and the data each change the keys before the footer is
    rebuilt: one rebuild (reading the keys as they are then) serves them all."""
    from test_tui_support import make_app, services_for

    from kindroute.widgets.footer import KrFooter

    rebuilds: list[int] = []
    recompose = KrFooter.recompose

    async def counted(self: KrFooter) -> None:
        rebuilds.append(1)
        await recompose(self)

    monkeypatch.setattr(KrFooter, "recompose", counted)
    services = services_for(demo)
    app = make_app(services)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            footer = app.screen.query_one(KrFooter)
            rebuilds.clear()
            for _ in range(3):
                footer._shown = None  # as if the keys had changed each time
                app.screen.bindings_updated_signal.publish(app.screen)
            await settle(pilot)
            assert rebuilds == [1]
            assert app.screen.query_one(KrFooter).children, "the footer shows its keys"
    finally:
        services.db.dispose()


@pytest.fixture
def collector():  # type: ignore[no-untyped-def]
    """Start and leave the garbage collector enabled, with nothing frozen."""
    import gc

    from kindroute.services import early_page

    gc.unfreeze()
    gc.enable()
    yield gc
    gc.unfreeze()
    gc.enable()
    early_page._to_settle.clear()  # a start paused here and not settled: no later app settles it
    early_page._managed.clear()  # nor collects when its screens close


def test_the_collector_pauses_for_the_start_and_then_skips_its_objects(collector):
    from kindroute.services.early_page import pause_collector, resume_collector

    resume_collector()
    assert collector.isenabled() and collector.get_freeze_count() == 0, "nothing to resume"
    pause_collector()
    assert not collector.isenabled()
    resume_collector()
    assert collector.isenabled() and collector.get_freeze_count() > 0, "the start's objects frozen"
    collector.unfreeze()
    resume_collector()
    assert collector.get_freeze_count() == 0, "once"

    collector.disable()  # paused by someone else: not ours to resume
    pause_collector()
    resume_collector()
    assert not collector.isenabled()


async def test_the_app_resumes_the_collector_with_its_rows(demo, collector):
    from kindroute.services.early_page import pause_collector

    keep(demo, IB)
    pause_collector()
    app = app_with(demo, early(demo))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.ready, "the rows")
            assert collector.isenabled()
            await until(pilot, lambda: app.opened, "the full services")
            await settle(pilot)
    finally:
        await close(app)


async def test_the_app_resumes_the_collector_with_a_problem(tmp_path, collector):
    from kindroute.app import KindrouteApp
    from kindroute.services.early_page import pause_collector

    path = tmp_path / "kapot.sqlite"
    path.write_text("Dit is geen database.\n" * 50)
    pause_collector()
    app = KindrouteApp(db=str(path), who=IB, remember=False, early=EarlyPage.begin(str(path), None, IB))
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.failed, "the problem screen")
        assert collector.isenabled()


async def test_the_collector_runs_again_with_the_first_frame(demo, collector, monkeypatch):
    """A first start opens (perhaps upgrades) the database after the first frame: the collector
    does not wait for that."""
    import kindroute.bootstrap
    from kindroute.services.early_page import pause_collector

    release = threading.Event()
    original = kindroute.bootstrap.open_first_page

    def held(*args: Any, **kw: Any) -> Any:
        assert release.wait(30), "the test never let the opening go on"
        return original(*args, **kw)

    monkeypatch.setattr(kindroute.bootstrap, "open_first_page", held)
    pause_collector()
    app = app_with(demo, early(demo))  # nothing kept: the Core way in, after the first frame
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.interactive, "the first frame")
            assert collector.isenabled() and not app.ready
            release.set()
            await until(pilot, lambda: app.opened, "the full services")
            await settle(pilot)
    finally:
        release.set()
        await close(app)


@asynccontextmanager
async def started_as_kindroute(demo: Path) -> AsyncIterator[tuple[Any, Any]]:
    """The app started as plain ``kindroute`` starts it (the first page kept, the collector
    paused), up to its full services: (app, pilot)."""
    from kindroute.services.early_page import pause_collector

    keep(demo, IB)
    pause_collector()
    app = app_with(demo, early(demo))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.opened and app.ready, "the full services")
            yield app, pilot
    finally:
        await close(app)


async def test_the_collector_settles_once_the_start_is_over_with_the_worklist_alone(demo, collector,
                                                                                     monkeypatch):
    """The full services and the check of the heads come after the first frame; once both are
    there and the worklist is alone on screen, what is alive is frozen too. Not while a case is
    open: closed, that screen would never be collected."""
    import weakref

    import kindroute.services.head_check
    from kindroute.app import KindrouteApp
    from kindroute.screens.case import CaseScreen
    from kindroute.services.early_page import collector_to_settle

    release, checked = threading.Event(), threading.Event()
    original = kindroute.services.head_check.check_case_heads

    def held(*args: Any, **kw: Any) -> Any:
        assert release.wait(30), "the test never let the check go on"
        try:
            return original(*args, **kw)
        finally:
            checked.set()

    monkeypatch.setattr(kindroute.services.head_check, "check_case_heads", held)
    monkeypatch.setattr(KindrouteApp, "SETTLE_S", 0.05)
    try:
        async with started_as_kindroute(demo) as (app, pilot):
            def walked(thing: object) -> bool:  # a frozen object is in no generation's list
                return any(o is thing for o in collector.get_objects())

            assert walked(app.services), "built after the first frame"
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case")
            case = weakref.ref(app.screen)
            release.set()
            await until(pilot, checked.is_set, "the check of the heads")
            await pilot.pause(0.3)
            assert collector_to_settle(), "not with the case open"
            await pilot.press("escape")
            await until(pilot, lambda: not collector_to_settle(), "the collector settled")
            assert not walked(app.services), "the services frozen too"
            collector.collect()
            assert case() is None, "the closed case was not frozen"
    finally:
        release.set()


@contextmanager
def asked_collections_only() -> Iterator[list[int]]:
    """The collector's own thresholds out of reach, so only the collections asked for run;
    yields what each full collection freed."""
    import gc

    thresholds = gc.get_threshold()
    full: list[int] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            full.append(info["collected"])

    gc.set_threshold(10**9, 10**9, 10**9)
    gc.callbacks.append(counted)
    try:
        yield full
    finally:
        gc.callbacks.remove(counted)
        gc.set_threshold(*thresholds)


async def test_a_closed_screen_is_collected_once_the_screen_below_is_painted(demo, collector):
    """With the collector kindroute manages, a closed case screen (garbage in cycles) is
    collected as soon as the worklist is painted again, not in the middle of the next screen's
    build."""
    import weakref

    from kindroute.screens.case import CaseScreen
    from kindroute.services.early_page import collector_to_settle

    async with started_as_kindroute(demo) as (app, pilot):
        await until(pilot, lambda: not collector_to_settle(), "the start-up's collection")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.detail is not None,
                    "the case")
        case = weakref.ref(app.screen)
        with asked_collections_only() as full:
            await pilot.press("escape")
            await until(pilot, lambda: case() is None, "the closed case collected")
            assert len(full) == 1 and full[0] > 1000, "one full collection, of the closed screen"
            assert app.screen.rows_painted(), "the worklist painted again"


async def test_a_closed_screen_waits_for_the_collector_of_another_program(demo):
    """An app that does not manage the collector (a test, a program using it) leaves the
    collections to that collector's own rhythm."""
    from kindroute.screens.case import CaseScreen
    from kindroute.services import early_page

    managed = list(early_page._managed)
    early_page._managed.clear()
    app = app_with(demo, early(demo))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.opened and app.ready, "the full services")
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case")
            with asked_collections_only() as full:
                await pilot.press("escape")
                await until(pilot, lambda: not isinstance(app.screen, CaseScreen), "the worklist")
                await settle(pilot)
                assert full == []
    finally:
        early_page._managed[:] = managed
        await close(app)


async def test_a_collection_asked_for_outside_any_task_runs_after_the_next_paint(demo, collector):
    """``collect_when_painted`` called outside a message task (Textual calls it in the closing
    screen's task; this is the guard for any other caller) still asks for one collection, made
    once the screen is painted."""
    import asyncio

    from kindroute.screens.base import collect_when_painted
    from kindroute.services.early_page import collector_to_settle

    async with started_as_kindroute(demo) as (app, pilot):
        await until(pilot, lambda: not collector_to_settle(), "the start-up's collection")
        with asked_collections_only() as full:
            asked = asyncio.Event()

            def outside_a_task() -> None:
                assert asyncio.current_task() is None
                collect_when_painted(app)
                asked.set()

            asyncio.get_running_loop().call_soon(outside_a_task)
            await asyncio.wait_for(asked.wait(), 10)
            await until(pilot, lambda: len(full) == 1, "the collection asked for")
            await settle(pilot)
            assert len(full) == 1
