"""Walking a meeting's agenda: one pupil at a time, with everything needed at the table.

``n``/``p`` next/previous (the meeting remembers where it is: leaving and coming back with
``b`` resumes at the same pupil); the card shows the pupil, the steps of every track, who is
involved, consent, the checklist (tickable), documents and open agreements, and what this
meeting recorded. ``o`` conclusion or note (multi-line), ``a`` agreement (any attendee or
"ouders"), ``s`` step, ``t`` toestemming, ``d`` besproken / niet aan toegekomen, ``g`` the
agenda, ``f`` close (then the verslag), ``escape`` asks before leaving.

Each move reads one item by its position and the case's detail in a worker; the answer
carries a generation number and a stale one is dropped (as in ``widgets/case_list.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, SelectionList, Static
from textual.widgets.selection_list import Selection

from kindroute.errors import KindrouteError
from kindroute.screens.base import KrScreen, run_service
from kindroute.screens.case_text import next_steps_text, summary_text
from kindroute.services.meeting_dto import HIDDEN_TEXT, dutch_number
from kindroute.widgets.format import nl_date, nl_datetime
from kindroute.widgets.plan_tab import goals_card
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services import CaseDetail
    from kindroute.services.meeting_dto import AttendeeInfo, ItemView, MeetingSummary


class MeetingWalkScreen(KrScreen):
    BINDINGS = [
        Binding("n,right", "move(1)", "Volgende", id="next"),
        Binding("p,left", "move(-1)", "Vorige", id="previous"),
        Binding("o", "text", "Conclusie/notitie", id="text"),
        Binding("a", "agreement", "Afspraak", id="agreement"),
        Binding("s", "step", "Stap", id="step"),
        Binding("t", "consent", "Toestemming", id="consent"),
        Binding("d", "discussed", "Besproken ja/nee", id="discussed", show=False),
        Binding("g", "agenda", "Agenda", id="agenda"),
        Binding("f", "close", "Afsluiten", id="close", show=False),
        Binding("escape", "leave", "Verlaten", id="leave"),
        Binding("enter", "open", "Casus openen", id="open", show=False),
    ]

    class Loaded(Message):
        def __init__(self, generation: int, item: ItemView | None, total: int, detail: CaseDetail | None,
                     summary: MeetingSummary) -> None:
            super().__init__()
            self.generation = generation
            self.item = item
            self.total = total
            self.detail = detail
            self.summary = summary

    def __init__(self, meeting_id: int, position: int = 0) -> None:
        super().__init__()
        self.meeting_id = meeting_id
        self.position = position
        self.total = 0
        self.generation = 0
        self.item: ItemView | None = None
        self.detail: CaseDetail | None = None
        self.summary: MeetingSummary | None = None
        self.attendees: list[AttendeeInfo] = []
        self._filling = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Bespreking wordt geladen…", id="walk-title", classes="screen-title")
        with VerticalScroll(id="walk-body"):
            yield Static(id="walk-summary")
            yield Static(id="walk-item")
            yield Static(id="walk-people")
            yield Static(Text("Checklist (spatie: afvinken)", style="bold"), id="walk-checklist-title")
            yield SelectionList[str](id="walk-checklist")
            yield Static(id="walk-more")
            yield Static(id="walk-next")
        yield Footer()

    def on_mount(self) -> None:
        svc, actor, mid = self.services, self.actor, self.meeting_id
        run_service(self, lambda: svc.meetings.attendees(actor, mid), self._attendees, group="attendees")
        self.load()

    def _attendees(self, people: list[AttendeeInfo]) -> None:
        self.attendees = people

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        self.generation += 1
        gen, svc, actor, mid, pos = self.generation, self.services, self.actor, self.meeting_id, self.position

        def fetch() -> None:
            self.post_message(self.Loaded(gen, *svc.meetings.walk_to(actor, mid, pos)))

        run_service(self, fetch, group="walk-load", exclusive=True, on_error=self._failed)

    def _failed(self, exc: KindrouteError) -> None:
        self.app.notify(str(exc), severity="error", markup=False, timeout=8)
        self.query_one("#walk-summary", Static).update(Text(str(exc), style="red"))

    def on_meeting_walk_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self.generation:
            return  # an answer to an older move
        self.item, self.total, self.detail, self.summary = (message.item, message.total, message.detail,
                                                            message.summary)
        if message.item is not None:
            self.position = message.item.position
        self.show()

    def show(self) -> None:
        s, item, d, m = self.services, self.item, self.detail, self.summary
        assert m is not None
        title = Text(f"{m.kind_label} {nl_datetime(m.held_at)}", style="bold")
        if m.status != "open":
            title.append(" (gesloten)", style="bold yellow")
        if item is None:
            title.append("  · de agenda is leeg: g voor de agenda", style="dim")
        else:
            title.append(f"  casus {dutch_number(self.position + 1)} van {dutch_number(self.total)}")
            title.append(f"  · {item.discussed_label}", style="green" if item.discussed else "dim")
        self.query_one("#walk-title", Static).update(title)
        for wid in ("#walk-item", "#walk-people", "#walk-more", "#walk-next", "#walk-summary"):
            self.query_one(wid, Static).update("")
        checklist = self.query_one("#walk-checklist", SelectionList)
        self._filling = True
        checklist.clear_options()
        self._filling = False
        if item is None:
            return
        if item.hidden or d is None:
            self.query_one("#walk-summary", Static).update(
                Text(f"Casus {item.case_id} — {HIDDEN_TEXT}.", style="italic"))
            return
        self.query_one("#walk-summary", Static).update(summary_text(d, s))
        self.query_one("#walk-item", Static).update(item_text(item))
        self.query_one("#walk-people", Static).update(people_text(d))
        self._fill_checklist(d)
        self.query_one("#walk-more", Static).update(more_text(d, s))
        nx = Text("\nVolgende stappen (s)\n", style="bold")
        nx.append_text(next_steps_text(d, s))
        self.query_one("#walk-next", Static).update(nx)

    def _fill_checklist(self, d: CaseDetail) -> None:
        self._filling = True
        sel = self.query_one("#walk-checklist", SelectionList)
        options = []
        for track in d.tracks:
            for item_id, label, done in track.checklist:
                prompt = Text(label)
                if len(d.tracks) > 1:
                    prompt.append(f"  ({track.step_title})", style="dim")
                options.append(Selection(prompt, f"{track.track}:{item_id}", done))
        sel.add_options(options)
        self._filling = False

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        d = self.detail
        if self._filling or d is None:
            return
        track, item = str(event.selection.value).split(":", 1)
        done = event.selection.value in event.selection_list.selected
        svc, actor = self.services, self.actor
        self._write(lambda: svc.tick_checklist(actor, d.id, item, done=done, track=track,
                                               expected_version=d.version),
                    "Afgevinkt." if done else "Vinkje weggehaald.")

    def _write(self, call: Any, done: str) -> None:
        def failed(exc: KindrouteError) -> None:
            self.app.notify(str(exc), severity="error", markup=False, timeout=8)
            self.load()

        run_service(self, call, lambda _: self.load(), done=done, on_error=failed, group="walk-write")

    # ------------------------------------------------------------------ navigation
    def action_move(self, delta: int) -> None:
        new = self.position + delta
        if not 0 <= new < self.total:
            self.notify("Dit is het laatste agendapunt; f: afsluiten." if delta > 0
                        else "Dit is het eerste agendapunt.", severity="warning")
            return
        self.position = new
        self.load()

    def action_open(self) -> None:
        if self.detail is not None:
            self.kr.open_case(self.detail.id)

    def on_screen_resume(self) -> None:
        if self.summary is not None:  # back from a dialog or another screen: read it again
            self.load()

    def action_agenda(self) -> None:
        from kindroute.screens.meeting_agenda import MeetingAgendaScreen

        def back(position: Any) -> None:
            if isinstance(position, int):
                self.position = position
            self.load()

        self.app.push_screen(MeetingAgendaScreen(self.meeting_id, self.position), callback=back)

    # ------------------------------------------------------------------ recording
    def _ready(self) -> bool:
        if self.item is None or self.item.hidden or self.detail is None:
            self.notify("Hier valt niets vast te leggen.", severity="warning")
            return False
        return True

    def _after(self, result: Any) -> None:
        if result is not None:
            self.load()

    def action_text(self) -> None:
        from kindroute.screens.meeting_forms import ItemTextScreen

        if self._ready() and self.item is not None:
            self.app.push_screen(ItemTextScreen(self.meeting_id, self.item), callback=self._after)

    def action_agreement(self) -> None:
        from kindroute.screens.meeting_forms import MeetingAgreementScreen

        if self._ready() and self.detail is not None:
            self.app.push_screen(MeetingAgreementScreen(self.meeting_id, self.detail, self.attendees),
                                 callback=self._after)

    def action_step(self) -> None:
        from kindroute.screens.meeting_forms import MeetingStepScreen

        if self._ready() and self.detail is not None:
            self.app.push_screen(MeetingStepScreen(self.meeting_id, self.detail), callback=self._after)

    def action_consent(self) -> None:
        from kindroute.screens.consent import ConsentScreen

        if self._ready() and self.detail is not None:
            self.app.push_screen(ConsentScreen(self.detail), callback=self._after)

    def action_discussed(self) -> None:
        item = self.item
        if not self._ready() or item is None:
            return
        now = not bool(item.discussed)
        svc, actor, mid = self.services, self.actor, self.meeting_id
        self._write(lambda: svc.meetings.update_item(actor, mid, item.case_id, discussed=now),
                    "Besproken." if now else "Niet aan toegekomen.")

    # ------------------------------------------------------------------ leaving and closing
    def action_leave(self) -> None:
        from kindroute.screens.meeting_forms import LeaveScreen

        def chosen(choice: Any) -> None:
            if choice == "leave":
                self.app.pop_screen()
            elif choice == "close":
                self.action_close(confirmed=True)

        self.app.push_screen(LeaveScreen(), callback=chosen)

    def action_close(self, confirmed: bool = False) -> None:
        from kindroute.screens.meeting_forms import CloseScreen

        def do_close(ok: Any) -> None:
            if not ok:
                return
            svc, actor, mid = self.services, self.actor, self.meeting_id
            run_service(self, lambda: svc.meetings.close(actor, mid), self._show_verslag,
                        done="Bespreking afgesloten.", group="walk-write")

        if confirmed:
            do_close(True)
        else:
            self.app.push_screen(CloseScreen(), callback=do_close)

    def _show_verslag(self, _: Any) -> None:
        from kindroute.screens.meeting_verslag import VerslagScreen

        # the verslag covers the walk; leaving it leaves the (now closed) walk too
        self.app.push_screen(VerslagScreen(self.meeting_id), callback=lambda _: self.app.pop_screen())


# ---------------------------------------------------------------------------- the card's parts


def item_text(item: ItemView) -> Text:
    """What this meeting recorded for the pupil so far (line breaks kept)."""
    t = Text("\nIn deze bespreking", style="bold")
    empty = True
    for label, value in (("Conclusie", item.conclusion), ("Visie ouders", item.parents_view),
                         ("Visie leerling", item.pupil_view), ("Notities", item.notes)):
        if value:
            empty = False
            t.append(f"\n  {label}:\n", style="dim")
            t.append("    " + value.replace("\n", "\n    "))
    for g in item.agreements:
        empty = False
        t.append("\n  Afspraak: ", style="dim")
        t.append(g.what)
        t.append(f" — {g.who}" + (f", vóór {nl_date(g.due_on)}" if g.due_on else ""), style="dim")
    for st in item.steps:
        empty = False
        t.append("\n  Stap: ", style="dim")
        t.append(f"{st.from_title} → {st.to_title}")
    if empty:
        t.append("\n  nog niets (o: conclusie, a: afspraak, s: stap)", style="dim")
    return t


def people_text(d: CaseDetail) -> Text:
    t = Text("\nBetrokkenen", style="bold")
    if not d.assignments:
        t.append("\n  niemand toegewezen", style="dim")
    for a in d.assignments:
        t.append(f"\n  {a.role_label}: ", style="dim")
        t.append(a.person)
        if a.involvement:
            t.append(f" ({a.involvement})", style="dim")
    t.append("\nToestemming", style="bold")
    if not d.consents:
        t.append("\n  geen toestemming vastgelegd (t: vastleggen)", style="dim")
    for c in d.consents:
        t.append(f"\n  {c.role_label}: ", style="dim")
        t.append("geldig" if c.valid else "niet geldig", style="green" if c.valid else "red")
        t.append(f" — {c.purpose}, gegeven door {c.given_by}", style="dim")
    return t


def more_text(d: CaseDetail, services: Any) -> Text:
    t = Text("Documenten", style="bold")
    if not d.documents:
        t.append("\n  nog geen OPP, advies of besluit", style="dim")
    for doc in d.documents:
        kind = services.route.recordable(doc.kind)
        t.append(f"\n  {nl_date(doc.at)} {kind.label if kind else doc.kind}: ")
        t.append(doc.outcome, style="bold")
        if doc.title:
            t.append(f" — {doc.title}")
    t.append_text(goals_card(d.goals))
    t.append("\nOpen afspraken", style="bold")
    open_agreements = [g for g in d.agreements if not g.done]
    if not open_agreements:
        t.append("\n  geen", style="dim")
    for g in open_agreements:
        t.append("\n  • ")
        t.append(g.what)
        t.append(f" — {g.who or (services.role_label(g.who_role) if g.who_role else 'niemand')}", style="dim")
        if g.due_on:
            t.append(f", vóór {nl_date(g.due_on)}", style="bold red" if g.overdue else "dim")
    return t
