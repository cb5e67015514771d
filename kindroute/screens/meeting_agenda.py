"""Agenda of a meeting: add sets or hand-picked cases, reorder, remove, then walk it.

The agenda is shown a window of 200 items at a time (``<``/``>`` for the previous/next
window): an agenda of thousands is paged, never cut. Dismisses with the position to walk
from (enter) or None (escape).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kindroute.screens.base import KrModal, KrScreen, run_service
from kindroute.services.meeting_dto import dutch_number
from kindroute.widgets.format import nl_datetime
from kindroute.widgets.title_bar import TitleBar

WINDOW = 200
ADDED = "{added} casus(sen) toegevoegd ({there} stond(en) er al op)."


class MeetingAgendaScreen(KrScreen):
    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("enter", "walk", "Doorlopen", id="walk"),
        Binding("plus,equals_sign", "add_set", "Set toevoegen", id="add_set", key_display="+"),
        Binding("space,slash", "pick", "Kiezen uit lijst", id="pick", key_display="spatie of /"),
        Binding("shift+up,u", "move(-1)", "Omhoog", id="up", key_display="u"),
        Binding("shift+down,d", "move(1)", "Omlaag", id="down", key_display="d"),
        Binding("delete,x", "remove", "Van de agenda", id="remove", key_display="x"),
        Binding("right,greater_than_sign", "window(1)", "Volgende 200", id="next_page", show=False),
        Binding("left,less_than_sign", "window(-1)", "Vorige 200", id="previous_page", show=False),
    ]

    def __init__(self, meeting_id: int, position: int = 0) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.window_start = (position // WINDOW) * WINDOW
        self.want = position
        self.total = 0
        self.rows: list[tuple[int, int, str | None]] = []
        self.summary: Any = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Agenda wordt geladen…", id="agenda-title", classes="screen-title")
        with Vertical(id="agenda-box"):
            yield OptionList(id="agenda-list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    def load(self) -> None:
        svc, actor, mid, offset = self.services, self.actor, self.meeting_id, self.window_start

        def fetch() -> tuple[Any, list[tuple[int, int, str | None]]]:
            return svc.meetings.summary(actor, mid), svc.meetings.agenda(actor, mid, offset, WINDOW)

        run_service(self, fetch, self._show, group="agenda", exclusive=True)

    def _show(self, result: tuple[Any, list[tuple[int, int, str | None]]]) -> None:
        self.summary, self.rows = result
        self.total = self.summary.items
        s = self.summary
        t = Text(f"Agenda — {s.kind_label} {nl_datetime(s.held_at)}", style="bold")
        t.append(f"  {dutch_number(self.total)} casus(sen)")
        if self.total > WINDOW:
            last = min(self.window_start + WINDOW, self.total)
            shown = f"{dutch_number(self.window_start + 1)}–{dutch_number(last)}"
            t.append(f"  · getoond {shown} (< en >)", style="dim")
        if not self.total:
            t.append("  · + set toevoegen, spatie of / kiezen uit de lijst", style="dim")
        self.query_one("#agenda-title", Static).update(t)
        ol = self.query_one(OptionList)
        ol.clear_options()
        ol.add_options([
            Option(Text(f"{pos + 1:>5}. ") + (Text(name) if name else Text(f"casus {cid} (niet zichtbaar)",
                                                                               style="dim"))
                   + Text(f"  casus {cid}", style="dim"), id=str(pos))
            for pos, cid, name in self.rows
        ])
        if self.rows:
            ol.highlighted = max(0, min(self.want - self.window_start, len(self.rows) - 1))

    @property
    def position(self) -> int | None:
        ol = self.query_one(OptionList)
        if ol.highlighted is None or not self.rows:
            return None
        return self.rows[ol.highlighted][0]

    # ------------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.dismiss(None)

    def action_walk(self) -> None:
        if not self.total:
            self.notify("De agenda is nog leeg: + voor een set, spatie of / om te kiezen.",
                        severity="warning")
            return
        self.dismiss(self.position or 0)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_walk()

    def action_window(self, delta: int) -> None:
        new = self.window_start + delta * WINDOW
        if 0 <= new < max(self.total, 1):
            self.window_start = self.want = new
            self.load()

    def _changed(self, message: str | None = None) -> Any:
        def after(result: Any) -> None:
            if isinstance(result, tuple) and message:
                added, there = result
                text = message.format(added=dutch_number(added), there=dutch_number(there))
                self.notify(text, markup=False)
            self.load()

        return after

    def action_move(self, delta: int) -> None:
        pos = self.position
        if pos is None:
            return
        svc, actor, mid = self.services, self.actor, self.meeting_id
        self.want = pos + delta
        if not self.window_start <= self.want < self.window_start + WINDOW:
            self.window_start = (max(self.want, 0) // WINDOW) * WINDOW
        run_service(self, lambda: svc.meetings.move(actor, mid, pos, delta), self._changed(),
                    group="agenda-w")

    def action_remove(self) -> None:
        pos = self.position
        if pos is None:
            return
        cid = self.rows[pos - self.window_start][1]
        svc, actor, mid = self.services, self.actor, self.meeting_id
        self.want = pos
        run_service(self, lambda: svc.meetings.remove_case(actor, mid, cid), self._changed(),
                    done="Van de agenda gehaald.", group="agenda-w")

    def action_add_set(self) -> None:
        def chosen(choice: Any) -> None:
            if choice is None:
                return
            svc, actor, mid = self.services, self.actor, self.meeting_id
            label, f = choice
            call = (lambda: svc.meetings.add_changed(actor, mid)) if f is None else (
                lambda: svc.meetings.add_set(actor, mid, f))
            self.notify(f"{label}: wordt toegevoegd…", markup=False, timeout=2)
            run_service(self, call, self._changed(ADDED), group="agenda-w")

        kind = self.summary.kind_label.lower() if self.summary else "bespreking"
        self.app.push_screen(AddSetScreen(kind), callback=chosen)

    def action_pick(self) -> None:
        from kindroute.screens.meeting_pick import PickCasesScreen

        def picked(ids: Any) -> None:
            if ids:
                svc, actor, mid = self.services, self.actor, self.meeting_id
                run_service(self, lambda: svc.meetings.add_cases(actor, mid, list(ids)),
                            self._changed(ADDED),
                            group="agenda-w")

        self.app.push_screen(PickCasesScreen(), callback=picked)


class AddSetScreen(KrModal):
    """Dismisses with (label, CaseFilter or None for "changed since the last meeting") or None."""

    BINDINGS = [Binding("escape", "cancel", "Annuleren", id="cancel")]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog meeting-choose"):
            yield Static(Text("Set toevoegen aan de agenda", style="bold"), classes="dialog-title")
            yield OptionList(id="set-list")
            yield Static("enter: alle casussen van de set toevoegen · esc annuleren", classes="dialog-hint")

    def on_mount(self) -> None:
        from kindroute.services import CaseFilter

        route = self.services.route
        self.choices: dict[str, tuple[str, Any]] = {
            "overdue": ("Alles over de termijn", CaseFilter(overdue=True)),
            "mine": ("Aan mij", CaseFilter(at_turn_person_id=self.actor.id)),
            "changed": (f"Veranderd sinds de vorige {self.kind}", None),
        }
        for step in route.steps.values():
            if step.at_turn:
                self.choices[f"step:{step.id}"] = (f"In stap: {step.title}",
                                                   CaseFilter(step=step.id, track=step.track, sort="pupil"))
        for g in range(1, 9):
            self.choices[f"group:{g}"] = (f"Groep {g}", CaseFilter(group=g, sort="pupil"))
        self.choices["all"] = ("Alle open casussen", CaseFilter())
        ol = self.query_one(OptionList)
        ol.add_options([Option(Text(label), id=key) for key, (label, _) in self.choices.items()])
        ol.highlighted = 0
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[str(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)
