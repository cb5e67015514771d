"""The user's own settings: who they are per database, remembered between runs.

A small TOML file in the user config directory (platformdirs), readable by its owner
only (0600). ``KINDROUTE_CONFIG`` points elsewhere (tests, or a shared machine with one
file per user). Databases are keyed by their URL *without* its password: the config
never holds a password (passwords come from the prompt, ``KINDROUTE_PASSWORD`` or
PostgreSQL's own ``~/.pgpass``).
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)


def config_path() -> Path:
    """Where the config file lives: ``KINDROUTE_CONFIG`` or the platform's user config dir."""
    env = os.environ.get("KINDROUTE_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("kindroute", appauthor=False)) / "config.toml"


def database_key(url: str) -> str:
    """``url`` without its password: how a database is named in the config."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, host = parts.netloc.rsplit("@", 1)
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The config as a dict; an unreadable or broken file counts as empty (and is logged)."""
    path = path or config_path()
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.warning("config %s not readable: %s", path, exc)
        return {}


def save_config(data: dict[str, Any], path: Path | None = None) -> None:
    """Write the config atomically and privately (0600; a temp file renamed over the old one)."""
    import tomli_w

    path = path or config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(tomli_w.dumps(data))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def remembered_person(database: str, path: Path | None = None) -> str | None:
    """The person last chosen for ``database`` (its URL; a password in it is ignored), if any."""
    people = load_config(path).get("people", {})
    if not isinstance(people, dict):
        return None
    key = database_key(database)
    value = people.get(key)
    if value is None:  # written by an older kindroute, keyed with the password
        value = next((v for k, v in people.items() if database_key(k) == key), None)
    return str(value) if value else None


def remember_person(database: str, person: str, path: Path | None = None) -> None:
    """Remember ``person`` (a name or id) as 'me' for ``database``; drops passwords from old keys."""
    data = load_config(path)
    people = data.get("people")
    if not isinstance(people, dict):
        people = {}
    people = {database_key(k): v for k, v in people.items()}
    people[database_key(database)] = person
    data["people"] = people
    try:
        save_config(data, path)
    except OSError as exc:  # a read-only home must not stop the app
        log.warning("config not written: %s", exc)
