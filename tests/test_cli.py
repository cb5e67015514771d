"""The command line: every command, its exit codes and its JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from kindroute.cli import main
from kindroute.store.models import Case, CaseEvent, Pupil

ROOT = Path(__file__).resolve().parent.parent
KINDROUTE = ROOT / ".venv" / "bin" / "kindroute"
NOW = "2026-11-23T09:30:00"
IB = "Ingrid Bakker"
TEACHER = "Tom de Wit"

CASE_ROW_KEYS = {"id", "pupil", "school", "step", "steps", "at_turn_role", "at_turn", "deadline", "overdue"}
DETAIL_KEYS = {"assignments", "consents", "history", "notes", "agreements", "next"}


@pytest.fixture
def run(monkeypatch):
    """Invoke the CLI in-process with a frozen clock; returns the click Result."""
    monkeypatch.setenv("KINDROUTE_NOW", NOW)
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None):  # noqa: A002
        return runner.invoke(main, [str(a) for a in args], env=env, input=input, catch_exceptions=True)

    return invoke


@pytest.fixture
def demo_file(tmp_path, run) -> str:
    path = str(tmp_path / "demo.sqlite")
    result = run("demo", "--db", path, "--cases", "60", "--seed", "1")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def world(seeded, db_path) -> str:
    """A small seeded database (two schools, a person per role) as a file path."""
    return str(db_path)


def open_case(run, db: str, pupil: str = "Sanne de Vries", *extra: str) -> int:
    result = run("case", "open", "--db", db, "--as", IB, "--pupil", pupil, "--school", "12AB", "--group", "5",
                 "--born", "2017-03-01", "--teacher", TEACHER, *extra)
    assert result.exit_code == 0, result.output
    return int(result.stdout.strip())


def show(run, db: str, case_id: int, *extra: str) -> dict:
    result = run("case", "show", str(case_id), "--db", db, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def count(db_path: str, what) -> int:  # type: ignore[no-untyped-def]
    from kindroute.store.db import open_database

    database = open_database(db_path)
    try:
        with database.sessions() as s:
            return s.scalar(select(func.count()).select_from(what)) or 0
    finally:
        database.dispose()


# ----------------------------------------------------------------------------- start, help, TUI


def test_console_script_version_and_python_m():
    out = subprocess.run([str(KINDROUTE), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert out.stdout.strip() == "kindroute 0.1.0"
    out = subprocess.run([sys.executable, "-m", "kindroute", "--help"], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0
    for command in ("cases", "case", "demo", "workflow", "db", "people", "schools", "import", "export"):
        assert f"  {command}" in out.stdout


def test_cli_module_imports_no_heavy_modules():
    code = ("import sys, kindroute.cli; heavy = ('sqlalchemy', 'textual', 'faker', 'alembic', "
            "'kindroute.services', 'kindroute.store.db', 'transitions'); "
            "print([m for m in heavy if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_subcommand_opens_the_tui_with_db_as_and_route(run, monkeypatch, tmp_path):
    import gc

    import kindroute.app

    seen = {}

    def fake_run_app(db, who, route=None, early=None):
        seen.update(db=db, who=who, route=route)
        assert not gc.isenabled(), "the collector waits for the first rows"
        assert early is not None and (early.db, early.who, early.route) == (db, who, route)
        assert early.take(wait=True) == (True, None), "nothing kept for these files"
        return 3

    monkeypatch.setattr(kindroute.app, "run_app", fake_run_app)
    result = run("--db", "x.sqlite", "--as", IB, "--route", "r.toml")
    assert result.exit_code == 3, result.output
    assert seen == {"db": "x.sqlite", "who": IB, "route": "r.toml"}
    assert gc.isenabled(), "and runs again when the app is over"
    gc.unfreeze()
    result = run(env={"KINDROUTE_DB": "env.sqlite", "KINDROUTE_USER": TEACHER})
    assert seen == {"db": "env.sqlite", "who": TEACHER, "route": None}
    gc.unfreeze()


# ----------------------------------------------------------------------------- cases


def test_cases_json_contract(run, demo_file):
    result = run("cases", "--db", demo_file, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(CASE_ROW_KEYS <= set(r) for r in rows)
    assert all(r["status"] == "open" for r in rows)
    assert any(r["overdue"] for r in rows) and not all(r["overdue"] for r in rows)
    r = rows[0]
    assert r["steps"]["school"] == r["step"]
    assert r["deadline"] is None or len(r["deadline"]) == 10  # ISO date
    every = json.loads(run("cases", "--db", demo_file, "--format", "json", "--all").stdout)
    assert len(every) > len(rows)
    assert {"closed", "referred"} <= {r["status"] for r in every}


def test_cases_table_and_csv(run, demo_file):
    result = run("cases", "--db", demo_file)
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0].split()
    assert header == ["Nr", "Leerling", "Groep", "School", "Stap", "Aan", "zet", "Deadline"]
    assert "TE LAAT" in result.stdout
    rows = json.loads(run("cases", "--db", demo_file, "--format", "json").stdout)
    csv_out = run("cases", "--db", demo_file, "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,pupil,group,school,step,step_title,at_turn_role,at_turn,deadline,")
    assert len(csv_out) == len(rows) + 1


def test_cases_filters(run, demo_file):
    def ids(*args: str) -> list[dict]:
        result = run("cases", "--db", demo_file, "--format", "json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert {r["step"] for r in ids("--step", "ondersteuningsteam")} == {"ondersteuningsteam"}
    overdue = ids("--overdue")
    assert overdue and all(r["overdue"] for r in overdue)
    assert {r["school"] for r in ids("--school", "21KL")} == {"OBS De Regenboog"}
    assert all(r["at_turn_role"] == "ib" for r in ids("--role", "ib"))
    assert len(ids("--limit", "3")) == 3
    jh = ids("--step", "toeleiding_jeugdhulp")
    assert jh and all(r["steps"]["jeugdhulp"] == "toeleiding_jeugdhulp" for r in jh)
    mine = ids("--mine", "--as", TEACHER)
    assert mine and all(r["at_turn"] == TEACHER for r in mine)
    bad = run("cases", "--db", demo_file, "--step", "nergens")
    assert bad.exit_code == 2 and "Onbekende stap 'nergens'" in bad.stderr
    assert run("cases", "--db", demo_file, "--mine").exit_code == 7


def test_read_with_as_shows_only_what_that_person_may_see(run, demo_file):
    everything = json.loads(run("cases", "--db", demo_file, "--format", "json", "--all").stdout)
    teacher = json.loads(run("cases", "--db", demo_file, "--format", "json", "--all", "--as", TEACHER).stdout)
    assert 0 < len(teacher) < len(everything)
    for row in teacher:
        detail = show(run, demo_file, row["id"], "--as", TEACHER)
        assert {"role": "leerkracht", "person": TEACHER} in [
            {"role": a["role"], "person": a["person"]} for a in detail["assignments"]]
    hidden = next(r["id"] for r in everything if r["id"] not in {t["id"] for t in teacher})
    result = run("case", "show", str(hidden), "--db", demo_file, "--as", TEACHER)
    assert result.exit_code == 5 and "geen toegang" in result.stderr


def test_unknown_person_and_missing_case(run, demo_file):
    result = run("cases", "--db", demo_file, "--as", "Niemand Bekend")
    assert result.exit_code == 3 and "niet bekend" in result.stderr
    result = run("case", "show", "99999", "--db", demo_file)
    assert result.exit_code == 3 and "bestaat niet" in result.stderr
    assert "Traceback" not in result.output


# ----------------------------------------------------------------------------- one case


def test_case_show_json_contract_and_text(run, demo_file):
    d = show(run, demo_file, 1)
    assert DETAIL_KEYS <= set(d)
    for h in d["history"]:
        assert {"track", "from", "to", "trigger", "by", "at", "note"} <= set(h)
    for n in d["next"]:
        assert {"trigger", "to", "allowed", "reasons"} <= set(n)
    for a in d["assignments"]:
        assert {"role", "person"} <= set(a)
    text = run("case", "show", "1", "--db", demo_file).stdout
    assert text.startswith(f"Casus 1: {d['pupil']}")
    assert "Volgende stappen:" in text and "Geschiedenis:" in text


def test_open_prints_the_id_and_stores_names_literally(run, world):
    name = "[bold red]Zoë[/] 🚀 O'Brien-Çelik"
    case_id = open_case(run, world, name, "--note", "Let op: [link]niet[/link] <b>markup</b>")
    d = show(run, world, case_id)
    assert d["pupil"] == name
    assert d["step"] == "signalering"
    assert d["notes"][0]["text"] == "Let op: [link]niet[/link] <b>markup</b>"
    table = run("cases", "--db", world).stdout
    assert name in table
    assert f"Casus {case_id}: {name}" in run("case", "show", str(case_id), "--db", world).stdout
    as_json = run("case", "open", "--db", world, "--as", IB, "--pupil", "Noor El Idrissi", "--school", "12AB",
                  "--group", "3", "--born", "2019-05-05", "--format", "json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["pupil"] == "Noor El Idrissi"


def test_changes_refuse_without_as_and_change_nothing(run, world):
    before = count(world, Case)
    result = run("case", "open", "--db", world, "--pupil", "Sem Bos", "--school", "12AB", "--group", "4",
                 "--born", "2018-01-01")
    assert result.exit_code == 7
    assert "--as" in result.stderr
    assert count(world, Case) == before
    case_id = open_case(run, world)
    for args in (["case", "note", case_id, "tekst"], ["case", "advance", case_id, "naar_aanpak_groep"],
                 ["case", "tick", case_id, "observatie"], ["case", "close", case_id]):
        assert run(*args, "--db", world).exit_code == 7, args


def test_blocked_advance_exits_non_zero_with_reasons_and_changes_nothing(run, world):
    case_id = open_case(run, world)
    before = show(run, world, case_id)
    result = run("case", "advance", case_id, "naar_aanpak_groep", "--db", world, "--as", IB)
    assert result.exit_code == 4
    assert "Checklist van stap 'Signalering' is nog niet af" in result.stderr
    after = show(run, world, case_id)
    assert len(after["history"]) == len(before["history"]) == 0
    assert after["version"] == before["version"] and after["step"] == "signalering"
    unknown = run("case", "advance", case_id, "vliegen", "--db", world, "--as", IB)
    assert unknown.exit_code == 4
    assert "Onbekende overgang 'vliegen'" in unknown.stderr
    assert "Mogelijk vanuit hier: naar_aanpak_groep" in unknown.stderr
    assert show(run, world, case_id)["version"] == before["version"]


def test_advance_prints_the_new_step_and_json(run, world):
    case_id = open_case(run, world)
    for item in ("observatie", "ouders_geinformeerd"):
        assert run("case", "tick", case_id, item, "--db", world, "--as", TEACHER).exit_code == 0
    result = run("case", "advance", case_id, "naar_aanpak_groep", "--db", world, "--as", TEACHER,
                 "--note", "Ouders gebeld")
    assert result.exit_code == 0, result.output
    assert "(aanpak_groep)" in result.stdout
    d = show(run, world, case_id)
    assert d["history"][-1] | {"at": None} == {
        "seq": 1, "track": "school", "from": "signalering", "to": "aanpak_groep",
        "trigger": "naar_aanpak_groep", "by": TEACHER, "at": None, "note": "Ouders gebeld"}
    for item in ("doelen", "interventie", "evaluatie"):
        run("case", "tick", case_id, item, "--db", world, "--as", IB)
    # the destination step's id works as well as the trigger
    result = run("case", "advance", case_id, "leerlingbespreking", "--db", world, "--as", IB,
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) | {"version": 0, "deadline": None} == {
        "case_id": case_id, "track": "school", "from": "aanpak_groep", "to": "leerlingbespreking",
        "trigger": "naar_leerlingbespreking", "at_turn_role": "ib", "deadline": None, "version": 0}


def test_as_on_group_and_subcommand_and_env(run, world):
    case_id = open_case(run, world)
    assert run("--as", IB, "case", "note", case_id, "via de groep", "--db", world).exit_code == 0
    # the subcommand's --as wins over the group's
    result = run("--as", "Onbekend Iemand", "case", "note", case_id, "sub wint", "--db", world, "--as", IB)
    assert result.exit_code == 0, result.output
    env = {"KINDROUTE_DB": world, "KINDROUTE_USER": IB}
    assert run("case", "note", case_id, "uit de omgeving", env=env).exit_code == 0
    notes = [n["text"] for n in show(run, world, case_id)["notes"]]
    assert notes == ["via de groep", "sub wint", "uit de omgeving"]
    assert {n["author"] for n in show(run, world, case_id)["notes"]} == {IB}


def test_around_a_case(run, world):
    case_id = open_case(run, world)
    ok = {"--db": world, "--as": IB}
    opts = [x for kv in ok.items() for x in kv]

    def do(*args: str) -> str:
        result = run(*args, *opts)
        assert result.exit_code == 0, (args, result.output)
        return result.stdout

    do("case", "assign", case_id, "so_expert", "Sara Smit")
    do("case", "consent", case_id, "--role", "so_expert", "--purpose", "Observatie", "--given-by",
       "Moeder de Vries", "--from", "2026-11-01", "--until", "2027-07-31")
    d = show(run, world, case_id)
    consent = d["consents"][0]
    assert (consent["role"], consent["given_by"], consent["valid"]) == ("so_expert", "Moeder de Vries", True)
    assert {"role": "so_expert", "person": "Sara Smit"} in [
        {"role": a["role"], "person": a["person"]} for a in d["assignments"]]
    do("case", "withdraw-consent", case_id, consent["id"], "--reason", "Ouders willen eerst praten")
    assert show(run, world, case_id)["consents"][0]["valid"] is False
    do("case", "note", case_id, "Gesprek gehad")
    out = do("case", "agreement", case_id, "Verslag sturen", "--role", "ib", "--due", "2026-12-01",
             "--format", "json")
    agreement = json.loads(out)
    assert agreement["who"] == IB and agreement["due_on"] == "2026-12-01"
    do("case", "done", case_id, agreement["id"])
    do("case", "tick", case_id, "observatie")
    do("case", "document", case_id, "opp", "--outcome", "concept", "--title", "Eerste versie")
    d = show(run, world, case_id)
    assert d["agreements"][0]["done"] is True
    assert [n["text"] for n in d["notes"]] == ["Gesprek gehad"]
    assert d["documents"][0]["kind"] == "opp" and d["documents"][0]["outcome"] == "concept"
    assert ["observatie", True] in [[c[0], c[2]] for c in d["tracks"][0]["checklist"]]
    do("case", "unassign", case_id, "so_expert")
    assert "so_expert" not in {a["role"] for a in show(run, world, case_id)["assignments"]}
    # close needs the route's way to 'afgesloten' from here: not from signalering
    blocked = run("case", "close", case_id, *opts)
    assert blocked.exit_code == 4
    for item in ("ouders_geinformeerd",):
        do("case", "tick", case_id, item)
    do("case", "advance", case_id, "naar_aanpak_groep")
    for item in ("doelen", "interventie", "evaluatie"):
        do("case", "tick", case_id, item)
    assert "(afgesloten)" in do("case", "close", case_id, "--note", "Doel behaald")
    assert show(run, world, case_id)["status"] == "closed"
    assert "(signalering)" in do("case", "reopen", case_id)
    assert show(run, world, case_id)["status"] == "open"
    bad = run("case", "document", case_id, "swv_besluit", "--outcome", "misschien", *opts)
    assert bad.exit_code == 2 and "toegekend" in bad.stderr


# ----------------------------------------------------------------------------- people, schools, import


def test_extend_zorgplicht_once_by_the_ib(run, world):
    cid = open_case(run, world, "Noor Aanmelding", "--registered", "2026-11-02")
    assert show(run, world, cid)["zorgplicht_deadline"] == "2026-12-14"  # six weeks
    refused = run("case", "extend", cid, "--db", world, "--as", TEACHER)
    assert refused.exit_code == 5 and "zorgplichttermijn" in refused.output
    done = run("case", "extend", cid, "--db", world, "--as", IB, "--format", "json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"case_id": cid, "zorgplicht_deadline": "2027-01-11"}  # plus four
    assert show(run, world, cid)["zorgplicht_deadline"] == "2027-01-11"
    again = run("case", "extend", cid, "--db", world, "--as", IB)
    assert again.exit_code == 2 and "maar één keer" in again.output
    plain = open_case(run, world, "Zonder Aanmelding")
    assert run("case", "extend", plain, "--db", world, "--as", IB).exit_code == 2


def test_people_and_schools_bootstrap_then_need_as(run, tmp_path):
    db = str(tmp_path / "new.sqlite")
    assert run("schools", "add", "OBS De Linde", "--brin", "45EF", "--db", db).exit_code == 0
    first = run("people", "add", "Ingrid Bakker", "--role", "ib", "--school", "45EF", "--db", db)
    assert first.exit_code == 0, first.output
    second = run("people", "add", "Tom de Wit", "--role", "leerkracht", "--school", "45EF", "--db", db)
    assert second.exit_code == 7
    result = run("people", "add", "Tom de Wit", "--role", "leerkracht", "--role", "ib", "--school", "45EF",
                 "--db", db, "--as", IB, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["roles"] == ["leerkracht", "ib"]
    people = json.loads(run("people", "--db", db, "--format", "json").stdout)
    assert [p["name"] for p in people] == ["Ingrid Bakker", "Tom de Wit"]
    assert [p["name"] for p in json.loads(run("people", "--role", "leerkracht", "--db", db,
                                              "--format", "json").stdout)] == ["Tom de Wit"]
    assert "OBS De Linde" in run("schools", "--db", db).stdout
    assert run("schools", "add", "Fout", "--brin", "ABCD", "--db", db).exit_code == 7
    refused = run("schools", "add", "Andere", "--brin", "46EF", "--db", db, "--as", IB)
    assert refused.exit_code == 5 and "beheerder van het SWV" in refused.output
    assert run("people", "add", "X", "--role", "tovenaar", "--db", db, "--as", IB).exit_code == 2


def test_import_pupils_all_or_nothing(run, world, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("naam,geboortedatum,groep\nDaan de Jong,2018-04-01,4\nElif Yılmaz,12-06-2017,5\n",
                    encoding="utf-8")
    before = count(world, Pupil)
    result = run("import", "pupils", good, "--school", "12AB", "--db", world, "--as", IB)
    assert result.exit_code == 0, result.output
    assert count(world, Pupil) == before + 2
    again = run("import", "pupils", good, "--school", "12AB", "--db", world, "--as", IB)
    assert "0 leerling(en) ingelezen, 0 bijgewerkt, 2 ongewijzigd" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("naam;geboortedatum;groep\nSem Bos;2018-01-01;4\nLina Ait;31-02-2017;5\nMo;2017-01-01;12\n"
                   ";2017-01-01;3\n", encoding="utf-8")
    result = run("import", "pupils", bad, "--school", "12AB", "--db", world, "--as", IB)
    assert result.exit_code == 2
    for line in ("regel 3", "regel 4", "regel 5"):
        assert line in result.stderr
    assert "regel 2" not in result.stderr
    assert count(world, Pupil) == before + 2  # not even the good first line
    missing = tmp_path / "cols.csv"
    missing.write_text("naam,groep\nA,1\n", encoding="utf-8")
    result = run("import", "pupils", missing, "--school", "12AB", "--db", world, "--as", IB)
    assert result.exit_code == 2 and "geboortedatum" in result.stderr
    assert run("import", "pupils", good, "--school", "12AB", "--db", world).exit_code == 7
    teacher = run("import", "pupils", good, "--school", "12AB", "--db", world, "--as", TEACHER)
    assert teacher.exit_code == 5


def test_export_cases(run, demo_file, tmp_path):
    rows = json.loads(run("export", "cases", "--db", demo_file, "--format", "json").stdout)
    assert len(rows) == 60 and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    out = tmp_path / "cases.csv"
    result = run("export", "cases", "--db", demo_file, "-o", out)
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,pupil,") and len(lines) == 61


# ----------------------------------------------------------------------------- workflow and database


def test_workflow_check_good_and_broken(run, tmp_path):
    result = run("workflow", "check")
    assert result.exit_code == 0
    assert "is geldig: 17 stappen" in result.stdout and "stappen-overgangen" in result.stdout
    from kindroute.workflow import default_route_path

    text = default_route_path().read_text(encoding="utf-8")
    good = tmp_path / "route.toml"
    good.write_text(text, encoding="utf-8")
    assert run("workflow", "check", good).exit_code == 0
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace('to = "aanpak_groep"', 'to = "nergens"', 1)
                      .replace('at_turn = "leerkracht"', 'at_turn = "tovenaar"', 1), encoding="utf-8")
    result = run("workflow", "check", broken)
    assert result.exit_code == 1
    assert "nergens" in result.stderr and "tovenaar" in result.stderr
    assert result.stderr.count("\n  - ") >= 2
    syntax = tmp_path / "syntax.toml"
    syntax.write_text("[route\nname = ", encoding="utf-8")
    assert run("workflow", "check", syntax).exit_code == 1
    assert run("workflow", "check", tmp_path / "missing.toml").exit_code == 1


def test_workflow_show(run):
    text = run("workflow", "show")
    assert text.exit_code == 0 and "Signalering" in text.stdout
    mermaid = run("workflow", "show", "--format", "mermaid")
    assert mermaid.exit_code == 0
    assert mermaid.stdout.lstrip().startswith(("stateDiagram", "---", "%%"))


def test_route_option_on_a_database_with_another_route_names_workflow_install(run, world, tmp_path):
    from kindroute.workflow import default_route_path

    text = default_route_path().read_text(encoding="utf-8").replace('title = "Signalering"',
                                                                    'title = "Zorg gesignaleerd"')
    route = tmp_path / "eigen.toml"
    route.write_text(text, encoding="utf-8")
    case_id = open_case(run, world)
    refused = run("case", "show", case_id, "--db", world, "--route", route)
    assert refused.exit_code == 9
    assert "kindroute workflow install" in refused.output and "Zorg gesignaleerd" not in refused.output
    # workflow show reads any file; the same version with other content is not installed
    assert "Zorg gesignaleerd" in run("workflow", "show", route).stdout
    same_version = run("workflow", "install", route, "--db", world, "--as", "Ingrid Bakker")
    assert same_version.exit_code == 2 and "eigen versie" in same_version.output
    route.write_text(text.replace('version = "2026.2"', 'version = "2026.3"'), encoding="utf-8")
    installed = run("workflow", "install", route, "--db", world, "--as", "Ingrid Bakker")
    assert installed.exit_code == 0, installed.output
    assert "versie 2026.3 is in gebruik" in installed.stdout
    # from now on the database's own route is used, with or without --route
    assert "Zorg gesignaleerd" in run("case", "show", case_id, "--db", world).stdout
    assert "Zorg gesignaleerd" in run("--route", route, "cases", "--db", world).stdout
    versions = run("workflow", "versions", "--db", world).stdout
    assert "2026.2" in versions and "2026.3" in versions


def test_db_upgrade(run, tmp_path):
    path = tmp_path / "fresh.sqlite"
    result = run("db", "upgrade", "--db", path)
    assert result.exit_code == 0 and "aangemaakt" in result.stdout
    result = run("db", "upgrade", "--db", path)
    assert result.exit_code == 0 and "al bij" in result.stdout
    foreign = tmp_path / "foreign.sqlite"
    foreign.write_bytes(b"dit is geen database" * 10)
    result = run("db", "upgrade", "--db", foreign)
    assert result.exit_code == 8 and "geen SQLite-database" in result.stderr


# ----------------------------------------------------------------------------- errors


def test_unexpected_error_is_one_line_and_logged(run, world, monkeypatch, tmp_path):
    from kindroute.services import Services

    def boom(*_a, **_k):
        raise RuntimeError("kapot van binnen")

    monkeypatch.setattr(Services, "list_cases", boom)
    result = run("cases", "--db", world)
    assert result.exit_code == 70
    assert "Traceback" not in result.output
    assert "onverwachts" in result.stderr
    log_path = result.stderr.rsplit("staan in ", 1)[1].strip().rstrip(".")
    logged = Path(log_path).read_text(encoding="utf-8")
    assert "RuntimeError" in logged and "cases_cmd" in logged
    assert "kapot van binnen" not in logged  # messages can hold pupil data: never logged
    debug = run("cases", "--db", world, env={"KINDROUTE_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)


def test_console_script_blocked_advance_and_open(tmp_path, seeded, db_path):
    env = {**os.environ, "KINDROUTE_NOW": NOW, "KINDROUTE_DB": str(db_path)}
    opened = subprocess.run([str(KINDROUTE), "case", "open", "--as", IB, "--pupil", "Ayoub Haddou",
                             "--school", "12AB", "--group", "6", "--born", "2016-02-02"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert opened.returncode == 0, opened.stderr
    case_id = int(opened.stdout.strip())
    events_before = count(str(db_path), CaseEvent)
    blocked = subprocess.run([str(KINDROUTE), "case", "advance", str(case_id), "naar_aanpak_groep",
                              "--as", IB],
                             capture_output=True, text=True, env=env, timeout=60)
    assert blocked.returncode == 4
    assert "nog niet af" in blocked.stderr and "Traceback" not in blocked.stderr
    assert count(str(db_path), CaseEvent) == events_before
    cases = subprocess.run([str(KINDROUTE), "cases", "--format", "json"], capture_output=True, text=True,
                           env=env, timeout=60)
    assert [r["pupil"] for r in json.loads(cases.stdout)] == ["Ayoub Haddou"]
