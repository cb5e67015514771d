"""Leaks: a refusal never tells about a case the person cannot see; the teacher of a new case is a
teacher of its school; outside roles' lists and exports are in the access log; ``demo --append``
needs an identity on a shared database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from test_trust_support import (
    Clock,
    actor,
    make_services,
    needs_pg,
    open_case,
    pg_database,
    run_cli,
    sqlite_services,
)

from kindroute.errors import InvalidInput
from kindroute.store.db import open_database


@pytest.fixture
def svc(tmp_path):
    s = sqlite_services(tmp_path / "kr.sqlite", Clock())
    s.add_person("Kees Anker", ["leerkracht"], school="34CD")
    yield s
    s.db.dispose()


def test_a_teacher_does_not_learn_of_an_open_case_they_cannot_see(svc):
    cid = open_case(svc, "Sanne de Vries", teacher="Tom de Wit")
    lotte = svc.resolve_actor("Lotte Jansen")
    with pytest.raises(InvalidInput) as err:
        svc.open_case(lotte, pupil="Sanne de Vries", school="12AB", group=5, born="2017-03-01")
    assert str(cid) not in str(err.value) and "open casus" not in str(err.value)
    # the IB, who sees it, is told which case
    with pytest.raises(InvalidInput, match=rf"al een open casus \({cid}\)"):
        svc.open_case(actor(svc), pupil="Sanne de Vries", school="12AB", group=5, born="2017-03-01")


@pytest.mark.parametrize("teacher", ["Dirk Directeur", "Kees Anker", "Sara Smit"])
def test_case_open_teacher_must_teach_at_that_school(svc, tmp_path, teacher):
    r = run_cli("case", "open", "--db", str(tmp_path / "kr.sqlite"), "--as", "Ingrid Bakker",
                "--pupil", "Daan Visser", "--school", "12AB", "--group", "4", "--born", "2018-02-02",
                "--teacher", teacher)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "geen leerkracht van OBS De Regenboog" in r.stderr
    with svc.db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM cases")).scalar() == 0


def _outside_world(svc) -> int:  # type: ignore[no-untyped-def]
    cid = open_case(svc)
    ib = actor(svc)
    svc.record_consent(ib, cid, role="so_expert", purpose="Observatie", given_by="Moeder")
    svc.assign_role(ib, cid, "so_expert", "Sara Smit")
    return cid


def test_outside_roles_lists_and_exports_are_in_the_access_log(svc, tmp_path):
    cid = _outside_world(svc)
    path = str(tmp_path / "kr.sqlite")
    r = run_cli("cases", "--db", path, "--as", "Sara Smit")
    assert r.returncode == 0, r.stderr
    r = run_cli("export", "cases", "--db", path, "--as", "Sara Smit", "-o", str(tmp_path / "out.csv"))
    assert r.returncode == 0, r.stderr
    with svc.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT p.name, a.case_id, a.action FROM access_log a "
                                 "JOIN people p ON p.id = a.person_id ORDER BY a.id")).all()
    assert [tuple(r) for r in rows] == [("Sara Smit", cid, "list"), ("Sara Smit", cid, "export")]
    r = run_cli("audit", "verify", "--db", path)
    assert r.returncode == 0, r.stdout


def test_school_staff_lists_are_not_logged(svc, tmp_path):
    _outside_world(svc)
    r = run_cli("cases", "--db", str(tmp_path / "kr.sqlite"), "--as", "Tom de Wit")
    assert r.returncode == 0, r.stderr
    with svc.db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM access_log")).scalar() == 0


@needs_pg
def test_demo_append_needs_an_identity_on_a_shared_database():
    with pg_database() as url:
        svc = make_services(open_database(url), Clock())
        open_case(svc)
        svc.db.dispose()
        r = run_cli("demo", "--append", "--cases", "3", "--db", url)
        assert r.returncode in (5, 7), r.stdout + r.stderr
        db = open_database(url)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM cases")).scalar() == 1
        db.dispose()
