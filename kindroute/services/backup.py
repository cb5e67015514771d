"""A consistent copy of a SQLite database while the app may be running.

Uses SQLite's online backup API (``src.backup(dst)``): the copy is one consistent
snapshot even while others write. The copy is written to a private temporary file
next to the destination, checked, and then moved into place, so a half-written
backup never carries the destination's name. PostgreSQL is backed up with pg_dump.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kindroute.errors import DatabaseProblem, InvalidInput
from kindroute.store.db import BUSY_TIMEOUT_MS, Database, describe, resolve_url


@dataclass(frozen=True)
class BackupResult:
    source: Path
    destination: Path
    size: int
    pages: int


def pg_dump_hint(url: str) -> str:
    return (
        f"{describe(url)} is een PostgreSQL-database: maak een reservekopie met pg_dump, bijvoorbeeld\n"
        "  pg_dump --format=custom --file kindroute.dump <database>\n"
        "en zet die terug met pg_restore. 'kindroute backup' is voor een SQLite-bestand."
    )


def backup_sqlite(db: Database, destination: str | Path, *, force: bool = False) -> BackupResult:
    """Copy the open SQLite database ``db`` to ``destination`` (0600), consistently."""
    if not db.is_sqlite or db.path is None:
        raise InvalidInput(pg_dump_hint(db.url))
    source = db.path.resolve()
    dest = Path(destination).expanduser().absolute()
    if dest.is_dir():
        raise InvalidInput(f"{dest} is een map; geef de naam van het reservebestand.")
    if dest.resolve() == source:
        raise InvalidInput("De reservekopie kan niet over de database zelf heen.")
    if dest.exists() and not force:
        raise InvalidInput(f"{dest} bestaat al; kies een andere naam of gebruik --force om te overschrijven.")
    if not dest.parent.is_dir():
        raise InvalidInput(f"De map {dest.parent} bestaat niet.")
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise InvalidInput(f"Kan {dest} niet schrijven: {exc.strerror}.") from None
    try:
        # read-only URI: the backup never writes to the source
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, pages=1024)
                dst.execute("PRAGMA journal_mode = DELETE")
                check = dst.execute("PRAGMA integrity_check").fetchone()[0]
                pages = dst.execute("PRAGMA page_count").fetchone()[0]
                if check != "ok":
                    raise DatabaseProblem(
                        f"De reservekopie is niet in orde ({check}); {dest} is niet gemaakt."
                    )
            finally:
                dst.close()
        finally:
            src.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise DatabaseProblem(f"Reservekopie van {source} mislukt: {exc}") from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            if leftover.exists():
                leftover.unlink()
    return BackupResult(source=source, destination=dest, size=dest.stat().st_size, pages=pages)


def is_postgres(db: str | None) -> bool:
    return resolve_url(db).startswith("postgresql")
