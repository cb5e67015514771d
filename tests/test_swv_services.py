"""The verbeterbord, the sociale kaart and Plus-klas places through the services and the CLI;
the ``plusklas_place`` guard; migration 0004 on a database that holds data."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import create_engine, func, select, text
from test_trust_support import run_cli

from kindroute.errors import AccessDenied, InvalidInput, NotFound
from kindroute.services import Services
from kindroute.store import schema
from kindroute.store.db import open_database
from kindroute.store.models import BoardAction, PlusklasPlacement
from kindroute.store.uow import UnitOfWork
from kindroute.workflow import CaseFacts, GuardSpec, load_route, parse_route
from kindroute.workflow.guards import evaluate
from kindroute.workflow.loader import default_route_path


def _open(svc: Services, name: str, who: str = "Ingrid Bakker", school: str = "12AB") -> int:
    return svc.open_case(svc.resolve_actor(who), pupil=name, school=school, group=5, born="2017-03-01")


# ----------------------------------------------------------------------------- verbeterbord
def test_board_actions_move_through_the_columns(seeded):
    swv = seeded.resolve_actor("Willem Hof")
    ib = seeded.resolve_actor("Ingrid Bakker")
    a = seeded.board.add(swv, "MDO-momenten vastleggen", goal="Sneller MDO", owner="Ingrid Bakker",
                         due="2026-11-01", step="ondersteuningsteam")
    assert (a.status, a.school, a.owner, a.overdue) == ("idee", None, "Ingrid Bakker", True)
    b = seeded.board.add(ib, "Signalering in 2 weken", school="12AB", status="doen")
    assert b.school == "OBS De Regenboog"
    assert seeded.board.move(ib, b.id, "bezig").status == "bezig"
    done = seeded.board.done(ib, b.id, success="Formulier korter")
    assert (done.status, done.success) == ("klaar", "Formulier korter") and done.done_at is not None
    with pytest.raises(AccessDenied):
        seeded.board.move(ib, a.id, "doen")  # the SWV's board
    other = seeded.resolve_actor("Anna Anker")
    with pytest.raises(AccessDenied):
        seeded.board.move(other, b.id, "idee")  # another school's board
    assert [x.id for x in seeded.board.list(other)] == [a.id]  # sees the SWV's board only
    assert {x.id for x in seeded.board.list(ib)} == {a.id, b.id}
    with pytest.raises(InvalidInput, match="Onbekende status"):
        seeded.board.move(swv, a.id, "gedaan")
    with pytest.raises(InvalidInput, match="Onbekende stap"):
        seeded.board.add(swv, "x", step="nergens")
    with pytest.raises(NotFound):
        seeded.board.done(swv, 999)
    r = seeded.board.add_retro(swv, went_well="Kort", can_be_better="Eigenaar", actions="Eén idee per week")
    assert seeded.board.retros(ib)[0].id == r.id and r.held_on == date(2026, 11, 23)


# ----------------------------------------------------------------------------- sociale kaart
def test_partners_on_the_sociale_kaart(seeded):
    swv = seeded.resolve_actor("Willem Hof")
    p = seeded.partners.add(swv, "Wijkteam Noord", kind="wijkteam", contact="Jeroen Wijk",
                            reach="088 123", meetings="2e dinsdag", schools=["12AB"], people=["Jeroen Wijk"])
    assert (p.kind_label, p.schools, p.people) == ("Wijkteam / CJG", ("OBS De Regenboog",), ("Jeroen Wijk",))
    seeded.partners.add(swv, "GGD", kind="ggd", schools=["12AB", "34CD"])
    assert [x.name for x in seeded.partners.list(school="34CD")] == ["GGD"]
    assert seeded.partners.show("wijkteam noord").id == p.id
    with pytest.raises(InvalidInput, match="al een partner"):
        seeded.partners.add(swv, "GGD", kind="ggd")
    with pytest.raises(InvalidInput, match="Onbekende soort"):
        seeded.partners.add(swv, "X", kind="bakker")
    with pytest.raises(AccessDenied):
        seeded.partners.add(seeded.resolve_actor("Tom de Wit"), "Y", kind="ggd")
    case_id = _open(seeded, "Eva Jansen")
    school, partners = seeded.partners.for_case(seeded.resolve_actor("Ingrid Bakker"), case_id)
    assert school == "OBS De Regenboog" and [x.name for x in partners] == ["GGD", "Wijkteam Noord"]


# ----------------------------------------------------------------------------- Plus-klas
def test_plusklas_places_in_order_of_request(seeded):
    swv = seeded.resolve_actor("Willem Hof")
    ib = seeded.resolve_actor("Ingrid Bakker")
    loc = seeded.plusklas.add_location(swv, "Plusklas De Brug", places=1, school="12AB", days="di",
                                       serves=[("34CD", 20)])
    assert [(s.school, s.travel_minutes) for s in loc.serves] == [("CBS Het Anker", 20),
                                                                 ("OBS De Regenboog", 0)]
    a, b, c = (_open(seeded, n) for n in ("Eva Jansen", "Sem de Boer", "Noor Bakker"))
    assert seeded.plusklas.place(ib, a, "Plusklas De Brug").status == "geplaatst"
    waiting_b = seeded.plusklas.place(ib, b, loc.id, requested="2026-11-20")
    waiting_c = seeded.plusklas.place(ib, c, loc.id, requested="2026-11-10")
    assert (waiting_b.status, waiting_b.position) == ("wachtend", 1)
    assert (waiting_c.status, waiting_c.position) == ("wachtend", 1)  # asked earlier: first in line
    queue = [(p.case_id, p.position) for p in seeded.plusklas.list(ib)[0].placements if p.position]
    assert queue == [(c, 1), (b, 2)]
    with pytest.raises(InvalidInput, match="al een plaats"):
        seeded.plusklas.place(ib, a, loc.id)
    assert seeded.plusklas.leave(ib, a).status == "beeindigd"
    assert seeded.plusklas.place(ib, b, loc.id).status == "wachtend"  # c is first in line
    placed = seeded.plusklas.place(ib, c, loc.id, start="2026-11-23")
    assert placed.status == "geplaatst" and placed.start_on == date(2026, 11, 23)
    [info] = seeded.plusklas.list(ib)
    assert (info.occupied, info.free, info.waiting) == (1, 0, 1)
    # outside the school: no access to the case, nothing written
    other = seeded.resolve_actor("Anna Anker")
    with pytest.raises(AccessDenied):
        seeded.plusklas.place(other, b, loc.id)
    anker = _open(seeded, "Bo Anker", who="Anna Anker", school="34CD")
    seeded.plusklas.add_location(swv, "Plusklas Oost", places=3, school="12AB")
    with pytest.raises(InvalidInput, match="bedient"):
        seeded.plusklas.place(other, anker, "Plusklas Oost")
    with pytest.raises(InvalidInput, match="toekomst"):
        seeded.plusklas.place(ib, b, loc.id, requested="2027-01-01")
    with UnitOfWork(seeded.db, write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PlusklasPlacement)) == 3


def test_plusklas_place_guard(seeded, tmp_path):
    """A route may ask for a free Plus-klas place before the Plus-klas step."""
    facts = CaseFacts(steps={"school": "opp_opstellen"}, today=date(2026, 11, 23))
    route = load_route()
    trigger = route.triggers["naar_plusklas"]
    spec = GuardSpec("plusklas_place", True)
    blocked = evaluate(spec, facts, route, trigger)
    assert not blocked.allowed and "geen vrije plek" in blocked.reason
    free = CaseFacts(steps={}, today=facts.today, plusklas_free_places=2)
    holds = CaseFacts(steps={}, today=facts.today, plusklas_placed=True)
    assert evaluate(spec, free, route, trigger).allowed and evaluate(spec, holds, route, trigger).allowed
    # validation knows it; the services supply the facts
    text_ = default_route_path().read_text(encoding="utf-8").replace(
        'to = "plusklas"\nguards = { checklist_complete = true,',
        'to = "plusklas"\nguards = { plusklas_place = true, checklist_complete = true,')
    guarded = parse_route(text_, "guarded.toml")
    assert any(g.name == "plusklas_place" for g in guarded.triggers["naar_plusklas"].guards)
    # who runs the places follows the route: the role at turn in the step the guard leads to
    from kindroute.services.plusklas import plusklas_roles

    assert plusklas_roles(route) == {"plusklas"} == plusklas_roles(guarded)
    coached = parse_route(text_.replace('at_turn = "plusklas"', 'at_turn = "so_expert"'), "coached.toml")
    assert plusklas_roles(coached) == {"so_expert"}
    with pytest.raises(Exception, match="plusklas_place"):
        parse_route(text_.replace("plusklas_place = true", "plusklas_place = 3"), "bad.toml")
    from kindroute.services.route_store import route_in_use

    route_in_use(seeded.db, guarded, now=seeded.now(), adopt_if_empty=True)  # no cases yet: adopt it
    svc = Services(seeded.db, guarded, clock=seeded.clock)
    swv, ib = svc.resolve_actor("Willem Hof"), svc.resolve_actor("Ingrid Bakker")
    case_id = _open(svc, "Eva Jansen")
    with UnitOfWork(svc.db, write=False) as uow:
        from kindroute.store.models import Case

        assert svc.facts(uow.session, uow.session.get(Case, case_id)).plusklas_free_places == 0
    svc.plusklas.add_location(swv, "Plusklas De Brug", places=1, school="34CD", serves=[("12AB", 10)])
    other = _open(svc, "Sem de Boer")
    with UnitOfWork(svc.db, write=False) as uow:
        from kindroute.store.models import Case

        assert svc.facts(uow.session, uow.session.get(Case, case_id)).plusklas_free_places == 1
        svc.plusklas.place(ib, other, "Plusklas De Brug")
    with UnitOfWork(svc.db, write=False) as uow:
        facts_now = svc.facts(uow.session, uow.session.get(Case, case_id))
        assert (facts_now.plusklas_free_places, facts_now.plusklas_placed) == (0, False)
        facts_other = svc.facts(uow.session, uow.session.get(Case, other))
        assert facts_other.plusklas_placed
    trig = guarded.triggers["naar_plusklas"]
    assert not evaluate(spec, facts_now, guarded, trig).allowed  # the one place is taken
    assert evaluate(spec, facts_other, guarded, trig).allowed  # the placed case holds one
    svc.plusklas.leave(ib, other)
    with UnitOfWork(svc.db, write=False) as uow:
        assert evaluate(spec, svc.facts(uow.session, uow.session.get(Case, case_id)), guarded, trig).allowed


# ----------------------------------------------------------------------------- the command line
def test_cli_board_partners_plusklas_and_report(seeded, db_path):
    db = str(db_path)
    out = run_cli("board", "add", "MDO vastleggen", "--goal", "Sneller", "--due", "2026-12-01",
                  "--db", db, "--as", "Willem Hof", "--format", "json")
    assert out.returncode == 0, out.stderr
    action = json.loads(out.stdout)
    assert action["status"] == "idee" and action["school"] is None
    out = run_cli("board", "move", str(action["id"]), "bezig", "--db", db, "--as", "Willem Hof")
    assert out.returncode == 0 and "bezig" in out.stdout
    out = run_cli("board", "done", str(action["id"]), "--success", "Vaste dinsdag", "--db", db,
                  "--as", "Willem Hof", "--format", "json")
    assert json.loads(out.stdout)["success"] == "Vaste dinsdag"
    listed = json.loads(run_cli("board", "list", "--db", db, "--as", "Ingrid Bakker",
                                "--format", "json").stdout)
    assert [a["status"] for a in listed] == ["klaar"]
    out = run_cli("board", "move", str(action["id"]), "doen", "--db", db, "--as", "Ingrid Bakker")
    assert out.returncode == 5 and "SWV" in out.stderr
    out = run_cli("board", "add", "x", "--db", db)
    assert out.returncode == 7  # --as missing

    out = run_cli("partners", "add", "GGD Regio", "--kind", "ggd", "--school", "12AB",
                  "--person", "Willem Hof", "--db", db, "--as", "Willem Hof", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["schools"] == ["OBS De Regenboog"]
    shown = json.loads(run_cli("partners", "show", "GGD Regio", "--db", db, "--format", "json").stdout)
    assert shown["people"] == ["Willem Hof"]
    assert "GGD Regio" in run_cli("partners", "list", "--school", "12AB", "--db", db).stdout
    none = run_cli("partners", "list", "--school", "34CD", "--db", db, "--format", "json")
    assert json.loads(none.stdout) == []

    out = run_cli("plusklas", "add", "Plusklas De Brug", "--places", "1", "--school", "12AB",
                  "--serves", "34CD:15:4,5", "--db", db, "--as", "Petra Plus", "--format", "json")
    assert out.returncode == 0, out.stderr
    served = {x["school"]: (x["travel_minutes"], x["distance_km"]) for x in json.loads(out.stdout)["serves"]}
    assert served == {"CBS Het Anker": (15, 4.5), "OBS De Regenboog": (0, 0.0)}
    case_a, case_b = _open(seeded, "Eva Jansen"), _open(seeded, "Sem de Boer")
    out = run_cli("plusklas", "place", str(case_a), "--location", "Plusklas De Brug", "--db", db,
                  "--as", "Ingrid Bakker")
    assert out.returncode == 0 and "geplaatst" in out.stdout
    out = run_cli("plusklas", "place", str(case_b), "--location", "Plusklas De Brug", "--db", db,
                  "--as", "Ingrid Bakker", "--format", "json")
    assert json.loads(out.stdout)["position"] == 1
    out = run_cli("plusklas", "leave", str(case_a), "--db", db, "--as", "Ingrid Bakker")
    assert out.returncode == 0 and "beëindigd" in out.stdout
    locs = json.loads(run_cli("plusklas", "list", "--db", db, "--format", "json").stdout)
    assert (locs[0]["occupied"], locs[0]["waiting"]) == (0, 1)
    out = run_cli("plusklas", "add", "X", "--places", "0", "--db", db, "--as", "Willem Hof")
    assert out.returncode == 2

    out = run_cli("report", "--db", db, "--as", "Ingrid Bakker", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert next(s for s in data["steps"] if s["step"] == "signalering")["now"] == 2
    assert data["schools"] == [{"school": "OBS De Regenboog", "open": 2, "overdue": 0}]
    swv = json.loads(run_cli("report", "--db", db, "--as", "Willem Hof", "--format", "json").stdout)
    # the SWV's monitor counts every case, small counts hidden
    assert swv["schools"] == [{"school": "OBS De Regenboog", "open": "<5", "overdue": 0}]
    for fmt, marker in (("table", "Per stap"), ("csv", "section,name,measure,value"), ("md", "## Per stap"),
                        ("html", "<svg")):
        out = run_cli("report", "--db", db, "--format", fmt, "--from", "2026-01-01")
        assert out.returncode == 0 and marker in out.stdout
    out = run_cli("report", "--db", db, "--from", "morgen")
    assert out.returncode == 2 and "Van" in out.stderr


# ----------------------------------------------------------------------------- migration 0004
def test_migration_0004_keeps_the_data_of_0002(tmp_path):
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (id, name, brin) VALUES (1, 'OBS De Regenboog', '12AB')"))
        conn.execute(text("INSERT INTO people (id, name, roles, school_id, active, created_at) "
                          "VALUES (1, 'Willem Hof', 'swv', NULL, 1, '2026-01-01 09:00:00')"))
    engine.dispose()
    db = open_database(str(path))  # migrates to the head
    try:
        assert schema.inspect_state(db.engine).revision == schema.HEAD_REVISION
        svc = Services(db)
        assert [s.name for s in svc.list_schools()] == ["OBS De Regenboog"]
        swv = svc.resolve_actor("Willem Hof")
        svc.board.add(swv, "Eerste actie")
        svc.plusklas.add_location(swv, "Plusklas", places=2, school="12AB")
        svc.partners.add(swv, "GGD", kind="ggd", schools=["12AB"])
        with UnitOfWork(db, write=False) as uow:
            assert uow.session.scalar(select(func.count()).select_from(BoardAction)) == 1
    finally:
        db.dispose()
    # and back down to 0002: the new tables go, the old data stays
    from alembic import command

    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(schema.alembic_config(conn), "0002")
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
        assert "board_actions" not in tables and "plusklas_placements" not in tables
        assert conn.execute(text("SELECT name FROM schools")).scalar() == "OBS De Regenboog"
    engine.dispose()
