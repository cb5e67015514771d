"""SVG snapshots of the main screens on fixed demo data (seed 1, frozen clock).

Update after a deliberate change: ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from test_tui_support import IB, demo_db, make_app, services_for, settle

from kindroute.services import CaseFilter

SIZE = (120, 40)


@pytest.fixture
def services(tmp_path, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("KINDROUTE_USER", raising=False)
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    yield svc
    svc.db.dispose()


def first_case_with_choices(services) -> int:
    """The first case (by id) at the IB's turn whose next steps mix allowed and blocked ones."""
    ib = services.resolve_actor(IB)
    rows = services.list_cases(ib, CaseFilter(at_turn_person_id=ib.id, sort="id"), limit=100)
    for row in rows:
        nexts = services.case_detail(ib, row.id).next
        if any(n.allowed for n in nexts) and any(not n.allowed for n in nexts):
            return row.id
    return rows[0].id


def test_worklist(snap_compare, services):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=SIZE, run_before=ready)


def test_case_detail(snap_compare, services):
    case_id = first_case_with_choices(services)

    async def open_it(pilot):
        await settle(pilot)
        pilot.app.open_case(case_id)
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=SIZE, run_before=open_it)


def test_step_dialog(snap_compare, services):
    case_id = first_case_with_choices(services)
    ib = services.resolve_actor(IB)
    allowed = next(i for i, n in enumerate(services.case_detail(ib, case_id).next) if n.allowed)

    async def choose(pilot):
        await settle(pilot)
        pilot.app.open_case(case_id)
        await settle(pilot)
        await pilot.press("s", str(allowed + 1))
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=SIZE, run_before=choose)


def test_stroomschema(snap_compare, services):
    case_id = first_case_with_choices(services)

    async def flow(pilot):
        await settle(pilot)
        pilot.app.open_case(case_id)
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=SIZE, run_before=flow)


def test_worklist_small_terminal(snap_compare, services):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=(80, 24), run_before=ready)
