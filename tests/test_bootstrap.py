"""The front door (kindroute/bootstrap.py): one way to open, one clock, one identity rule."""

from __future__ import annotations

import os
import stat
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from test_trust_support import Clock, needs_pg, pg_database, populate, run_cli

from kindroute.bootstrap import ServerClock, check_clock_setting, open_services
from kindroute.config import config_path, load_config, remember_person, remembered_person
from kindroute.errors import AccessDenied, IdentityRequired, InvalidInput, NotFound
from kindroute.services.auth import set_password

PASSWORD = "geheim-wachtwoord-1"


@pytest.fixture(autouse=True)
def _config(tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_CONFIG", str(tmp_path / "cfg" / "config.toml"))


@pytest.fixture
def file_front(tmp_path):
    front = open_services(str(tmp_path / "kr.sqlite"), clock=Clock())
    populate(front.services)
    yield front
    front.close()


# ---------------------------------------------------------------------------- a local file


def test_clock_on_a_local_file_is_kindroute_now_or_the_machines(tmp_path, monkeypatch):
    path = str(tmp_path / "kr.sqlite")
    monkeypatch.setenv("KINDROUTE_NOW", "2026-11-23T09:30")
    front = open_services(path)
    assert front.services.now() == datetime(2026, 11, 23, 9, 30)
    front.close()
    chosen = Clock(datetime(2030, 1, 1))
    front = open_services(path, clock=chosen)  # code's own clock wins (tests, the demo)
    assert front.services.now() == datetime(2030, 1, 1)
    front.close()
    monkeypatch.delenv("KINDROUTE_NOW")
    front = open_services(path)
    assert abs(front.services.now() - datetime.now()) < timedelta(seconds=5)
    front.close()
    monkeypatch.setenv("KINDROUTE_NOW", "volgende week")
    with pytest.raises(InvalidInput, match="KINDROUTE_NOW 'volgende week' is geen datum"):
        open_services(path)


def test_identity_on_a_local_file_is_the_person_named(file_front, monkeypatch):
    assert file_front.shared is False
    assert file_front.identify(required=False) is None, "nobody named: the file's owner"
    with pytest.raises(IdentityRequired, match="--as"):
        file_front.identify(required=True)
    assert file_front.identify("tom de wit").name == "Tom de Wit"
    assert file_front.actor.name == "Tom de Wit"
    with pytest.raises(NotFound, match="Niemand"):
        file_front.identify("Niemand")
    # KINDROUTE_USER when nobody is named at start
    monkeypatch.setenv("KINDROUTE_USER", "Ingrid Bakker")
    again = open_services(str(file_front.db.path), required=True)
    assert again.actor is not None and again.actor.name == "Ingrid Bakker"
    again.close()


def test_the_app_starts_as_the_named_then_the_remembered_person(file_front):
    path = str(file_front.db.path)
    front = open_services(path, who="Niemand Bekend", remember=True)
    actor, problem = front.known_person()
    assert actor is None and "Niemand Bekend" in problem
    chosen = front.choose(front.identify("Anna Anker").id)
    assert chosen.name == "Anna Anker"
    front.close()
    again = open_services(path, remember=True)
    assert again.known_person() == (again.actor, None) and again.actor.name == "Anna Anker"
    again.close()
    # without remembering (tests, the bench) nobody is known
    quiet = open_services(path)
    assert quiet.known_person() == (None, None)
    with pytest.raises(InvalidInput, match="gedeelde database"):
        quiet.log_in("Anna Anker", PASSWORD)
    quiet.close()


def test_config_never_holds_a_password_and_is_private(tmp_path):
    url = "postgresql+psycopg://ib:zeer-geheim@db.swv.nl:5432/kindroute"
    remember_person(url, "Ingrid Bakker")
    path = config_path()
    raw = path.read_text()
    assert "zeer-geheim" not in raw and "ib@db.swv.nl:5432/kindroute" in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert remembered_person(url) == "Ingrid Bakker"
    assert remembered_person("postgresql+psycopg://ib@db.swv.nl:5432/kindroute") == "Ingrid Bakker"
    # an older file with a password in its key: read, and the password dropped on the next save
    path.write_text(f'[people]\n"{url}" = "Ingrid Bakker"\n')
    os.chmod(path, 0o644)
    assert remembered_person(url) == "Ingrid Bakker"
    remember_person("sqlite:////tmp/x.sqlite", "3")
    assert "zeer-geheim" not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config()["people"]["sqlite:////tmp/x.sqlite"] == "3"


def test_kindroute_now_is_checked_without_opening_anything(monkeypatch):
    monkeypatch.setenv("KINDROUTE_NOW", "2026-11-23")
    check_clock_setting("/tmp/eigen.sqlite")
    with pytest.raises(InvalidInput, match="klok van de databaseserver") as caught:
        check_clock_setting("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert caught.value.exit_code == 2
    monkeypatch.setenv("KINDROUTE_DB", "postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(InvalidInput):
        check_clock_setting(None)
    # the app (no subcommand) says so before its first frame, without a connection
    r = run_cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "--as", "Ingrid Bakker",
                KINDROUTE_NOW="2026-11-23")
    assert r.returncode == 2 and "klok van de databaseserver" in r.stderr


# ---------------------------------------------------------------------------- a shared database


@pytest.fixture
def pg_url():
    with pg_database() as url:
        front = open_services(url, clock=Clock())
        populate(front.services)
        set_password(front.db, None, "Ingrid Bakker", PASSWORD)
        front.close()
        yield url


@needs_pg
@pytest.mark.pg
def test_shared_database_refuses_kindroute_now_and_uses_the_servers_clock(pg_url, monkeypatch):
    monkeypatch.setenv("KINDROUTE_NOW", "2020-01-01T08:00")
    with pytest.raises(InvalidInput, match="KINDROUTE_NOW geldt alleen"):
        open_services(pg_url)
    r = run_cli("cases", "--db", pg_url, "--as", "Ingrid Bakker", KINDROUTE_NOW="2020-01-01T08:00",
                KINDROUTE_PASSWORD=PASSWORD)
    assert r.returncode == 2 and "klok van de databaseserver" in r.stderr
    monkeypatch.delenv("KINDROUTE_NOW")
    front = open_services(pg_url)
    clock = front.services.clock
    assert isinstance(clock, ServerClock)
    with front.db.engine.connect() as conn:
        server = conn.execute(text("SELECT now() AT TIME ZONE 'Europe/Amsterdam'")).scalar_one()
    assert abs(front.services.now() - server) < timedelta(seconds=5)
    reads: list[datetime] = []
    real_read = clock.read
    monkeypatch.setattr(clock, "read", lambda: reads.append(real_read()) or reads[-1])
    first, second = front.services.now(), front.services.now()
    assert reads == [] and first <= second, "between refreshes the clock costs no query"
    front.close()


@needs_pg
@pytest.mark.pg
def test_shared_database_wants_a_name_and_its_password(pg_url, monkeypatch):
    front = open_services(pg_url, clock=Clock())
    assert front.shared
    with pytest.raises(IdentityRequired, match="--as NAAM"):
        front.identify(required=False)  # no owner on a shared database
    with pytest.raises(IdentityRequired, match="wachtwoord"):
        front.identify("Ingrid Bakker")  # a name alone is not enough
    asked: list[str] = []
    front.ask_password = lambda label: asked.append(label) or "fout-wachtwoord"
    with pytest.raises(IdentityRequired, match="onbekende naam of onjuist wachtwoord"):
        front.identify("Ingrid Bakker")
    assert asked == ["Wachtwoord voor Ingrid Bakker"]
    front.ask_password = lambda label: PASSWORD
    assert front.identify("Ingrid Bakker").name == "Ingrid Bakker"
    with pytest.raises(IdentityRequired, match="onbekende naam"):
        front.log_in("Tom de Wit", PASSWORD)  # no password of his own
    assert front.log_in("ingrid bakker", PASSWORD).name == "Ingrid Bakker"
    with pytest.raises(IdentityRequired, match="naam en wachtwoord"):
        front.choose(1)  # no choosing yourself from a list
    front.close()

    # the app: --as pre-fills the name, but the password is still asked
    app_front = open_services(pg_url, who="Ingrid Bakker", clock=Clock(), remember=True)
    assert app_front.known_person() == (None, None)
    assert app_front.name_hint() == "Ingrid Bakker"
    monkeypatch.setenv("KINDROUTE_PASSWORD", "fout-wachtwoord")
    actor, problem = app_front.known_person()
    assert actor is None and "Aanmelden mislukt" in problem
    monkeypatch.setenv("KINDROUTE_PASSWORD", PASSWORD)
    actor, problem = app_front.known_person()
    assert actor is not None and actor.name == "Ingrid Bakker" and problem is None
    app_front.close()


@needs_pg
@pytest.mark.pg
def test_a_mapped_database_login_goes_straight_in(pg_url):
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    role = f"kr_boot_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
        conn.execute(text("UPDATE people SET db_login = :r WHERE name = 'Tom de Wit'"), {"r": role})
    try:
        url = make_url(pg_url).set(username=role, password=None).render_as_string(hide_password=False)
        front = open_services(url, clock=Clock(), remember=True)
        actor, problem = front.known_person()
        assert actor is not None and actor.name == "Tom de Wit" and problem is None
        front.close()
        other = open_services(url, who="Ingrid Bakker", clock=Clock())
        with pytest.raises(AccessDenied, match="aangemeld als Tom de Wit"):
            other.known_person()
        other.close()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"REASSIGN OWNED BY {role} TO CURRENT_USER"))
            conn.execute(text(f"DROP OWNED BY {role}"))
        admin.dispose()
        _roles.append(role)


_roles: list[str] = []


@pytest.fixture(autouse=True, scope="module")
def _drop_roles():
    yield
    base = os.environ.get("KINDROUTE_TEST_PG_URL")
    if not base or not _roles:
        return
    from sqlalchemy import create_engine

    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for role in _roles:
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()

