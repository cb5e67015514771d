"""The main flows on PostgreSQL through the same code; each test in its own fresh database."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from test_trust_support import (
    Clock,
    actor,
    make_services,
    needs_pg,
    open_case,
    pg_database,
    run_cli,
    tick_all,
    to_ondersteuningsteam,
    walk,
)

from kindroute.errors import AccessDenied, Conflict, IdentityRequired, StepNotAllowed
from kindroute.services import CaseFilter
from kindroute.services.audit import verify_history
from kindroute.services.auth import authenticate, login_from_db_user, resolve_identity, set_password
from kindroute.store import schema
from kindroute.store.db import open_database

pytestmark = [needs_pg, pytest.mark.pg]


@pytest.fixture
def pg_url():
    with pg_database() as url:
        yield url


@pytest.fixture
def svc(pg_url):
    db = open_database(pg_url)
    s = make_services(db, Clock())
    yield s
    db.dispose()


def test_open_migrates_and_reopens(pg_url):
    db = open_database(pg_url)
    state = schema.inspect_state(db.engine)
    assert state.current and not state.foreign
    db.dispose()
    again = open_database(pg_url)  # no second migration, no error
    assert schema.inspect_state(again.engine).revision == schema.HEAD_REVISION
    again.dispose()


def test_foreign_and_newer_postgres_databases_are_refused(pg_url):
    from kindroute.errors import DatabaseProblem

    open_database(pg_url).dispose()
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseProblem, match="nieuwere versie van kindroute"):
        open_database(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE kindroute_meta CASCADE"))
        conn.execute(text("CREATE TABLE klanten (id serial primary key)"))
    engine.dispose()
    with pytest.raises(DatabaseProblem, match="geen kindroute-database"):
        open_database(pg_url)


def test_advance_conflict_history_and_audit(svc):
    ib = actor(svc)
    cid = open_case(svc)
    walk(svc, cid, "naar_aanpak_groep", "naar_leerlingbespreking")
    d = svc.case_detail(ib, cid)
    tick_all(svc, cid)
    stale = d.version
    svc.add_note(ib, cid, "tussendoor")
    with pytest.raises(Conflict, match="zojuist gewijzigd door Ingrid Bakker"):
        svc.advance_case(ib, cid, "naar_aanpak_school", expected_version=stale)
    with pytest.raises(StepNotAllowed):
        svc.advance_case(ib, cid, "naar_evaluatie")
    svc.advance_case(ib, cid, "naar_aanpak_school", expected_version=svc.case_detail(ib, cid).version)
    assert [h.seq for h in svc.case_detail(None, cid).history] == [1, 2, 3]
    report = verify_history(svc.db, svc.route)
    assert report.ok and report.cases == 1, report.problems
    with svc.db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM case_events WHERE kind = 'step'")).scalar() == 3
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # past the append-only trigger
        conn.execute(text("UPDATE case_events SET note = 'vervalst' WHERE seq = 2"))
    report = verify_history(svc.db, svc.route)
    assert any(f"casus {cid}, gebeurtenis 2: inhoud gewijzigd" in p for p in report.problems)


def test_access_rules_on_postgres(svc):
    ib = actor(svc)
    c1 = open_case(svc, "Sanne de Vries")
    c2 = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    svc.assign_role(ib, c1, "jeugdhulp", "Jeroen Wijk")
    consent = svc.record_consent(ib, c1, role="jeugdhulp", purpose="Wijkteam", given_by="Moeder")
    to_ondersteuningsteam(svc, c1)

    def ids(name: str) -> set[int]:
        return {r.id for r in svc.list_cases(actor(svc, name), CaseFilter(status=None))}

    assert ids("Ingrid Bakker") == {c1, c2}
    assert ids("Tom de Wit") == {c1}
    assert ids("Jeroen Wijk") == {c1}
    assert ids("Anna Anker") == set()
    svc.case_detail(actor(svc, "Jeroen Wijk"), c1)
    with svc.db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM access_log WHERE action = 'read'")).scalar() == 1
    svc.withdraw_consent(ib, c1, consent.id)
    assert ids("Jeroen Wijk") == set()
    with pytest.raises(AccessDenied):
        svc.case_detail(actor(svc, "Jeroen Wijk"), c1)


def test_password_login_never_stores_the_password(svc):
    set_password(svc.db, None, "Ingrid Bakker", "geheim-wachtwoord-1")
    with svc.db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM people WHERE name = 'Ingrid Bakker'")).scalar()
    assert stored.startswith("$argon2") and "geheim" not in stored
    assert authenticate(svc.db, "ingrid bakker", "geheim-wachtwoord-1").name == "Ingrid Bakker"
    for name, password in (("Ingrid Bakker", "fout-wachtwoord-1"), ("Niemand", "geheim-wachtwoord-1"),
                           ("Tom de Wit", "geheim-wachtwoord-1")):
        with pytest.raises(IdentityRequired, match="onbekende naam of onjuist wachtwoord"):
            authenticate(svc.db, name, password)
    # resolve_identity on PostgreSQL: --as plus a password, from the prompt or KINDROUTE_PASSWORD
    with pytest.raises(IdentityRequired, match="--as"):
        resolve_identity(svc.db, None)
    assert resolve_identity(svc.db, "Ingrid Bakker", prompt=lambda _: "geheim-wachtwoord-1").name == \
        "Ingrid Bakker"
    with pytest.raises(IdentityRequired):
        resolve_identity(svc.db, "Ingrid Bakker", prompt=lambda _: "fout")


def test_db_login_maps_to_a_person(svc, pg_url):
    role = f"kr_user_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
        conn.execute(text("UPDATE people SET db_login = :r WHERE name = 'Tom de Wit'"), {"r": role})
    try:
        assert login_from_db_user(svc.db) is None  # connected as the admin: no mapping
        url = make_url(pg_url).set(username=role, password=None).render_as_string(hide_password=False)
        as_tom = open_database(url)
        try:
            me = resolve_identity(as_tom, None)
            assert me is not None and me.name == "Tom de Wit"
            assert resolve_identity(as_tom, "tom de wit").name == "Tom de Wit"
            with pytest.raises(AccessDenied, match="aangemeld als Tom de Wit"):
                resolve_identity(as_tom, "Ingrid Bakker", password="whatever-123")
        finally:
            as_tom.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"REASSIGN OWNED BY {role} TO CURRENT_USER"))
            conn.execute(text(f"DROP OWNED BY {role}"))
        admin.dispose()
        # the role is cluster-wide: drop it after the test database is gone (pg_database does that)
        _drop_role_later.append(role)


_drop_role_later: list[str] = []


@pytest.fixture(autouse=True, scope="module")
def _drop_roles():
    yield
    base = os.environ.get("KINDROUTE_TEST_PG_URL")
    if not base or not _drop_role_later:
        return
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in _drop_role_later:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


def test_cli_on_postgres_user_login_and_audit(pg_url):
    db = open_database(pg_url)
    svc = make_services(db, Clock())
    cid = open_case(svc)
    db.dispose()
    # bootstrap: the first user with a password, without identity
    r = run_cli("user", "add", "Bea Beheer", "--role", "swv", "--organisation", "SWV", "--password-stdin",
                "--db", pg_url, input="beheer-wachtwoord-1\n")
    assert r.returncode == 0, r.stderr
    # from now on user management needs a login
    r = run_cli("user", "passwd", "Ingrid Bakker", "--password-stdin", "--db", pg_url,
                input="ib-wachtwoord-12\n")
    assert r.returncode == IdentityRequired.exit_code, r.stderr
    r = run_cli("user", "passwd", "Ingrid Bakker", "--password-stdin", "--db", pg_url, "--as", "Bea Beheer",
                input="ib-wachtwoord-12\n", KINDROUTE_PASSWORD="beheer-wachtwoord-1")
    assert r.returncode == 0, r.stderr
    r = run_cli("export", "case", str(cid), "--db", pg_url, "--as", "Ingrid Bakker",
                KINDROUTE_PASSWORD="verkeerd-wachtwoord")
    assert r.returncode == IdentityRequired.exit_code and "onjuist wachtwoord" in r.stderr
    r = run_cli("export", "case", str(cid), "--db", pg_url, "--as", "Ingrid Bakker",
                KINDROUTE_PASSWORD="ib-wachtwoord-12")
    assert r.returncode == 0, r.stderr
    assert "Sanne de Vries" in r.stdout
    r = run_cli("audit", "verify", "--db", pg_url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith("1 casussen, ") and r.stdout.strip().endswith(": in orde")


@pytest.mark.parametrize(("few", "two_step"), [(0, 10_000), (10_000, 10_000), (10_000, 0)])
def test_name_filter_and_list_starts_on_postgres(svc, monkeypatch, few, two_step):
    """The word index (byte order, collation "C") finds the start of every word the same way."""
    from kindroute.services import Services

    monkeypatch.setattr(Services, "FEW_PUPILS", few)
    monkeypatch.setattr(Services, "TWO_STEP_FROM", two_step)
    names = ["Jan de Vries", "Anne Jansen", "Jan-Willem Bos", "Ömer Çelik", "Eva van Dijk", "Zoë Jánssen"]
    ids = {name: open_case(svc, name) for name in names}
    svc.assign_role(actor(svc), ids["Eva van Dijk"], "jeugdhulp", "Jeroen Wijk")

    def found(text: str, who: str = "Ingrid Bakker") -> set[str]:
        return {r.pupil for r in svc.list_cases(actor(svc, who), CaseFilter(text=text))}

    assert found("jan") == {"Jan de Vries", "Anne Jansen", "Jan-Willem Bos", "Zoë Jánssen"}
    assert found("JANS") == {"Anne Jansen", "Zoë Jánssen"}
    assert found("willem") == {"Jan-Willem Bos"}
    assert found("ome cel") == {"Ömer Çelik"}
    assert found("van d") == {"Eva van Dijk"}
    assert found("ansen") == set()
    assert found("") == set(names)
    assert svc.count_cases(actor(svc), CaseFilter(text="jan")) == 4
    assert found("", "Jeroen Wijk") == set()  # assigned, but no consent
    svc.record_consent(actor(svc), ids["Eva van Dijk"], role="jeugdhulp", purpose="Wijkteam",
                       given_by="Moeder")
    assert found("", "Jeroen Wijk") == {"Eva van Dijk"}


def test_reading_units_of_work_send_no_begin_and_writing_ones_do(svc):
    """A reading unit of work on PostgreSQL runs in autocommit (READ COMMITTED gives each
    statement its own snapshot anyway, so BEGIN and ROLLBACK were two round trips for nothing);
    a writing one is one transaction, all or nothing."""
    from kindroute.store.uow import UnitOfWork

    db = svc.db
    with UnitOfWork(db, write=False) as uow:
        conn = uow.connection
        assert conn.connection.driver_connection.autocommit is True
        first = conn.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar()
        assert first is None  # no transaction of its own
    with UnitOfWork(db, write=True) as uow:
        conn = uow.connection
        assert conn.connection.driver_connection.autocommit is False
        conn.execute(text("SELECT pg_current_xact_id()"))  # a transaction, held to the end
        assert conn.execute(text("SELECT pg_current_xact_id_if_assigned()")).scalar() is not None
    # the pool hands the writer's connection back in its own mode, and a reader's in its own
    with UnitOfWork(db, write=True) as uow:
        assert uow.connection.connection.driver_connection.autocommit is False
    with UnitOfWork(db, write=False) as uow:
        assert uow.connection.connection.driver_connection.autocommit is True
