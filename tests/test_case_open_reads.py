"""Opening a case reads its records and names in one statement, as plain rows.

``case_detail`` is what the case screen waits for; under many users every round trip and every
ORM object counts. The names of everyone the case mentions come from one query
(:func:`kindroute.services.case_people.case_people`), not one ``people`` read per person, and
``case_detail`` reads them with every record of the case in one ``UNION ALL``
(:mod:`kindroute.services.case_rows`), with the case row itself, its pupil, its school and the
access check: one statement in all.
"""

from __future__ import annotations

import pytest
import test_trust_support
from test_trust_support import actor, case_with_clocks, open_case, statements_of

from kindroute.services import Services
from kindroute.services.case_people import case_people

svc = test_trust_support.svc_both  # SQLite, and PostgreSQL when set


def test_a_case_names_everyone_it_mentions_from_one_query(svc):
    ib = actor(svc)
    cid = open_case(svc)
    other = open_case(svc, "Daan Jansen", teacher="Lotte Jansen")
    svc.add_note(ib, cid, "Eerste gesprek")
    svc.add_note(actor(svc, "Tom de Wit"), cid, "Observatie in de klas")
    svc.add_agreement(ib, cid, "Ouders bellen", who="Dirk Directeur")
    with svc.db.engine.connect() as conn:
        names = case_people(conn, cid)
        assert "Lotte Jansen" in case_people(conn, other).values()
    assert set(names.values()) == {"Ingrid Bakker", "Tom de Wit", "Dirk Directeur"}
    assert "Lotte Jansen" not in names.values()

    detail = None

    def read() -> None:
        nonlocal detail
        detail = svc.case_detail(ib, cid)

    seen = statements_of(svc, read)
    assert detail is not None
    assert [n.author for n in detail.notes] == ["Ingrid Bakker", "Tom de Wit"]
    assert [(g.who, g.created_by) for g in detail.agreements] == [("Dirk Directeur", "Ingrid Bakker")]
    assert {a.person for a in detail.assignments} >= {"Tom de Wit"}
    # the names come with the records (by ids from the case's records), no people row on its own
    assert not any(s.startswith("SELECT people.") for s in seen), seen
    assert sum("people.name" in s for s in seen) == 1, seen


def test_opening_a_case_reads_its_clocks_but_not_its_plan(svc):
    """The case screen waits for ``case_detail``: the goals and the OPP belong to the Plan tab
    (read when it is first shown), the clocks to the header (from the rows read anyway and one
    more statement); the case, its pupil, its school and the access check come with them."""
    ib, cid = case_with_clocks(svc)

    detail = None

    def read() -> None:
        nonlocal detail
        detail = svc.case_detail(ib, cid)

    seen = statements_of(svc, read)
    assert detail is not None and detail.goals is None and detail.opp is None
    # every clock, as the services' own clock read computes them
    assert detail.clocks == tuple(svc.case_clocks(ib, cid))
    assert {c.kind for c in detail.clocks} >= {"step", "zorgplicht", "goal", "opp", "agreement"}
    full = svc.case_detail(ib, cid, plan=True)
    assert full.clocks == detail.clocks and [g.goal for g in full.goals] == ["Leest AVI E4"]
    assert full.opp is not None and full.opp.version == 1
    # one statement: the case with its pupil, its school and the access check, then every
    # record, fact and name (no whole row of the plan's tables: goals, OPP versions)
    statements = [s for s in seen if s.split(" ", 1)[0] in ("SELECT", "WITH")]
    assert len(statements) == 1, seen
    assert statements[0].startswith("SELECT 'R' AS kind") and "FROM pupils, cases, schools" in statements[0]
    assert not [s for s in seen if "goals.approach" in s or "opp_versions.reasons" in s], seen


def test_a_case_the_reader_may_not_see_sends_its_head_and_nothing_else(svc):
    """The access check is inside the one statement: for a case of another school the server
    sends the case's head (to tell "not yours" from "not there") and none of its records."""
    from kindroute.errors import AccessDenied, NotFound
    from kindroute.services import access
    from kindroute.services.case_rows import open_statement, read_case

    cid = open_case(svc)
    svc.add_note(actor(svc), cid, "Eerste gesprek")
    outsider = actor(svc, "Lotte Jansen")  # a teacher not assigned to this case
    today = svc.today()
    with svc.db.engine.connect() as conn:
        for who, visible in ((actor(svc), True), (outsider, False)):
            statement = open_statement(access.visible_clause(who, svc.route, today))
            head, rows, names = read_case(conn, statement, cid)
            assert head is not None and head.id == cid and head.visible is visible
            assert head.pupil_name == "Sanne de Vries" and isinstance(head.group, int)
            assert bool(rows["T"]) is visible and bool(rows["N"]) is visible and bool(names) is visible
        assert read_case(conn, statement, cid + 999)[0] is None
    with pytest.raises(AccessDenied):  # a teacher of another class
        svc.case_detail(outsider, cid)
    with pytest.raises(NotFound):  # a case that is not there
        svc.case_detail(actor(svc), cid + 999)


def test_the_guards_facts_and_clocks_from_the_case_rows_are_those_a_step_reads(tmp_path):
    """``case_detail`` builds the guards' facts and the clocks' inputs from the case's rows; a step
    reads them with :func:`clocks.step_statement`. For every case of a demo (assignments, consents,
    documents and decisions with a clock, checklist ticks, OPP versions with instemming and
    hoorrecht, Plus-klas places and placements, goals, agreements) both give the same rows, so the
    same facts and the same clocks."""
    from collections import Counter
    from datetime import date, datetime

    from sqlalchemy import true

    from kindroute.demo import generate
    from kindroute.services import clocks, stepping
    from kindroute.services.case_rows import (
        clock_inputs,
        open_statement,
        read_case,
        read_case_rows,
        step_rows,
    )
    from kindroute.store.db import open_database
    from kindroute.store.models import Case

    db = open_database(str(tmp_path / "demo.sqlite"))
    generate(db, cases=400, seed=3, now=datetime(2026, 11, 23, 9, 30))
    route, today = Services(db).route, date(2026, 11, 23)
    statement = clocks.step_statement(clocks.clock_kinds(route))
    opening = open_statement(true())  # the file's owner sees every case
    kinds: Counter[str] = Counter()
    with db.sessions() as s:
        cases = s.query(Case).all()
        assert len(cases) == 400
        for case in cases:
            read = [tuple(r) for r in s.execute(statement, {"case_id": case.id})]
            kinds.update(r[0] for r in read)
            rows, _names = read_case_rows(s, case.id)
            made = step_rows(rows, route)
            assert sorted(read, key=repr) == sorted(made, key=repr), case.id
            born = case.pupil.date_of_birth
            assert (stepping.build_facts(route, made, today, born)
                    == stepping.build_facts(route, read, today, born)), case.id
            assert clock_inputs(case, rows, route) == clocks.read_inputs(s, case.id, route), case.id
            # the one statement a case is opened with gives the same rows, and the case row
            head, opened, _names = read_case(s.connection(), opening, case.id)
            assert {k: v for k, v in opened.items() if v} == {k: v for k, v in rows.items() if v}
            assert head is not None and head.visible
            assert (head.status, head.version, head.registered_on, head.zorgplicht_extended,
                    head.pupil_id, head.group, head.date_of_birth, head.school_id) == (
                case.status, case.version, case.registered_on, case.zorgplicht_extended,
                case.pupil_id, case.pupil.group, born, case.school_id), case.id
    # the demo gives every kind of row something to compare
    assert {"A", "C", "D", "K", "O", "I", "H", "T", "P", "L", "g", "a", "f"} <= set(kinds), kinds
    db.dispose()
