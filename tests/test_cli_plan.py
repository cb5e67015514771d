"""The plan on the command line: the contract of ``case goal|opp|instemming|hoorrecht|zorgplicht|
period|clocks``, ``case open --aanmelding`` and the keys ``case show --format json`` adds."""

from __future__ import annotations

import json

from test_cli import IB, open_case, run, world  # noqa: F401 - fixtures

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
    assert r.exit_code == 2 and "toekennend besluit" in r.output
    # the SWV's decision (set up directly: the SWV records it once the case reached an SWV step)
    import sqlite3

    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO documents (case_id, kind, outcome, title, step, author_id, at) "
                     "VALUES (?, 'swv_besluit', 'toegekend', '', 'ondersteuningsteam', 1, "
                     "'2026-11-20 10:00:00')", (cid,))
    r = ok("case", "period", cid, "--kind", "tlv", "--start", "2026-08-01", "--end", "2026-11-01",
           "--type", "sbo")
    assert r.exit_code == 0, r.output
    rows = json.loads(run("cases", "--db", db, "--overdue", "--format", "json").stdout)
    assert [r["id"] for r in rows] == [cid] and rows[0]["next_due"] == "2026-09-20"
    kinds = [c["kind"] for c in json.loads(run("case", "clocks", cid, "--db", db, "--format", "json").stdout)]
    assert kinds[:2] == ["tlv_reminder", "tlv_end"]
