"""Tampering outside kindroute: every kind of direct-SQL edit is found by ``audit verify``, which exits 1
and names the case. On SQLite and (with KINDROUTE_TEST_PG_URL) on PostgreSQL, where the edits run as
a superuser with the append-only triggers switched off, as a database administrator could."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from test_trust_support import (
    PG_URL,
    Clock,
    actor,
    make_services,
    open_case,
    pg_database,
    run_cli,
    tick_all,
    walk,
)

from kindroute.services import Services
from kindroute.store.chain import GENESIS, event_hash
from kindroute.store.db import open_database

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="geen PG"))]


@dataclass
class World:
    svc: Services
    url: str
    main: int  # a case with a bit of everything
    other: int  # a closed case
    last: int  # the case changed last


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path) -> Iterator[World]:
    if request.param == "sqlite":
        url = str(tmp_path / "kr.sqlite")
        yield from _build(url)
    else:
        with pg_database() as url:
            yield from _build(url)


def _build(url: str) -> Iterator[World]:
    db = open_database(url)
    svc = make_services(db, Clock())
    ib = actor(svc)
    main = open_case(svc, "Sanne de Vries", note="Zorgen over lezen")
    svc.add_note(ib, main, "Gesprek met moeder")
    svc.add_agreement(ib, main, "Leestoets afnemen", who="Tom de Wit", due_on="2026-12-01")
    svc.record_consent(ib, main, role="jeugdhulp", purpose="Wijkteam", given_by="Moeder")
    c2 = svc.record_consent(ib, main, role="so_expert", purpose="Observatie", given_by="Moeder",
                            valid_until="2026-12-31")
    svc.withdraw_consent(ib, main, svc.case_detail(None, main).consents[0].id, reason="Wil het niet")
    svc.assign_role(ib, main, "so_expert", "Sara Smit")
    # the route's rule: the so-expert assigned to the case records the expert advice
    svc.record_document(svc.resolve_actor("Sara Smit"), main, "deskundigenadvies", outcome="Dr. Jansen",
                        title="Advies")
    walk(svc, main, "naar_aanpak_groep")
    assert c2.id
    other = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    walk(svc, other, "naar_aanpak_groep")
    tick_all(svc, other)
    svc.close_case(ib, other, note="Doel behaald")
    # an outside role reads the main case: a row in the access log
    svc.case_detail(svc.resolve_actor("Sara Smit"), main)
    last = open_case(svc, "Mila Yilmaz")
    svc.add_note(ib, last, "Laatste wijziging")
    yield World(svc, url, main, other, last)
    db.dispose()


def tamper(w: World, *statements: str, **params: object) -> None:
    """Run SQL behind kindroute's back (on PostgreSQL past the append-only triggers and the keys)."""
    with w.svc.db.engine.begin() as conn:
        if not w.svc.db.is_sqlite:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for sql in statements:
            conn.execute(text(sql), params)


def scalar(w: World, sql: str, **params: object):  # type: ignore[no-untyped-def]
    with w.svc.db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def assert_found(w: World, case_id: int) -> list[str]:
    r = run_cli("audit", "verify", "--db", w.url)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"casus {case_id}" in r.stdout, r.stdout
    return r.stdout.splitlines()


def test_untouched_world_is_in_order(world):
    r = run_cli("audit", "verify", "--db", world.url)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "in orde" in r.stdout


def test_changed_note_with_the_chain_recomputed(world):
    """The note and its step event changed, every event's hash recomputed with plain SHA-256."""
    w = world
    tamper(w, "UPDATE notes SET text = 'Alles goed' WHERE case_id = :c AND text = 'Gesprek met moeder'",
           c=w.main)
    with w.svc.db.engine.begin() as conn:
        if not w.svc.db.is_sqlite:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        rows = conn.execute(text("SELECT * FROM case_events WHERE case_id = :c ORDER BY seq"),
                            {"c": w.main}).mappings().all()
        prev = GENESIS
        for r in rows:
            h = event_hash(case_id=w.main, seq=r["seq"], track=r["track"], from_step=r["from_step"],
                           to_step=r["to_step"], trigger=r["trigger"], actor_id=r["actor_id"],
                           actor_name=r["actor_name"], at=_dt(r["at"]), note=r["note"], prev_hash=prev)
            conn.execute(text("UPDATE case_events SET hash = :h, prev_hash = :p, scheme = 1 WHERE id = :i"),
                         {"h": h, "p": prev, "i": r["id"]})
            prev = h
        conn.execute(text("UPDATE cases SET history_head = :h, history_scheme = 1 WHERE id = :c"),
                     {"h": prev, "c": w.main})
    assert_found(w, w.main)


def _dt(value):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def test_deleting_the_last_event_with_the_head_fixed(world):
    w = world
    n = scalar(w, "SELECT history_count FROM cases WHERE id = :c", c=w.main)
    prev = scalar(w, "SELECT hash FROM case_events WHERE case_id = :c AND seq = :n", c=w.main, n=n - 1)
    tamper(w, "DELETE FROM case_events WHERE case_id = :c AND seq = :n",
           "UPDATE cases SET history_head = :h, history_count = :n - 1 WHERE id = :c", c=w.main, n=n, h=prev)
    assert_found(w, w.main)


def test_deleting_the_globally_last_event_with_the_head_fixed(world):
    w = world
    n = scalar(w, "SELECT history_count FROM cases WHERE id = :c", c=w.last)
    prev = scalar(w, "SELECT hash FROM case_events WHERE case_id = :c AND seq = :n", c=w.last, n=n - 1)
    tamper(w, "DELETE FROM notes WHERE case_id = :c AND text = 'Laatste wijziging'",
           "DELETE FROM case_events WHERE case_id = :c AND seq = :n",
           "UPDATE cases SET history_head = :h, history_count = :n - 1 WHERE id = :c", c=w.last, n=n, h=prev)
    assert_found(w, w.last)


def test_wiping_a_cases_history(world):
    w = world
    tamper(w, "DELETE FROM case_events WHERE case_id = :c",
           f"UPDATE cases SET history_head = '{GENESIS}', history_count = 0, history_scheme = 1 "
           "WHERE id = :c",
           "UPDATE case_tracks SET entered_seq = 0 WHERE case_id = :c", c=w.main)
    assert_found(w, w.main)


def test_deleting_a_case(world):
    w = world
    tamper(w, *(f"DELETE FROM {t} WHERE case_id = :c" for t in (
        "access_log", "checklist_ticks", "documents", "agreements", "notes", "consents", "assignments",
        "case_events", "case_tracks")), "DELETE FROM cases WHERE id = :c", c=w.main)
    assert_found(w, w.main)


def test_un_withdrawing_a_consent(world):
    w = world
    tamper(w, "UPDATE consents SET withdrawn_on = NULL, withdrawn_by_id = NULL, withdrawn_reason = NULL "
              "WHERE case_id = :c", c=w.main)
    assert_found(w, w.main)


def test_extending_a_consent(world):
    w = world
    tamper(w, "UPDATE consents SET valid_until = '2099-12-31' WHERE case_id = :c AND role = 'so_expert'",
           c=w.main)
    assert_found(w, w.main)


def test_status_closed_to_open(world):
    w = world
    assert scalar(w, "SELECT status FROM cases WHERE id = :c", c=w.other) == "closed"
    tamper(w, "UPDATE cases SET status = 'open', closed_at = NULL WHERE id = :c", c=w.other)
    assert_found(w, w.other)


def test_changed_deadline(world):
    w = world
    tamper(w, "UPDATE case_tracks SET deadline = '2030-01-01' WHERE case_id = :c", c=w.main)
    assert_found(w, w.main)


def test_moving_a_case_to_another_school(world):
    w = world
    tamper(w, "UPDATE cases SET school_id = (SELECT id FROM schools WHERE brin = '34CD') WHERE id = :c",
           c=w.main)
    assert_found(w, w.main)


def test_edited_note(world):
    w = world
    tamper(w, "UPDATE notes SET text = 'iets anders' WHERE case_id = :c AND text = 'Gesprek met moeder'",
           c=w.main)
    assert_found(w, w.main)


def test_added_note(world):
    w = world
    tamper(w, "INSERT INTO notes (case_id, author_id, at, step, text) "
              "SELECT case_id, author_id, at, step, 'ondergeschoven' FROM notes WHERE case_id = :c "
              "AND text = 'Gesprek met moeder'", c=w.main)
    assert_found(w, w.main)


def test_edited_pupil_name(world):
    w = world
    tamper(w, "UPDATE pupils SET name = 'Iemand Anders' "
              "WHERE id = (SELECT pupil_id FROM cases WHERE id = :c)", c=w.main)
    assert_found(w, w.main)


def test_edited_assignment(world):
    w = world
    tamper(w, "UPDATE assignments SET person_id = (SELECT id FROM people WHERE name = 'Jeroen Wijk') "
              "WHERE case_id = :c AND role = 'so_expert'", c=w.main)
    assert_found(w, w.main)


def test_edited_document(world):
    w = world
    tamper(w, "UPDATE documents SET outcome = 'Dr. Vals' WHERE case_id = :c", c=w.main)
    assert_found(w, w.main)


def test_edited_agreement_and_checklist(world):
    w = world
    tamper(w, "UPDATE agreements SET done_at = due_on WHERE case_id = :c", c=w.main)
    tamper(w, "DELETE FROM checklist_ticks WHERE case_id = :c", c=w.other)
    lines = assert_found(w, w.main)
    assert any(f"casus {w.other}" in line for line in lines), lines


def test_deleted_access_log(world):
    w = world
    assert scalar(w, "SELECT COUNT(*) FROM access_log WHERE case_id = :c", c=w.main) == 1
    # another read afterwards, so the removed row is not the newest
    w.svc.case_detail(w.svc.resolve_actor("Sara Smit"), w.main)
    first = scalar(w, "SELECT MIN(id) FROM access_log")
    tamper(w, "DELETE FROM access_log WHERE id = :i", i=first)
    assert_found(w, w.main)


def test_deleted_newest_access_log_row(world):
    w = world
    tamper(w, "DELETE FROM access_log WHERE case_id = :c", c=w.main)
    assert_found(w, w.main)


def test_opening_a_tampered_database_warns(world):
    w = world
    tamper(w, "UPDATE case_events SET note = 'vervalst' WHERE gseq = (SELECT MAX(gseq) FROM case_events)")
    r = run_cli("cases", "--db", w.url)
    assert "buiten kindroute gewijzigd" in r.stderr, r.stderr
    assert f"casus {w.last}" in r.stderr


def test_deleting_a_case_behind_a_forged_purge_record(world):
    """A purge record excuses the removed cases only when kindroute sealed it with the key."""
    w = world
    tamper(w, *(f"DELETE FROM {t} WHERE case_id = :c" for t in (
        "access_log", "checklist_ticks", "documents", "agreements", "notes", "consents", "assignments",
        "case_events", "case_tracks")), "DELETE FROM cases WHERE id = :c",
        "INSERT INTO purge_log (at, by_id, cases_removed, counts_json, case_ids, mac) "
        "SELECT '2026-11-23 10:00:00', id, 1, '{}', '[' || :c || ']', 'vals' FROM people "
        "WHERE name = 'Ingrid Bakker'", c=w.main)
    lines = assert_found(w, w.main)
    assert any("verwijderronde" in line for line in lines), lines


def _placed_and_discussed(w: World) -> int:
    """The main case placed in the Plus-klas and discussed in a meeting (with an agreement made there)."""
    svc, ib = w.svc, actor(w.svc)
    swv = svc.resolve_actor("Willem SWV")
    loc = svc.plusklas.add_location(swv, "Plusklas De Brug", places=2, school="12AB", days="di")
    svc.plusklas.place(ib, w.main, loc.id)
    mid = svc.meetings.create(ib, "leerlingbespreking")
    svc.meetings.add_cases(ib, mid, [w.main, w.other])
    svc.meetings.update_item(ib, mid, w.main, conclusion="Plus-klas helpt")
    svc.meetings.add_agreement(ib, mid, w.main, "Evalueren na zes weken", who="Tom de Wit")
    r = run_cli("audit", "verify", "--db", w.url)
    assert r.returncode == 0, r.stdout + r.stderr
    return mid


def test_edited_plusklas_placement(world):
    w = world
    _placed_and_discussed(w)
    tamper(w, "UPDATE plusklas_placements SET status = 'beeindigd', end_on = start_on WHERE case_id = :c",
           c=w.main)
    lines = assert_found(w, w.main)
    assert any("Plus-klasplaatsing" in line for line in lines), lines


def test_added_plusklas_placement(world):
    """A place given by SQL, ahead of the waiting list."""
    w = world
    _placed_and_discussed(w)
    tamper(w, "INSERT INTO plusklas_placements (location_id, case_id, status, requested_on, start_on, days, "
              "created_by_id, created_at) SELECT location_id, :o, 'geplaatst', requested_on, start_on, days, "
              "created_by_id, created_at FROM plusklas_placements WHERE case_id = :c", c=w.main, o=w.other)
    assert_found(w, w.other)


def test_edited_meeting_conclusion(world):
    w = world
    _placed_and_discussed(w)
    tamper(w, "UPDATE meeting_items SET conclusion = 'Geen zorgen' WHERE case_id = :c", c=w.main)
    lines = assert_found(w, w.main)
    assert any("bespreking" in line for line in lines), lines


def test_removed_meeting_record(world):
    """The record that an agreement was made in the meeting, deleted."""
    w = world
    _placed_and_discussed(w)
    tamper(w, "DELETE FROM meeting_records "
              "WHERE item_id IN (SELECT id FROM meeting_items WHERE case_id = :c)", c=w.main)
    lines = assert_found(w, w.main)
    assert any("vastlegging in een bespreking" in line for line in lines), lines


def test_case_put_on_an_agenda_by_sql(world):
    w = world
    mid = _placed_and_discussed(w)
    tamper(w, "INSERT INTO meeting_items (meeting_id, case_id, position, conclusion, notes, parents_view, "
              "pupil_view) VALUES (:m, :c, 5, 'Besproken', '', '', '')", m=mid, c=w.last)
    assert_found(w, w.last)


def test_audit_seal_covers_cases_sealed_before_placements_were(world, monkeypatch):
    """A case sealed before Plus-klas placements were case records: a placement added by SQL goes
    unnoticed until ``audit seal`` covers the case; after that one is named."""
    from kindroute.services import history

    w = world
    with monkeypatch.context() as m:
        m.setattr(history, "LATER_TABLES", ())  # the baseline as it was before schema 0010
        old = open_case(w.svc, "Noor Oud")
    swv = w.svc.resolve_actor("Willem SWV")
    loc = w.svc.plusklas.add_location(swv, "Plusklas Oud", places=2, school="12AB")
    added = ("INSERT INTO plusklas_placements (location_id, case_id, status, requested_on, start_on, days, "
             "created_by_id, created_at) SELECT :l, :c, 'geplaatst', '2026-11-23', '2026-11-23', '', "
             "opened_by_id, opened_at FROM cases WHERE id = :c")
    tamper(w, added, l=loc.id, c=old)
    assert run_cli("audit", "verify", "--db", w.url).returncode == 0  # not noticed: not covered
    assert history.seal_cases(w.svc, swv) == 1  # what 'audit seal' does: the old case is covered
    assert run_cli("audit", "verify", "--db", w.url).returncode == 0
    tamper(w, added, l=loc.id, c=old)
    lines = assert_found(w, old)
    assert any("Plus-klasplaatsing" in line for line in lines), lines
