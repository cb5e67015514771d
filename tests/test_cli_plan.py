"""The plan on the command line: the contract of ``case goal|opp|instemming|hoorrecht|zorgplicht|
period|clocks``, ``case open --aanmelding`` and the keys ``case show --format json`` adds."""

from __future__ import annotations

import json

from test_cli import IB, open_case, run, world  # noqa: F401 - fixtures

SWV = "Willem Hof"

OPP_KEYS = {"version", "status", "adopted", "uitstroomprofiel", "instemming", "hoorrecht", "next_evaluation"}


def test_plan_commands_and_case_show_json(run, world):  # noqa: F811
    db = world
    cid = open_case(run, db, "Sanne de Vries", "--aanmelding", "2026-11-02")
    ok = lambda *a: run(*a, "--db", db, "--as", IB)  # noqa: E731
    r = ok("case", "goal", "add", cid, "--area", "lezen", "--goal", "Leest AVI E4", "--approach", "Duolezen",
           "--who", "ouders", "--evaluate", "2026-12-15")
    assert r.exit_code == 0, r.output
    assert "doel 1 vastgelegd" in r.stdout
    r = ok("case", "goal", "evaluate", cid, "1", "--result", "goed")
    assert r.exit_code != 0 and "goed" in r.output  # click refuses the choice
    r = ok("case", "opp", cid, "--uitstroomprofiel", "vmbo basis/kader", "--reasons", "IQ 85",
           "--stimulerend", "gemotiveerd", "--belemmerend", "faalangst", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"case_id": cid, "version": 1, "status": "concept"}
    r = ok("case", "instemming", cid, "--outcome", "oneens", "--by", "Mw. de Vries")
    assert r.exit_code == 2 and "wat er nu volgt" in r.output
    assert ok("case", "instemming", cid, "--outcome", "eens", "--by", "Mw. de Vries").exit_code == 0
    r = ok("case", "hoorrecht", cid, "--view", "Ik wil hier blijven.", "--weighed", "Meegenomen")
    assert r.exit_code == 0, r.output
    assert ok("case", "opp", cid, "--adopt").exit_code == 0
    r = run("case", "show", cid, "--db", db, "--format", "json")
    d = json.loads(r.stdout)
    assert set(d["opp"]) == OPP_KEYS
    assert (d["opp"]["version"], d["opp"]["status"], d["opp"]["adopted"]) == (1, "vastgesteld", "2026-11-23")
    assert d["opp"]["instemming"]["outcome"] == "eens"
    assert d["opp"]["hoorrecht"]["view"] == "Ik wil hier blijven."
    assert d["opp"]["next_evaluation"] == "2027-11-23"
    assert [g["goal"] for g in d["goals"]] == ["Leest AVI E4"]
    assert all(set(c) == {"kind", "label", "due", "overdue"} for c in d["clocks"])
    assert [c["kind"] for c in d["clocks"]] == ["step", "zorgplicht", "goal", "opp_evaluation"]
    r = run("case", "clocks", cid, "--db", db, "--format", "json")
    assert json.loads(r.stdout) == d["clocks"]
    r = ok("case", "zorgplicht", cid, "--decision", "plaatsen")
    assert r.exit_code == 0, r.output
    r = run("case", "clocks", cid, "--db", db)
    assert "Zorgplicht" not in r.stdout and "Doel evalueren (lezen)" in r.stdout
    r = run("case", "show", cid, "--db", db)
    assert "OPP versie 1 (vastgesteld" in r.stdout and "Eerstvolgend:" in r.stdout


def test_period_and_overdue_list(run, world):  # noqa: F811
    db = world
    cid = open_case(run, db)
    ok = lambda *a: run(*a, "--db", db, "--as", IB)  # noqa: E731
    r = ok("case", "period", cid, "--kind", "tlv", "--start", "2026-08-01", "--end", "2026-11-01",
           "--type", "sbo")
    assert r.exit_code == 5 and "swv" in r.output.lower()  # the route: the SWV records its decision
    # the case asks the SWV (set up directly: the SWV sees a case once it reached an SWV step)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE case_tracks SET step = 'arrangement_aanvraag' WHERE case_id = ?", (cid,))
    by_swv = lambda *a: run(*a, "--db", db, "--as", SWV)  # noqa: E731
    r = by_swv("case", "period", cid, "--kind", "tlv", "--start", "2026-08-01", "--end", "2026-11-01",
               "--type", "so")
    assert r.exit_code == 2 and "categorie" in r.output
    r = by_swv("case", "period", cid, "--kind", "plusklas", "--start", "2026-08-01", "--end", "2026-11-01")
    assert r.exit_code == 2 and "geen besluit met een einddatum" in r.output
    assert "arrangement, tlv" in r.output
    r = by_swv("case", "period", cid, "--kind", "tlv", "--start", "2026-08-01", "--end", "2026-11-01",
               "--type", "sbo", "--format", "json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["kind"], out["outcome"]) == ("tlv", "toegekend")
    assert out["fields"] == {"type": "sbo", "start": "2026-08-01", "einde": "2026-11-01",
                             "bezwaar_tot": "2027-01-04"}
    rows = json.loads(run("cases", "--db", db, "--overdue", "--format", "json").stdout)
    assert [r["id"] for r in rows] == [cid] and rows[0]["next_due"] == "2026-09-20"
    kinds = [c["kind"] for c in json.loads(run("case", "clocks", cid, "--db", db, "--format", "json").stdout)]
    assert kinds[:2] == ["tlv_reminder", "tlv_end"]
    # the main path: case decide with the route's fields; a field of another outcome is refused
    r = by_swv("case", "decide", cid, "arrangement", "afgewezen", "--field", "einde=2027-01-31")
    assert r.exit_code == 2 and "hoort alleen bij toegekend" in r.output
    r = by_swv("case", "decide", cid, "arrangement", "toegekend", "--field", "start=2026-12-01",
               "--field", "einde=2027-01-31", "--field", "vorm=4 uur per week")
    assert r.exit_code == 0, r.output
    clocks = json.loads(run("case", "show", cid, "--db", db, "--format", "json").stdout)["clocks"]
    assert {"kind": "arrangement_end", "label": "Arrangement eindigt", "due": "2027-01-31",
            "overdue": False} in clocks
