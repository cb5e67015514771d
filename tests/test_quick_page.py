"""The kept first page: the case lists' own statements, compiled, run with sqlite3 alone.

The cached path must give exactly the rows and count of the Core path, for several people; and
anything that no longer fits (route, schema revision, source, database file, person, a broken
cache file) must leave it unused, so the Core way in decides.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_tui_support import IB, TEACHER, clock, demo_db, settle

from kindroute.services import quick_page
from kindroute.services.case_filter import CaseFilter, worklist_filter
from kindroute.services.first_page_cache import keep_first_page
from kindroute.services.quick_page import cache_path, open_kept_page
from kindroute.store.schema import HEAD_REVISION
from kindroute.widgets.case_list import PAGE_SIZE

#: An IB, a teacher, a director by id, another school's IB and teacher (the demo database).
PEOPLE = (IB, TEACHER, "2", "Saskia Vermeulen", "Merel Kuipers")
#: An outside role: its reading is logged, so its page is never kept.
OUTSIDE = "Jeroen Koster"  # the SWV


def core_page(path: Path, who: str) -> tuple[list, int]:
    """The first page and count through the Core way in."""
    from kindroute.bootstrap import open_first_page

    first = open_first_page(str(path), None, who, clock)
    assert first is not None
    try:
        f = worklist_filter(CaseFilter(), first.actor.id)
        rows = first.lists.list_cases(first.actor, f, limit=PAGE_SIZE)
        return rows, first.lists.count_cases(first.actor, f)
    finally:
        first.lists.db.dispose()


def keep(path: Path, who: str, page_size: int = PAGE_SIZE) -> Path | None:
    from kindroute.bootstrap import open_first_page

    first = open_first_page(str(path), None, who, clock)
    assert first is not None
    front = first.front()
    try:
        return keep_first_page(front.services, first.actor, who, page_size)
    finally:
        front.close()


def kept(path: Path, who: str, **kw):  # type: ignore[no-untyped-def]
    size = kw.pop("page_size", PAGE_SIZE)
    return open_kept_page(str(path), None, who, clock, remember=False, page_size=size, **kw)


@pytest.fixture
def demo(tmp_path, tmp_path_factory) -> Path:
    return demo_db(tmp_path, tmp_path_factory)


def test_kept_page_gives_the_core_rows_and_count(demo):
    for who in PEOPLE:
        assert kept(demo, who) is None, "no entry yet"
        assert keep(demo, who) == cache_path()
        start = kept(demo, who)
        assert start is not None, who
        rows, count = core_page(demo, who)
        f = worklist_filter(CaseFilter(), start.actor.id)
        assert start.lists.list_cases(start.actor, f, limit=PAGE_SIZE) == rows, who
        assert start.lists.count_cases(start.actor, f) == count, who
        # as the worklist asks it: a count it may stop when a newer (re)load replaces it
        assert start.lists.count_cases(start.actor, f, stop=lambda: False) == count, who
        # the second read runs the kept SQL again (the first came with the start)
        assert start.lists.list_cases(start.actor, f, limit=PAGE_SIZE) == rows, who
        # other pages and filters go the Core way, with the same answers
        other = CaseFilter(text="a")
        from kindroute.bootstrap import open_first_page

        core = open_first_page(str(demo), None, who, clock)
        assert core is not None
        assert start.lists.list_cases(start.actor, other, limit=10) == core.lists.list_cases(
            core.actor, other, limit=10)
        core.lists.db.dispose()
        start.core().lists.db.dispose()
    assert any(core_page(demo, who)[0] for who in PEOPLE), "some page has rows"


def test_the_kept_lists_answer_as_the_case_lists_do():
    """The kept lists stand in for the case lists until the services are up: the same parameters."""
    import inspect

    from kindroute.services.case_lists import CaseLists
    from kindroute.services.quick_page import KeptLists

    for name in ("list_cases", "count_cases"):
        kept_params = list(inspect.signature(getattr(KeptLists, name)).parameters)
        assert kept_params == list(inspect.signature(getattr(CaseLists, name)).parameters), name


def test_an_outside_roles_page_is_not_kept(demo):
    assert keep(demo, OUTSIDE) is None
    assert kept(demo, OUTSIDE) is None


def test_small_pages_and_several_entries(demo):
    keep(demo, IB, page_size=3)
    keep(demo, TEACHER)
    start = kept(demo, IB, page_size=3)
    assert start is not None
    from kindroute.bootstrap import open_first_page

    core = open_first_page(str(demo), None, IB, clock)
    assert core is not None
    f = worklist_filter(CaseFilter(), core.actor.id)
    assert start.lists.list_cases(start.actor, f, limit=3) == core.lists.list_cases(core.actor, f, limit=3)
    core.lists.db.dispose()
    assert kept(demo, TEACHER) is not None


def test_a_changed_route_revision_or_person_leaves_the_entry_unused(demo):
    keep(demo, IB)
    assert kept(demo, IB) is not None
    con = sqlite3.connect(demo)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '0010'")
    assert kept(demo, IB) is None, "another schema revision"
    with con:
        con.execute("UPDATE alembic_version SET version_num = ?", (HEAD_REVISION,))
    assert kept(demo, IB) is not None
    with con:
        con.execute("UPDATE routes SET hash = 'other' WHERE id = (SELECT max(id) FROM routes)")
    assert kept(demo, IB) is None, "another route"
    with con:
        con.execute("UPDATE routes SET hash = ? WHERE id = (SELECT max(id) FROM routes)",
                    (json.loads(cache_path().read_text())["entries"].popitem()[1]["route_hash"],))
    assert kept(demo, IB) is not None
    with con:
        con.execute("UPDATE people SET roles = 'leerkracht' WHERE name = ?", (IB,))
    assert kept(demo, IB) is None, "the person's roles changed"
    con.close()


def test_another_source_or_file_leaves_the_entry_unused(demo, tmp_path, monkeypatch):
    keep(demo, IB)
    assert kept(demo, IB) is not None
    copy = tmp_path / "copy.sqlite"
    shutil.copyfile(demo, copy)
    assert kept(copy, IB) is None, "another database file"
    monkeypatch.setattr(quick_page, "_SOURCE_HASH", ["another source"])
    assert kept(demo, IB) is None, "another version of the modules that make the statements"


def test_route_asked_for_or_shared_database_takes_the_core_way(demo, monkeypatch):
    keep(demo, IB)
    assert open_kept_page(str(demo), "route.yaml", IB, clock, remember=False, page_size=PAGE_SIZE) is None
    monkeypatch.setenv("KINDROUTE_ROUTE", "route.yaml")
    assert kept(demo, IB) is None
    monkeypatch.delenv("KINDROUTE_ROUTE")
    assert open_kept_page("postgresql://x@localhost/db", None, IB, clock, remember=False,
                          page_size=PAGE_SIZE) is None


@pytest.mark.parametrize("damage", ["garbage", "wrong sql", "truncated"])
def test_a_broken_cache_file_falls_back(demo, damage):
    keep(demo, IB)
    path = cache_path()
    text = path.read_text()
    if damage == "garbage":
        path.write_text("{not json")
    elif damage == "truncated":
        path.write_text(text[: len(text) // 2])
    else:
        data = json.loads(text)
        for entry in data["entries"].values():
            entry["sql"]["page"]["sql"] = "SELECT * FROM no_such_table"
        path.write_text(json.dumps(data))
    assert kept(demo, IB) is None


def test_cache_file_is_private_and_holds_no_pupil_names(demo):
    keep(demo, IB)
    path = cache_path()
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    con = sqlite3.connect(demo)
    names = [r[0] for r in con.execute("SELECT name FROM pupils")]
    staff = [r[0] for r in con.execute("SELECT name FROM people")]
    con.close()
    assert names and not [n for n in names if n in text]
    assert not [n for n in staff if n in text], "nor the names of staff (the key is hashed)"


def test_no_sqlalchemy_before_the_first_rows(demo, tmp_path):
    """In a fresh process the kept path reads the page without importing SQLAlchemy."""
    keep(demo, IB)
    code = (
        "import sys, datetime\n"
        "from kindroute.services.quick_page import open_kept_page\n"
        "now = datetime.datetime(2026, 11, 23, 9, 30)\n"
        f"start = open_kept_page({str(demo)!r}, None, {IB!r}, lambda: now, remember=False,\n"
        f"                       page_size={PAGE_SIZE})\n"
        "assert start is not None, 'the kept page'\n"
        "assert start.lists.list_cases(start.actor, start.lists.filter, limit=%d)\n" % PAGE_SIZE
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'textual')))\n"
    )
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


async def until(pilot, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(600):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"waited in vain for {what}")


async def one_start(demo: Path, second: bool, release: threading.Event) -> list:  # type: ignore[type-arg]
    """Start the app on ``demo`` as the IB; the rows it showed first."""
    from kindroute.app import KindrouteApp
    from kindroute.screens.case import CaseScreen
    from kindroute.services import Services
    from kindroute.services.quick_page import KeptLists
    from kindroute.widgets.case_list import CaseList

    app = KindrouteApp(db=str(demo), who=IB, clock=clock, remember=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.ready, "the first rows")
            listed = app.screen.query_one(CaseList)
            shown = listed.loaded_rows()
            if second:  # the rows came from the kept SQL; the services wait
                assert isinstance(app._services, KeptLists) and not app.opened
                await until(pilot, lambda: listed.counted, "the count")
                assert listed.count == core_page(demo, IB)[1], "the kept count is the Core count"
                await pilot.press("enter")
                await pilot.pause()
                assert not isinstance(app.screen, CaseScreen), "the case waits for the services"
                release.set()
            await until(pilot, lambda: app.opened, "the full services")
            assert isinstance(app.services, Services)
            if not second:
                await until(pilot, cache_path().exists, "the kept first page")
                return shown
            await until(pilot, lambda: isinstance(app.screen, CaseScreen), "the case screen")
            assert app.screen.case_id == shown[0].id
            await settle(pilot)  # let the case screen finish mounting before the app stops
            return shown
    finally:
        release.set()
        if app.front is not None:
            app.front.close()


async def test_the_app_keeps_its_first_page_and_starts_from_it(demo, monkeypatch):
    """A first start keeps the page once its services are up; the second shows the same rows from
    the kept SQL (no Core lists yet), and a case opens once the full services are there."""
    from kindroute.services.quick_page import KeptStart

    release = threading.Event()
    original = KeptStart.front

    def held_front(self: KeptStart):  # type: ignore[no-untyped-def]
        assert release.wait(30), "the test never let the opening go on"
        return original(self)

    first = await one_start(demo, False, threading.Event())
    monkeypatch.setattr(KeptStart, "front", held_front)
    second = await one_start(demo, True, release)
    assert first and first == second


def test_a_kept_day_parameter_is_bound_as_the_dialect_binds_it(demo):
    """'today' is kept by name, in the column's own form; the kept SQL then finds what Core finds."""
    from datetime import date

    from sqlalchemy import func, select

    from kindroute.services.first_page_cache import _Today, compile_stmt
    from kindroute.services.quick_page import read_only, run
    from kindroute.store.db import open_database
    from kindroute.store.tables import cases

    day = date(2026, 12, 1)
    stmt = select(func.count(cases.c.id), func.min(cases.c.next_due)).where(
        cases.c.next_due < _Today(day.year, day.month, day.day))
    kept_stmt = compile_stmt(stmt)
    assert [p for p in kept_stmt["params"].values() if p.get("from") == "today"] == [
        {"from": "today", "as": "{}"}]
    database = open_database(str(demo))
    try:
        with database.engine.connect() as conn:
            expected = tuple(conn.execute(stmt.where(cases.c.id > 0)).one())
    finally:
        database.dispose()
    with read_only(demo) as con:
        got = run(con, {**kept_stmt, "types": [None, "date"]}, {"today": day.isoformat()})
    assert got == [expected] and expected[0] > 0


def test_an_entry_of_the_wrong_shape_falls_back(demo):
    keep(demo, IB)
    path = cache_path()
    data = json.loads(path.read_text())
    for entry in data["entries"].values():
        entry["sql"]["page"]["params"] = ["not", "a", "mapping"]
    path.write_text(json.dumps(data))
    assert kept(demo, IB) is None
    data["entries"] = {key: "not an entry" for key in data["entries"]}
    path.write_text(json.dumps(data))
    assert kept(demo, IB) is None
