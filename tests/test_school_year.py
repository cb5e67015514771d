"""The school-year rollover: groups up, groep 8 leaves (retention starts), open cases noted, undo."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from kindroute.cli import main
from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services.retention import purge_after
from kindroute.services.school_year import (
    current_school_year,
    parse_year,
    start_school_year,
    undo_school_year,
)
from kindroute.store import schema
from kindroute.store.db import open_database
from kindroute.store.models import Case, Note, Pupil

IB = "Ingrid Bakker"
TODAY = date(2026, 11, 23)


def state(services, school_id: int) -> dict[str, tuple[int, date | None]]:
    with services.db.sessions() as s:
        return {p.name: (p.group, p.left_school_on)
                for p in s.scalars(select(Pupil).where(Pupil.school_id == school_id))}


def notes(services, case_id: int) -> list[str]:
    with services.db.sessions() as s:
        return list(s.scalars(select(Note.text).where(Note.case_id == case_id).order_by(Note.id)))


@pytest.fixture
def school(seeded):
    ib = seeded.resolve_actor(IB)
    seeded.add_pupils(ib, "12AB", [("Eva de Vries", "2019-05-12", 1), ("Sem Bos", "2015-01-01", 7),
                                   ("Noor Smit", "2014-03-03", 8)])
    eva = seeded.open_case(ib, pupil="Eva de Vries", school="12AB", group=1, born="2019-05-12")
    noor = seeded.open_case(ib, pupil="Noor Smit", school="12AB", group=8, born="2014-03-03")
    other = seeded.resolve_actor("Anna Anker")
    seeded.add_pupils(other, "34CD", [("Ander Kind", "2016-01-01", 5)])
    return seeded, ib, {"eva": eva, "noor": noor}


def test_start_moves_up_marks_leavers_and_notes_open_cases(school):
    svc, ib, cases = school
    before = state(svc, ib.school_id)
    dry = start_school_year(svc, ib, "2026-2027", dry_run=True)
    assert (dry.moved, dry.left, dry.cases_noted) == ({1: 1, 7: 1}, ["Noor Smit"], 2)
    assert state(svc, ib.school_id) == before
    report = start_school_year(svc, ib, 2026)
    assert report.moved == {1: 1, 7: 1} and report.left == ["Noor Smit"]
    assert state(svc, ib.school_id) == {"Eva de Vries": (2, None), "Sem Bos": (8, None),
                                        "Noor Smit": (8, TODAY)}
    assert state(svc, svc.resolve_actor("Anna Anker").school_id) == {"Ander Kind": (5, None)}
    assert notes(svc, cases["eva"])[-1] == "Schooljaar 2026-2027: de leerling gaat naar groep 2."
    assert "verlaten na groep 8; de casus blijft open" in notes(svc, cases["noor"])[-1]
    assert svc.case_detail(ib, cases["noor"]).status == "open"
    # retention starts from the day of leaving (once the case is closed)
    assert purge_after("closed", TODAY, None) == date(2028, 11, 23)
    with pytest.raises(InvalidInput, match="al gestart"):
        start_school_year(svc, ib, 2026)


def test_undo_puts_everything_back(school):
    svc, ib, cases = school
    before = state(svc, ib.school_id)
    notes_before = notes(svc, cases["eva"])
    start_school_year(svc, ib, 2026)
    version = svc.case_detail(ib, cases["eva"]).version
    report = undo_school_year(svc, ib)
    assert report.undone and report.left == ["Noor Smit"] and report.cases_noted == 2
    assert state(svc, ib.school_id) == before
    assert notes(svc, cases["eva"]) == notes_before
    assert svc.case_detail(ib, cases["eva"]).version > version  # an editor holding the old one is told
    with pytest.raises(NotFound):
        undo_school_year(svc, ib)
    start_school_year(svc, ib, 2026)  # and it can start again
    assert state(svc, ib.school_id)["Eva de Vries"] == (2, None)


def test_start_and_undo_are_events_and_audit_verify_agrees(school):
    from kindroute.services.audit import verify_history
    from kindroute.store.models import CaseEvent

    svc, ib, cases = school
    start_school_year(svc, ib, 2026)
    assert verify_history(svc.db, svc.route).ok
    undo_school_year(svc, ib)
    report = verify_history(svc.db, svc.route)
    assert report.ok, report.problems
    with svc.db.sessions() as s:
        kinds = list(s.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == cases["eva"])
                               .order_by(CaseEvent.seq)))
    assert kinds[-2:] == ["pupil", "pupil"]
    with svc.db.engine.begin() as conn:  # the group changed outside kindroute is found
        conn.execute(text("UPDATE pupils SET \"group\" = 3 WHERE name = 'Eva de Vries'"))
    report = verify_history(svc.db, svc.route)
    assert any(p.startswith(f"casus {cases['eva']}: leerling") for p in report.problems), report.problems


@pytest.mark.parametrize("change", ["note", "tick", "assign", "pupil", "new case"])
def test_undo_refused_after_the_first_change(school, change):
    svc, ib, cases = school
    start_school_year(svc, ib, 2026)
    if change == "note":
        svc.add_note(ib, cases["eva"], "Na de overgang")
    elif change == "tick":
        svc.tick_checklist(ib, cases["noor"], "observatie")
    elif change == "assign":
        svc.assign_role(ib, cases["eva"], "leerkracht", "Tom de Wit")
    elif change == "pupil":
        svc.add_pupils(ib, "12AB", [("Nieuw Kind", "2020-01-01", 1)])
    else:
        svc.open_case(ib, pupil="Sem Bos", school="12AB", group=8, born="2015-01-01")
    after = state(svc, ib.school_id)
    with pytest.raises(InvalidInput, match="terugdraaien kan daarom niet meer"):
        undo_school_year(svc, ib)
    assert state(svc, ib.school_id) == after


def test_who_may_and_when(school):
    svc, ib, _ = school
    for who in ("Tom de Wit", "Sara Smit", "Anna Anker"):
        with pytest.raises((AccessDenied, InvalidInput)):
            start_school_year(svc, svc.resolve_actor(who), 2026, school="12AB")
    with pytest.raises(InvalidInput, match="geef de school|Geef de school"):
        start_school_year(svc, svc.resolve_actor("Willem Hof"), 2026)
    assert start_school_year(svc, svc.resolve_actor("Willem Hof"), 2026, school="12AB", dry_run=True).left
    with pytest.raises(InvalidInput, match="kan nu niet starten"):
        start_school_year(svc, ib, 2027)
    with pytest.raises(InvalidInput, match="kan nu niet starten"):
        start_school_year(svc, ib, 2025)


@pytest.mark.parametrize("value,year", [("2026", 2026), ("2026-2027", 2026), ("2026/2027", 2026)])
def test_parse_year(value, year):
    assert parse_year(value) == year


@pytest.mark.parametrize("value", ["26", "2026-2028", "volgend jaar", "99999"])
def test_parse_year_refuses(value):
    with pytest.raises(InvalidInput):
        parse_year(value)


def test_school_year_starts_in_august():
    assert current_school_year(date(2026, 7, 31)) == 2025
    assert current_school_year(date(2026, 8, 1)) == 2026


def test_cli_start_and_undo(school, db_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_NOW", "2026-11-23T09:30")
    runner = CliRunner()
    db = str(db_path)
    dry = runner.invoke(main, ["schoolyear", "start", "2026", "--dry-run", "--db", db, "--as", IB])
    assert dry.exit_code == 0, dry.output
    assert "Proefdraai" in dry.output and "groep 7 → 8: 1 leerling(en)" in dry.output
    started = runner.invoke(main, ["schoolyear", "start", "2026", "--db", db, "--as", IB])
    assert started.exit_code == 0 and "Noor Smit" in started.output
    assert runner.invoke(main, ["schoolyear", "start", "2026", "--db", db, "--as", IB]).exit_code == 2
    undone = runner.invoke(main, ["schoolyear", "undo", "--db", db, "--as", IB])
    assert undone.exit_code == 0 and "teruggedraaid" in undone.output
    assert runner.invoke(main, ["schoolyear", "undo", "--db", db]).exit_code == 7
    assert runner.invoke(main, ["schoolyear", "undo", "--db", db, "--as", "Tom de Wit"]).exit_code == 5


def test_migration_from_0002_keeps_data_and_allows_a_rollover(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (id, name, brin) VALUES (1, 'X', '11XX')"))
        conn.execute(text("INSERT INTO people (id, name, roles, school_id, active, created_at) "
                          "VALUES (1, 'Ib Een', 'ib', 1, 1, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO pupils (id, name, first_name, tussenvoegsel, last_name, search_name, sort_name, "
            "date_of_birth, \"group\", school_id) VALUES (1, 'Kim', 'Kim', '', '', 'kim', 'kim', "
            "'2016-01-01', 5, 1)"))
    engine.dispose()
    db = open_database(str(path))
    try:
        from kindroute.services import Services

        svc = Services(db, clock=lambda: datetime(2026, 11, 23, 9, 30))
        with db.engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == schema.HEAD_REVISION
        start_school_year(svc, svc.resolve_actor("Ib Een"), 2026)
        with db.sessions() as s:
            assert s.scalar(select(Pupil.group).where(Pupil.id == 1)) == 6
            assert s.scalar(select(Case.id)) is None
    finally:
        db.dispose()


def test_a_leaver_s_closed_case_is_purged_after_the_retention_term(school):
    from kindroute.services import Services
    from kindroute.services.retention import purge_expired

    svc, ib, cases = school
    start_school_year(svc, ib, 2026)
    svc.tick_checklist(ib, cases["noor"], "observatie")
    svc.tick_checklist(ib, cases["noor"], "ouders_geinformeerd")
    svc.advance_case(ib, cases["noor"], "naar_aanpak_groep")
    for item in svc.route.steps["aanpak_groep"].checklist:
        svc.tick_checklist(ib, cases["noor"], item.id)
    svc.close_case(ib, cases["noor"])
    assert purge_expired(svc, ib, dry_run=True).cases == []
    later = Services(svc.db, clock=lambda: datetime(2028, 11, 23, 9, 0))
    assert [c.case_id for c in purge_expired(later, ib, dry_run=True).cases] == [cases["noor"]]
