"""More filters for a case list: step, school, role at turn, group, overdue, status."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Label, Select, Static

from kindroute.screens.base import KrModal, call_service
from kindroute.screens.filter_summary import describe_filter as describe_filter
from kindroute.workflow.vocabulary import STATUS_LABELS

if TYPE_CHECKING:
    from kindroute.services import CaseFilter, SchoolInfo

STATUSES = tuple((label.capitalize(), status) for status, label in STATUS_LABELS.items())


class FilterScreen(KrModal):
    """Returns a new CaseFilter (or None when cancelled)."""

    BINDINGS = [
        Binding("escape", "cancel", "Annuleren", id="cancel"),
        Binding("ctrl+s", "apply", "Toepassen", id="apply"),
        Binding("ctrl+r", "reset", "Alles wissen", id="reset"),
    ]

    def __init__(self, current: CaseFilter, *, with_status: bool = False) -> None:
        super().__init__()
        self.current = current
        self.with_status = with_status

    def compose(self) -> ComposeResult:
        from kindroute.services.screen_queries import role_choices, step_choices

        route = self.services.route
        steps, roles = step_choices(route), role_choices(route)
        f = self.current
        with Vertical(classes="dialog form"):
            yield Static(Text("Filters", style="bold"), classes="dialog-title")
            with VerticalScroll(classes="form-fields"):
                yield Label("Stap", classes="field-label")
                yield Select(steps, id="step", value=f.step or Select.NULL, prompt="alle stappen")
                yield Label("School", classes="field-label")
                yield Select([], id="school", prompt="alle scholen")
                yield Label("Aan zet (rol)", classes="field-label")
                yield Select(roles, id="role", value=f.at_turn_role or Select.NULL, prompt="alle rollen")
                yield Label("Groep", classes="field-label")
                yield Select([(f"Groep {g}", g) for g in range(1, 9)], id="group",
                             value=f.group if f.group is not None else Select.NULL, prompt="alle groepen")
                if self.with_status:
                    yield Label("Status", classes="field-label")
                    yield Select(STATUSES, id="status", value=f.status or Select.NULL, prompt="alle")
                yield Checkbox("Alleen over de termijn", f.overdue, id="overdue")
            yield Static("ctrl+s toepassen · ctrl+r alles wissen · esc annuleren", classes="dialog-hint")

    def on_mount(self) -> None:
        call_service(self, self.services.list_schools, self.SchoolsLoaded, group="schools", exclusive=True)
        self.query_one("#step", Select).focus()

    class SchoolsLoaded(Message):
        def __init__(self, schools: list[SchoolInfo]) -> None:
            super().__init__()
            self.schools = schools

    def on_filter_screen_schools_loaded(self, message: SchoolsLoaded) -> None:
        schools = message.schools
        select = self.query_one("#school", Select)
        select.set_options([(s.name, s.id) for s in schools])
        if self.current.school_id is not None:
            select.value = self.current.school_id

    def _get(self, field_id: str) -> object | None:
        value = self.query_one(f"#{field_id}", Select).value
        return None if value is Select.NULL else value

    def action_apply(self) -> None:
        f = replace(
            self.current,
            step=self._get("step"),
            school_id=self._get("school"),
            school=None,
            at_turn_role=self._get("role"),
            group=self._get("group"),
            overdue=self.query_one("#overdue", Checkbox).value,
        )
        if self.with_status:
            f = replace(f, status=self._get("status"))
        self.dismiss(f)

    def action_reset(self) -> None:
        from kindroute.services import CaseFilter

        self.dismiss(CaseFilter(sort=self.current.sort, descending=self.current.descending))

    def action_cancel(self) -> None:
        self.dismiss(None)
