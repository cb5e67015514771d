"""The TUI checks the history's newest change on open and warns, in Dutch, when it was altered
outside kindroute; an untouched database opens without a warning."""

from __future__ import annotations

from sqlalchemy import text
from test_tui_support import IB, demo_db, make_app, services_for, settle


def _with_a_keyed_change(tmp_path, tmp_path_factory):  # type: ignore[no-untyped-def]
    svc = services_for(demo_db(tmp_path, tmp_path_factory))
    ib = svc.resolve_actor(IB)
    case_id = svc.list_cases(ib)[0].id
    svc.add_note(ib, case_id, "Gesprek met de ouders")
    return svc, case_id


async def test_untouched_history_opens_without_a_warning(tmp_path, tmp_path_factory):
    svc, _case_id = _with_a_keyed_change(tmp_path, tmp_path_factory)
    app = make_app(svc)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not [n for n in app._notifications if "buiten kindroute" in n.message]
    svc.db.dispose()


async def test_tampered_history_warns_on_open(tmp_path, tmp_path_factory):
    svc, case_id = _with_a_keyed_change(tmp_path, tmp_path_factory)
    with svc.db.engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET note = 'vervalst' WHERE case_id = :c "
                          "AND seq = (SELECT MAX(seq) FROM case_events WHERE case_id = :c)"), {"c": case_id})
    app = make_app(svc)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications if "buiten kindroute" in n.message]
        assert warnings and f"casus {case_id}" in warnings[0], warnings
        assert "kindroute audit verify" in warnings[0]
    svc.db.dispose()
