"""Private files and bad input: one test per defect of issue 13's "Files" and "bad input" lists.

Crash logs without pupil data; exports and databases 0600 whether new or existing; CSV cells that
a spreadsheet would run as formulas; numbers past 64 bits; dates out of range; arguments that are
not UTF-8; route files too deep or with absurd terms; missing and read-only export folders.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from test_trust_support import (
    PG_URL,
    ROOT,
    Clock,
    cli_env,
    make_services,
    open_case,
    pg_database,
    run_cli,
    sqlite_services,
    tick_all,
)

from kindroute.services.text import spreadsheet_safe
from kindroute.store.db import open_database

BIG = str(2**70)


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def world(tmp_path) -> Iterator[tuple[Path, int]]:
    path = tmp_path / "kr.sqlite"
    svc = sqlite_services(path, Clock())
    cid = open_case(svc, "=HYPERLINK(\"http://x\") de Vries")
    svc.db.dispose()
    yield path, cid


# ---------------------------------------------------------------------- the crash log


def test_crash_log_has_no_argument_values_and_is_private(world, monkeypatch):
    from platformdirs import user_log_dir

    from kindroute.services import Services

    path, cid = world
    log = Path(user_log_dir("kindroute", appauthor=False)) / "kindroute.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    os.chmod(log, 0o644)

    def boom(*_a, **_k):  # type: ignore[no-untyped-def]
        raise RuntimeError("Sanne de Vries, geboren 2017-03-01, zorgen thuis")

    monkeypatch.setattr(Services, "add_note", boom)
    r = run_cli("case", "note", str(cid), "Moeder belde over Sanne", "--db", str(path),
                "--as", "Ingrid Bakker")
    assert r.returncode == 70
    body = log.read_text()
    assert "case note … … --db … --as …" in body, body
    for secret in ("Sanne", "2017-03-01", "Moeder", "Ingrid", str(path)):
        assert secret not in body, body
    assert "RuntimeError" in body
    assert mode(log) == 0o600


def test_non_utf8_argument_gets_a_message_not_a_traceback(world):
    import subprocess

    path, _cid = world
    code = "import sys\nfrom kindroute.cli import main\nmain.main(args=None, prog_name='kindroute')\n"
    r = subprocess.run([sys.executable, "-c", code, "cases", "--db", str(path), "--as", b"Ingr\xffid"],
                       capture_output=True, env=cli_env(), cwd=ROOT, timeout=60)
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 2, err
    assert "geen geldige tekst" in err and "Traceback" not in err


# ---------------------------------------------------------------------- private files


def test_export_cases_to_a_file_is_private_new_or_existing(world, tmp_path):
    path, _cid = world
    out = tmp_path / "cases.csv"
    r = run_cli("export", "cases", "--db", str(path), "--as", "Ingrid Bakker", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert mode(out) == 0o600
    os.chmod(out, 0o644)
    r = run_cli("export", "cases", "--db", str(path), "--as", "Ingrid Bakker", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert mode(out) == 0o600


def test_export_case_force_makes_an_existing_file_private(world, tmp_path):
    path, cid = world
    out = tmp_path / "dossier.md"
    out.write_text("oud")
    os.chmod(out, 0o644)
    r = run_cli("export", "case", str(cid), "--db", str(path), "--as", "Ingrid Bakker", "--out", str(out),
                "--force")
    assert r.returncode == 0, r.stderr
    assert mode(out) == 0o600 and "oud" not in out.read_text()


def test_an_existing_empty_file_used_as_database_becomes_private(tmp_path):
    path = tmp_path / "leeg.sqlite"
    path.touch()
    os.chmod(path, 0o644)
    svc = sqlite_services(path, Clock())
    open_case(svc)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        assert p.exists() and mode(p) == 0o600, p
    svc.db.dispose()


def test_an_existing_database_and_its_wal_become_private(world):
    path, _cid = world
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists():
            os.chmod(p, 0o644)
    db = open_database(str(path))
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if p.exists():
            assert mode(p) == 0o600, p
    db.dispose()


def test_missing_and_read_only_export_folders_get_a_message(world, tmp_path, monkeypatch):
    path, cid = world
    r = run_cli("export", "cases", "--db", str(path), "--as", "Ingrid Bakker", "-o",
                str(tmp_path / "nergens" / "cases.csv"))
    assert r.returncode == 2 and "bestaat niet" in r.stderr, r.stderr
    r = run_cli("export", "case", str(cid), "--db", str(path), "--as", "Ingrid Bakker", "--out",
                str(tmp_path / "nergens" / "dossier.md"))
    assert r.returncode == 2 and "bestaat niet" in r.stderr, r.stderr
    # a read-only folder (the tests may run as root, who writes anywhere: the refusal is simulated)
    import kindroute.cli.private_files as pf

    def refuse(*_a, **_k):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pf.os, "open", refuse)
    r = run_cli("export", "case", str(cid), "--db", str(path), "--as", "Ingrid Bakker", "--out",
                str(tmp_path / "dossier.md"))
    assert r.returncode == 2 and "schrijfrechten" in r.stderr, r.stderr


# ---------------------------------------------------------------------- CSV formulas


@pytest.mark.parametrize("cell", ["=1+2", "+31 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_safe("Sanne " + cell) == "Sanne " + cell
    assert spreadsheet_safe(7) == 7


def test_csv_export_neutralises_a_formula_name(world, tmp_path):
    path, _cid = world
    r = run_cli("cases", "--db", str(path), "--as", "Ingrid Bakker", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert "'=HYPERLINK" in r.stdout
    assert ",=HYPERLINK" not in r.stdout and ',"=HYPERLINK' not in r.stdout


# ---------------------------------------------------------------------- numbers and dates

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="geen PG"))]


PASSWORD = "ib-wachtwoord-12"


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> Iterator[tuple[str, dict[str, str]]]:
    """A database with one case; on PostgreSQL Ingrid Bakker logs in with a password."""
    if request.param == "sqlite":
        u = str(tmp_path / "kr.sqlite")
        svc = make_services(open_database(u), Clock())
        open_case(svc)
        svc.db.dispose()
        yield u, {}
    else:
        from kindroute.services.auth import hash_password

        with pg_database() as u:
            svc = make_services(open_database(u), Clock())
            open_case(svc)
            with svc.db.engine.begin() as conn:
                conn.execute(text("UPDATE people SET password_hash = :h WHERE name = 'Ingrid Bakker'"),
                             {"h": hash_password(PASSWORD)})
            svc.db.dispose()
            yield u, {"KINDROUTE_PASSWORD": PASSWORD}


@pytest.mark.parametrize("args", [
    ("case", "show", BIG), ("case", "note", BIG, "x"), ("case", "advance", BIG, "naar_aanpak_groep"),
    ("case", "assign", BIG, "so_expert", "Sara Smit"), ("case", "unassign", BIG, "so_expert"),
    ("case", "withdraw-consent", "1", BIG), ("case", "done", "1", BIG), ("case", "tick", BIG, "x"),
    ("case", "close", BIG), ("case", "reopen", BIG), ("case", "extend", BIG),
    ("case", "left", BIG), ("pupil", "left", BIG), ("export", "case", BIG), ("cases", "--limit", BIG),
    ("case", "agreement", BIG, "iets"), ("case", "consent", BIG, "--role", "jeugdhulp", "--purpose", "x",
                                         "--given-by", "Moeder"),
    ("case", "show", "1", "--as", BIG),
])
def test_numbers_past_64_bits_are_bad_input(url, args):
    url, env = url
    extra = [] if "--as" in args else ["--as", "Ingrid Bakker"]
    r = run_cli(*args, "--db", url, *extra, **env)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "onverwachts" not in r.stderr


@pytest.mark.parametrize("flag, value", [("--registered", "9999-12-31"), ("--registered", "1850-01-01"),
                                         ("--born", "0001-01-01")])
def test_dates_out_of_range_are_refused(url, flag, value):
    url, env = url
    args = {"--pupil": "Daan Visser", "--school": "12AB", "--group": "4", "--born": "2018-02-02"}
    args[flag] = value
    flat = [x for kv in args.items() for x in kv]
    r = run_cli("case", "open", "--db", url, "--as", "Ingrid Bakker", *flat, **env)
    assert r.returncode == 2, r.stdout + r.stderr
    assert value in r.stderr


def test_registered_date_with_a_typo_never_makes_a_case_unreadable(url):
    url, env = url
    r = run_cli("case", "open", "--db", url, "--as", "Ingrid Bakker", "--pupil", "Daan Visser",
                "--school", "12AB", "--group", "4", "--born", "2018-02-02", "--registered", "9999-12-31",
                **env)
    assert r.returncode == 2
    r = run_cli("cases", "--db", url, "--as", "Ingrid Bakker", "--format", "json", **env)
    assert r.returncode == 0, r.stderr


def test_a_step_before_the_case_was_opened_is_refused(tmp_path):
    path = tmp_path / "kr.sqlite"
    svc = sqlite_services(path, Clock())
    cid = open_case(svc)
    tick_all(svc, cid)
    svc.db.dispose()
    r = run_cli("case", "advance", str(cid), "naar_aanpak_groep", "--db", str(path), "--as", "Ingrid Bakker",
                KINDROUTE_NOW="2026-11-01T09:00")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "vóór de opening" in r.stderr
    with open_database(str(path)).engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM case_events WHERE kind = 'step'")).scalar() == 0


# ---------------------------------------------------------------------- route files


def test_deeply_nested_route_file_is_a_route_error(tmp_path):
    f = tmp_path / "diep.toml"
    f.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    r = run_cli("workflow", "check", str(f))
    assert r.returncode == 1
    assert "te diep genest" in r.stdout + r.stderr and "Traceback" not in r.stderr


def test_absurd_term_is_a_route_error(tmp_path):
    src = (ROOT / "kindroute" / "workflow" / "default_route.toml").read_text(encoding="utf-8")
    f = tmp_path / "lang.toml"
    f.write_text(src.replace("\nterm_days = 14\n", "\nterm_days = 3000000\n", 1), encoding="utf-8")
    r = run_cli("workflow", "check", str(f))
    assert r.returncode == 1
    assert "te lang" in r.stdout + r.stderr


def test_huge_route_file_is_a_route_error(tmp_path):
    f = tmp_path / "groot.toml"
    f.write_text("# " + "x" * 2_000_000 + "\n")
    r = run_cli("workflow", "check", str(f))
    assert r.returncode == 1
    assert "te groot" in r.stdout + r.stderr


def test_a_one_megabyte_csv_field_is_bad_input(world, tmp_path):
    path, _cid = world
    f = tmp_path / "groot.csv"
    f.write_text("naam,geboortedatum,groep\n" + "A" * 1_000_000 + ",2018-01-01,4\n", encoding="utf-8")
    r = run_cli("import", "pupils", str(f), "--school", "12AB", "--db", str(path), "--as", "Ingrid Bakker")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "groter dan" in r.stderr and "onverwachts" not in r.stderr
