"""Two real processes taking the same step at once: exactly one wins, nothing is lost."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select
from test_trust_support import (
    Clock,
    make_services,
    needs_pg,
    open_case,
    pg_database,
    race_worker,
    tick_all,
)

from kindroute.services.audit import verify_history
from kindroute.store.db import open_database
from kindroute.store.models import CaseEvent

ROUNDS = 4


def prepare(url: str) -> list[int]:
    db = open_database(url)
    svc = make_services(db, Clock())
    ids = []
    for i in range(ROUNDS):
        cid = open_case(svc, f"Leerling {chr(65 + i)} Race")
        tick_all(svc, cid)
        ids.append(cid)
    db.dispose()
    return ids


def race(url: str) -> None:
    """Half the cases raced with expected_version, half without (same trigger twice)."""
    ids = prepare(url)
    versioned = ids[: ROUNDS // 2]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=race_worker,
                    args=(url, who, ids, "naar_aanpak_groep", versioned, barrier, results))
        for who in ("Ingrid Bakker", "Dirk Directeur")
    ]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in range(2 * ROUNDS)]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    for cid in ids:
        use_version = cid in versioned
        loser = "Conflict" if use_version else "StepNotAllowed"
        mine = sorted(o for o in outcomes if o[0] == cid)
        kinds = sorted(o[1] for o in mine)
        assert kinds == sorted(["ok", loser]), mine
        message = next(o[2] for o in mine if o[1] == loser)
        if use_version:
            assert "Deze casus is zojuist gewijzigd door" in message
            assert "opnieuw geladen" in message
        else:
            assert "kan niet vanuit stap 'Aanpak in de groep'" in message
    db = open_database(url)
    try:
        with db.sessions() as s:
            for cid in ids:
                n = s.scalar(select(func.count()).where(CaseEvent.case_id == cid, CaseEvent.kind == "step"))
                assert n == 1, f"casus {cid}: {n} gebeurtenissen"
        from kindroute.workflow import load_route

        report = verify_history(db, load_route())
        assert report.ok, report.problems
    finally:
        db.dispose()


def test_two_processes_race_on_sqlite(tmp_path):
    race(str(tmp_path / "kr.sqlite"))


@needs_pg
@pytest.mark.pg
def test_two_processes_race_on_postgresql():
    with pg_database() as url:
        race(url)
