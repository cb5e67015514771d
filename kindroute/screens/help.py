"""Help (?): every key of the screen you came from, and the keys that work everywhere."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from kindroute.screens.base import KrModal

EXTRA = (
    ("j / k, ↑ / ↓", "Omlaag / omhoog in lijsten"),
    ("enter", "Openen / bevestigen"),
    ("escape", "Terug / annuleren"),
    ("tab", "Naar het volgende veld of vak"),
    ("ctrl+p", "Opdrachtenpalet: elke actie, en casussen zoeken op naam"),
)


SKIP = {"focus_next", "focus_previous", "copy_text", "screen.copy_text", "command_palette"}
NAMES = {"slash": "/", "question_mark": "?", "plus": "+", "escape": "esc"}


def _key(binding: Binding) -> str:
    return binding.key_display or NAMES.get(binding.key, binding.key)


class HelpScreen(KrModal):
    """A table of keys; escape or ? closes it."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Sluiten")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        rows: dict[str, tuple[list[str], str]] = {}
        sources = [type(self.for_screen)._merged_bindings, type(self.app)._merged_bindings]
        for source in sources:
            if source is None:
                continue
            for _, binding in source:
                action = binding.action.removeprefix("app.")
                if not binding.description or binding.system or action in SKIP:
                    continue
                keys, _ = rows.get(action, ([], ""))
                key = _key(binding)
                if key not in keys:
                    keys.append(key)
                rows[action] = (keys, binding.description)
        for keys, description in rows.values():
            table.add_row(Text(" / ".join(keys)), Text(description))
        for key, text in EXTRA:
            table.add_row(Text(key), Text(text))
        with Vertical(classes="dialog help"):
            yield Static(Text("Toetsen", style="bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(table)
            yield Static("esc of ? sluit", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
