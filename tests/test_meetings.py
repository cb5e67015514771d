"""Meetings (besprekingen): the record, who sees what, the CLI contract and the verslag."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from test_trust_support import needs_pg, pg_database

from kindroute.cli import main
from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services.meeting_export import render_pdf
from kindroute.store.models import Agreement, Meeting, MeetingItem, MeetingRecord

IB = "Ingrid Bakker"
TEACHER = "Tom de Wit"
EXPERT = "Sara Smit"
CONCLUSION = "Lezen gaat vooruit.\nRekenen blijft zorg: één op één begeleiding."


def open_case(svc, ib, pupil: str) -> int:
    return svc.open_case(ib, pupil=pupil, school="12AB", group=5, born="2017-03-01", teacher=TEACHER)


@pytest.fixture
def world(seeded):
    """Three cases at De Regenboog; the SO-expert is assigned to two, with consent for one only."""
    svc = seeded
    ib = svc.resolve_actor(IB)
    ids = [open_case(svc, ib, n) for n in ("Daan Ëlberg", "Mila Geheim", "Noor Jansen")]
    for cid in ids[:2]:
        svc.assign_role(ib, cid, "so_expert", EXPERT)
    svc.record_consent(ib, ids[0], role="so_expert", purpose="consultatie", given_by="ouders")
    return svc, ib, ids


def test_a_meeting_keeps_agenda_items_agreements_and_steps(world):
    svc, ib, ids = world
    mt = svc.meetings
    mid = mt.create(ib, "leerlingbespreking", "2026-11-23 14:30",
                    attendees=[TEACHER, "ouders:Familie Ëlberg"])
    assert mt.add_cases(ib, mid, [ids[2], ids[0], ids[1]]) == (3, 0)
    assert mt.add_cases(ib, mid, [ids[0]]) == (0, 1)
    assert [c for _, c, _ in mt.agenda(ib, mid)] == [ids[2], ids[0], ids[1]]
    assert mt.move(ib, mid, 1, -1) == 0  # reorder: ids[0] first
    assert [c for _, c, _ in mt.agenda(ib, mid)] == [ids[0], ids[2], ids[1]]

    mt.update_item(ib, mid, ids[0], conclusion=CONCLUSION, parents_view="Ouders zien het ook zo.")
    g = mt.add_agreement(ib, mid, ids[0], "Thuis elke dag lezen", who="ouders", due_on="2026-12-15")
    assert g.who is None and g.who_role == "ouders"
    g2 = mt.add_agreement(ib, mid, ids[0], "Observatie in de klas", who=TEACHER)
    assert g2.who == TEACHER
    for item in svc.route.steps[svc.case_detail(ib, ids[0]).step].checklist:
        svc.tick_checklist(ib, ids[0], item.id)
    trigger = next(n.trigger for n in svc.case_detail(ib, ids[0]).next if n.allowed)
    mt.take_step(ib, mid, ids[0], trigger, note="Besloten in de bespreking")

    item, total = mt.item_at(ib, mid, 0)
    assert total == 3 and item.case_id == ids[0] and item.discussed is True
    assert item.conclusion == CONCLUSION  # line breaks kept
    assert [a.who for a in item.agreements] == ["Ouders/verzorgers", TEACHER]
    assert len(item.steps) == 1 and item.steps[0].note == "Besloten in de bespreking"
    mt.item_at(ib, mid, 2)
    assert mt.summary(ib, mid).position == 2  # the walk resumes here

    closed = mt.close(ib, mid)
    assert closed.status == "closed"
    view = mt.view(ib, mid)
    assert [i.discussed for i in view.items] == [True, False, False]
    with pytest.raises(InvalidInput, match="gesloten"):
        mt.update_item(ib, mid, ids[2], conclusion="te laat")
    mt.add_addendum(ib, mid, "Na afloop: ouders gebeld.")
    assert "ouders gebeld" in mt.view(ib, mid).addendum

    with svc._uow(write=False) as uow:
        s = uow.session
        m = s.get(Meeting, mid)
        assert (m.kind, m.status, m.held_at.hour) == ("leerlingbespreking", "closed", 14)
        assert s.scalar(select(Agreement.who_role).where(Agreement.id == g.id)) == "ouders"
        assert {r.kind for r in s.scalars(select(MeetingRecord))} == {"agreement", "step"}


def test_the_verslag_lists_everything_with_its_line_breaks(world):
    svc, ib, ids = world
    mt = svc.meetings
    mid = mt.create(ib, "mdo", "2026-11-23", attendees=[EXPERT, "ouders:Familie <b>Ëlberg</b>"])
    mt.add_cases(ib, mid, ids)
    mt.update_item(ib, mid, ids[0], conclusion=CONCLUSION + "\n<script>x</script>")
    mt.add_agreement(ib, mid, ids[0], "Thuis lezen", who="ouders", due_on="2026-12-15")
    view = mt.view(ib, mid)
    txt = mt.render(ib, mid, "text")
    assert "     Lezen gaat vooruit.\n     Rekenen blijft zorg" in txt
    assert "Thuis lezen — Ouders/verzorgers, vóór 15-12-2026" in txt
    md = mt.render(ib, mid, "md")
    assert "  > Lezen gaat vooruit.\n  > Rekenen blijft zorg" in md
    assert "\\<script\\>" in md
    html = mt.render(ib, mid, "html")
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Familie &lt;b&gt;Ëlberg&lt;/b&gt;" in html and "@media print" in html
    assert view.to_json()["items"][0]["agreements"][0]["who"] == "Ouders/verzorgers"


def test_an_outside_attendee_without_consent_sees_no_content(world, tmp_path):
    svc, ib, ids = world
    mt = svc.meetings
    mid = mt.create(ib, "mdo", "2026-11-23", attendees=[EXPERT])
    mt.add_cases(ib, mid, ids)
    for cid in ids:
        mt.update_item(ib, mid, cid, conclusion=f"Geheime conclusie {cid}")
    expert = svc.resolve_actor(EXPERT)
    view = mt.view(expert, mid)
    shown = {i.case_id: i for i in view.items}
    assert not shown[ids[0]].hidden and shown[ids[0]].conclusion == f"Geheime conclusie {ids[0]}"
    for cid in ids[1:]:  # assigned without consent; not assigned at all
        assert shown[cid].hidden and shown[cid].pupil is None and shown[cid].conclusion == ""
    for fmt in ("text", "md", "html"):
        out = mt.render(expert, mid, fmt)
        assert "Mila Geheim" not in out and "Noor Jansen" not in out
        assert f"Geheime conclusie {ids[1]}" not in out and f"Geheime conclusie {ids[2]}" not in out
        assert "geen toestemming van de ouders" in out
        assert f"Geheime conclusie {ids[0]}" in out
    item, _ = mt.item_at(expert, mid, 1)
    assert item.hidden and item.conclusion == "" and item.pupil is None
    # an outside attendee cannot change the meeting, and a stranger cannot read it
    with pytest.raises(AccessDenied):
        mt.update_item(expert, mid, ids[0], conclusion="x")
    with pytest.raises(AccessDenied):
        mt.view(svc.resolve_actor("Jeroen Wijk"), mid)
    assert mid not in [m.id for m in mt.list(svc.resolve_actor("Jeroen Wijk"))]


def test_a_set_of_thousands_is_added_whole_never_cut(world, monkeypatch):
    from kindroute.services import CaseFilter, meetings

    svc, ib, ids = world
    monkeypatch.setattr(meetings, "PAGE", 2)  # three cases in pages of two: the last page counts too
    mid = svc.meetings.create(ib, "leerlingbespreking")
    assert svc.meetings.add_set(ib, mid, CaseFilter(school_id=ib.school_id)) == (3, 0)
    _, total = svc.meetings.item_at(ib, mid, 0)
    assert total == 3


def test_timeline_has_every_kind_newest_first_and_filters(world):
    svc, ib, ids = world
    cid = ids[0]
    svc.add_note(ib, cid, "Eerste regel\ntweede regel")
    svc.add_agreement(ib, cid, "Toets", who_role="ouders")
    svc.tick_checklist(ib, cid, svc.route.steps[svc.case_detail(ib, cid).step].checklist[0].id)
    mid = svc.meetings.create(ib, "leerlingbespreking")
    svc.meetings.add_cases(ib, mid, [cid])
    events = svc.meetings.timeline(ib, cid)
    kinds = {e.kind for e in events}
    assert {"stap", "notitie", "afspraak", "toestemming", "toewijzing", "vinkje", "bespreking"} <= kinds
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    notes = svc.meetings.timeline(ib, cid, ["notitie"])
    assert {e.kind for e in notes} == {"notitie"} and notes[0].text == "Eerste regel\ntweede regel"
    with pytest.raises(InvalidInput):
        svc.meetings.timeline(ib, cid, ["onzin"])


# ---------------------------------------------------------------------------- the command line


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("KINDROUTE_NOW", "2026-11-23T09:30:00")
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=True)

    return invoke


def test_cli_round_trip(world, db_path, cli, tmp_path):
    svc, ib, ids = world
    db = str(db_path)
    r = cli("meeting", "new", "--kind", "leerlingbespreking", "--date", "2026-11-23 14:30", "--db", db,
            "--attendee", TEACHER, "--attendee", EXPERT, "--attendee", "ouders:Familie Ëlberg", "--as", IB)
    assert r.exit_code == 0, r.output
    mid = int(r.stdout.strip())
    r = cli("meeting", "add", mid, *ids, "--db", db, "--as", IB)
    assert r.exit_code == 0 and "3 casus(sen)" in r.output, r.output
    r = cli("meeting", "item", mid, ids[0], "--conclusion", CONCLUSION, "--db", db, "--as", IB)
    assert r.exit_code == 0, r.output
    r = cli("meeting", "agreement", mid, ids[0], "Thuis lezen", "--who", "ouders", "--due", "2026-12-15",
            "--db", db, "--as", IB)
    assert r.exit_code == 0, r.output
    r = cli("meeting", "list", "--open", "--format", "json", "--db", db, "--as", IB)
    assert [m["id"] for m in json.loads(r.stdout)] == [mid]
    r = cli("meeting", "close", mid, "--db", db, "--as", IB)
    assert r.exit_code == 0, r.output
    r = cli("meeting", "list", "--open", "--format", "json", "--db", db, "--as", IB)
    assert json.loads(r.stdout) == []

    r = cli("meeting", "show", mid, "--format", "json", "--db", db, "--as", IB)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {"id", "kind", "date", "school", "status", "chair", "attendees", "items"} <= set(data)
    assert (data["id"], data["kind"], data["status"]) == (mid, "leerlingbespreking", "closed")
    assert data["chair"] == IB
    assert data["date"] == "2026-11-23T14:30" and data["school"] == "OBS De Regenboog"
    assert {"name": "Familie Ëlberg", "role": "ouders"} in data["attendees"]
    assert {"name": EXPERT, "role": "so_expert"} in data["attendees"]
    first = data["items"][0]
    assert {"case", "pupil", "conclusion", "agreements", "steps", "notes", "discussed"} <= set(first)
    assert (first["case"], first["pupil"], first["conclusion"], first["discussed"]) == (
        ids[0], "Daan Ëlberg", CONCLUSION, True)
    assert first["agreements"][0]["who"] == "Ouders/verzorgers"
    assert first["agreements"][0]["due"] == "2026-12-15"
    assert [i["discussed"] for i in data["items"][1:]] == [False, False]

    r = cli("meeting", "item", mid, ids[1], "--conclusion", "te laat", "--db", db, "--as", IB)
    assert r.exit_code == 2 and "gesloten" in r.output
    r = cli("meeting", "addendum", mid, "Ouders gebeld.", "--db", db, "--as", IB)
    assert r.exit_code == 0, r.output
    r = cli("meeting", "show", mid, "--db", db, "--as", IB)
    assert "Lezen gaat vooruit.\n     Rekenen blijft zorg" in r.stdout and "Ouders gebeld." in r.stdout

    for fmt in ("md", "html", "pdf"):
        out = tmp_path / f"verslag.{fmt}"
        r = cli("meeting", "export", mid, "--format", fmt, "--out", out, "--db", db, "--as", IB)
        assert r.exit_code == 0, r.output
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "Daan Ëlberg" in (tmp_path / "verslag.md").read_text(encoding="utf-8")
    assert "Thuis lezen" in (tmp_path / "verslag.html").read_text(encoding="utf-8")
    pdf = (tmp_path / "verslag.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        got = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "verslag.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        assert "Daan Ëlberg" in got and "Rekenen blijft zorg: één op één begeleiding." in got
        assert "Thuis lezen" in got

    # the SO-expert's export shows only the pupil with consent
    out = tmp_path / "expert.md"
    r = cli("meeting", "export", mid, "--format", "md", "--out", out, "--db", db, "--as", EXPERT)
    assert r.exit_code == 0, r.output
    body = out.read_text(encoding="utf-8")
    assert "Daan Ëlberg" in body and "Mila Geheim" not in body and "Noor Jansen" not in body


def test_cli_errors_are_dutch(world, db_path, cli):
    db = str(db_path)
    r = cli("meeting", "new", "--kind", "leerlingbespreking", "--date", "gisteren", "--db", db, "--as", IB)
    assert r.exit_code != 0 and "Datum" in r.output and "Traceback" not in r.output
    r = cli("meeting", "show", "999", "--db", db, "--as", IB)
    assert r.exit_code != 0 and "Bespreking 999 bestaat niet" in r.output


def test_pdf_keeps_accents_and_survives_emoji(world):
    svc, ib, ids = world
    mid = svc.meetings.create(ib, "oudergesprek")
    svc.meetings.add_cases(ib, mid, ids[:1])
    svc.meetings.update_item(ib, mid, ids[0], conclusion="Geëvalueerd: café, reünie 🙂 klaar")
    pdf = render_pdf(svc.meetings.view(ib, mid))
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed here")
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        got = subprocess.run(["pdftotext", "-enc", "UTF-8", fh.name, "-"], capture_output=True, text=True,
                             check=True).stdout
    assert "Geëvalueerd: café, reünie" in got and "klaar" in got


# ---------------------------------------------------------------------------- migration


def test_migration_0003_upgrades_a_0002_database_with_data(tmp_path):
    from sqlalchemy import create_engine

    from kindroute.store import schema
    from kindroute.store.db import open_database

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (id, name, brin) VALUES (1, 'X', '11XX')"))
        conn.execute(text("INSERT INTO people (id, name, roles, school_id, active, created_at) "
                          "VALUES (1, 'Ingrid', 'ib', 1, 1, '2026-01-01 00:00:00')"))
        conn.execute(text(
            "INSERT INTO pupils (id, name, first_name, tussenvoegsel, last_name, search_name, sort_name, "
            "date_of_birth, \"group\", school_id) VALUES (1, 'Daan', 'Daan', '', '', 'daan', 'daan', "
            "'2017-01-01', 5, 1)"))
        conn.execute(text(
            "INSERT INTO cases (id, pupil_id, school_id, status, opened_at, opened_by_id, route_version, "
            "zorgplicht_extended, history_head, history_count, version) "
            "VALUES (1, 1, 1, 'open', '2026-01-01 00:00:00', 1, '', 0, '', 0, 1)"))
    engine.dispose()
    db = open_database(str(path))
    try:
        from kindroute.services import Services

        svc = Services(db)
        ib = svc.resolve_actor("Ingrid")
        assert svc.case_count() == 1
        mid = svc.meetings.create(ib, "leerlingbespreking", "2026-02-02")
        svc.meetings.add_cases(ib, mid, [1])
        with svc._uow(write=False) as uow:
            assert uow.session.scalar(select(MeetingItem.case_id).where(MeetingItem.meeting_id == mid)) == 1
        assert schema.inspect_state(db.engine).revision == schema.HEAD_REVISION
    finally:
        db.dispose()


def test_case_show_keeps_the_lines_of_a_note(world, db_path, cli):
    svc, ib, ids = world
    r = cli("case", "note", ids[0], "Eerste regel\nTweede regel", "--db", str(db_path), "--as", IB)
    assert r.exit_code == 0, r.output
    out = cli("case", "show", ids[0], "--db", str(db_path), "--as", IB).stdout
    assert f"{IB}: Eerste regel\n      Tweede regel" in out


def test_an_outside_attendee_s_walk_is_logged(world):
    from kindroute.store.models import AccessLog

    svc, ib, ids = world
    mid = svc.meetings.create(ib, "mdo", attendees=[EXPERT])
    svc.meetings.add_cases(ib, mid, ids)
    expert = svc.resolve_actor(EXPERT)
    svc.meetings.item_at(expert, mid, 0)  # consent: logged
    svc.meetings.item_at(expert, mid, 1)  # no consent: hidden, nothing read
    with svc._uow(write=False) as uow:
        logged = list(uow.session.scalars(select(AccessLog.case_id).where(AccessLog.person_id == expert.id)))
    assert logged == [ids[0]]
    assert svc.meetings.summary(ib, mid).position == 0  # an attendee's walk does not move the chair's


@needs_pg
@pytest.mark.pg
def test_meetings_on_postgres_after_upgrading_from_0002():
    from sqlalchemy import create_engine

    from kindroute.services import Services
    from kindroute.store import schema
    from kindroute.store.db import open_database

    with pg_database() as url:
        engine = create_engine(url)
        schema.upgrade(engine, "0002")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO schools (id, name, brin) VALUES (1, 'X', '11XX')"))
            conn.execute(text("INSERT INTO people (id, name, roles, school_id, active, created_at) "
                              "VALUES (1, 'Ingrid', 'ib', 1, true, '2026-01-01 00:00:00')"))
            conn.execute(text(
                "INSERT INTO pupils (id, name, first_name, tussenvoegsel, last_name, search_name, sort_name, "
                "date_of_birth, \"group\", school_id) VALUES (1, 'Daan', 'Daan', '', '', 'daan', 'daan', "
                "'2017-01-01', 5, 1)"))
            conn.execute(text(
                "INSERT INTO cases (id, pupil_id, school_id, status, opened_at, opened_by_id, route_version, "
                "zorgplicht_extended, history_head, history_count, version) "
                "VALUES (1, 1, 1, 'open', '2026-01-01 00:00:00', 1, '', false, '', 0, 1)"))
        engine.dispose()
        db = open_database(url)
        try:
            svc = Services(db)
            ib = svc.resolve_actor("Ingrid")
            mid = svc.meetings.create(ib, "leerlingbespreking", "2026-02-02 10:00")
            svc.meetings.add_cases(ib, mid, [1])
            svc.meetings.update_item(ib, mid, 1, conclusion="Twee\nregels")
            data = svc.meetings.view(ib, mid).to_json()
            assert data["items"][0]["conclusion"] == "Twee\nregels" and data["items"][0]["pupil"] == "Daan"
            assert schema.inspect_state(db.engine).revision == schema.HEAD_REVISION
        finally:
            db.dispose()


def test_bench_m1_runs_on_a_tiny_database(tmp_path):
    """bench/run.py --only M1 keeps working (a benchmark, not a timed test)."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(root / "bench" / "run.py"), "--cases", "200", "--quick", "--only", "M1",
         "--json", str(out)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = {f["id"]: f for f in json.loads(out.read_text())["figures"]}
    assert set(figures) == {"M1"}
    m1 = figures["M1"]
    assert len(m1["samples"]) == 2 and len(m1["floor"]) == 2 and m1["ratio"] > 0
