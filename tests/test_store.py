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
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert revision == schema.HEAD_REVISION
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


def test_migration_0002_gives_existing_pupils_their_name_words(tmp_path):
    """A database made at schema 0001 gets pupil_words for the pupils it already holds."""
    from sqlalchemy import create_engine

    from kindroute.services.text import name_words

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    schema.upgrade(engine, "0001")
    names = ["Jan-Willem d'Ancona", "Ömer Çelik", "Fleur van den Berg"]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO schools (id, name, brin) VALUES (1, 'X', '11XX')"))
        for i, name in enumerate(names, 1):
            conn.execute(text(
                "INSERT INTO pupils (id, name, first_name, tussenvoegsel, last_name, search_name, "
                "sort_name, date_of_birth, \"group\", school_id) "
                "VALUES (:i, :n, '', '', '', '', '', '2017-01-01', 5, 1)"),
                {"i": i, "n": name})
    engine.dispose()
    db = open_database(str(path))  # migrates to the head
    try:
        with db.engine.connect() as conn:
            got: dict[int, set[str]] = {}
            for pid, word in conn.execute(text("SELECT pupil_id, word FROM pupil_words")):
                got.setdefault(pid, set()).add(word)
        assert got == {i: name_words(n) for i, n in enumerate(names, 1)}
        assert got[1] == {"jan-willem", "jan", "willem", "d'ancona", "d", "ancona"}
    finally:
        db.dispose()


def test_unindexed_column_renders_a_unary_plus_on_sqlite_only():
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql, sqlite

    from kindroute.store.models import Case
    from kindroute.store.sql import unindexed

    stmt = select(Case.id).where(unindexed(Case.school_id) == 3)
    assert "WHERE +cases.school_id = " in str(stmt.compile(dialect=sqlite.dialect()))
    assert "WHERE cases.school_id = " in str(stmt.compile(dialect=postgresql.dialect()))
