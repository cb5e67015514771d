"""Opening a case reads its records and names in one statement, as plain rows.

``case_detail`` is what the case screen waits for; under many users every round trip and every
ORM object counts. The names of everyone the case mentions come from one query
(:func:`kindroute.services.case_people.case_people`), not one ``people`` read per person, and
``case_detail`` reads them with every record of the case in one ``UNION ALL``
(:mod:`kindroute.services.case_rows`): three statements in all.
"""

from __future__ import annotations

import test_trust_support
from sqlalchemy import event
from test_trust_support import actor, open_case

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

    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(svc.db.engine, "before_cursor_execute", record)
    try:
        detail = svc.case_detail(ib, cid)
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", record)
    assert [n.author for n in detail.notes] == ["Ingrid Bakker", "Tom de Wit"]
    assert [(g.who, g.created_by) for g in detail.agreements] == [("Dirk Directeur", "Ingrid Bakker")]
    assert {a.person for a in detail.assignments} >= {"Tom de Wit"}
    # the names come with the records (by ids from the case's records), no people row on its own
    assert not any(s.startswith("SELECT people.") for s in seen), seen
    assert sum("people.name" in s for s in seen) == 1, seen


def _statements(svc: Services, call) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(svc.db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(svc.db.engine, "before_cursor_execute", record)
    return seen


def test_opening_a_case_reads_its_clocks_but_not_its_plan(svc):
    """The case screen waits for ``case_detail``: the goals and the OPP belong to the Plan tab
    (read when it is first shown), the clocks to the header (from the rows read anyway and one
    more statement); the case, its pupil, its school and the access check are one statement."""
    ib = actor(svc)
    cid = open_case(svc, registered_on="2026-11-01")
    svc.add_goal(ib, cid, area="lezen", goal="Leest AVI E4", approach="Duolezen", who="ouders",
                 evaluate_on="2026-12-01")
    svc.save_opp(ib, cid, uitstroomprofiel="vmbo basis", reasons="IQ 85")
    svc.add_agreement(ib, cid, "Ouders bellen", who="Dirk Directeur", due_on="2026-12-03")

    detail = None

    def read() -> None:
        nonlocal detail
        detail = svc.case_detail(ib, cid)

    seen = _statements(svc, read)
    assert detail is not None and detail.goals is None and detail.opp is None
    # every clock, as the services' own clock read computes them
    assert detail.clocks == tuple(svc.case_clocks(ib, cid))
    assert {c.kind for c in detail.clocks} >= {"step", "zorgplicht", "goal", "opp", "agreement"}
    full = svc.case_detail(ib, cid, plan=True)
    assert full.clocks == detail.clocks and [g.goal for g in full.goals] == ["Leest AVI E4"]
    assert full.opp is not None and full.opp.version == 1
    # three statements: the case with its pupil, its school and the access check; the guards'
    # facts; every record and name (no whole row of the plan's tables: goals, OPP versions)
    statements = [s for s in seen if s.split(" ", 1)[0] in ("SELECT", "WITH")]
    assert len(statements) == 3, seen
    assert statements[0].startswith("SELECT cases.") and " JOIN pupils " in statements[0], seen
    assert not [s for s in seen if "goals.approach" in s or "opp_versions.reasons" in s], seen
