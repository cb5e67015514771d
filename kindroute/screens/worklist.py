"""Werkvoorraad (home): the cases at my turn, overdue first, then by deadline.

The app shows this screen as its first frame, before the database is open: it then
*waits* (the list says "Laden…") and loads its rows when the app calls :meth:`begin`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from kindroute.screens.case_list_screen import CaseListScreen
from kindroute.widgets.case_list import PAGE_SIZE, CaseList, CaseSource

if TYPE_CHECKING:
    from kindroute.services import CaseFilter

class WorklistScreen(CaseListScreen):
    """Home. For an IB or director a toggle between 'aan mij' and all the school's cases."""

    TITLE_TEXT = "Werkvoorraad"
    AUTO_FOCUS = "CaseList"

    BINDINGS = [
        Binding("s", "step", "Stap zetten", id="step"),
        Binding("m", "toggle_mine", "Aan mij/alle", id="mine"),
        Binding("c", "app.cases", "Casussen", id="cases"),
        Binding("b", "app.review", "Bespreking", id="review"),
        Binding("w", "app.flowchart", "Stroomschema", id="flowchart", show=False),
        Binding("escape", "clear_filter", "Filter wissen", id="clear_filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mine = True
        self._first = True
        #: Shown before the database is open; the rows load in :meth:`begin`.
        self.waiting = False

    def on_mount(self) -> None:
        self.waiting = not self.kr.opened
        if self.waiting:
            self.update_title(None)
            # the rows at once when they were read while the app loaded (after every on_mount:
            # CaseListScreen's reloads too)
            self.call_next(self.kr.take_early_page)

    def begin(self) -> None:
        """The database is open and the person known: load the rows."""
        self.waiting = False
        self.reload()
        self.refresh_bindings()

    def reload(self, keep_cursor: bool = False) -> None:
        if not self.waiting:
            super().reload(keep_cursor)

    def source(self) -> CaseSource:
        """The list's source; at start, with the kept first page's rows when the app has them."""
        source = super().source()
        take = getattr(self.services, "take_first_page", None)  # services/quick_page.KeptLists
        if take is not None:
            source.ready = take(self.actor, self.effective_filter(), PAGE_SIZE)
        return source

    def title_text(self, count: int | None) -> Text:
        if self.waiting:
            return Text(self.title_label(), style="bold")
        return super().title_text(count)

    GUARDED = CaseListScreen.GUARDED | {"toggle_mine"}

    def refused(self, action: str) -> str | None:
        return super().refused("mine" if action == "toggle_mine" else action)

    def _manages(self) -> bool:
        """The actor runs a school's cases (a role of the route that sees the school)."""
        roles = self.services.route.roles
        return any((role := roles.get(r)) is not None and role.sees == "school" for r in self.actor.roles)

    # Actions that need the data say so while it loads.
    def _with_detail(self, dialog: str) -> None:
        if not self.kr.still_loading(later=lambda: self._with_detail(dialog)):
            super()._with_detail(dialog)

    def action_filters(self) -> None:
        if not self.kr.still_loading():
            super().action_filters()

    def action_new_case(self) -> None:
        if not self.kr.still_loading():
            super().action_new_case()

    def effective_filter(self) -> CaseFilter:
        from kindroute.services.case_filter import worklist_filter

        return worklist_filter(self.filter, self.actor.id, mine=self.mine)

    def title_label(self) -> str:
        return "Werkvoorraad · " + ("aan mij" if self.mine else "alle casussen")

    def action_toggle_mine(self) -> None:
        if self.kr.still_loading():
            return
        self.mine = not self.mine
        self.reload()
        self.notify("Alle casussen van de school" if not self.mine else "Alleen casussen waar u aan zet bent")

    def rows_painted(self) -> bool:
        """The list has drawn rows of its current load (in the frame just shown, when asked
        from a ``call_after_refresh`` callback)."""
        return self.query_one(CaseList).painted_rows()

    def on_screen_resume(self) -> None:
        """Back on this screen (after the reload of :class:`CaseListScreen`): the collector may
        settle now, if it waited for this (see :meth:`KindrouteApp.settle_collector_soon`)."""
        self.kr.settle_collector_soon()

    def on_case_list_shown(self, event: CaseList.Shown) -> None:
        if self._first:
            self._first = False
            self.call_after_refresh(self.kr.mark_ready)

    def action_clear_filter(self) -> None:
        super().action_clear_filter()
