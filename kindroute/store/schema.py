"""Schema version checks and migrations (Alembic), cheap when nothing needs doing.

The current revision is read with one query; Alembic itself is imported only when
a migration has to run, so opening an up-to-date database stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, inspect, text

#: The newest migration shipped with this kindroute (checked against the scripts in tests).
HEAD_REVISION = "0001"
#: Every revision this kindroute knows; anything else was made by a newer kindroute.
KNOWN_REVISIONS = ("0001",)
APPLICATION_ID = 0x4B525445


@dataclass
class SchemaState:
    revision: str | None = None
    empty: bool = True
    foreign: bool = False
    foreign_tables: set[str] = field(default_factory=set)

    @property
    def current(self) -> bool:
        return self.revision == HEAD_REVISION

    @property
    def newer(self) -> bool:
        return self.revision is not None and self.revision not in KNOWN_REVISIONS


def inspect_sqlite_file(path: str) -> SchemaState:
    """Read a SQLite file's schema state through a read-only connection (changes nothing)."""
    import sqlite3
    from pathlib import Path

    uri = Path(path).absolute().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=5)
    try:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if app_id not in (0, APPLICATION_ID):
            return SchemaState(empty=False, foreign=True, foreign_tables=tables or {"?"})
        state = SchemaState(empty=not tables)
        if not tables:
            return state
        if "alembic_version" not in tables or "kindroute_meta" not in tables:
            return SchemaState(empty=False, foreign=True, foreign_tables=tables)
        marker = con.execute("SELECT value FROM kindroute_meta WHERE key = 'application'").fetchone()
        if not marker or marker[0] != "kindroute":
            return SchemaState(empty=False, foreign=True, foreign_tables=tables)
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        state.revision = row[0] if row else None
        return state
    finally:
        con.close()


def inspect_state(engine: Engine) -> SchemaState:
    """Read what is in the database without changing anything."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            app_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
            tables = {
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            }
            if app_id not in (0, APPLICATION_ID):
                return SchemaState(empty=False, foreign=True, foreign_tables=tables or {"?"})
        else:
            tables = set(inspect(conn).get_table_names())
        state = SchemaState(empty=not tables)
        if not tables:
            return state
        if "alembic_version" not in tables or "kindroute_meta" not in tables:
            state.foreign = True
            state.foreign_tables = tables
            return state
        marker = conn.execute(
            text("SELECT value FROM kindroute_meta WHERE key = 'application'")
        ).scalar()
        if marker != "kindroute":
            state.foreign = True
            state.foreign_tables = tables
            return state
        state.revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return state


def alembic_config(connection=None):  # type: ignore[no-untyped-def]
    from importlib.resources import files

    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("kindroute.store") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on the engine's database."""
    from alembic import command

    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        command.upgrade(alembic_config(conn), revision)
