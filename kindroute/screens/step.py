"""Stap zetten: choose a next step (1–9), see what will happen, add a note, confirm.

A blocked step is listed with its reasons and cannot be chosen. The step is taken with
``expected_version`` = the version of the case as shown, so a change by someone else in the
meantime gives the Conflict message and the case screen reloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label, Static

from kindroute.errors import Conflict, StepNotAllowed
from kindroute.screens.base import KrModal, ServiceFailed, call_service
from kindroute.widgets.format import nl_date

if TYPE_CHECKING:
    from kindroute.services import Actor, CaseDetail, NextStepInfo, StepResult


class StepScreen(KrModal):
    """Dismisses with the StepResult, "conflict" (reload!), or None (cancelled)."""

    AUTO_FOCUS = None

    BINDINGS = [
        Binding("escape", "cancel", "Annuleren", id="cancel"),
        Binding("enter", "confirm", "Bevestigen", id="confirm"),
        Binding("up,k", "move(-1)", "Vorige stap", id="previous_option", show=False),
        Binding("down,j", "move(1)", "Volgende stap", id="next_option", show=False),
        *[Binding(str(i), f"choose({i})", f"Kies stap {i}", id=f"choose{i}", show=False)
          for i in range(1, 10)],
    ]

    class Stepped(Message):
        """The step was taken."""

        def __init__(self, result: StepResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, detail: CaseDetail) -> None:
        super().__init__()
        self.detail = detail
        self.options: list[NextStepInfo] = list(detail.next)[:9]
        #: Why each option cannot be chosen now (the route's reasons, and the turn); () if it can.
        self.reasons: list[tuple[str, ...]] = [tuple(n.reasons) for n in self.options]
        self.chosen: int | None = None
        self.saving = False

    def choosable(self, index: int) -> bool:
        return not self.reasons[index]

    def compose(self) -> ComposeResult:
        from kindroute.services.screen_queries import turn_refusal

        d = self.detail
        route, actor = self.services.route, self.actor
        for i, n in enumerate(self.options):
            turn = turn_refusal(route, actor, d, n)
            if turn is not None:
                self.reasons[i] = (*self.reasons[i], turn)
        title = Text("Stap zetten", style="bold")
        title.append(f" — {d.pupil}")
        with Vertical(classes="dialog step-dialog"):
            yield Static(title, classes="dialog-title")
            now = Text("Nu: ", style="dim")
            now.append(", ".join(f"{t.track_label}: {t.step_title}" for t in d.tracks))
            yield Static(now)
            with VerticalScroll(id="step-options-box"):
                yield Static(id="step-options")
            yield Static(id="step-preview", classes="hidden")
            yield Label("Notitie bij deze stap (waarom?)", classes="field-label", markup=False)
            yield Input(placeholder="bijv. besproken met ouders op 3 maart", id="step-note", disabled=True)
            yield Label("", id="step-error", classes="error", markup=False)
            yield Static("1–9 kies · ↑/↓ wissel · enter bevestig · esc annuleer", classes="dialog-hint")

    def on_mount(self) -> None:
        self._render_options()
        if not self.options:
            preview = self.query_one("#step-preview", Static)
            preview.update(Text("Er zijn geen volgende stappen vanuit deze stap.", style="dim"))
            preview.remove_class("hidden")

    # ------------------------------------------------------------------ rendering
    def _render_options(self) -> None:
        from kindroute.services.screen_queries import side_track_label

        s = self.services
        t = Text()
        for i, n in enumerate(self.options, start=1):
            if i > 1:
                t.append("\n")
            selected = self.chosen == i - 1
            allowed = self.choosable(i - 1)
            line_style = "reverse" if selected else ("" if allowed else "dim")
            t.append(f" {i} ", style="bold reverse" if allowed else "dim")
            t.append(f" {n.label}", style=line_style + (" bold" if allowed else ""))
            t.append(f" → {n.to_title}", style=line_style)
            if side := side_track_label(s.route, n.track):
                t.append(f"  ({side})", style="dim")
            if not allowed:
                t.append("  geblokkeerd", style="red")
                for reason in self.reasons[i - 1]:
                    t.append("\n     ✗ ", style="red")
                    t.append(reason, style="")
        self.query_one("#step-options", Static).update(t)

    def _render_preview(self) -> None:
        if self.chosen is None:
            return
        n = self.options[self.chosen]
        s = self.services
        holder = None
        if n.at_turn_role:
            holder = next((a.person for a in self.detail.assignments if a.role == n.at_turn_role), None)
        t = Text("Wat er gebeurt:\n", style="bold")
        t.append("  Nieuwe stap: ", style="dim")
        t.append(n.to_title, style="bold")
        t.append("\n  Aan zet dan: ", style="dim")
        if n.at_turn_role:
            t.append(s.role_label(n.at_turn_role))
            t.append(f" — {holder}" if holder else " — nog niemand toegewezen (r: rol toewijzen)",
                     style="" if holder else "yellow")
        else:
            t.append("niemand (eindstap)")
        t.append("\n  Nieuwe deadline: ", style="dim")
        t.append(nl_date(n.deadline) if n.deadline else "geen termijn")
        preview = self.query_one("#step-preview", Static)
        preview.update(t)
        preview.remove_class("hidden")

    # ------------------------------------------------------------------ actions
    def action_choose(self, number: int) -> None:
        index = number - 1
        if index >= len(self.options):
            self.app.bell()
            return
        n = self.options[index]
        if not self.choosable(index):
            message = f"'{n.label}' kan nu niet: " + "; ".join(self.reasons[index])
            self._error(message)
            self.notify(message, severity="warning", markup=False)
            return
        self._error("")
        self.chosen = index
        self._render_options()
        self._render_preview()
        note = self.query_one("#step-note", Input)
        note.disabled = False
        note.focus()

    def action_move(self, delta: int) -> None:
        allowed = [i for i in range(len(self.options)) if self.choosable(i)]
        if not allowed:
            return
        if self.chosen is None:
            target = allowed[0] if delta > 0 else allowed[-1]
        else:
            pos = allowed.index(self.chosen) if self.chosen in allowed else 0
            target = allowed[(pos + delta) % len(allowed)]
        self.action_choose(target + 1)

    def _error(self, message: str) -> None:
        label = self.query_one("#step-error", Label)
        label.update(message)
        label.set_class(bool(message), "shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.chosen is None:
            self._error("Kies eerst een stap met 1–9.")
            return
        if self.saving:
            return
        n = self.options[self.chosen]
        note = self.query_one("#step-note", Input).value.strip()
        d, actor = self.detail, self.actor
        self.saving = True
        call_service(self, lambda: self.take(actor, d, n.trigger, note), self.Stepped, purpose="step",
                     group="step", exclusive=True)

    def take(self, actor: Actor, d: CaseDetail, trigger: str, note: str) -> StepResult:
        """The use case (runs in a thread); a meeting takes the step through its own."""
        return self.services.advance_case(actor, d.id, trigger, note=note, expected_version=d.version)

    def on_step_screen_stepped(self, message: Stepped) -> None:
        self.saving = False
        r, s = message.result, self.services
        if r.waiting:  # a joint turn: this confirmation is recorded, others still confirm
            names = " en ".join(s.role_label(w).lower() for w in r.waiting)
            text = f"Bevestiging vastgelegd; wacht nog op: {names}"
        else:
            text = f"Stap gezet: {s.step_title(r.from_)} → {s.step_title(r.to)}"
            for auto in r.followed:
                text += f"; daarna automatisch → {s.step_title(auto.to)}"
        self.app.notify(text, markup=False)
        self.dismiss(r)

    def on_service_failed(self, message: ServiceFailed) -> None:
        self.saving = False
        exc = message.error
        if isinstance(exc, Conflict):
            self.app.notify(str(exc), severity="error", markup=False, timeout=8)
            self.dismiss("conflict")
            return
        self._error(str(exc))
        if not isinstance(exc, StepNotAllowed):
            self.app.notify(str(exc), severity="error", markup=False, timeout=8)

    def action_cancel(self) -> None:
        self.dismiss(None)
