"""``kindroute backup``: a consistent, private copy, also while someone writes."""

from __future__ import annotations

import sqlite3
import stat
import threading

import pytest
from test_trust_support import Clock, actor, open_case, run_cli, sqlite_services

from kindroute.errors import InvalidInput
from kindroute.services.audit import verify_history
from kindroute.services.backup import backup_sqlite
from kindroute.store.db import open_database


@pytest.fixture
def svc(tmp_path):
    s = sqlite_services(tmp_path / "kr.sqlite", Clock())
    for i in range(5):
        open_case(s, f"Kind {i} Backup")
    yield s
    s.db.dispose()


def test_backup_is_a_complete_private_kindroute_database(svc, tmp_path):
    dest = tmp_path / "kopie.sqlite"
    result = backup_sqlite(svc.db, dest)
    assert result.destination == dest
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    copy = open_database(str(dest), migrate=False)
    try:
        assert copy.engine.connect().exec_driver_sql("SELECT count(*) FROM cases").scalar() == 5
        assert verify_history(copy, svc.route).ok
    finally:
        copy.dispose()
    assert not list(tmp_path.glob(".kopie*"))  # no temporary file left behind


def test_backup_refuses_to_overwrite_unless_forced(svc, tmp_path):
    dest = tmp_path / "kopie.sqlite"
    dest.write_text("oud")
    with pytest.raises(InvalidInput, match="bestaat al"):
        backup_sqlite(svc.db, dest)
    assert dest.read_text() == "oud"
    backup_sqlite(svc.db, dest, force=True)
    assert dest.read_bytes().startswith(b"SQLite format 3\x00")


def test_backup_while_another_thread_writes_is_consistent(svc, tmp_path):
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        me = actor(svc)
        i = 0
        try:
            while not stop.is_set():
                svc.add_note(me, 1, f"notitie {i} " + "x" * 2000)
                i += 1
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    t = threading.Thread(target=writer)
    t.start()
    try:
        copies = [backup_sqlite(svc.db, tmp_path / f"kopie{n}.sqlite").destination for n in range(3)]
    finally:
        stop.set()
        t.join()
    assert not errors
    for copy in copies:
        con = sqlite3.connect(copy)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        notes, version = con.execute(
            "SELECT (SELECT count(*) FROM notes WHERE case_id = 1), version FROM cases WHERE id = 1"
        ).fetchone()
        con.close()
        assert version == 1 + notes  # every note raised the version in the same transaction


def test_backup_cli(svc, tmp_path):
    dest = tmp_path / "kopie.sqlite"
    db = str(svc.db.path)
    r = run_cli("backup", str(dest), "--db", db)
    assert r.returncode == 0, r.stderr
    assert "Reservekopie gemaakt" in r.stdout
    again = run_cli("backup", str(dest), "--db", db)
    assert again.returncode == InvalidInput.exit_code
    assert "--force" in again.stderr
    forced = run_cli("backup", str(dest), "--db", db, "--force")
    assert forced.returncode == 0, forced.stderr
    missing = run_cli("backup", str(tmp_path / "x.sqlite"), "--db", str(tmp_path / "weg.sqlite"))
    assert missing.returncode != 0 and "bestaat niet" in missing.stderr
    assert not (tmp_path / "weg.sqlite").exists()


def test_backup_of_postgresql_points_to_pg_dump(tmp_path):
    r = run_cli("backup", str(tmp_path / "x.dump"), "--db", "postgresql://postgres@127.0.0.1:1/nergens")
    assert r.returncode == InvalidInput.exit_code
    assert "pg_dump" in r.stderr
    assert not (tmp_path / "x.dump").exists()
