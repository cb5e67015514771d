"""Schema version checks and migrations (Alembic), cheap when nothing needs doing.

The current revision is read with one query; Alembic itself is imported only when
a migration has to run, so opening an up-to-date database stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, inspect, text

#: The newest migration shipped with this kindroute (checked against the scripts in tests).
HEAD_REVISION = "0012"
#: Every revision this kindroute knows; anything else was made by a newer kindroute.
KNOWN_REVISIONS = ("0001", "0002", "0003", "0006", "0005", "0004", "0008", "0007", "0010", "0011", "0012")
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


def _classify(
    app_id: int | None, tables: set[str], scalar: Callable[[str], object]
) -> SchemaState:
    """Decide from what is in a database whether it is ours, and at which revision."""
    if app_id not in (None, 0, APPLICATION_ID):
        return SchemaState(empty=False, foreign=True, foreign_tables=tables or {"?"})
    if not tables:
        return SchemaState(empty=True)
    if "alembic_version" not in tables or "kindroute_meta" not in tables:
        return SchemaState(empty=False, foreign=True, foreign_tables=tables)
    if scalar("SELECT value FROM kindroute_meta WHERE key = 'application'") != "kindroute":
        return SchemaState(empty=False, foreign=True, foreign_tables=tables)
    revision = scalar("SELECT version_num FROM alembic_version")
    return SchemaState(revision=str(revision) if revision is not None else None, empty=False)


_SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"


def inspect_sqlite_file(path: str) -> SchemaState:
    """Read a SQLite file's schema state through a read-only connection (changes nothing)."""
    import sqlite3
    from pathlib import Path

    uri = Path(path).absolute().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, timeout=5)

    def scalar(sql: str) -> object:
        row = con.execute(sql).fetchone()
        return row[0] if row else None

    try:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in con.execute(_SQLITE_TABLES)}
        return _classify(app_id, tables, scalar)
    finally:
        con.close()


def inspect_state(engine: Engine) -> SchemaState:
    """Read what is in the database without changing anything."""
    with engine.connect() as conn:
        app_id = None
        if engine.dialect.name == "sqlite":
            app_id = conn.exec_driver_sql("PRAGMA application_id").scalar()
            tables = {r[0] for r in conn.exec_driver_sql(_SQLITE_TABLES)}
        else:
            tables = set(inspect(conn).get_table_names())
        return _classify(app_id, tables, lambda sql: conn.execute(text(sql)).scalar())


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
