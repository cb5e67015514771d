"""Migration 0012: the case lists' indexes carry what the list filters test (SQLite and PostgreSQL).

A database at 0011 holding cases is upgraded: its data stays, the two indexes get their new
columns, and every list gives the same rows before and after. The page of a rare name sorts
its candidates without joining their tracks (a page by the earliest clock shows a case
whether or not it has the track), unless a step filter needs them.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, inspect, select
from test_trust_support import PG_URL, pg_database

from kindroute.demo import generate
from kindroute.services import CaseFilter, Services
from kindroute.store import schema, tables
from kindroute.store.db import open_database

NOW = datetime(2026, 11, 23, 9, 30)

BACKENDS = ["sqlite", pytest.param("pg", marks=[
    pytest.mark.pg, pytest.mark.skipif(not PG_URL, reason="KINDROUTE_TEST_PG_URL is niet gezet")])]

NEW = {
    "ix_cases_next_due": ["next_due", "id", "school_id", "status", "pupil_id"],
    "ix_cases_pupil_status_school": ["pupil_id", "status", "school_id", "next_due"],
}
OLD = {
    "ix_cases_next_due": ["next_due", "id"],
    "ix_cases_pupil_status_school": ["pupil_id", "status", "school_id"],
}


@pytest.fixture(params=BACKENDS)
def svc(request, tmp_path):
    if request.param == "sqlite":
        db = open_database(str(tmp_path / "lists.sqlite"))
        generate(db, cases=120, seed=5, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()
        return
    with pg_database() as url:
        db = open_database(url)
        generate(db, cases=120, seed=5, now=NOW)
        yield Services(db, clock=lambda: NOW)
        db.dispose()


def list_indexes(svc: Services) -> dict[str, list[str]]:
    with svc.db.engine.connect() as conn:
        return {ix["name"]: list(ix["column_names"]) for ix in inspect(conn).get_indexes("cases")
                if ix["name"] in NEW}


def lists(svc: Services) -> dict[tuple[str, str, bool], list[int]]:
    """Every list a filter keystroke can ask, as the ids of its rows, for the file's owner and an IB."""
    ib = svc.resolve_actor("Ingrid Bakker")
    out = {}
    for who, actor in (("owner", None), ("ib", ib)):
        for text in ("", "j", "ja", "jan", "de", "x"):
            for descending in (False, True):
                f = CaseFilter(text=text, descending=descending)
                out[(who, text, descending)] = [r.id for r in svc.list_cases(actor, f, limit=50)]
                out[(who, text + "#", descending)] = [svc.count_cases(actor, f)]
    return out


@pytest.mark.parametrize("few", [0, 1000])
def test_upgrade_from_0011_keeps_the_data_and_every_list(svc, monkeypatch, few):
    from alembic import command

    monkeypatch.setattr(Services, "FEW_PUPILS", few)  # walking, and starting from a name
    monkeypatch.setattr(Services, "TWO_STEP_FROM", 5)
    assert list_indexes(svc) == NEW
    with svc.db.engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0011")
    assert list_indexes(svc) == OLD
    due = select(tables.cases.c.id, tables.cases.c.next_due).order_by(tables.cases.c.id)
    with svc.db.engine.connect() as conn:
        cases = conn.scalar(select(func.count()).select_from(tables.cases))
        dues = conn.execute(due).all()
    before = lists(svc)
    assert cases == 120 and any(ids for ids in before.values())

    schema.upgrade(svc.db.engine)

    assert list_indexes(svc) == NEW
    with svc.db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(tables.cases)) == cases
        assert conn.execute(due).all() == dues
    assert lists(svc) == before


def keys_sql(svc: Services, f: CaseFilter) -> str:
    """The first statement of a two-step page (the candidates' keys), as SQL."""
    seen: list[str] = []
    from sqlalchemy import event

    def keep(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(svc.db.engine, "before_cursor_execute", keep)
    try:
        svc.list_cases(None, f, limit=2)
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", keep)
    return next(s for s in seen if s.lstrip().startswith("SELECT cases.id \nFROM"))


def test_a_rare_names_keys_join_the_tracks_only_for_a_step_filter(svc, monkeypatch):
    monkeypatch.setattr(Services, "FEW_PUPILS", 1000)
    monkeypatch.setattr(Services, "TWO_STEP_FROM", 0)
    plain = CaseFilter(text="j")
    assert "case_tracks" not in keys_sql(svc, plain)
    step = next(iter(svc.step_counts()))
    stepped = CaseFilter(text="j", step=step)
    assert "case_tracks" in keys_sql(svc, stepped)
    # and the rows are those of the one-step way
    for f in (plain, stepped):
        two = [r.id for r in svc.list_cases(None, f, limit=50)]
        monkeypatch.setattr(Services, "TWO_STEP_FROM", 10_000)
        assert [r.id for r in svc.list_cases(None, f, limit=50)] == two
        monkeypatch.setattr(Services, "TWO_STEP_FROM", 0)
