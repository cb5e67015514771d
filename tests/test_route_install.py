"""The database keeps its route: stored when first used, refused when another file is given,
replaced only by ``workflow install`` (versions, ``[[migrate]]``, stranded cases refused, one
transaction, an event in every open case's history), and every case replays under the versions
it ran under — on SQLite and PostgreSQL; the upgrade from schema 0002 keeps the data."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from test_trust_support import PG_URL, Clock, actor, make_services, needs_pg, open_case, pg_database, walk

from kindroute.errors import AccessDenied, InvalidInput, RouteMismatch, StepNotAllowed
from kindroute.services import Services
from kindroute.services.audit import verify_history
from kindroute.services.route_store import install_route, route_history, stored_route
from kindroute.store import schema
from kindroute.store.db import open_database
from kindroute.store.models import CaseEvent, CaseRoute, RouteVersion
from kindroute.workflow import default_route_path, load_route, parse_route

DEFAULT_TEXT = default_route_path().read_text(encoding="utf-8")
TLV_FILE = Path(__file__).parent / "routes" / "tlv_route.toml"


def version_2(migrate: bool = True) -> str:
    """The default route with 'leerlingbespreking' renamed to 'groepsbespreking', as version 2026.3."""
    new = DEFAULT_TEXT.replace('version = "2026.2"', 'version = "2026.3"')
    new = new.replace('"leerlingbespreking"', '"groepsbespreking"')
    new = new.replace('title = "Leerlingbespreking"', 'title = "Groepsbespreking"')
    if migrate:
        new += '\n[[migrate]]\nfrom = "leerlingbespreking"\nto = "groepsbespreking"\n'
    return new


def cases_for_install(svc: Services) -> tuple[int, int, int]:
    """An open case in the step that goes away, one in a step that stays, and a closed one."""
    moving = open_case(svc, "Sanne de Vries")
    walk(svc, moving, "naar_aanpak_groep", "naar_leerlingbespreking")
    staying = open_case(svc, "Daan Visser", teacher="Lotte Jansen")
    closed = open_case(svc, "Mila Yilmaz")
    walk(svc, closed, "naar_aanpak_groep", "doel_behaald")
    return moving, staying, closed


def rows(db, model) -> int:  # type: ignore[no-untyped-def]
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def install_walk(svc: Services) -> None:
    """The whole install story on one database (run on SQLite and on PostgreSQL)."""
    db, ib = svc.db, actor(svc)
    clock: Clock = svc.clock  # type: ignore[assignment]
    assert stored_route(db).hash == load_route().hash  # stored when the database was first used
    moving, staying, closed = cases_for_install(svc)
    events_before = rows(db, CaseEvent)

    # a file without [[migrate]] would strand the open case in 'leerlingbespreking': refused, nothing changed
    with pytest.raises(StepNotAllowed) as stranded:
        install_route(db, ib, parse_route(version_2(migrate=False), "v2.toml"), clock())
    assert f"casus {moving}: stap 'leerlingbespreking'" in stranded.value.reasons[0]
    assert "[[migrate]]" in stranded.value.reasons[0]
    assert rows(db, RouteVersion) == 1 and rows(db, CaseEvent) == events_before

    # only someone who sees more than their own assigned cases installs
    v2 = parse_route(version_2(), "v2.toml")
    with pytest.raises(AccessDenied):
        install_route(db, actor(svc, "Tom de Wit"), v2, clock())

    clock.now += timedelta(days=1)
    result = install_route(db, ib, v2, clock())
    assert (result.version, result.previous, result.cases, result.migrated) == ("2026.3", "2026.2", 2, 1)
    assert [r["version"] for r in route_history(db)] == ["2026.2", "2026.3"]
    # the same file again, or another file with a version already used, is refused
    with pytest.raises(InvalidInput, match="al in gebruik"):
        install_route(db, ib, v2, clock())
    with pytest.raises(InvalidInput, match="eigen versie"):
        install_route(db, ib, parse_route(version_2() + "\n# anders\n", "v2b.toml"), clock())

    svc2 = Services(db, clock=clock)  # a new session: the database's route, without --route
    assert svc2.route.version == "2026.3"
    moved = svc2.case_detail(ib, moving)
    assert moved.step == "groepsbespreking" and moved.at_turn_role == "ib"
    last = moved.history[-1]
    assert last.trigger == "route_installatie" and last.from_ == "leerlingbespreking"
    assert "versie 2026.3" in last.note
    assert svc2.case_detail(ib, staying).history[-1].trigger == "route_installatie"
    assert len(svc2.case_detail(ib, closed).history) == 2  # a closed case keeps its version
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseRoute).where(CaseRoute.case_id == closed)) == 0

    # the old route file is refused now, naming workflow install
    with pytest.raises(RouteMismatch, match="workflow install"):
        Services(db, route=load_route(), clock=clock)

    # steps under the new version; the audit replays each case under the versions it ran under
    walk(svc2, moving, "naar_aanpak_school")
    walk(svc2, closed, "heropenen")
    report = verify_history(db, svc2.route)
    assert report.ok, report.problems


def test_install_on_sqlite(tmp_path) -> None:
    svc = make_services(open_database(str(tmp_path / "kr.sqlite")), Clock())
    try:
        install_walk(svc)
    finally:
        svc.db.dispose()


@needs_pg
@pytest.mark.pg
def test_install_on_postgresql() -> None:
    assert PG_URL
    with pg_database() as url:
        db = open_database(url)
        try:
            install_walk(make_services(db, Clock()))
        finally:
            db.dispose()


def test_a_new_database_takes_the_route_it_is_first_used_with(tmp_path) -> None:
    tlv = load_route(TLV_FILE)
    db = open_database(str(tmp_path / "tlv.sqlite"))
    try:
        assert Services(db, route=tlv).route.hash == tlv.hash
        assert Services(db).route.hash == tlv.hash  # later without --route: the stored route
        with pytest.raises(RouteMismatch) as refused:
            Services(db, route=load_route())
        assert "TLV-route SWV De Brug" in str(refused.value)
        assert "kindroute workflow install" in str(refused.value)
    finally:
        db.dispose()


def test_cli_install_and_refusal(tmp_path) -> None:
    from test_trust_support import run_cli

    path = str(tmp_path / "kr.sqlite")
    assert run_cli("demo", "--db", path, "--cases", "20", "--seed", "3").returncode == 0
    refused = run_cli("cases", "--db", path, "--route", str(TLV_FILE))
    assert refused.returncode == 9 and "workflow install" in refused.stderr
    for command in (["workflow", "show", str(TLV_FILE)], ["workflow", "check", str(TLV_FILE)]):
        assert run_cli(*command).returncode == 0  # any file, no database needed
    v2 = tmp_path / "v2.toml"
    v2.write_text(version_2(), encoding="utf-8")
    done = run_cli("workflow", "install", str(v2), "--db", path, "--as", "Ingrid Bakker")
    assert done.returncode == 0, done.stderr
    assert "versie 2026.3 is in gebruik" in done.stdout
    shown = run_cli("workflow", "show", "--db", path).stdout
    assert "Groepsbespreking" in shown
    assert run_cli("audit", "verify", "--db", path).returncode == 0


def test_demo_may_take_another_route_on_an_empty_database(tmp_path) -> None:
    from test_trust_support import run_cli

    path = str(tmp_path / "kr.sqlite")
    Services(open_database(path)).db.dispose()  # stores the default route
    made = run_cli("demo", "--db", path, "--cases", "10", "--route", str(TLV_FILE))
    assert made.returncode == 0, made.stderr
    db = open_database(path)
    try:
        assert stored_route(db).name == "TLV-route SWV De Brug"
        assert verify_history(db, load_route(TLV_FILE)).ok
    finally:
        db.dispose()


def test_upgrade_from_0002_keeps_the_data_and_stores_the_route_on_first_use(tmp_path) -> None:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (id, name, brin) VALUES (1, 'OBS Oud', '11XX')"))
        conn.execute(text("INSERT INTO documents (id, case_id, kind, outcome, title, step, author_id, at) "
                          "VALUES (1, 1, 'opp', 'vastgesteld', '', NULL, 1, '2026-01-01 10:00:00')"))
    engine.dispose()
    db = open_database(str(path))  # migrates to 0006
    try:
        with db.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == schema.HEAD_REVISION
            assert conn.execute(text("SELECT name FROM schools")).scalar() == "OBS Oud"
            assert conn.execute(text("SELECT fields_json FROM documents")).scalar() is None
            assert conn.execute(text("SELECT count(*) FROM routes")).scalar() == 0
        assert Services(db).route.hash == load_route().hash
        assert [r["version"] for r in route_history(db)] == ["2026.2"]
    finally:
        db.dispose()


def test_route_option_on_every_command_must_be_the_databases_route(tmp_path) -> None:
    from test_trust_support import run_cli

    path = str(tmp_path / "kr.sqlite")
    made = run_cli("db", "upgrade", "--db", path, "--route", str(TLV_FILE))
    assert made.returncode == 0, made.stderr
    tlv = ["--route", str(TLV_FILE)]
    other = ["--route", str(default_route_path())]
    assert run_cli("audit", "verify", "--db", path, *tlv).returncode == 0
    for command in (["audit", "verify"], ["purge", "--dry-run", "--as", "x"],
                    ["backup", str(tmp_path / "b.db")], ["export", "case", "1", "--as", "x"],
                    ["pupil", "left", "1", "--on", "2026-01-01", "--as", "x"], ["cases"]):
        refused = run_cli(*command, "--db", path, *other)
        assert refused.returncode == 9, (command, refused.stdout, refused.stderr)
        assert "workflow install" in refused.stderr, command
