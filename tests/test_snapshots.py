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


# ------------------------------------------------ the key screens at 80x24 and 160x50
SIZES = {"80x24": (80, 24), "160x50": (160, 50)}


async def _open(pilot, case_id: int, *keys: str) -> None:
    await settle(pilot)
    pilot.app.open_case(case_id)
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("keys", [(), ("7",), ("3",), ("s", "1"), ("w",)],
                         ids=["case", "tab7", "checklist", "step", "stroomschema"])
def test_case_screens_at_size(snap_compare, services, size, keys):
    case_id = first_case_with_choices(services)

    async def run(pilot):
        await _open(pilot, case_id, *keys)

    assert snap_compare(make_app(services), terminal_size=SIZES[size], run_before=run)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("keys", [(), ("m",), ("c",), ("question_mark",)],
                         ids=["worklist", "all", "casussen", "help"])
def test_list_screens_at_size(snap_compare, services, size, keys):
    async def run(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(make_app(services), terminal_size=SIZES[size], run_before=run)
