"""The floor for P5: the demo's rows written with bare ``sqlite3`` ``executemany``.

``raw_insert_seconds(source, target)`` creates ``target`` with the schema of ``source`` (its
tables, indexes and triggers, as ``sqlite_master`` holds them; the indexes exist before the
rows go in, whereas the demo drops them for a large load and builds them after; the triggers
that keep the monitor's figures come after the rows, as the demo puts them back), then
inserts every row of every table with one ``executemany`` per table, in one transaction,
with the pragmas of the demo's bulk load (WAL, ``synchronous=NORMAL``, a 256 MB cache,
foreign keys not checked). The rows are read from ``source`` before the clock starts; only
the writing is timed, so the floor is what the database itself costs for the same rows.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path


def raw_insert_seconds(source: Path, target: Path) -> tuple[float, int]:
    """(seconds, rows) for writing all rows of ``source`` into a fresh ``target``."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        objects = src.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid"
        ).fetchall()
        tables = [name for kind, name, _sql in objects if kind == "table"]
        out = sqlite3.connect(target, isolation_level=None)
        try:
            out.execute("PRAGMA journal_mode = WAL")
            out.execute("PRAGMA synchronous = NORMAL")
            out.execute("PRAGMA cache_size = -262144")  # as the demo's bulk load
            for kind, _name, sql in objects:
                if kind != "trigger":  # triggers after the rows, as the demo's load puts them back
                    out.execute(sql)
            seconds = 0.0
            total = 0
            out.execute("BEGIN")
            for table in tables:
                rows = src.execute(f'SELECT * FROM "{table}"').fetchall()  # not timed
                if not rows:
                    continue
                marks = ",".join("?" * len(rows[0]))
                started = time.perf_counter()
                out.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
                seconds += time.perf_counter() - started
                total += len(rows)
                del rows
            started = time.perf_counter()
            out.execute("COMMIT")
            seconds += time.perf_counter() - started
            for kind, _name, sql in objects:
                if kind == "trigger":
                    out.execute(sql)
        finally:
            out.close()
    finally:
        src.close()
    return seconds, total
