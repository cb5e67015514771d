"""The head of every case's chain, checked on open: a direct-SQL change to one case's newest event or
head, among many cases, is named when the database is opened — by the command line (what the
database can compare: a missing newest event, a changed head, an event beyond the head) and by the
app, in the background once the rows are shown (also an event whose content changed with its hash
left alone). On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import test_tamper
from test_tamper import World, scalar, tamper
from test_trust_support import run_cli
from test_tui_support import settle

from kindroute.services.head_check import check_case_heads

FAKE = "f" * 64
world = test_tamper.world  # the same populated database, on SQLite and PostgreSQL


def _cli_warnings(w: World) -> str:
    """What a command that opens the database says on stderr (on PostgreSQL before it asks who)."""
    r = run_cli("cases", "--db", w.url)
    assert "Traceback" not in r.stderr, r.stderr
    return r.stderr


def test_untouched_heads_open_without_a_warning(world):
    w = world
    assert check_case_heads(w.svc.db).ok
    assert check_case_heads(w.svc.db, content=False).ok
    assert "buiten kindroute" not in _cli_warnings(w)


@pytest.mark.parametrize("how", ["head", "deleted", "beyond"])
def test_cli_names_a_changed_head_of_one_case(world, how):
    """Not the newest change of the database (that one the global head already covers): a case in
    the middle."""
    w = world
    n = scalar(w, "SELECT history_count FROM cases WHERE id = :c", c=w.main)
    if how == "head":
        tamper(w, "UPDATE cases SET history_head = :h WHERE id = :c", c=w.main, h=FAKE)
    elif how == "deleted":
        tamper(w, "DELETE FROM case_events WHERE case_id = :c AND seq = :n", c=w.main, n=n)
    else:
        tamper(w, "INSERT INTO case_events (case_id, seq, track, from_step, to_step, \"trigger\", actor_id, "
                  "actor_name, at, note, prev_hash, hash, scheme, kind, records) "
                  "SELECT case_id, seq + 1, track, from_step, to_step, \"trigger\", actor_id, actor_name, "
                  "at, 'ondergeschoven', hash, :h, scheme, kind, records FROM case_events "
                  "WHERE case_id = :c AND seq = :n", c=w.main, n=n, h=FAKE)
    err = _cli_warnings(w)
    assert "buiten kindroute gewijzigd" in err, err
    assert f"casus {w.main} " in err, err
    assert f"casus {w.other}" not in err
    assert check_case_heads(w.svc.db).tampered == (w.main,)


def test_content_of_a_newest_event_changed_with_its_hash_left(world):
    """Only the key sees this one: the full check (the app's, in the background) names it."""
    w = world
    n = scalar(w, "SELECT history_count FROM cases WHERE id = :c", c=w.other)
    tamper(w, "UPDATE case_events SET note = 'vervalst' WHERE case_id = :c AND seq = :n", c=w.other, n=n)
    assert check_case_heads(w.svc.db, content=False).ok
    found = check_case_heads(w.svc.db)
    assert found.tampered == (w.other,)
    assert f"casus {w.other} " in found.warnings()[0]


def _app(w: World):  # type: ignore[no-untyped-def]
    """The app over the world's services, as Ingrid Bakker (logged in already on PostgreSQL)."""
    from kindroute.app import KindrouteApp

    return KindrouteApp(services=w.svc, actor=w.svc.resolve_actor("Ingrid Bakker"), remember=False)


async def test_app_warns_in_the_background_and_names_the_case(world):
    w = world
    n = scalar(w, "SELECT history_count FROM cases WHERE id = :c", c=w.main)
    tamper(w, "UPDATE case_events SET actor_name = 'Iemand' WHERE case_id = :c AND seq = :n", c=w.main, n=n)
    app = _app(w)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.ready
        warnings = [n.message for n in app._notifications if "buiten kindroute" in n.message]
        assert len(warnings) == 1 and f"casus {w.main} " in warnings[0], warnings


async def test_app_opens_untouched_heads_without_a_warning(world):
    w = world
    app = _app(w)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.ready
        assert not [n for n in app._notifications if "buiten kindroute" in n.message]


def test_many_tampered_cases_are_counted(world):
    w = world
    tamper(w, "UPDATE cases SET history_head = :h", h=FAKE)
    found = check_case_heads(w.svc.db, content=False)
    total = scalar(w, "SELECT COUNT(*) FROM cases")
    assert len(found.tampered) == total
    assert f"{total} casussen" in found.warnings()[0]
