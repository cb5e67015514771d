"""Werkvoorraad (home): the cases at my turn, overdue first, then by deadline."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.binding import Binding

from kindroute.screens.case_list_screen import CaseListScreen
from kindroute.widgets.case_list import CaseList

if TYPE_CHECKING:
    from kindroute.services import CaseFilter

MANAGERS = ("ib", "directeur")


class WorklistScreen(CaseListScreen):
    """Home. For an IB or director a toggle between 'aan mij' and all the school's cases."""

    TITLE_TEXT = "Werkvoorraad"

    BINDINGS = [
        Binding("s", "step", "Stap zetten", id="step"),
        Binding("m", "toggle_mine", "Aan mij/alle", id="mine"),
        Binding("c", "app.cases", "Casussen", id="cases"),
        Binding("b", "app.review", "Bespreking", id="review"),
        Binding("w", "app.flowchart", "Stroomschema", id="flowchart", show=False),
        Binding("escape", "clear_filter", "Filter wissen", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mine = True
        self._first = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_mine":
            return any(r in MANAGERS for r in self.actor.roles)
        return True

    def effective_filter(self) -> CaseFilter:
        return replace(self.filter, sort="deadline", descending=False,
                       at_turn_person_id=self.actor.id if self.mine else None)

    def title_label(self) -> str:
        return "Werkvoorraad · " + ("aan mij" if self.mine else "alle casussen")

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self.reload()
        self.notify("Alle casussen van de school" if not self.mine else "Alleen casussen waar u aan zet bent")

    def on_case_list_counted(self, event: CaseList.Counted) -> None:
        super().on_case_list_counted(event)
        if self._first:
            self._first = False
            self.call_after_refresh(self.kr.mark_ready)

    def action_clear_filter(self) -> None:
        super().action_clear_filter()
