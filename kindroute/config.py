"""The user's own settings: who they are per database, remembered between runs.

A small TOML file in the user config directory (platformdirs). ``KINDROUTE_CONFIG``
points elsewhere (tests, or a shared machine with one file per user).
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def config_path() -> Path:
    """Where the config file lives: ``KINDROUTE_CONFIG`` or the platform's user config dir."""
    env = os.environ.get("KINDROUTE_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("kindroute", appauthor=False)) / "config.toml"


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
    """Write the config atomically (a temp file renamed over the old one)."""
    import tomli_w

    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    tmp.replace(path)


def remembered_person(database: str, path: Path | None = None) -> str | None:
    """The person last chosen for ``database`` (its URL), if any."""
    people = load_config(path).get("people", {})
    value = people.get(database) if isinstance(people, dict) else None
    return str(value) if value else None


def remember_person(database: str, person: str, path: Path | None = None) -> None:
    """Remember ``person`` (a name or id) as 'me' for ``database``."""
    data = load_config(path)
    people = data.get("people")
    if not isinstance(people, dict):
        people = {}
    people[database] = person
    data["people"] = people
    try:
        save_config(data, path)
    except OSError as exc:  # a read-only home must not stop the app
        log.warning("config not written: %s", exc)
