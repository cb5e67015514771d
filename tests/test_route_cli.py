"""``kindroute case decide``, ``case document`` and ``case term`` on a route of their own: the right
person records, anybody else is refused with the roles that may."""

from __future__ import annotations

import json
from pathlib import Path

from test_trust_support import run_cli

from kindroute.services import Services
from kindroute.store.db import open_database
from kindroute.workflow import load_route

TLV = load_route(Path(__file__).parent / "routes" / "tlv_route.toml")


def world(path: str) -> int:
    """A TLV case standing at the TLC's decision, with both advices in."""
    db = open_database(path)
    svc = Services(db, route=TLV)
    svc.add_school("OBS De Regenboog", "12AB")
    for name, role, school in (("Ingrid Bakker", "ib", "12AB"), ("Dirk Vos", "directeur", "12AB"),
                               ("Fam. Yilmaz", "ouders", None), ("Carla Kok", "casuscoordinator", None),
                               ("Otto Smit", "orthopedagoog", None),
                               ("Olga Berg", "onderwijsspecialist", None), ("Tessa Hof", "tlc", None)):
        svc.add_person(name, [role], school=school, organisation=None if school else "SWV De Brug")
    who = svc.resolve_actor
    cid = svc.open_case(who("Ingrid Bakker"), pupil="Mila Yilmaz", school="12AB", group=6, born="2016-04-02")
    svc.assign_role(who("Ingrid Bakker"), cid, "ouders", "Fam. Yilmaz")
    svc.tick_checklist(who("Ingrid Bakker"), cid, "dossier")
    svc.advance_case(who("Ingrid Bakker"), cid, "indienen")
    svc.advance_case(who("Fam. Yilmaz"), cid, "ondertekend")
    svc.advance_case(who("Dirk Vos"), cid, "ondertekend")
    for role, name in (("orthopedagoog", "Otto Smit"), ("onderwijsspecialist", "Olga Berg")):
        svc.assign_role(who("Carla Kok"), cid, role, name)
        svc.record_consent(who("Ingrid Bakker"), cid, role=role, purpose="Advies", given_by="Moeder")
    db.dispose()
    return cid


def test_decide_document_and_term_from_the_command_line(tmp_path) -> None:
    path = str(tmp_path / "tlv.sqlite")
    cid = str(world(path))
    base = ["--db", path]

    refused = run_cli("case", "document", cid, "advies", "--as", "Ingrid Bakker", *base)
    assert refused.returncode == 5
    assert "legt de orthopedagoog, onderwijsspecialist vast" in refused.stderr
    one = run_cli("case", "document", cid, "advies", "--title", "Advies", "--as", "Otto Smit", *base)
    assert one.returncode == 0 and "advies vastgelegd" in one.stdout
    two = run_cli("case", "document", cid, "advies", "--as", "Olga Berg", *base)
    assert "Daarna automatisch: stap 'Besluit TLC' (tlc_besluit)" in two.stdout

    decide = ["case", "decide", cid, "tlv"]
    wrong = run_cli(*decide, "toegekend", "--field", "soort=SO", "--as", "Carla Kok", *base)
    assert wrong.returncode == 5 and "toelaatbaarheidscommissie" in wrong.stderr
    missing = run_cli(*decide, "toegekend", "--as", "Tessa Hof", *base)
    assert missing.returncode == 2 and "verplicht" in missing.stderr
    bad = run_cli(*decide, "toegekend", "--field", "soort", "--as", "Tessa Hof", *base)
    assert bad.returncode == 2 and "veld=waarde" in bad.stderr
    done = run_cli(*decide, "afgewezen", "--field", "soort=SO", "--field", "categorie=hoog",
                   "--format", "json", "--as", "Tessa Hof", *base)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fields"] == {"soort": "SO", "categorie": "hoog"}
    shown = run_cli("case", "show", cid, "--as", "Ingrid Bakker", *base).stdout
    assert "tlv: afgewezen; soort: SO; categorie: hoog" in shown

    not_here = run_cli("case", "term", cid, "--until", "2026-12-01", "--as", "Olga Berg", *base)
    assert not_here.returncode == 2 and "term_set_by" in not_here.stderr
    step = run_cli("case", "advance", cid, "arrangement_in_plaats", "--as", "Tessa Hof", *base)
    assert step.returncode == 0, step.stderr
    teacher = run_cli("case", "term", cid, "--until", "2026-12-01", "--as", "Ingrid Bakker", *base)
    assert teacher.returncode == 5 and "onderwijsspecialist" in teacher.stderr
    term = run_cli("case", "term", cid, "--until", "2026-12-01", "--as", "Olga Berg", *base)
    assert term.returncode == 0 and "termijn vastgesteld tot 1-12-2026" in term.stdout
