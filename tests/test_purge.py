"""Retention: closed cases go completely after 2 years (3 when referred), leaving anonymous counts."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select, text
from test_trust_support import Clock, actor, open_case, run_cli, sqlite_services, tick_all, walk

from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services.audit import verify_history
from kindroute.services.retention import purge_after, purge_expired, purge_history, set_pupil_left
from kindroute.store.models import AccessLog, Case, Pupil, PupilWord, PurgeLog

CASE_TABLES = ("case_tracks", "case_events", "notes", "agreements", "consents", "assignments",
               "checklist_ticks", "documents", "access_log")


@pytest.fixture
def clock():
    return Clock(datetime(2024, 6, 1, 10, 0))


@pytest.fixture
def svc(tmp_path, clock):
    s = sqlite_services(tmp_path / "kr.sqlite", clock)
    yield s
    s.db.dispose()


def rows_of(svc, case_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with svc.db.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t} WHERE case_id = :c"), {"c": case_id}).scalar()
                for t in CASE_TABLES}


def full_case(svc, name: str) -> int:  # type: ignore[no-untyped-def]
    """A case with something in every table, closed via afgesloten."""
    ib = actor(svc)
    cid = open_case(svc, name)
    svc.add_note(ib, cid, "Gesprek met ouders")
    svc.add_agreement(ib, cid, "Observatie in de klas", who_role="leerkracht", due_on="2024-07-01")
    svc.assign_role(ib, cid, "so_expert", "Sara Smit")
    svc.record_consent(ib, cid, role="so_expert", purpose="Advies", given_by="Moeder")
    svc.record_document(actor(svc, "Sara Smit"), cid, "deskundigenadvies", outcome="Dr. Jansen",
                        title="Advies")
    svc.case_detail(actor(svc, "Sara Smit"), cid)  # an access_log row
    walk(svc, cid, "naar_aanpak_groep")
    tick_all(svc, cid)
    svc.close_case(ib, cid, note="Doel behaald")
    return cid


def test_retention_terms():
    assert purge_after("closed", date(2024, 7, 15), date(2024, 1, 1)) == date(2026, 7, 15)
    assert purge_after("referred", date(2024, 7, 15), date(2024, 1, 1)) == date(2027, 7, 15)
    assert purge_after("closed", date(2024, 2, 29), None) == date(2026, 2, 28)
    # closed after leaving: the term runs from closing
    assert purge_after("closed", date(2024, 1, 1), date(2024, 3, 1)) == date(2026, 3, 1)


def test_purge_removes_everything_of_expired_cases_only(svc, clock):
    ib = actor(svc)
    gone = full_case(svc, "Sanne de Vries")
    kept_open = open_case(svc, "Daan Visser")                 # open: never purged
    kept_recent = full_case(svc, "Mila Yilmaz")               # left too recently
    kept_no_date = full_case(svc, "Bo Bos")                   # leaving date unknown
    with svc.db.sessions() as s:
        pupils = {c.id: c.pupil_id for c in s.scalars(select(Case))}
    set_pupil_left(svc, ib, pupils[gone], "2024-06-01")
    set_pupil_left(svc, ib, pupils[kept_open], "2024-06-01")
    clock.now = datetime(2025, 6, 1, 10, 0)
    set_pupil_left(svc, ib, pupils[kept_recent], "2025-06-01")
    assert all(rows_of(svc, gone)[t] > 0 for t in CASE_TABLES), rows_of(svc, gone)

    clock.now = datetime(2026, 5, 31, 10, 0)                  # one day short of two years
    assert purge_expired(svc, ib, dry_run=True).cases == []
    clock.now = datetime(2026, 6, 1, 10, 0)
    dry = purge_expired(svc, ib, dry_run=True)
    assert [e.case_id for e in dry.cases] == [gone]
    assert dry.cases[0].pupil == "Sanne de Vries"
    assert rows_of(svc, gone)["case_events"] > 0              # dry run removed nothing

    result = purge_expired(svc, ib)
    assert result.cases_removed == 1 and result.pupils_removed == 1
    assert rows_of(svc, gone) == dict.fromkeys(CASE_TABLES, 0)
    with svc.db.sessions() as s:
        assert s.get(Case, gone) is None
        assert s.get(Pupil, pupils[gone]) is None
        # the words the name was found by go with the pupil; the others keep theirs
        assert not s.scalars(select(PupilWord).where(PupilWord.pupil_id == pupils[gone])).all()
        assert s.scalars(select(PupilWord).where(PupilWord.pupil_id == pupils[kept_open])).all()
        assert {c.id for c in s.scalars(select(Case))} == {kept_open, kept_recent, kept_no_date}
        log = s.scalars(select(PurgeLog)).one()
        assert log.by_id == ib.id and log.cases_removed == 1
        counts = json.loads(log.counts_json)
    assert counts == {"per_final_step": {"afgesloten": 1}, "per_school": {"OBS De Regenboog": 1},
                      "per_year_closed": {"2024": 1}}
    assert "Sanne" not in log.counts_json and "Vries" not in log.counts_json
    assert purge_history(svc)[0][1] == 1
    assert verify_history(svc.db, svc.route).ok               # the rest still proves itself
    assert purge_expired(svc, ib).cases == []                 # nothing twice


def test_referred_cases_are_kept_three_years(svc, clock):
    ib = actor(svc)
    cid = open_case(svc, "Sanne de Vries")
    with svc.db.engine.begin() as conn:  # shortcut: mark it referred as the route's final step would
        conn.execute(text("UPDATE cases SET status = 'referred', closed_at = :t WHERE id = :c"),
                     {"t": clock.now, "c": cid})
    pupil_id = svc.case_detail(None, cid).pupil_id
    set_pupil_left(svc, ib, pupil_id, "2024-06-01")
    clock.now = datetime(2026, 6, 2, 10, 0)
    assert purge_expired(svc, ib, dry_run=True).cases == []
    clock.now = datetime(2027, 6, 1, 10, 0)
    assert [e.case_id for e in purge_expired(svc, ib, dry_run=True).cases] == [cid]


def test_pupil_with_another_case_is_kept(svc, clock):
    ib = actor(svc)
    first = full_case(svc, "Sanne de Vries")
    second = open_case(svc, "Sanne de Vries")  # same pupil, a new case
    pupil_id = svc.case_detail(None, first).pupil_id
    assert svc.case_detail(None, second).pupil_id == pupil_id
    walk(svc, second, "naar_aanpak_groep")
    tick_all(svc, second)
    svc.close_case(ib, second)
    set_pupil_left(svc, ib, pupil_id, "2024-06-01")
    clock.now = datetime(2026, 6, 2, 10, 0)
    result = purge_expired(svc, ib)
    assert {e.case_id for e in result.cases} == {first, second}
    assert result.pupils_removed == 1


def test_who_may_purge_and_for_which_school(svc, clock):
    ib = actor(svc)
    mine = full_case(svc, "Sanne de Vries")
    other_ib = actor(svc, "Anna Anker")
    theirs = svc.open_case(other_ib, pupil="Mila Yilmaz", school="34CD", group=4, born="2018-01-01")
    with svc.db.engine.begin() as conn:
        conn.execute(text("UPDATE cases SET status = 'closed', closed_at = :t WHERE id = :c"),
                     {"t": clock.now, "c": theirs})
    set_pupil_left(svc, ib, svc.case_detail(None, mine).pupil_id, "2024-06-01")
    set_pupil_left(svc, other_ib, svc.case_detail(None, theirs).pupil_id, "2024-06-01")
    with pytest.raises(AccessDenied):
        set_pupil_left(svc, ib, svc.case_detail(None, theirs).pupil_id, "2024-06-01")
    clock.now = datetime(2026, 7, 1)
    for name in ("Tom de Wit", "Sara Smit", "Jeroen Wijk"):
        with pytest.raises(AccessDenied, match="Alleen de intern begeleider"):
            purge_expired(svc, actor(svc, name), dry_run=True)
    assert [e.case_id for e in purge_expired(svc, ib, dry_run=True).cases] == [mine]
    assert [e.case_id for e in purge_expired(svc, other_ib, dry_run=True).cases] == [theirs]
    assert {e.case_id for e in purge_expired(svc, actor(svc, "Willem SWV"), dry_run=True).cases} == {mine,
                                                                                                     theirs}


def test_leaving_date_is_validated(svc, clock):
    ib = actor(svc)
    pupil_id = svc.case_detail(None, open_case(svc, "Sanne de Vries")).pupil_id
    with pytest.raises(InvalidInput, match="in de toekomst"):
        set_pupil_left(svc, ib, pupil_id, "2030-01-01")
    with pytest.raises(InvalidInput, match="geen geldige datum"):
        set_pupil_left(svc, ib, pupil_id, "31-02-2024")
    with pytest.raises(InvalidInput, match="vóór de geboortedatum"):
        set_pupil_left(svc, ib, pupil_id, "2010-01-01")
    with pytest.raises(AccessDenied):
        set_pupil_left(svc, actor(svc, "Tom de Wit"), pupil_id, "2024-05-01")


def test_purge_cli(tmp_path):
    path = tmp_path / "kr.sqlite"
    svc = sqlite_services(path, Clock(datetime(2020, 6, 1, 10, 0)))
    cid = full_case(svc, "Sanne de Vries")
    svc.db.dispose()
    db = str(path)
    r = run_cli("case", "left", str(cid), "--on", "2020-06-01", "--db", db, "--as", "Ingrid Bakker")
    assert r.returncode == 0, r.stderr
    refused = run_cli("purge", "--dry-run", "--db", db, "--as", "Tom de Wit")
    assert refused.returncode == AccessDenied.exit_code and "Alleen" in refused.stderr
    dry = run_cli("purge", "--dry-run", "--db", db, "--as", "Ingrid Bakker")
    assert dry.returncode == 0, dry.stderr
    assert f"casus {cid}" in dry.stdout and "proefdraai" in dry.stdout
    real = run_cli("purge", "--db", db, "--as", "Ingrid Bakker")
    assert real.returncode == 0, real.stderr
    assert "1 casus(sen) en 1 leerling(en) verwijderd" in real.stdout
    check = sqlite_services.__globals__["open_database"](db)
    with check.sessions() as s:
        assert s.scalar(select(func.count(Case.id))) == 0
        assert s.scalar(select(func.count(AccessLog.id))) == 0
        assert s.scalar(select(func.count(PurgeLog.id))) == 1
    check.dispose()
    bad = run_cli("pupil", "left", "999", "--on", "2020-01-01", "--db", db, "--as", "Ingrid Bakker")
    assert bad.returncode == 3 and "bestaat niet" in bad.stderr
