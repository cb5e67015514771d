"""Help (?): every key of the screen you came from, as it is bound now (keys.toml included).

The keys come from Textual's public ``Screen.active_bindings`` of that screen: what the
focused widget, the screen and the app bind, after the user's keymap, and only what the
acting person may do there.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from kindroute.keymap import BINDING_IDS
from kindroute.screens.base import KrModal

EXTRA = (
    ("tab", "Naar het volgende veld of vak"),
)

NAMES = {"slash": "/", "question_mark": "?", "plus": "+", "escape": "esc", "space": "spatie",
         "pageup": "pgup", "pagedown": "pgdn", "up": "↑", "down": "↓", "left": "←", "right": "→"}


def key_label(binding: Binding) -> str:
    """How a key is written in the help: its display name or a short name."""
    if binding.key_display:
        return binding.key_display
    return NAMES.get(binding.key, binding.key)


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) for every kindroute binding active on ``screen``.

    The screen's own keys first, then those of the focused list or field, then the app's.
    """
    rows: dict[str, tuple[list[str], str]] = {}
    app = screen.app
    order = sorted(screen.active_bindings.items(),
                   key=lambda item: 0 if item[1].node is screen else (2 if item[1].node is app else 1))
    for key, active in order:
        binding = active.binding
        if binding.id not in BINDING_IDS or not binding.description or binding.system:
            continue
        keys, _ = rows.get(binding.id, ([], ""))
        label = key_label(binding) if binding.key == key else NAMES.get(key, key)
        if label not in keys:
            keys.append(label)
        rows[binding.id] = (keys, binding.description)
    return [(" / ".join(keys), description) for keys, description in rows.values()]


class HelpScreen(KrModal):
    """A table of keys; escape or ? closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Sluiten", id="close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for keys, description in key_rows(self.for_screen):
            table.add_row(Text(keys), Text(description))
        for key, text in EXTRA:
            table.add_row(Text(key), Text(text))
        with Vertical(classes="dialog help"):
            yield Static(Text("Toetsen", style="bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Static("esc of ? sluit · eigen toetsen: keys.toml (zie de README)", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
