"""What the worklist and the Casussen screen share: a filterable, paged case list."""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static

from kindroute.screens.base import KrScreen, RightsMixin, call_service, refused_binding
from kindroute.widgets.case_list import CaseList, CaseSource
from kindroute.widgets.footer import KrFooter
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services import CaseDetail, CaseFilter, CaseRow

#: The dialogs a list opens on its highlighted case: name -> (module, class), loaded on use.
DIALOGS = {
    "step": ("kindroute.screens.step", "StepScreen"),
    "note": ("kindroute.screens.note", "NoteScreen"),
    "agreement": ("kindroute.screens.agreement", "AgreementScreen"),
    "consent": ("kindroute.screens.consent", "ConsentScreen"),
    "assign": ("kindroute.screens.assign", "AssignScreen"),
}


class CaseListScreen(RightsMixin, KrScreen):
    """A title line, a hidden name filter (``/``), and a virtual :class:`CaseList`."""

    TITLE_TEXT = ""
    WITH_STATUS = False
    GUARDED = frozenset({"consent", "assign", "new_case"})

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="filter", key_display="/"),
        Binding("f", "filters", "Meer filters", id="filters", show=False),
        Binding("escape", "clear_filter", "Filter wissen", id="clear_filter", show=False),
        Binding("f5,ctrl+r", "refresh", "Vernieuwen", id="reload", show=False),
        Binding("n", "note", "Notitie", id="note", show=False),
        Binding("a", "agreement", "Afspraak", id="agreement", show=False),
        Binding("t", "consent", "Toestemming", id="consent", show=False),
        Binding("r", "assign", "Rol toewijzen", id="assign", show=False),
        Binding("plus,ctrl+n", "new_case", "Nieuwe casus", id="new_case", show=False, key_display="+"),
        refused_binding("t", "consent", "Toestemming"),
        refused_binding("r", "assign", "Rol toewijzen"),
        refused_binding("plus,ctrl+n", "new_case", "Nieuwe casus"),
    ]

    def __init__(self) -> None:
        super().__init__()
        from kindroute.services import CaseFilter

        self.filter: CaseFilter = CaseFilter()
        self._title_lines = 0
        self._resumed = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="list-title", classes="screen-title")
        yield Input(placeholder="Zoek op naam van de leerling…", id="name-filter", classes="hidden")
        yield CaseList(id="cases")
        yield KrFooter()

    def on_mount(self) -> None:
        self.query_one(CaseList).focus()
        self.reload()

    def refused(self, action: str) -> str | None:
        actor = self.kr.actor
        if actor is None or not self.kr.opened:  # still opening: the keys wait for the data
            return None
        from kindroute.services.screen_queries import refusal

        return refusal(actor, action, self.services.route)

    # ------------------------------------------------------------------ data
    def effective_filter(self) -> CaseFilter:
        return self.filter

    def source(self) -> CaseSource:
        services, actor, f = self.services, self.actor, self.effective_filter()
        return CaseSource(
            count=lambda: services.count_cases(actor, f),
            count_until=lambda stop: services.count_cases(actor, f, stop=stop),
            page=lambda offset, limit: services.list_cases(actor, f, limit=limit, offset=offset),
            today=services.today(),
            role_label=services.role_label,
        )

    def reload(self, keep_cursor: bool = False) -> None:
        self.query_one(CaseList).reload(self.source(), keep_cursor=keep_cursor)
        self.update_title(None)

    def title_label(self) -> str:
        return self.TITLE_TEXT

    def title_text(self, count: int | None) -> Text:
        text = Text(self.title_label(), style="bold")
        if count is not None:
            text.append(f"  {count} casus" + ("sen" if count != 1 else ""), style="")
        from kindroute.screens.filter_summary import describe_filter  # not needed for the first frame

        summary = describe_filter(self.effective_filter(), self.services)
        if summary:
            text.append(f"  · filter: {summary}", style="italic")
        return text

    def update_title(self, count: int | None) -> None:
        """The title line; the screen is laid out again only when its height changes (a layout
        costs more than the rest of a keystroke)."""
        box = self.query_one("#list-title", Static)
        text = self.title_text(count)
        width = box.content_region.width
        lines = len(text.wrap(self.app.console, width)) if width > 0 else 0
        box.update(text, layout=not lines or lines != self._title_lines)
        self._title_lines = lines

    def on_case_list_counted(self, event: CaseList.Counted) -> None:
        self.update_title(event.count)

    def on_case_list_selected(self, event: CaseList.Selected) -> None:
        self.kr.open_case(event.row.id)

    def on_screen_resume(self) -> None:
        """Back on this screen: the rows again (a step elsewhere may have moved them). Not when
        the screen is first shown: its rows were loaded as it mounted."""
        if self._resumed and self.query_one(CaseList).loaded:
            self.reload(keep_cursor=True)
        self._resumed = True

    @property
    def highlighted(self) -> CaseRow | None:
        return self.query_one(CaseList).highlighted

    # ------------------------------------------------------------------ filters
    def action_filter(self) -> None:
        box = self.query_one("#name-filter", Input)
        box.remove_class("hidden")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "name-filter":
            self.filter = replace(self.filter, text=event.value)
            self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "name-filter":
            if not event.value:
                event.input.add_class("hidden")
            self.query_one(CaseList).focus()

    def action_clear_filter(self) -> None:
        """escape: clear the name filter, hide it and go back to the list — in one press."""
        box = self.query_one("#name-filter", Input)
        if box.value:
            box.value = ""  # Changed reloads
        box.add_class("hidden")
        self.query_one(CaseList).focus()

    def filtering(self) -> bool:
        """True while the name filter is open or holds text (escape then clears it first)."""
        box = self.query_one("#name-filter", Input)
        return bool(box.value) or not box.has_class("hidden")

    def action_filters(self) -> None:
        from kindroute.screens.filters import FilterScreen

        def chosen(f: CaseFilter | None) -> None:
            if f is not None:
                text = self.query_one("#name-filter", Input).value
                self.filter = replace(f, text=text)
                self.reload()

        self.app.push_screen(FilterScreen(self.filter, with_status=self.WITH_STATUS), callback=chosen)

    def action_refresh(self) -> None:
        self.reload(keep_cursor=True)

    # ------------------------------------------------------------------ actions on the highlighted case
    class DetailReady(Message):
        """The highlighted case in full, for the dialog named ``dialog``."""

        def __init__(self, detail: CaseDetail, dialog: str) -> None:
            super().__init__()
            self.detail = detail
            self.dialog = dialog

    def _with_detail(self, dialog: str) -> None:
        """Load the highlighted case in a worker, then open ``dialog`` on it (see DIALOGS)."""
        row = self.highlighted
        if row is None:
            self.notify("Geen casus gekozen.", severity="warning")
            return
        services, actor = self.services, self.actor
        call_service(self, lambda: services.case_detail(actor, row.id),
                     lambda detail: self.DetailReady(detail, dialog), group="detail", exclusive=True)

    def on_case_list_screen_detail_ready(self, message: DetailReady) -> None:
        module, name = DIALOGS[message.dialog]
        dialog = getattr(importlib.import_module(module), name)
        self.app.push_screen(dialog(message.detail), callback=self._after_change)

    def _after_change(self, result: Any) -> None:
        if result is not None:
            self.reload(keep_cursor=True)

    def action_step(self) -> None:
        self._with_detail("step")

    def action_note(self) -> None:
        self._with_detail("note")

    def action_agreement(self) -> None:
        self._with_detail("agreement")

    def action_consent(self) -> None:
        self._with_detail("consent")

    def action_assign(self) -> None:
        self._with_detail("assign")

    def action_new_case(self) -> None:
        from kindroute.screens.new_case import NewCaseScreen

        def created(case_id: Any) -> None:
            if isinstance(case_id, int):
                self.reload(keep_cursor=True)
                self.kr.open_case(case_id)

        self.app.push_screen(NewCaseScreen(), callback=created)

    def action_open(self) -> None:
        row = self.highlighted
        if row is not None:
            self.kr.open_case(row.id)
