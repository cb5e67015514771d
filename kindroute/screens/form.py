"""A base for the small forms: fields with their own error line, all-or-nothing saving.

A subclass composes its fields (each with an id) via :meth:`field`, and implements
:meth:`save`, which runs in a thread and calls one service use case. Before saving, every
field is checked at once (:meth:`check`, :meth:`require`, :meth:`field_checks`): all
errors show next to their fields and the first one is scrolled into view and focused.
Warnings (a date that makes no sense but may be right) show the same way and ask for a
second save. A Dutch error from the services is shown under the field it names
(``ERROR_FIELDS`` maps words in the message to field ids), otherwise under the form.
Nothing is saved unless the use case succeeds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from kindroute.errors import Conflict, KindrouteError
from kindroute.screens.base import KrModal, ServiceFailed, call_service


class FormScreen(KrModal):
    """A dialog with fields; enter (in a text field) or ctrl+s saves, escape cancels."""

    TITLE_TEXT = "Formulier"
    HINT = "enter/ctrl+s opslaan · tab volgend veld · esc annuleren"
    #: word in an error message -> field id
    ERROR_FIELDS: dict[str, str] = {}
    DONE = "Opgeslagen."
    AUTO_FOCUS = "Input, Select, Checkbox"

    BINDINGS = [
        Binding("escape", "cancel", "Annuleren", id="cancel"),
        Binding("ctrl+s", "save", "Opslaan", id="save"),
    ]

    class Saved(Message):
        """The use case succeeded; ``result`` is what the dialog hands back."""

        def __init__(self, result: Any) -> None:
            super().__init__()
            self.result = result

    def __init__(self, subtitle: str = "") -> None:
        super().__init__()
        self.subtitle = subtitle
        self.saving = False
        #: Warnings the user has seen and saved again over.
        self._accepted: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            title = Text(self.TITLE_TEXT, style="bold")
            if self.subtitle:
                title.append(" — " + self.subtitle, style="")
            yield Static(title, classes="dialog-title")
            fields = VerticalScroll(classes="form-fields")
            fields.can_focus = False  # not a Tab stop of its own: Tab goes field to field
            with fields:
                yield from self.fields()
            yield Label("", id="form-error", classes="error", markup=False)
            yield Static(self.HINT, classes="dialog-hint", markup=False)

    def fields(self) -> ComposeResult:
        yield from ()

    @staticmethod
    def field(label: str, widget: Widget) -> ComposeResult:
        """A label, the widget, and an (empty) error line under it, kept together in view."""
        with Vertical(classes="field", id=f"{widget.id}-field"):
            yield Label(label, classes="field-label", markup=False)
            yield widget
            yield Label("", id=f"{widget.id}-error", classes="error field-error", markup=False)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Show the focused field with its label (and its error), not just the input."""
        group = next((a for a in event.widget.ancestors if isinstance(a, Vertical) and a.has_class("field")),
                     None)
        if group is not None:
            self.call_after_refresh(group.scroll_visible, animate=False)

    # ------------------------------------------------------------------ values
    def value(self, field_id: str) -> str:
        widget = self.query_one(f"#{field_id}")
        if isinstance(widget, Input):
            return widget.value.strip()
        if isinstance(widget, Select):
            v = widget.value
            return "" if v is Select.NULL or v is None else str(v)
        return str(getattr(widget, "value", ""))

    def clear_errors(self) -> None:
        for label in self.query(".error").results(Label):
            label.update("")
            label.remove_class("shown")
            label.remove_class("warning")

    def show_error(self, message: str, field_id: str | None = None, *, warning: bool = False) -> None:
        target = None
        if field_id is None:
            for word, fid in self.ERROR_FIELDS.items():
                if word.lower() in message.lower():
                    field_id = fid
                    break
        if field_id is not None:
            try:
                target = self.query_one(f"#{field_id}-error", Label)
            except Exception:  # noqa: BLE001 - fall back to the form's own line
                target = None
        if target is None:
            target = self.query_one("#form-error", Label)
        target.update(message)
        target.add_class("shown")
        target.set_class(warning, "warning")

    def require(self, **fields: str) -> bool:
        """Check that the named fields are filled in; show '<label> is leeg.' otherwise."""
        ok = True
        for field_id, label in fields.items():
            if not self.value(field_id):
                self.show_error(f"{label} is leeg.", field_id)
                ok = False
        return ok

    def field_checks(self) -> dict[str, Callable[[str], object]]:
        """field id -> a check of its (non-empty) value that raises a KindrouteError."""
        return {}

    def warnings(self) -> list[tuple[str, str]]:
        """(field id, message) for values that are allowed but probably wrong."""
        return []

    def focus_first_problem(self) -> None:
        """Scroll to the first field that shows a message and put the cursor in it."""
        for label in self.query(".error.shown").results(Label):
            if label.id and label.id.endswith("-error") and label.id != "form-error":
                field_id = label.id.removesuffix("-error")
                widget = self.query_one(f"#{field_id}")
                widget.focus()
                self.call_after_refresh(self.query_one(f"#{field_id}-field").scroll_visible, animate=False)
                return

    # ------------------------------------------------------------------ saving
    def check(self) -> bool:
        """Checks before saving (on the UI thread); show errors and return False to stop."""
        return True

    def _check_all(self) -> bool:
        ok = self.check()
        for field_id, check in self.field_checks().items():
            value = self.value(field_id)
            if not value:
                continue
            try:
                check(value)
            except KindrouteError as exc:
                self.show_error(str(exc), field_id)
                ok = False
        if not ok:
            return False
        fresh = [(f, m) for f, m in self.warnings() if m not in self._accepted]
        for field_id, message in fresh:
            self.show_error(message + " Nogmaals opslaan om het toch zo vast te leggen.", field_id,
                            warning=True)
            self._accepted.add(message)
        return not fresh

    def save(self) -> Any:
        """Call the use case (runs in a thread). Return what the dialog hands back."""
        raise NotImplementedError

    def done_message(self, result: Any) -> str:
        return self.DONE

    def action_save(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        if not self._check_all():
            self.focus_first_problem()
            return
        self.saving = True
        call_service(self, self.save, self.Saved, purpose="save", group="form", exclusive=True)

    def on_form_screen_saved(self, message: Saved) -> None:
        self.saving = False
        self.app.notify(self.done_message(message.result), markup=False)
        self.dismiss(message.result if message.result is not None else True)

    def on_service_failed(self, message: ServiceFailed) -> None:
        if message.purpose != "save":
            super().on_service_failed(message)
            return
        self.saving = False
        if isinstance(message.error, Conflict):
            self.app.notify(str(message.error), severity="error", markup=False, timeout=8)
            self.dismiss("conflict")
            return
        self.show_error(str(message.error))
        self.focus_first_problem()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)
