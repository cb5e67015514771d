"""Importing pupils from a school system: ParnasSys-style exports and the simple CSV."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from kindroute.cli import main
from kindroute.errors import AccessDenied, InvalidInput
from kindroute.services.pupil_import import expected_group, import_pupils, parse_group
from kindroute.store.models import Pupil

IB = "Ingrid Bakker"

PARNASSYS = (
    "Leerlingnummer;Achternaam;Voorvoegsel;Roepnaam;Geslacht;Geboortedatum;Groep;Stamgroep\n"
    "1001;Vries;de;Eva;V;12-05-2018;4;4A\n"
    "1002;Çelik;;Ömer;M;03-11-2016;6;6B\n"
    "1003;Berg;van den;Fleur;V;30-09-2017;5/6;5/6\n"
    "1004;Bos;;Jan-Willem;M;01-02-2014;8;8b\n"
    "1005;Ancona;d';Noor;V;15-08-2019;groep 3;3/4\n"
)


def pupils(services, school_id: int) -> dict[str, tuple[date, int]]:
    with services.db.sessions() as s:
        return {p.name: (p.date_of_birth, p.group)
                for p in s.scalars(select(Pupil).where(Pupil.school_id == school_id))}


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "export.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_a_parnassys_export_in_every_encoding(seeded, tmp_path, encoding):
    ib = seeded.resolve_actor(IB)
    report = import_pupils(seeded, ib, "12AB", write(tmp_path, PARNASSYS, encoding))
    assert report.kind == "ParnasSys-export" and report.written and not report.refused
    assert pupils(seeded, ib.school_id) == {
        "Eva de Vries": (date(2018, 5, 12), 4),
        "Ömer Çelik": (date(2016, 11, 3), 6),
        "Fleur van den Berg": (date(2017, 9, 30), 6),  # 5/6: chosen by age (9 on 1 October), and said so
        "Jan-Willem Bos": (date(2014, 2, 1), 8),
        "Noor d' Ancona": (date(2019, 8, 15), 3),
    }
    remarks = {r.name: r.remark for r in report.new if r.remark}
    assert remarks == {"Fleur van den Berg": "combinatiegroep 5/6: groep 6 naar leeftijd"}


def test_comma_separated_and_quoted(seeded, tmp_path):
    text = ('Achternaam,Voorvoegsel,Roepnaam,Geboortedatum,Stamgroep\n'
            '"Jong",de,Daan,1-4-2018,4\n"Smit, jr.",,Sem,2017-01-31,5A\n')
    ib = seeded.resolve_actor(IB)
    report = import_pupils(seeded, ib, "12AB", write(tmp_path, text))
    assert [(r.name, r.group) for r in report.new] == [("Daan de Jong", 4), ("Sem Smit, jr.", 5)]


def test_matching_reports_new_updated_unchanged(seeded, tmp_path):
    ib = seeded.resolve_actor(IB)
    import_pupils(seeded, ib, "12AB", write(tmp_path, PARNASSYS))
    moved = PARNASSYS.replace(";4;4A", ";5;5A") + "1006;Yılmaz;;Elif;V;12-06-2017;5;5A\n"
    dry = import_pupils(seeded, ib, "12AB", write(tmp_path, moved, name="b.csv"), dry_run=True)
    assert [r.name for r in dry.new] == ["Elif Yılmaz"]
    assert [(r.name, old, r.group) for r, old in dry.updated] == [("Eva de Vries", 4, 5)]
    assert len(dry.unchanged) == 4
    assert not dry.written and pupils(seeded, ib.school_id)["Eva de Vries"][1] == 4
    done = import_pupils(seeded, ib, "12AB", write(tmp_path, moved, name="b.csv"))
    assert done.written and pupils(seeded, ib.school_id)["Eva de Vries"][1] == 5
    assert len(pupils(seeded, ib.school_id)) == 6


def test_a_pupil_with_a_case_changed_by_an_import_is_an_event_of_the_case(seeded, tmp_path):
    from kindroute.services.audit import verify_history

    ib = seeded.resolve_actor(IB)
    import_pupils(seeded, ib, "12AB", write(tmp_path, PARNASSYS))
    cid = seeded.open_case(ib, pupil="Eva de Vries", school="12AB", group=4, born="2018-05-12")
    moved = PARNASSYS.replace(";4;4A", ";5;5A")
    import_pupils(seeded, ib, "12AB", write(tmp_path, moved, name="b.csv"))
    report = verify_history(seeded.db, seeded.route)
    assert report.ok, report.problems
    assert seeded.case_detail(ib, cid).group == 5
    with seeded.db.engine.begin() as conn:  # the same change outside kindroute is found
        conn.execute(text("UPDATE pupils SET \"group\" = 6 WHERE name = 'Eva de Vries'"))
    assert not verify_history(seeded.db, seeded.route).ok


@pytest.mark.parametrize("line,reason", [
    ("1009;Vries ;de;Eva;V;12-05-2018;4;4A", "begint of eindigt met een spatie"),
    ("1009; Vries;de;Eva;V;12-05-2018;4;4A", "begint of eindigt met een spatie"),
    ('1009;"Vr\nies";de;Eva;V;12-05-2018;4;4A', "regeleinde"),
    ("1009;Vr\fies;de;Eva;V;12-05-2018;4;4A", "stuurtekens"),
    ("1009;Vries;de;Eva;V;31-02-2018;4;4A", "bestaat niet"),
    ("1009;Vries;de;Eva;V;2018/05/12x;4;4A", "geen datum"),
    ("1009;Vries;de;Eva;V;12-05-2018;9;9A", "groep 9 bestaat niet"),
    ("1009;Vries;de;Eva;V;12-05-2018;;", "groep is leeg"),
    ("1009;Vries;de;Eva;V;12-05-2018;4", "7 kolom(men), verwacht 8"),
    ("1001;Vries;de;Eva;V;12-05-2018;4;4A", "staat ook op regel 2"),
])
def test_refused_rows_are_listed_and_nothing_is_written(seeded, tmp_path, line, reason):
    ib = seeded.resolve_actor(IB)
    report = import_pupils(seeded, ib, "12AB", write(tmp_path, PARNASSYS + line + "\n"))
    assert not report.written and pupils(seeded, ib.school_id) == {}
    assert len(report.refused) == 1 and report.refused[0].line == 7
    assert reason in report.refused[0].reason


def test_a_name_close_to_an_existing_pupil_is_refused(seeded, tmp_path):
    ib = seeded.resolve_actor(IB)
    import_pupils(seeded, ib, "12AB", write(tmp_path, PARNASSYS))
    report = import_pupils(seeded, ib, "12AB", write(tmp_path, PARNASSYS.replace("Vries;de", "VRIES;de")))
    assert [str(r) for r in report.refused] == [
        "regel 2: Eva de VRIES lijkt op leerling 'Eva de Vries' met dezelfde geboortedatum; "
        "schrijf de naam gelijk"]


@pytest.mark.parametrize("header,message", [
    ("Achternaam;Roepnaam;Geboortedatum;Groep;Achternaam", "'Achternaam' (kolom 1 en 5) staat twee keer"),
    ("naam,naam,geboortedatum,groep", "'naam' (kolom 1 en 2) staat twee keer"),
    ("Achternaam;Roepnaam;Groep", "geboortedatum ontbreken"),
    ("Achternaam;Roepnaam;Geboortedatum", "groep of stamgroep ontbreken"),
])
def test_bad_headers_are_refused_whole(seeded, tmp_path, header, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_pupils(seeded, seeded.resolve_actor(IB), "12AB", write(tmp_path, header + "\nx;y;z;1;q\n"))


def test_only_the_schools_ib_or_director(seeded, tmp_path):
    for who in ("Tom de Wit", "Anna Anker", "Sara Smit"):
        with pytest.raises(AccessDenied):
            import_pupils(seeded, seeded.resolve_actor(who), "12AB", write(tmp_path, PARNASSYS))


@pytest.mark.parametrize("text,years", [("5", [5]), ("5A", [5]), ("8b", [8]), ("groep 6", [6]),
                                        ("3/4", [3, 4]), ("1-2", [1, 2]), ("7/8 c", [7, 8]), ("", [])])
def test_groups(text, years):
    assert parse_group(text) == years


def test_expected_group_by_age():
    today = date(2026, 11, 23)
    assert expected_group(date(2020, 9, 30), today) == 3  # 6 on 1 October
    assert expected_group(date(2020, 10, 2), today) == 2
    assert expected_group(date(2014, 1, 1), today) == 8


def test_cli_reports_and_keeps_the_simple_format(seeded, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("KINDROUTE_NOW", "2026-11-23T09:30")
    runner = CliRunner()
    db = str(db_path)
    simple = write(tmp_path, "naam,geboortedatum,groep\nDaan de Jong,2018-04-01,4\n", name="s.csv")
    result = runner.invoke(main, ["import", "pupils", simple, "--school", "12AB", "--db", db, "--as", IB])
    assert result.exit_code == 0, result.output
    assert "nieuw:        1" in result.output and "1 leerling(en) ingelezen" in result.output
    export = write(tmp_path, PARNASSYS, "cp1252")
    dry = runner.invoke(main, ["import", "pupils", export, "--school", "12AB", "--dry-run", "--db", db,
                               "--as", IB])
    assert dry.exit_code == 0 and "Proefdraai" in dry.output
    assert "+ regel 3: Ömer Çelik, groep 6" in dry.output
    bad = write(tmp_path, PARNASSYS + "1009;Vries ;de;Eva;V;12-05-2018;4;4A\n", name="bad.csv")
    refused = runner.invoke(main, ["import", "pupils", bad, "--school", "12AB", "--db", db, "--as", IB])
    assert refused.exit_code == 2 and "regel 7: achternaam 'Vries '" in refused.stderr
    assert "niets opgeslagen" in refused.stderr
    assert set(pupils(seeded, seeded.resolve_actor(IB).school_id)) == {"Daan de Jong"}


def test_progress_is_told_while_writing_a_large_file(seeded, tmp_path):
    rows = "".join(f"{2000 + i};Kind{i:04d};;Naam;V;01-02-2018;4;4A\n" for i in range(1200))
    header = PARNASSYS.splitlines()[0] + "\n"
    calls: list[tuple[int, int]] = []
    report = import_pupils(seeded, seeded.resolve_actor(IB), "12AB", write(tmp_path, header + rows),
                           progress=lambda done, total: calls.append((done, total)))
    assert report.written and len(report.new) == 1200
    assert calls[-1] == (1200, 1200) and len(calls) >= 3
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
