"""Casussen: every case I may see, filtered and sorted in the database, paged lazily."""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding

from kindroute.screens.case_list_screen import CaseListScreen

SORTS = (
    ("deadline", "deadline"),
    ("pupil", "leerling"),
    ("group", "groep"),
    ("school", "school"),
    ("step", "stap"),
    ("id", "nummer"),
)


class CasesScreen(CaseListScreen):
    """All visible cases; ``o`` cycles the sort column, ``O`` reverses it."""

    TITLE_TEXT = "Casussen"
    WITH_STATUS = True

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("s", "step", "Stap zetten", id="step"),
        Binding("o", "sort", "Sorteren", id="sort"),
        Binding("O", "reverse", "Omkeren", id="reverse", show=False),
        Binding("f", "filters", "Meer filters", id="filters"),
    ]

    def title_text(self, count: int | None):  # type: ignore[no-untyped-def]
        text = super().title_text(count)
        label = dict(SORTS).get(self.filter.sort, self.filter.sort)
        text.append(f"  · gesorteerd op {label}{' (aflopend)' if self.filter.descending else ''}",
                    style="dim")
        return text

    def action_back(self) -> None:
        if self.filtering():
            self.action_clear_filter()
            return
        self.app.pop_screen()

    def action_sort(self) -> None:
        keys = [k for k, _ in SORTS]
        nxt = keys[(keys.index(self.filter.sort) + 1) % len(keys)] if self.filter.sort in keys else keys[0]
        self.filter = replace(self.filter, sort=nxt)
        self.reload()

    def action_reverse(self) -> None:
        self.filter = replace(self.filter, descending=not self.filter.descending)
        self.reload()
