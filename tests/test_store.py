"""Opening databases: creation, migrations, refusal of what is not ours."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from sqlalchemy import text

from kindroute.errors import DatabaseProblem
from kindroute.store import schema
from kindroute.store.db import open_database, resolve_url


def test_new_database_is_migrated_private_and_marked(tmp_path):
    path = tmp_path / "new.sqlite"
    db = open_database(str(path))
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
            assert conn.exec_driver_sql("PRAGMA application_id").scalar() == schema.APPLICATION_ID
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    finally:
        db.dispose()


def test_head_revision_constant_matches_migration_scripts():
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(schema.alembic_config())
    assert scripts.get_current_head() == schema.HEAD_REVISION
    assert {s.revision for s in scripts.walk_revisions()} == set(schema.KNOWN_REVISIONS)


def test_models_and_migrations_agree(tmp_path):
    """Autogenerate against a migrated database finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from kindroute.store.models import Base

    db = open_database(str(tmp_path / "m.sqlite"))
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_reopening_is_cheap_and_keeps_data(tmp_path):
    path = tmp_path / "k.sqlite"
    db = open_database(str(path))
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (name, brin) VALUES ('X', '11XX')"))
    db.dispose()
    db = open_database(str(path))
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM schools")).scalar() == "X"
    db.dispose()


def _bytes(path):
    return path.read_bytes()


def test_text_file_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("Dit is geen database\n")
    before = _bytes(path)
    with pytest.raises(DatabaseProblem, match="geen SQLite-database"):
        open_database(str(path))
    assert _bytes(path) == before


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    before = _bytes(path)
    with pytest.raises(DatabaseProblem, match="geen kindroute-database"):
        open_database(str(path))
    assert _bytes(path) == before


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.sqlite"
    open_database(str(path)).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = _bytes(path)
    with pytest.raises(DatabaseProblem, match="nieuwere versie"):
        open_database(str(path))
    assert _bytes(path) == before


def test_resolve_url(monkeypatch, tmp_path):
    monkeypatch.delenv("KINDROUTE_DB", raising=False)
    assert resolve_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("KINDROUTE_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).endswith("env.db")
