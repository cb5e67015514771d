"""Three real processes at once: one open case per pupil, one pupil per identity, on SQLite and
PostgreSQL. Uniqueness is the database's (unique indexes); the services retry or refuse cleanly."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from test_trust_support import PG_URL, Clock, make_services, pg_database

from kindroute.services.audit import verify_history
from kindroute.store.db import open_database

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="geen PG"))]
WORKERS = 3
PUPILS = [(f"Leerling {i:03d} Gelijktijdig", f"2017-0{1 + i % 9}-{1 + i % 28:02d}", 1 + i % 8)
          for i in range(300)]


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        u = str(tmp_path / "race.sqlite")
        make_services(open_database(u), Clock()).db.dispose()
        yield u
    else:
        with pg_database() as u:
            make_services(open_database(u), Clock()).db.dispose()
            yield u


def open_worker(url: str, who: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    from kindroute.errors import KindrouteError
    from kindroute.services import Services

    db = open_database(url)
    try:
        svc = Services(db, clock=Clock())
        me = svc.resolve_actor(who)
        barrier.wait(timeout=30)
        try:
            cid = svc.open_case(me, pupil="Sanne de Vries", school="12AB", group=5, born="2017-03-01")
            results.put(("ok", cid, ""))
        except KindrouteError as exc:
            results.put((type(exc).__name__, exc.exit_code, str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported to the parent as a failure
            results.put(("crash", 0, repr(exc)))
    finally:
        db.dispose()


def import_worker(url: str, who: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    from kindroute.errors import KindrouteError
    from kindroute.services import Services

    db = open_database(url)
    try:
        svc = Services(db, clock=Clock())
        me = svc.resolve_actor(who)
        barrier.wait(timeout=30)
        try:
            results.put(("ok", svc.add_pupils(me, "12AB", PUPILS), ""))
        except KindrouteError as exc:
            results.put((type(exc).__name__, exc.exit_code, str(exc)))
        except Exception as exc:  # noqa: BLE001
            results.put(("crash", 0, repr(exc)))
    finally:
        db.dispose()


def _run(target, url: str, who: list[str]) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=target, args=(url, who[i], barrier, results)) for i in range(WORKERS)]
    for p in procs:
        p.start()
    out = [results.get(timeout=120) for _ in range(WORKERS)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    return out


def _count(url: str, sql: str) -> int:
    db = open_database(url)
    try:
        with db.engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)
    finally:
        db.dispose()


def test_three_people_open_a_case_for_the_same_pupil_at_once(url):
    outcomes = _run(open_worker, url, ["Ingrid Bakker", "Dirk Directeur", "Tom de Wit"])
    assert not [o for o in outcomes if o[0] == "crash"], outcomes
    assert sum(o[0] == "ok" for o in outcomes) == 1, outcomes
    for kind, code, message in (o for o in outcomes if o[0] != "ok"):
        assert kind in ("InvalidInput", "Conflict") and code in (2, 6), (kind, message)
        assert "Traceback" not in message and "IntegrityError" not in message
    assert _count(url, "SELECT COUNT(*) FROM pupils WHERE name = 'Sanne de Vries'") == 1
    assert _count(url, "SELECT COUNT(*) FROM cases WHERE status = 'open'") == 1
    db = open_database(url)
    try:
        from kindroute.services import Services

        report = verify_history(db, Services(db).route)
        assert report.ok, report.problems
    finally:
        db.dispose()


def test_three_parallel_imports_make_each_pupil_once(url):
    outcomes = _run(import_worker, url, ["Ingrid Bakker", "Dirk Directeur", "Ingrid Bakker"])
    assert not [o for o in outcomes if o[0] != "ok"], outcomes
    assert sum(o[1][0] for o in outcomes) == len(PUPILS), outcomes
    assert _count(url, "SELECT COUNT(*) FROM pupils") == len(PUPILS)


def test_the_database_refuses_a_second_open_case_and_a_twin_pupil(url):
    """The indexes themselves, without the services' own checks in the way."""
    from sqlalchemy.exc import IntegrityError

    svc = make_services_on(url)
    from test_trust_support import open_case

    cid = open_case(svc)
    with svc.db.engine.connect() as conn:
        with pytest.raises(IntegrityError):
            with conn.begin():
                conn.execute(text("INSERT INTO pupils (name, first_name, tussenvoegsel, last_name, "
                                  "search_name, sort_name, date_of_birth, \"group\", school_id) "
                                  "SELECT name, first_name, tussenvoegsel, last_name, search_name, "
                                  "sort_name, date_of_birth, \"group\", school_id FROM pupils"))
        with pytest.raises(IntegrityError):
            with conn.begin():
                conn.execute(text("INSERT INTO cases (pupil_id, school_id, status, opened_at, opened_by_id, "
                                  "route_version, zorgplicht_extended, history_head, history_count, version) "
                                  "SELECT pupil_id, school_id, 'open', opened_at, opened_by_id, "
                                  "route_version, zorgplicht_extended, history_head, 0, 1 FROM cases "
                                  "WHERE id = :c"),
                             {"c": cid})
    svc.db.dispose()


def make_services_on(url: str):  # type: ignore[no-untyped-def]
    from kindroute.services import Services

    return Services(open_database(url), clock=Clock())
