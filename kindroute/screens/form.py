"""A base for the small forms: fields with their own error line, all-or-nothing saving.

A subclass composes its fields (each with an id) via :meth:`field`, and implements
:meth:`save`, which runs in a thread and calls one service use case. A Dutch error from the
services is shown under the field it names (``ERROR_FIELDS`` maps words in the message to
field ids), otherwise under the form. Nothing is saved unless the use case succeeds.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from kindroute.errors import Conflict, KindrouteError
from kindroute.screens.base import KrModal, run_service


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

    def __init__(self, subtitle: str = "") -> None:
        super().__init__()
        self.subtitle = subtitle
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            title = Text(self.TITLE_TEXT, style="bold")
            if self.subtitle:
                title.append(" — " + self.subtitle, style="")
            yield Static(title, classes="dialog-title")
            with VerticalScroll(classes="form-fields"):
                yield from self.fields()
            yield Label("", id="form-error", classes="error", markup=False)
            yield Static(self.HINT, classes="dialog-hint", markup=False)

    def fields(self) -> ComposeResult:
        yield from ()

    @staticmethod
    def field(label: str, widget: Widget) -> ComposeResult:
        """A label, the widget, and an (empty) error line under it."""
        yield Label(label, classes="field-label", markup=False)
        yield widget
        yield Label("", id=f"{widget.id}-error", classes="error field-error", markup=False)

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

    def show_error(self, message: str, field_id: str | None = None) -> None:
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

    def require(self, **fields: str) -> bool:
        """Check that the named fields are filled in; show '<label> is leeg.' otherwise."""
        ok = True
        for field_id, label in fields.items():
            if not self.value(field_id):
                self.show_error(f"{label} is leeg.", field_id)
                ok = False
        return ok

    # ------------------------------------------------------------------ saving
    def check(self) -> bool:
        """Checks before saving (on the UI thread); show errors and return False to stop."""
        return True

    def save(self) -> Any:
        """Call the use case (runs in a thread). Return what the dialog hands back."""
        raise NotImplementedError

    def done_message(self, result: Any) -> str:
        return self.DONE

    def action_save(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        if not self.check():
            return
        self.saving = True
        run_service(self, self.save, self._saved, done=self.done_message, on_error=self._failed,
                    group="form", exclusive=True)

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.dismiss(result if result is not None else True)

    def _failed(self, exc: KindrouteError) -> None:
        self.saving = False
        if isinstance(exc, Conflict):
            self.app.notify(str(exc), severity="error", markup=False, timeout=8)
            self.dismiss("conflict")
            return
        self.show_error(str(exc))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)
