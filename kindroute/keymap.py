"""The user's own keys: ``keys.toml`` beside ``config.toml`` remaps bindings by their id.

Every binding of kindroute has an ``id`` (see :data:`BINDING_IDS`); the file maps ids to
keys, e.g.::

    step = "z"              # Stap zetten on z instead of s
    note = ["n", "ctrl+o"]  # two keys for Notitie
    home = "h,ctrl+h"       # or comma-separated

The map goes to Textual's own keymap (:meth:`textual.app.App.set_keymap`), so the footer,
the help screen (``?``) and the palette all show the remapped keys. A file that cannot be
read, is no valid TOML or holds a value that is not a key never stops the app: the app
starts with the default keys and says what is wrong, in Dutch. An unknown id is named and
skipped; the rest of the file still counts.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger(__name__)

KEYMAP_FILE = "keys.toml"

#: Every binding id that kindroute defines, the names a keys.toml may use.
BINDING_IDS: frozenset[str] = frozenset({
    # everywhere
    "quit", "help", "palette", "cases", "flowchart", "review", "home",
    # lists
    "cursor_up", "cursor_down", "page_up", "page_down", "first", "last", "open",
    "filter", "filters", "clear_filter", "reload", "new_case", "mine", "sort", "reverse",
    # a case and the actions on it
    "back", "step", "note", "agreement", "consent", "assign", "document", "toggle", "undo", "term",
    "tab1", "tab2", "tab3", "tab4", "tab5", "tab6", "tab7",
    # dialogs and forms
    "cancel", "save", "confirm", "apply", "reset", "close", "previous_option", "next_option",
    "choose1", "choose2", "choose3", "choose4", "choose5", "choose6", "choose7", "choose8", "choose9",
    # stroomschema
    "scroll_down", "scroll_up", "switch",
    # start and bespreking
    "demo", "empty", "choose", "next", "previous", "finish",
    # a bespreking: agenda, walk, verslag
    "add_set", "pick", "mark", "done", "up", "down", "remove", "walk", "agenda", "discussed", "leave",
    "text", "addendum", "next_page", "previous_page", "close_meeting", "stay",
    # logging in
    "stop",
    # the SWV's view and the people in the app
    "people", "monitor", "board", "partners",
    "plan-opp", "plan-goal", "plan-evaluate", "plan-instemming", "plan-hoorrecht",
    "add", "add_school", "all", "column_left", "column_right", "drill", "edit", "end", "end_role",
    "ended", "new", "place", "plusklas", "retro", "session", "status_bezig", "status_doen",
    "status_idee", "status_klaar", "tab8",
})

_KEY = re.compile(r"^[a-z0-9_+\-]+$|^[A-Z]$|^.$")


def keymap_path() -> Path:
    """``keys.toml`` in the folder of ``config.toml`` (the platform's user config dir)."""
    from kindroute.config import config_path

    return config_path().parent / KEYMAP_FILE


@dataclass
class Keymap:
    """What ``keys.toml`` asks for, and what was wrong with it (Dutch, for a notice)."""

    keys: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _keys(value: object) -> str | None:
    """A TOML value as Textual's key string ("a,ctrl+b"), or None if it is not keys."""
    items: list[object]
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, list):
        items = [v.strip() if isinstance(v, str) else v for v in value]
    else:
        return None
    if not items or not all(isinstance(v, str) and v and _KEY.match(v) for v in items):
        return None
    return ",".join(str(v) for v in items)


def read_keymap(path: Path | None = None) -> Keymap:
    """Read ``keys.toml``: the usable remappings, or none and the reason when the file is broken."""
    path = path or keymap_path()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        return Keymap()
    except (OSError, UnicodeDecodeError) as exc:
        return Keymap(problems=[f"{path} is niet te lezen ({exc}); de standaardtoetsen gelden."])
    except tomllib.TOMLDecodeError as exc:
        return Keymap(problems=[f"{path} is geen geldige TOML ({exc}); de standaardtoetsen gelden."])
    if isinstance(data.get("keys"), dict):  # a [keys] table is fine too
        data = data["keys"]
    keys: dict[str, str] = {}
    bad: list[str] = []
    unknown: list[str] = []
    for binding_id, value in data.items():
        if binding_id not in BINDING_IDS:
            unknown.append(binding_id)
            continue
        spelled = _keys(value)
        if spelled is None:
            bad.append(f"{binding_id} = {value!r}")
        else:
            keys[binding_id] = spelled
    if bad:
        return Keymap(problems=[
            f"{path}: geen geldige toets bij {', '.join(bad)} (schrijf bijv. step = \"z\" of "
            "note = [\"n\", \"ctrl+o\"]); de standaardtoetsen gelden."
        ])
    problems = []
    if unknown:
        problems.append(
            f"{path}: onbekende toets-id {', '.join(sorted(unknown))} overgeslagen "
            "(zie de README voor de namen)."
        )
    return Keymap(keys, problems)


def apply_keymap(app: App[object], path: Path | None = None) -> Keymap:
    """Read ``keys.toml`` and hand it to ``app.set_keymap``; problems become one warning."""
    keymap = read_keymap(path)
    for problem in keymap.problems:
        log.warning("keymap: %s", problem)
        app.notify(problem, title="Toetsen", severity="warning", markup=False, timeout=12)
    if keymap.keys:
        app.set_keymap(keymap.keys)
    return keymap
