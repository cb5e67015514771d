"""Demo data: deterministic, every step occupied, histories the route allows, guards that held."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select, text

from kindroute.demo import generate
from kindroute.errors import InvalidInput
from kindroute.services import CaseFilter, Services
from kindroute.services.audit import verify_history
from kindroute.services.clocks import next_due
from kindroute.store.db import open_database
from kindroute.store.models import (
    Assignment,
    Case,
    CaseEvent,
    CaseTrack,
    ChecklistTick,
    ConsentRecord,
    Document,
    Person,
    School,
)
from kindroute.workflow import CaseFacts, Consent, get_engine, load_route
from kindroute.workflow.model import Record

NOW = datetime(2026, 11, 23, 9, 30)
TABLES = ("schools", "people", "pupils", "cases", "case_tracks", "case_events", "assignments", "consents",
          "checklist_ticks", "documents", "notes", "agreements", "goals", "goal_evaluations", "opp_versions",
          "opp_goals", "opp_instemming", "opp_hoorrecht")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo database (60 cases, seed 1) shared by the read-only tests of this module."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    db = open_database(str(path))
    summary = generate(db, cases=60, seed=1, now=NOW)
    yield db, summary
    db.dispose()


#: Keyed events (the Plus-klas placements the demo makes through the services) are sealed with each
#: database's own key: their hashes, and the heads of their cases, differ between two databases of
#: the same seed.
KEYED = {"case_events": ("scheme", ("hash", "prev_hash", "gprev")),
         "cases": ("history_scheme", ("history_head",))}


def dump(db) -> dict[str, list[tuple]]:
    with db.engine.connect() as conn:
        out = {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))] for t in TABLES}
        for table, (flag, blank) in KEYED.items():
            names = list(conn.execute(text(f"SELECT * FROM {table} LIMIT 1")).keys())
            at = names.index(flag)
            out[table] = [tuple("" if r[at] == 2 and names[i] in blank else v for i, v in enumerate(r))
                          for r in out[table]]
        return out


def test_same_seed_same_data_other_seed_other_data(demo, tmp_path):
    db, _ = demo
    again = open_database(str(tmp_path / "again.sqlite"))
    generate(again, cases=60, seed=1, now=NOW)
    other = open_database(str(tmp_path / "other.sqlite"))
    generate(other, cases=60, seed=2, now=NOW)
    try:
        assert dump(again) == dump(db)
        assert dump(other)["pupils"] != dump(db)["pupils"]
        assert dump(other)["people"] == dump(db)["people"]  # the staff is the same for every seed
    finally:
        again.dispose()
        other.dispose()


def test_pupil_names_are_split_and_folded_like_the_services_do(demo):
    from kindroute.services.text import fold, name_words, split_name
    from kindroute.store.models import Pupil, PupilWord

    db, _ = demo
    with db.sessions() as s:
        pupils = s.scalars(select(Pupil)).all()
        words: dict[int, set[str]] = {}
        for pid, word in s.execute(select(PupilWord.pupil_id, PupilWord.word)):
            words.setdefault(pid, set()).add(word)
    assert len(pupils) == 310
    assert any(p.tussenvoegsel for p in pupils) and any(not p.name.isascii() for p in pupils)
    for p in pupils:
        first, tv, last = split_name(p.name)
        assert (p.first_name, p.tussenvoegsel, p.last_name) == (first, tv, last), p.name
        assert p.search_name == fold(p.name)
        assert p.sort_name == fold(f"{last} {first} {tv}")
        assert words[p.id] == name_words(p.name), p.name


def test_every_step_of_the_route_is_occupied(demo):
    db, summary = demo
    route = load_route()
    with db.sessions() as s:
        occupied = set(s.scalars(select(CaseTrack.step).distinct()))
        assert s.scalar(select(func.count(Case.id))) == 60 == summary.cases
    assert occupied == set(route.steps)


def test_fixed_people_for_examples(demo):
    db, _ = demo
    with db.sessions() as s:
        rows = {p.name: p for p in s.scalars(select(Person))}
        first = s.scalar(select(School).where(School.brin == "21KL"))
    assert first.name == "OBS De Regenboog"
    assert rows["Ingrid Bakker"].roles == "ib" and rows["Ingrid Bakker"].school_id == first.id
    assert rows["Tom de Wit"].roles == "leerkracht" and rows["Tom de Wit"].school_id == first.id
    for role in ("leerkracht", "ib", "directeur", "so_expert", "plusklas", "jeugdhulp", "smw", "ggd", "swv"):
        assert any(role in p.roles.split() for p in rows.values()), role
    assert all(p.organisation for p in rows.values() if p.school_id is None)


def test_histories_replay_chains_verify_and_tracks_agree(demo):
    db, _ = demo
    route = load_route()
    engine = get_engine(route)
    report = verify_history(db, route)
    assert report.ok, report.problems[:5]
    assert report.events > 60
    with db.sessions() as s:
        for case in s.scalars(select(Case)):
            events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.seq)).all()
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            assert case.history_count == len(events)
            # the steps (a case placed in the Plus-klas has a keyed event for that too)
            replayed = engine.replay((e.track, e.from_step, e.to_step, e.trigger) for e in events
                                     if e.kind == "step")
            tracks = {t.track: t for t in case.tracks}
            assert {k: v for k, v in replayed.items() if v != "-"} == {k: t.step for k, t in tracks.items()}
            for t in tracks.values():
                entering = [e for e in events if e.track == t.track]
                seq = entering[-1].seq if entering else 0
                assert t.entered_seq == seq
                assert t.entered_at == (entering[-1].at if entering else case.opened_at)
                assert t.deadline == engine.deadline(t.step, t.entered_at.date())
                assert t.at_turn_role == engine.at_turn_role(t.step)
            main = tracks["school"].step
            expected = {"afgesloten": "closed", "verwezen_sbo_so": "referred"}.get(main, "open")
            assert case.status == expected
            steps = [e for e in events if e.kind == "step"]
            assert all(e.at < NOW for e in steps)
            assert all(e.note for e in steps)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_guards_held_at_the_time_of_every_step(demo):
    """Rebuild the facts as they were just before each event and check the route allowed it."""
    db, _ = demo
    route = load_route()
    engine = get_engine(route)
    checked = 0
    with db.sessions() as s:
        for case in s.scalars(select(Case)):
            def of(model, case_id=case.id):  # type: ignore[no-untyped-def]
                return s.scalars(select(model).where(model.case_id == case_id)).all()

            events = sorted((e for e in of(CaseEvent) if e.kind == "step"), key=lambda e: e.seq)
            assignments, consents = of(Assignment), of(ConsentRecord)
            ticks, docs = of(ChecklistTick), of(Document)
            steps = engine.initial_steps()
            entered = {t: (0, case.opened_at) for t in steps}
            for e in events:
                at = e.at

                def current(step: str, steps=steps) -> bool:
                    return steps.get(route.steps[step].track) == step

                done = frozenset((t.step, t.item) for t in ticks if t.done_at <= at and current(t.step)
                                 and t.visit == entered[route.steps[t.step].track][0])
                held = [a for a in assignments
                        if a.started_at <= at and (a.ended_at is None or a.ended_at > at)]
                facts = CaseFacts(
                    steps=dict(steps), today=at.date(), pupil_birth_date=case.pupil.date_of_birth,
                    assigned_roles=frozenset(a.role for a in held),
                    assignees=frozenset((a.role, a.person_id) for a in held),
                    consents=tuple(Consent(c.role, c.purpose, c.given_by, c.valid_from, c.valid_until,
                                           c.withdrawn_on, c.pupil_cosigned)
                                   for c in consents if c.recorded_at <= at),
                    checklist_done=done,
                    records=tuple(Record(d.kind, d.outcome, d.author_id, d.step, d.at)
                                  for d in sorted(docs, key=lambda d: d.id) if d.at <= at),
                    entered_at={t: when for t, (_seq, when) in entered.items()},
                )
                option = engine.check(facts, e.trigger)
                assert option.allowed, (case.id, e.seq, e.trigger, option.reasons)
                by = [a for a in assignments if a.person_id == e.actor_id and a.started_at <= at]
                assert by, (case.id, e.seq, "author holds no role on the case")
                steps[e.track] = e.to_step
                entered[e.track] = (e.seq, at)
                checked += 1
    assert checked > 100


def test_some_next_steps_blocked_by_consent_some_overdue(demo):
    db, _ = demo
    svc = Services(db, clock=lambda: NOW)
    rows = svc.list_cases(None, CaseFilter(status=None))
    overdue = [r for r in rows if r.overdue]
    assert 0 < len(overdue) < len([r for r in rows if r.status == "open"])
    blocked_by_consent = []
    kinds = set()
    for r in rows:
        for n in svc.case_detail(None, r.id).next:
            if not n.allowed and n.reasons and all("Toestemming" in x for x in n.reasons):
                blocked_by_consent.append((r.id, n.trigger))
                kinds |= {k for k in ("ontbreekt", "ingetrokken", "verlopen") if k in " ".join(n.reasons)}
    assert len(blocked_by_consent) >= 3
    assert len(kinds) >= 2, kinds
    allowed = sum(1 for r in rows for n in svc.case_detail(None, r.id).next if n.allowed)
    assert allowed > 10


def test_every_case_keeps_the_next_due_its_clocks_give(demo):
    """The plans and next_due are made with the cases, from their rows (nothing is read back):
    next_due is what reading every clock of the case afresh gives, for cases with goals, OPP
    versions and agreements, and for cases whose decision period was drawn after the load."""
    from kindroute.store.models import Goal, OppVersion

    db, _ = demo
    route = load_route()
    with db.engine.connect() as conn:
        due = dict(conn.execute(select(Case.id, Case.next_due)).all())
        with_period = set(conn.scalars(select(Document.case_id).where(Document.fields_json.is_not(None))))
        with_goals = set(conn.scalars(select(Goal.case_id)))
        with_opp = set(conn.scalars(select(OppVersion.case_id)))
        assert with_period and with_opp and 0 < len(with_goals) < len(due)
        assert sum(d is not None for d in due.values()) > len(due) // 2
        assert {cid: next_due(conn, cid, route) for cid in due} == due


def test_refuses_a_database_with_cases_unless_append(tmp_path):
    db = open_database(str(tmp_path / "d.sqlite"))
    try:
        generate(db, cases=5, seed=3, now=NOW)
        with pytest.raises(InvalidInput, match="--append"):
            generate(db, cases=5, seed=3, now=NOW)
        generate(db, cases=7, seed=4, now=NOW, append=True)
        with db.sessions() as s:
            assert s.scalar(select(func.count(Case.id))) == 12
            due = dict(s.execute(select(Case.id, Case.next_due)).all())
            assert {cid: next_due(s, cid, load_route()) for cid in due} == due
            names = list(s.scalars(select(Person.name)))
        assert names.count("Ingrid Bakker") == 1  # staff reused, not doubled
        assert verify_history(db, load_route()).ok
    finally:
        db.dispose()


def test_a_failure_half_way_writes_nothing(tmp_path, monkeypatch):
    import kindroute.demo as demo_module

    db = open_database(str(tmp_path / "f.sqlite"))
    real_case = demo_module.RowMaker.case
    calls = {"n": 0}

    def failing_case(self, *args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 12:
            raise RuntimeError("stroomstoring")
        return real_case(self, *args)

    monkeypatch.setattr(demo_module, "CHUNK", 5)  # batches were already handed to the writer
    monkeypatch.setattr(demo_module.RowMaker, "case", failing_case)
    try:
        _fails_and_leaves_nothing(db, Case.id, Person.id)
        monkeypatch.setattr(demo_module.RowMaker, "case", real_case)
        assert generate(db, cases=20, seed=1, now=NOW).cases == 20  # and the database still works
    finally:
        db.dispose()


def test_the_plans_and_periods_are_in_the_load_transaction(tmp_path, monkeypatch):
    """The periods and their cases' next_due are written on the load's connection before it
    commits: a failure there leaves no cases and no plans behind."""
    import kindroute.demo_plan as plan_module
    from kindroute.store.models import Goal

    def failing_finish(self, conn):  # type: ignore[no-untyped-def]
        raise RuntimeError("stroomstoring")

    db = open_database(str(tmp_path / "p.sqlite"))
    monkeypatch.setattr(plan_module.PlanMaker, "finish", failing_finish)
    try:
        _fails_and_leaves_nothing(db, Case.id, Goal.id)
    finally:
        db.dispose()


def _fails_and_leaves_nothing(db, *ids) -> None:  # type: ignore[no-untyped-def]
    """A demo of 20 cases fails ("stroomstoring") and leaves no row in the tables of ``ids``."""
    with pytest.raises(RuntimeError, match="stroomstoring"):
        generate(db, cases=20, seed=1, now=NOW)
    with db.sessions() as s:
        for column in ids:
            assert s.scalar(select(func.count(column))) == 0, column


def test_empty_and_tiny_runs(tmp_path):
    db = open_database(str(tmp_path / "e.sqlite"))
    try:
        assert generate(db, cases=0, seed=1, now=NOW).cases == 0
        generate(db, cases=3, seed=1, now=NOW, append=True)
        assert verify_history(db, load_route()).ok
    finally:
        db.dispose()


@pytest.mark.pg
def test_demo_on_postgresql(tmp_path, monkeypatch):
    url = os.environ.get("KINDROUTE_TEST_PG_URL")
    if not url:
        pytest.skip("KINDROUTE_TEST_PG_URL is not set")
    monkeypatch.setenv("KINDROUTE_HISTORY_KEY_FILE", str(tmp_path / "history.key"))  # the SWV's key
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"kr_demo_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"cannot create a PostgreSQL database: {exc}")
    try:
        db = open_database(make_url(url).set(database=name).render_as_string(hide_password=False))
        try:
            generate(db, cases=60, seed=1, now=NOW)
            assert verify_history(db, load_route()).ok
            svc = Services(db, clock=lambda: NOW)
            assert svc.case_count() == 60
            ib = svc.resolve_actor("Ingrid Bakker")
            case_id = svc.open_case(ib, pupil="Nieuw Kind", school="21KL", group=3, born="2019-01-01")
            assert case_id == 61  # the id sequences were moved past the demo's ids
        finally:
            db.dispose()
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_rows_go_through_the_store_tables_and_unknown_columns_are_refused(tmp_path):
    from kindroute.demo.writer import TABLE_ORDER, TABLES, RowWriter
    from kindroute.store.models import Base

    # the tables and their order are the store's own
    assert [t for t in Base.metadata.sorted_tables if t.name in TABLES] == list(TABLES.values())
    assert TABLE_ORDER.index("cases") < TABLE_ORDER.index("case_events")
    db = open_database(str(tmp_path / "w.sqlite"))
    try:
        with db.engine.begin() as conn:
            writer = RowWriter(conn)
            writer.insert("schools", [{"id": 7, "name": "OBS Test", "brin": "99ZZ"}])
            with pytest.raises(ValueError, match="no column"):
                writer.insert("schools", [{"id": 8, "name": "OBS Fout", "brinn": "98ZZ"}])
            with pytest.raises(ValueError, match="lack column.*tussenvoegsel"):  # has a default in the model
                writer.insert("pupils", [{"id": 1, "name": "Kind", "first_name": "Kind", "last_name": "K"}])
            assert conn.execute(text("SELECT id, name, brin FROM schools")).all() == [(7, "OBS Test", "99ZZ")]
    finally:
        db.dispose()
