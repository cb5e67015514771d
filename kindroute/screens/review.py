"""Bespreking (review mode): walk through a set of cases one at a time.

Choose a set (everything overdue, at a role's turn, a group, a school), then ``n``/``p``
go to the next/previous case; ``o`` adds a note (``n`` navigates here), ``a`` an agreement,
``s`` takes a step. Escape ends the review with a summary of what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kindroute.screens.base import KrModal, KrScreen, run_service
from kindroute.screens.case import next_steps_text, summary_text
from kindroute.widgets.format import nl_date, nl_datetime
from kindroute.widgets.plan_tab import goals_card
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services import CaseDetail, CaseFilter

MAX_CASES = 500  # a meeting never walks more than this


class ChooseReviewSetScreen(KrModal):
    """Dismisses with (label, CaseFilter) or None."""

    BINDINGS = [Binding("escape", "cancel", "Annuleren")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog review-choose"):
            yield Static(Text("Bespreking — welke casussen?", style="bold"), classes="dialog-title")
            yield OptionList(id="review-sets")
            yield Static("↑/↓ of j/k kiezen · enter starten · esc annuleren", classes="dialog-hint")

    def on_mount(self) -> None:
        from kindroute.services import CaseFilter

        s = self.services
        self.choices: dict[str, tuple[str, CaseFilter]] = {
            "overdue": ("Alles over de termijn", CaseFilter(overdue=True)),
            "mine": ("Aan mij", CaseFilter(at_turn_person_id=self.actor.id)),
        }
        for role in s.route.roles.values():
            if any(st.at_turn == role.id for st in s.route.steps.values()):
                self.choices[f"role:{role.id}"] = (f"Aan zet: {role.label}", CaseFilter(at_turn_role=role.id))
        for g in range(1, 9):
            self.choices[f"group:{g}"] = (f"Groep {g}", CaseFilter(group=g, sort="pupil"))
        self.choices["all"] = ("Alle open casussen", CaseFilter())
        self._fill()
        run_service(self, s.list_schools, self._schools, group="schools", exclusive=True)
        self.query_one(OptionList).focus()

    def _schools(self, schools: list) -> None:
        from kindroute.services import CaseFilter

        for school in schools:
            self.choices[f"school:{school.id}"] = (f"School: {school.name}",
                                                   CaseFilter(school_id=school.id, sort="pupil"))
        self._fill()

    def _fill(self) -> None:
        ol = self.query_one(OptionList)
        keep = ol.highlighted
        ol.clear_options()
        ol.add_options([Option(Text(label), id=key) for key, (label, _) in self.choices.items()])
        ol.highlighted = keep if keep is not None else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[str(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class Change:
    case_id: int
    pupil: str
    what: str


class ReviewScreen(KrScreen):
    """One case at a time from a fixed list of case ids."""

    BINDINGS = [
        Binding("n,right", "move(1)", "Volgende", id="next"),
        Binding("p,left", "move(-1)", "Vorige", id="previous"),
        Binding("o", "note", "Notitie", id="note"),
        Binding("a", "agreement", "Afspraak", id="agreement"),
        Binding("s", "step", "Stap zetten", id="step"),
        Binding("escape", "finish", "Klaar", id="finish"),
        Binding("enter", "open", "Casus openen", id="open", show=False),
    ]

    def __init__(self, label: str, case_filter: CaseFilter) -> None:
        super().__init__()
        self.label = label
        self.case_filter = case_filter
        self.case_ids: list[int] = []
        self.index = 0
        self.detail: CaseDetail | None = None
        self.changes: list[Change] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text(f"Bespreking: {self.label}", style="bold"), id="review-title",
                     classes="screen-title")
        with VerticalScroll(id="review-body"):
            yield Static("Casussen worden geladen…", id="review-summary")
            yield Static(id="review-agreements")
            yield Static(id="review-notes")
            yield Static(id="review-next")
        yield Footer()

    def on_mount(self) -> None:
        services, actor, f = self.services, self.actor, self.case_filter
        run_service(self, lambda: [r.id for r in services.list_cases(actor, f, limit=MAX_CASES)],
                    self._ids, group="review-ids", exclusive=True)

    def _ids(self, ids: list[int]) -> None:
        self.case_ids = ids
        if not ids:
            self.query_one("#review-summary", Static).update(
                Text("Geen casussen in deze set. Druk op escape.", style="dim"))
            return
        self._load()

    def _load(self) -> None:
        services, actor, case_id = self.services, self.actor, self.case_ids[self.index]
        run_service(self, lambda: services.case_detail(actor, case_id), self._show, group="review-load",
                    exclusive=True)

    def _show(self, d: CaseDetail) -> None:
        self.detail = d
        s = self.services
        title = Text(f"Bespreking: {self.label}", style="bold")
        title.append(f"  casus {self.index + 1} van {len(self.case_ids)}", style="")
        if self.changes:
            title.append(f"  · {len(self.changes)} wijziging(en)", style="dim")
        self.query_one("#review-title", Static).update(title)
        self.query_one("#review-summary", Static).update(summary_text(d, s))
        open_agreements = [g for g in d.agreements if not g.done]
        t = Text("\nOpen afspraken", style="bold")
        if not open_agreements:
            t.append("\n  geen", style="dim")
        for g in open_agreements:
            t.append("\n  • ")
            t.append(g.what)
            t.append(f" — {g.who or (s.role_label(g.who_role) if g.who_role else 'niemand')}", style="dim")
            if g.due_on:
                t.append(f", vóór {nl_date(g.due_on)}", style="bold red" if g.overdue else "dim")
        t.append_text(goals_card(d.goals))
        self.query_one("#review-agreements", Static).update(t)
        n = Text("\nLaatste notities", style="bold")
        if not d.notes:
            n.append("\n  geen", style="dim")
        for note in list(reversed(d.notes))[:3]:
            n.append(f"\n  {nl_datetime(note.at)} {note.author}: ", style="dim")
            n.append(note.text)
        self.query_one("#review-notes", Static).update(n)
        nx = Text("\nVolgende stappen\n", style="bold")
        nx.append_text(next_steps_text(d, s))
        self.query_one("#review-next", Static).update(nx)

    # ------------------------------------------------------------------ navigation
    def action_move(self, delta: int) -> None:
        if not self.case_ids:
            return
        new = self.index + delta
        if not 0 <= new < len(self.case_ids):
            last = "Laatste casus van de set; escape: klaar."
            self.notify(last if delta > 0 else "Dit is de eerste casus.", severity="warning")
            return
        self.index = new
        self._load()

    def action_open(self) -> None:
        if self.detail is not None:
            self.kr.open_case(self.detail.id)

    def on_screen_resume(self) -> None:
        if self.case_ids:
            self._load()

    # ------------------------------------------------------------------ recording
    def _record(self, describe: Any) -> Any:
        d = self.detail

        def after(result: Any) -> None:
            if result is None or d is None:
                return
            if result == "conflict":
                self._load()
                return
            self.changes.append(Change(d.id, d.pupil, describe(result)))
            self._load()

        return after

    def action_note(self) -> None:
        from kindroute.screens.note import NoteScreen

        if self.detail is not None:
            self.app.push_screen(NoteScreen(self.detail),
                                 callback=self._record(lambda r: f"notitie: {r.text}"))

    def action_agreement(self) -> None:
        from kindroute.screens.agreement import AgreementScreen

        if self.detail is not None:
            self.app.push_screen(AgreementScreen(self.detail),
                                 callback=self._record(lambda r: f"afspraak: {r.what}"))

    def action_step(self) -> None:
        from kindroute.screens.step import StepScreen

        s = self.services
        if self.detail is not None:
            self.app.push_screen(
                StepScreen(self.detail),
                callback=self._record(lambda r: f"stap: {s.step_title(r.from_)} → {s.step_title(r.to)}"))

    def action_finish(self) -> None:
        self.app.push_screen(ReviewSummaryScreen(self.label, len(self.case_ids), self.changes),
                             callback=lambda _: self.app.pop_screen())


class ReviewSummaryScreen(KrModal):
    """What changed during the review."""

    BINDINGS = [Binding("escape,enter,q", "close", "Sluiten")]

    def __init__(self, label: str, total: int, changes: list[Change]) -> None:
        super().__init__()
        self.label = label
        self.total = total
        self.changes = changes

    def compose(self) -> ComposeResult:
        t = Text()
        cases = len({c.case_id for c in self.changes})
        t.append(f"{self.total} casussen in de set; "
                 f"{len(self.changes)} wijziging(en) bij {cases} casus(sen).")
        pupil = None
        for c in self.changes:
            if c.pupil != pupil:
                pupil = c.pupil
                t.append("\n\n")
                t.append(c.pupil, style="bold")
            t.append("\n  • " + c.what)
        with Vertical(classes="dialog review-summary"):
            yield Static(Text(f"Bespreking afgerond — {self.label}", style="bold"), classes="dialog-title")
            with VerticalScroll():
                yield Static(t, id="review-summary-text")
            yield Static("enter of esc: terug", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
