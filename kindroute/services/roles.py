"""PostgreSQL roles for a shared database: the application may only append to the history.

``kindroute_app`` may read and write every table, except that the history (``case_events``),
the access log and the purge records take INSERT only; the append-only triggers of migration 0007
refuse UPDATE and DELETE even for the owner (outside a retention purge). A retention purge
removes history, so it runs as the database owner (the SWV's administrator).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import text

from kindroute.errors import InvalidInput
from kindroute.store.db import Database

APP_ROLE = "kindroute_app"
APPEND_ONLY = ("case_events", "access_log", "purge_log", "register_events")
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def setup_roles(db: Database, logins: Sequence[str] = ()) -> list[str]:
    """Create (or bring up to date) ``kindroute_app`` and login roles in it. Returns new logins."""
    for name in logins:
        if not _NAME.match(name):
            raise InvalidInput(f"Ongeldige rolnaam '{name}': kleine letters, cijfers en _ (max. 63).")
    made: list[str] = []
    with db.engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).first()
        if not exists:
            conn.execute(text(f"CREATE ROLE {APP_ROLE} NOLOGIN"))
        dbname = conn.execute(text("SELECT current_database()")).scalar()
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{dbname}" TO {APP_ROLE}'))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        conn.execute(text("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                          f"TO {APP_ROLE}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}"))
        tables = ", ".join(APPEND_ONLY)
        conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {APP_ROLE}"))
        conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {APP_ROLE}"))
        for name in logins:
            if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": name}).first():
                conn.execute(text(f'GRANT {APP_ROLE} TO "{name}"'))
                continue
            conn.execute(text(f'CREATE ROLE "{name}" LOGIN IN ROLE {APP_ROLE}'))
            made.append(name)
    return made
