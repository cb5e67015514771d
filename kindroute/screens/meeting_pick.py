"""Kiezen voor de agenda: every case I may see, paged; ``space`` marks, ``/`` finds a pupil.

Enter adds the marked cases (or, with none marked, the highlighted one) and returns to the
agenda; escape clears the name filter first, then returns without adding.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from kindroute.screens.case_list_screen import CaseListScreen
from kindroute.widgets.case_list import CaseList


class PickCasesScreen(CaseListScreen):
    """Dismisses with a list of case ids (possibly empty)."""

    TITLE_TEXT = "Kiezen voor de agenda"

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("space", "mark", "Kiezen aan/uit", id="mark", key_display="spatie"),
        Binding("slash", "filter", "Zoek leerling", id="filter", key_display="/"),
        Binding("ctrl+s", "done", "Toevoegen", id="done"),
        Binding("f", "filters", "Meer filters", id="filters"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marked: dict[int, str] = {}

    def title_text(self, count: int | None) -> Text:
        text = super().title_text(count)
        if self.marked:
            names = ", ".join(list(self.marked.values())[:4]) + (" …" if len(self.marked) > 4 else "")
            text.append(f"  · {len(self.marked)} gekozen: ", style="bold")
            text.append(names)
        else:
            text.append("  · spatie: kiezen, enter: toevoegen", style="dim")
        return text

    def action_mark(self) -> None:
        row = self.highlighted
        if row is None:
            return
        if row.id in self.marked:
            del self.marked[row.id]
        else:
            self.marked[row.id] = row.pupil
        self.update_title(self.query_one(CaseList).count)
        self.query_one(CaseList).action_cursor_down()

    def on_case_list_selected(self, event: CaseList.Selected) -> None:
        event.stop()
        if not self.marked:
            self.marked[event.row.id] = event.row.pupil
        self.action_done()

    def action_done(self) -> None:
        self.dismiss(list(self.marked))

    def action_back(self) -> None:
        box = self.query_one("#name-filter")
        if box.has_focus or box.value:  # type: ignore[attr-defined]
            self.action_clear_filter()
            return
        self.dismiss([])
