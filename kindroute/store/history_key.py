"""The key of the history's HMAC: a file the database does not hold.

Where the key lives:

* ``KINDROUTE_HISTORY_KEY_FILE``: a path to the key file. A shared (PostgreSQL) database gets its
  key only this way: the SWV's administrator sets it for the first change (the file is made then)
  and hands the file to the users' machines;
* otherwise ``<user config dir>/keys/<database id>.key``: created (0600) on first use of a local
  database. The database id is a random name kept in ``kindroute_meta``.

The database keeps only a fingerprint of the key (``history_key_id``), so a wrong key file is
told apart from a tampered history.
"""

from __future__ import annotations

import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, text

from kindroute.store.hmac_chain import key_id

ENV_KEY_FILE = "KINDROUTE_HISTORY_KEY_FILE"
KEY_BYTES = 32


@dataclass(frozen=True)
class HistoryKey:
    """The key (None when not available) and, if so, why (a Dutch sentence)."""

    key: bytes | None
    path: Path | None
    problem: str = ""
    #: the key was bound to the database in this (uncommitted) transaction
    fresh: bool = False


def keys_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("kindroute", appauthor=False)) / "keys"


def _meta(conn: Connection, key: str) -> str | None:
    return conn.execute(text("SELECT value FROM kindroute_meta WHERE key = :k"), {"k": key}).scalar()


def _set_meta(conn: Connection, key: str, value: str) -> None:
    if _meta(conn, key) is None:
        conn.execute(text("INSERT INTO kindroute_meta (key, value) VALUES (:k, :v)"), {"k": key, "v": value})
    else:
        conn.execute(text("UPDATE kindroute_meta SET value = :v WHERE key = :k"), {"k": key, "v": value})


def _read_key(path: Path) -> bytes:
    raw = path.read_bytes().strip()
    try:
        key = bytes.fromhex(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) < 16:
        raise ValueError("geen geldige sleutel")
    return key


def _write_key(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def resolve(conn: Connection, *, create: bool) -> HistoryKey:
    """Find (or, for a database never sealed and ``create``, make) the key of this database.

    ``conn`` is in a writing transaction when ``create`` is true: the database id and key
    fingerprint are written there.
    """
    db_id = _meta(conn, "history_id")
    expected = _meta(conn, "history_key_id")
    env = os.environ.get(ENV_KEY_FILE)
    if env:
        path = Path(env).expanduser()
    elif db_id:
        path = keys_dir() / f"{db_id}.key"
    else:
        path = None
    key: bytes | None = None
    if path is not None and path.exists():
        try:
            key = _read_key(path)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            return HistoryKey(None, path,
                              f"De sleutel van de geschiedenis ({path}) is niet te lezen: {reason}.")
    if key is not None:
        if expected and key_id(key) != expected:
            return HistoryKey(None, path, f"De sleutel in {path} hoort niet bij deze database "
                                          "(een andere sleutel heeft de geschiedenis verzegeld).")
        if not expected and create:
            _set_meta(conn, "history_key_id", key_id(key))
            if not db_id:
                _set_meta(conn, "history_id", uuid.uuid4().hex)
            return HistoryKey(key, path, fresh=True)
        return HistoryKey(key, path, fresh=not expected)
    if expected:
        where = path or keys_dir()
        return HistoryKey(None, path, f"De sleutel van de geschiedenis ontbreekt (verwacht in {where}; "
                                      f"of wijs hem aan met {ENV_KEY_FILE}).")
    if not create:
        return HistoryKey(None, path, "")
    if not env and conn.dialect.name != "sqlite":
        # a shared database: the key is the administrator's, never one a user's machine made up
        return HistoryKey(None, None, "Deze gedeelde database heeft nog geen sleutel voor de geschiedenis. "
                                      f"De beheerder wijst een sleutelbestand aan met {ENV_KEY_FILE} "
                                      "(het wordt bij de eerste wijziging gemaakt) en geeft het aan "
                                      "wie wijzigingen doet.")
    if not db_id:
        db_id = uuid.uuid4().hex
        _set_meta(conn, "history_id", db_id)
        if path is None:
            path = keys_dir() / f"{db_id}.key"
    assert path is not None
    try:
        key = _write_key(path)
    except FileExistsError:
        key = _read_key(path)
    except OSError as exc:
        return HistoryKey(None, path, f"De sleutel van de geschiedenis kan niet worden gemaakt in {path}: "
                                      f"{exc.strerror}.")
    _set_meta(conn, "history_key_id", key_id(key))
    return HistoryKey(key, path, fresh=True)
