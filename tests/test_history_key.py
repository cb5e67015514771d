"""The history key: a 0600 file outside the database; a wrong or missing key is told apart from
tampering; cases from before the keyed history are sealed by ``audit seal``; on PostgreSQL the
application's role may only append to the history."""

from __future__ import annotations

import stat
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from test_trust_support import (
    PG_URL,
    Clock,
    actor,
    make_services,
    needs_pg,
    open_case,
    pg_database,
    run_cli,
    walk,
)

from kindroute.errors import DatabaseProblem
from kindroute.services.audit import verify_history
from kindroute.store.db import open_database
from kindroute.store.history_key import ENV_KEY_FILE, keys_dir


def _world(path):  # type: ignore[no-untyped-def]
    svc = make_services(open_database(str(path)), Clock())
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep")
    return svc, cid


def test_key_file_is_private_and_outside_the_database(tmp_path):
    svc, _cid = _world(tmp_path / "kr.sqlite")
    files = list(keys_dir().glob("*.key"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    key_hex = files[0].read_text().strip()
    raw = (tmp_path / "kr.sqlite").read_bytes() + (tmp_path / "kr.sqlite-wal").read_bytes() \
        if (tmp_path / "kr.sqlite-wal").exists() else (tmp_path / "kr.sqlite").read_bytes()
    assert key_hex.encode() not in raw and bytes.fromhex(key_hex) not in raw
    assert verify_history(svc.db, svc.route).ok
    svc.db.dispose()


def test_missing_key_refuses_changes_and_verify_says_so(tmp_path):
    svc, cid = _world(tmp_path / "kr.sqlite")
    svc.db.dispose()
    for f in keys_dir().glob("*.key"):
        f.unlink()
    svc2 = make_services_noseed(tmp_path / "kr.sqlite")
    with pytest.raises(DatabaseProblem, match="sleutel van de geschiedenis ontbreekt"):
        svc2.add_note(actor(svc2), cid, "zonder sleutel")
    r = run_cli("audit", "verify", "--db", str(tmp_path / "kr.sqlite"))
    assert r.returncode == 1 and "sleutel" in r.stdout
    r = run_cli("cases", "--db", str(tmp_path / "kr.sqlite"))
    assert "kan niet worden gecontroleerd" in r.stderr
    svc2.db.dispose()


def make_services_noseed(path):  # type: ignore[no-untyped-def]
    from kindroute.services import Services

    return Services(open_database(str(path)), clock=Clock())


def test_wrong_key_file_is_named(tmp_path, monkeypatch):
    svc, cid = _world(tmp_path / "kr.sqlite")
    svc.db.dispose()
    other = tmp_path / "other.key"
    other.write_text("ab" * 32 + "\n")
    monkeypatch.setenv(ENV_KEY_FILE, str(other))
    svc2 = make_services_noseed(tmp_path / "kr.sqlite")
    with pytest.raises(DatabaseProblem, match="hoort niet bij deze database"):
        svc2.add_note(actor(svc2), cid, "verkeerde sleutel")
    svc2.db.dispose()


def test_key_file_from_the_environment_is_used_and_created(tmp_path, monkeypatch):
    keyfile = tmp_path / "swv" / "history.key"
    keyfile.parent.mkdir()
    monkeypatch.setenv(ENV_KEY_FILE, str(keyfile))
    svc, _cid = _world(tmp_path / "kr.sqlite")
    assert keyfile.exists() and stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert not list(keys_dir().glob("*.key"))
    assert verify_history(svc.db, svc.route).ok
    svc.db.dispose()


def _old_world(url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A database made by the previous kindroute (schema 0002) with demo data in it: the demo is
    made at the head schema, and the columns schema 0002 has are copied over."""
    from sqlalchemy import MetaData, Table, create_engine, inspect, select

    from kindroute.demo import generate
    from kindroute.store import schema
    from kindroute.store.models import Base

    source = open_database(str(tmp_path / "demo-source.sqlite"))
    generate(source, cases=12, seed=3)
    with source.engine.begin() as conn:
        # schema 0002 had no keyed history: the demo's keyed events (its Plus-klas placements, made
        # through the services) are left out, and each case's head set back to its last plain event
        conn.execute(text("DELETE FROM case_events WHERE scheme = 2"))
        conn.execute(text(
            "UPDATE cases SET history_scheme = 1, "
            "history_count = (SELECT COUNT(*) FROM case_events e WHERE e.case_id = cases.id), "
            "history_head = COALESCE((SELECT hash FROM case_events e WHERE e.case_id = cases.id "
            "ORDER BY seq DESC LIMIT 1), history_head)"))
    engine = create_engine(url)
    schema.upgrade(engine, "0002")
    old_tables = set(inspect(engine).get_table_names())
    with source.engine.connect() as src, engine.begin() as dst:
        for table in Base.metadata.sorted_tables:
            if table.name not in old_tables or table.name in ("alembic_version", "kindroute_meta"):
                continue
            target = Table(table.name, MetaData(), autoload_with=dst)
            cols = [c for c in table.c if c.name in target.c]
            rows = [dict(zip([c.name for c in cols], r, strict=True))
                    for r in src.execute(select(*cols))]
            if rows:
                dst.execute(target.insert(), rows)
            if dst.dialect.name == "postgresql" and "id" in target.c and rows:
                dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                 f"(SELECT max(id) FROM {table.name}))"))
    source.dispose()
    engine.dispose()


def _old_database(path, tmp_path):  # type: ignore[no-untyped-def]
    _old_world(f"sqlite:///{path}", tmp_path)


def test_upgrade_keeps_old_histories_verifiable_and_audit_seal_seals_them(tmp_path):
    path = tmp_path / "old.sqlite"
    _old_database(path, tmp_path)
    db = open_database(str(path))  # migrates 0002 -> head
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM case_events WHERE scheme = 1")).scalar() > 0
        assert conn.execute(text("SELECT COUNT(*) FROM cases WHERE history_scheme = 2")).scalar() == 0
        cid, school = conn.execute(text("SELECT id, school_id FROM cases ORDER BY id LIMIT 1")).one()
        ib = conn.execute(text("SELECT name FROM people WHERE roles LIKE '%ib%' AND school_id = :s"),
                          {"s": school}).scalar()
    db.dispose()
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    r = run_cli("audit", "seal", "--db", str(path), "--as", ib)
    assert r.returncode == 0, r.stderr
    assert "verzegeld" in r.stdout
    with open_database(str(path)).engine.begin() as conn:
        assert conn.execute(text("SELECT history_scheme FROM cases WHERE id = :c"), {"c": cid}).scalar() == 2
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    with open_database(str(path)).engine.begin() as conn:
        conn.execute(text("UPDATE cases SET registered_on = '2020-01-01' WHERE id = :c"), {"c": cid})
    r = run_cli("audit", "verify", "--db", str(path))
    assert r.returncode == 1 and f"casus {cid}: de casus zelf" in r.stdout, r.stdout


@needs_pg
def test_app_role_may_only_append_to_the_history():
    login = f"kr_user_{uuid.uuid4().hex[:8]}"
    with pg_database() as url:
        svc = make_services(open_database(url), Clock())
        cid = open_case(svc)
        svc.db.dispose()
        r = run_cli("db", "setup-roles", "--db", url, "--login", login)
        assert r.returncode == 0, r.stderr
        as_user = make_url(url).set(username=login).render_as_string(hide_password=False)
        try:
            user_db = open_database(as_user)
            from kindroute.services import Services

            user_svc = Services(user_db, clock=Clock())
            user_svc.add_note(actor(user_svc), cid, "als applicatierol")  # appending works
            for sql in ("UPDATE case_events SET note = 'x'", "DELETE FROM case_events",
                        "DELETE FROM access_log", "UPDATE purge_log SET mac = ''"):
                with user_db.engine.connect() as conn:
                    with pytest.raises(Exception, match="permission denied|niet toegestaan"):
                        conn.execute(text(sql))
            user_db.dispose()
            # the owner is held back by the trigger
            owner = create_engine(url)
            with owner.connect() as conn:
                with pytest.raises(Exception, match="niet toegestaan"):
                    conn.execute(text("UPDATE case_events SET note = 'x'"))
            owner.dispose()
        finally:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
                conn.execute(text(f'DROP ROLE IF EXISTS "{login}"'))
            admin.dispose()


@needs_pg
def test_retention_purge_passes_the_append_only_trigger_and_the_history_holds():
    from datetime import datetime

    from kindroute.services.retention import purge_expired, set_pupil_left
    from kindroute.store.models import Case

    with pg_database() as url:
        clock = Clock(datetime(2024, 6, 1, 10, 0))
        svc = make_services(open_database(url), clock)
        ib = actor(svc)
        gone = open_case(svc, "Sanne de Vries")
        walk(svc, gone, "naar_aanpak_groep")
        from test_trust_support import tick_all

        tick_all(svc, gone)
        svc.close_case(ib, gone)
        kept = open_case(svc, "Daan Visser")
        with svc.db.sessions() as s:
            set_pupil_left(svc, ib, s.get(Case, gone).pupil_id, "2024-06-01")
        svc.add_note(ib, kept, "na het vertrek")  # a later event links to the purged case's
        clock.now = datetime(2026, 6, 2, 10, 0)
        assert purge_expired(svc, ib).cases_removed == 1
        report = verify_history(svc.db, svc.route)
        assert report.ok, report.problems
        svc.db.dispose()


@needs_pg
def test_upgrade_from_0002_on_postgresql_keeps_histories_and_adds_the_guards(tmp_path):
    with pg_database() as url:
        _old_world(url, tmp_path)
        db = open_database(url)  # 0002 -> head
        try:
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT COUNT(*) FROM case_events WHERE scheme = 1")).scalar() > 0
                triggers = {r[0] for r in conn.execute(text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))}
            assert {"case_events_append_only", "access_log_append_only", "purge_log_append_only"} <= triggers
            from kindroute.services import Services

            report = verify_history(db, Services(db).route)
            assert report.ok, report.problems
        finally:
            db.dispose()


@needs_pg
def test_a_shared_database_never_takes_a_key_a_users_machine_made_up(monkeypatch):
    """Without KINDROUTE_HISTORY_KEY_FILE the first change to a shared database (here: the first
    school and people, which the register seals) is refused; no key is made on this machine."""
    with pg_database() as url:
        monkeypatch.delenv(ENV_KEY_FILE)
        db = open_database(url)
        try:
            with pytest.raises(DatabaseProblem, match=ENV_KEY_FILE):
                make_services(db, Clock())
            assert not list(keys_dir().glob("*.key"))
        finally:
            db.dispose()
