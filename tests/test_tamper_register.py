"""People, schools and the installed routes are sealed in the register chain: ``audit verify`` exits 1
and names a direct-SQL change to them. On SQLite and (with KINDROUTE_TEST_PG_URL) PostgreSQL."""

from __future__ import annotations

import pytest
import test_tamper
from sqlalchemy import text
from test_history_key import _old_database
from test_tamper import World, scalar, tamper
from test_trust_support import run_cli, sqlite_services

from kindroute.store.db import open_database

world = test_tamper.world  # the same populated database, on SQLite and PostgreSQL


def found(w: World, *words: str) -> str:
    r = run_cli("audit", "verify", "--db", w.url)
    assert r.returncode == 1, r.stdout + r.stderr
    for word in words:
        assert word in r.stdout, r.stdout
    return r.stdout


def test_the_register_is_kept_and_in_order(world):
    w = world
    assert scalar(w, "SELECT COUNT(*) FROM register_events") > 1
    r = run_cli("audit", "verify", "--db", w.url)
    assert r.returncode == 0, r.stdout + r.stderr


def test_renamed_person(world):
    w = world
    pid = scalar(w, "SELECT id FROM people WHERE name = 'Ingrid Bakker'")
    tamper(w, "UPDATE people SET name = 'Ingrid Bakker-Vals' WHERE id = :p", p=pid)
    found(w, f"register: persoon {pid} (Ingrid Bakker-Vals) is gewijzigd buiten kindroute")


def test_role_granted_by_sql(world):
    w = world
    pid = scalar(w, "SELECT id FROM people WHERE name = 'Tom de Wit'")
    tamper(w, "UPDATE people SET roles = 'leerkracht swv' WHERE id = :p", p=pid)
    found(w, f"persoon {pid} (Tom de Wit)")


def test_password_set_by_sql(world):
    w = world
    pid = scalar(w, "SELECT id FROM people WHERE name = 'Dirk Directeur'")
    tamper(w, "UPDATE people SET password_hash = 'bekend' WHERE id = :p", p=pid)
    found(w, f"persoon {pid} (Dirk Directeur)")


def test_person_added_by_sql(world):
    w = world
    tamper(w, "INSERT INTO people (name, roles, school_id, active, created_at) "
              "SELECT 'Stille Beheerder', 'swv', NULL, :t, created_at FROM people WHERE name = 'Tom de Wit'",
           t=True)
    found(w, "(Stille Beheerder) staat niet in het register (toegevoegd buiten kindroute)")


def test_school_renamed(world):
    w = world
    sid = scalar(w, "SELECT id FROM schools WHERE brin = '12AB'")
    tamper(w, "UPDATE schools SET name = 'OBS Anders' WHERE id = :s", s=sid)
    found(w, f"register: school {sid} (OBS Anders) is gewijzigd buiten kindroute")


def test_route_row_changed(world):
    w = world
    rid = scalar(w, "SELECT MAX(id) FROM routes")
    tamper(w, "UPDATE routes SET content = content || '\n# stil aangepast' WHERE id = :r", r=rid)
    found(w, f"register: route {rid} is gewijzigd buiten kindroute")


def test_last_register_event_deleted(world):
    w = world
    tamper(w, "DELETE FROM register_events WHERE seq = (SELECT MAX(seq) FROM register_events)")
    found(w, "de laatste gebeurtenis van het register ontbreekt")


def test_changes_through_kindroute_stay_in_order(world):
    w = world
    from kindroute.services import staff

    swv = w.svc.resolve_actor("Willem SWV")
    info = staff.add_person(w.svc, swv, "Nina Nieuw", ["leerkracht"], school=1)
    staff.end_role(w.svc, swv, info.id, "leerkracht")
    w.svc.add_school("CBS De Linde", "56EF")
    r = run_cli("audit", "verify", "--db", w.url)
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_upgraded_database_is_sealed_by_its_first_change(tmp_path):
    """People from before the register (schema 0007 and older) are sealed by the first change to
    people, schools or routes; from then on a rename by SQL is named."""
    path = tmp_path / "old.sqlite"
    _old_database(path, tmp_path)
    db = open_database(str(path))
    with db.engine.connect() as conn:
        old = conn.execute(text("SELECT id FROM people ORDER BY id LIMIT 1")).scalar()
    from kindroute.services import Services

    Services(db).add_school("CBS De Linde", "56EF")
    with db.engine.begin() as conn:
        first = conn.execute(text("SELECT kind FROM register_events ORDER BY seq LIMIT 1")).scalar()
        assert first.startswith("seal+")  # the route stored on first use, or the school
        conn.execute(text("UPDATE people SET name = 'Iemand Anders' WHERE id = :p"), {"p": old})
    db.dispose()
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 1 and f"persoon {old} (Iemand Anders)" in r.stdout, r.stdout


def test_audit_seal_starts_the_register(tmp_path):
    """A database from schema 0007 (routes stored, no register yet): ``audit seal`` by the SWV's
    administrator seals people, schools and routes as they stand."""
    path = tmp_path / "kr.sqlite"
    svc = sqlite_services(path)
    with svc.db.engine.begin() as conn:  # as it was before the register existed
        conn.execute(text("DELETE FROM register_events"))
        conn.execute(text("DELETE FROM kindroute_meta WHERE key = 'register_head'"))
    svc.db.dispose()
    r = run_cli("audit", "seal", "--db", str(path), "--as", "Willem SWV")
    assert r.returncode == 0, r.stderr
    assert "het register" in r.stdout
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    with open_database(str(path)).engine.begin() as conn:
        conn.execute(text("UPDATE schools SET brin = '99ZZ' WHERE brin = '12AB'"))
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 1 and "register: school" in r.stdout, r.stdout


def test_the_register_is_append_only_on_postgresql(world):
    """The trigger of schema 0010 holds back even the owner (as for the history)."""
    w = world
    if w.svc.db.is_sqlite:
        pytest.skip("SQLite has no triggers of this kind; the register's chain names any change")
    with w.svc.db.engine.connect() as conn:
        with pytest.raises(Exception, match="niet toegestaan"):
            conn.execute(text("UPDATE register_events SET kind = 'x'"))
    with w.svc.db.engine.connect() as conn:
        with pytest.raises(Exception, match="niet toegestaan"):
            conn.execute(text("DELETE FROM register_events"))
