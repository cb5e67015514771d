"""Casus: one case in full — where it stands, who does what, what can happen next.

The tabs hold everything the IB records during a meeting: the checklist of the current
step and the documents (OPP, advies, besluit) are what unblock the next steps, so both can
be recorded here with the keyboard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import (
    DataTable,
    SelectionList,
    Static,
    TabbedContent,
    TabPane,
)
from textual.widgets.selection_list import Selection

from kindroute.screens.base import (
    KrScreen,
    RightsMixin,
    ServiceFailed,
    call_service,
    refused_binding,
    run_service,
)
from kindroute.screens.case_tabs import (
    documents_text,
    fill_agreements,
    fill_consents,
    notes_text,
    pane_widgets,
)
from kindroute.screens.case_text import next_steps_text, summary_text
from kindroute.screens.case_timeline import TimelinePane
from kindroute.widgets.footer import KrFooter
from kindroute.widgets.format import nl_date
from kindroute.widgets.plan_tab import PlanTab
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:

    from kindroute.app import KindrouteApp
    from kindroute.services import CaseDetail

TABS = ("who", "next", "checklist", "history", "notes", "agreements", "consents", "plan")
#: Tab titles: (wide, narrow) — the narrow ones fit all eight tabs in 80 columns.
TAB_TITLES = {
    "who": ("Wie doet wat", "Wie"),
    "next": ("Volgende stappen", "Stappen"),
    "checklist": ("Checklist", "Check"),
    "history": ("Tijdlijn", "Tijdlijn"),
    "notes": ("Notities", "Notities"),
    "agreements": ("Afspraken", "Afspr."),
    "consents": ("Toestemmingen", "Toestem."),
    "plan": ("Plan", "Plan"),
}
NARROW = 104  # below this width the tabs take their short titles


def open_case_screen(app: KindrouteApp, case_id: int) -> None:
    """Open case ``case_id``: its detail is read first (one worker), then the screen is built
    and painted once, with its header and first tab. A case that cannot be read opens the
    screen anyway, which shows why (as a reload would)."""
    services, actor = app.services, app.actor

    def push(detail: CaseDetail | None) -> None:
        app.push_screen(CaseScreen(case_id, detail))

    run_service(app, lambda: services.case_detail(actor, case_id), push,
                on_error=lambda _exc: push(None), group="open-case", exclusive=True)


class CaseScreen(RightsMixin, KrScreen):
    """Detail of one case, reloaded after every change."""

    GUARDED = frozenset({"consent", "assign"})

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back", show=False),
        Binding("s", "step", "Stap zetten", id="step"),
        Binding("n", "note", "Notitie", id="note"),
        Binding("a", "agreement", "Afspraak", id="agreement"),
        Binding("t", "consent", "Toestemming", id="consent"),
        Binding("r", "assign", "Rol toewijzen", id="assign"),
        refused_binding("t", "consent", "Toestemming"),
        refused_binding("r", "assign", "Rol toewijzen"),
        Binding("d", "document", "Document vastleggen", id="document", show=False),
        Binding("e", "term", "Termijn vaststellen", id="term", show=False),
        Binding("x", "toggle_row", "Afspraak afronden / toestemming intrekken", id="toggle", show=False),
        Binding("u", "undo", "Ongedaan maken", id="undo", show=False),
        Binding("w", "flowchart", "Stroomschema", id="flowchart", show=False),
        Binding("f5,ctrl+r", "reload", "Vernieuwen", id="reload", show=False),
        *[Binding(str(i + 1), f"tab('{tab}')", f"Tab {TAB_TITLES[tab][0]}", id=f"tab{i + 1}", show=False)
          for i, tab in enumerate(TABS)],
    ]

    class Loaded(Message):
        """The case as it is now."""

        def __init__(self, detail: CaseDetail) -> None:
            super().__init__()
            self.detail = detail

    class Written(Message):
        """A change was saved; ``done`` says what, for the notice."""

        def __init__(self, done: str) -> None:
            super().__init__()
            self.done = done

    def __init__(self, case_id: int, detail: CaseDetail | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        #: read before the screen was built (see :func:`open_case_screen`), shown at mount
        self._preloaded = detail
        self.detail: CaseDetail | None = None
        self._filling = False
        #: The last x on an agreement: (agreement id, done before), for u (ongedaan maken).
        self.undo: tuple[int, bool] | None = None
        #: Tabs not yet filled from :attr:`detail` (filled when they come into view).
        self._stale: set[str] = set(TABS)
        #: Tabs whose widgets are mounted: the first at once, every other when first shown.
        self._built: set[str] = {TABS[0]}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Casus wordt geladen…", id="case-summary")
        with TabbedContent(id="case-tabs", initial="who"):
            with TabPane(f"1 {TAB_TITLES['who'][0]}", id="who"):
                yield DataTable(id="who-table", cursor_type="row", zebra_stripes=True)
            for i, tab in enumerate(TABS[1:], start=2):
                yield TabPane(f"{i} {TAB_TITLES[tab][0]}", id=tab)  # its widgets: see _build
        yield KrFooter()

    async def _build(self, tab: str) -> None:
        """Mount the widgets of ``tab`` (once), then fill it from the loaded detail."""
        if tab not in self._built:
            self._built.add(tab)
            await self.query_one(f"#{tab}", TabPane).mount_all(pane_widgets(tab))
        self._fill_tab(tab)

    def on_mount(self) -> None:
        self.query_one("#who-table", DataTable).add_columns("Rol", "Persoon", "Bij deze stap", "Sinds")
        if self._preloaded is not None:  # the first paint has the header and the first tab
            self.show(self._preloaded)
            self._preloaded = None
        else:
            self.load()

    def on_resize(self, event: events.Resize) -> None:
        """Short tab titles below :data:`NARROW` columns, so tab 7 stays on screen at 80."""
        narrow = event.size.width < NARROW
        if narrow == self.has_class("narrow") and self.is_mounted:
            return
        self.set_class(narrow, "narrow")
        if self.detail is not None:
            self.show(self.detail)
        tabs = self.query_one(TabbedContent)
        for i, tab in enumerate(TABS):
            tabs.get_tab(tab).label = f"{i + 1} {TAB_TITLES[tab][1 if narrow else 0]}"

    def refused(self, action: str) -> str | None:
        from kindroute.services.screen_queries import refusal

        # the detail read before the screen was built answers for the footer's first frame
        d = self.detail or self._preloaded
        return refusal(self.actor, action, self.services.route, d.school_id if d else None)

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        services, actor, case_id = self.services, self.actor, self.case_id
        call_service(self, lambda: services.case_detail(actor, case_id), self.Loaded, purpose="load",
                     group="case-load", exclusive=True)

    def on_service_failed(self, message: ServiceFailed) -> None:
        self.app.notify(str(message.error), severity="error", markup=False, timeout=8)
        if message.purpose == "load":
            self.query_one("#case-summary", Static).update(Text(str(message.error), style="red"))
        elif message.purpose == "write":
            self.load()

    def on_case_screen_loaded(self, message: Loaded) -> None:
        self.show(message.detail)

    def show(self, d: CaseDetail) -> None:
        """The header and the tab in view now; every other tab (its widgets too) when it is
        first shown: opening a case builds and paints the header and "Wie doet wat" alone.

        A tab filled for an older detail is filled again when it comes into view, so what a
        tab shows is always the latest load (the timeline reads its own page of events).
        """
        self.detail = d
        self.refresh_bindings()  # what this person may do depends on the case's school
        self._stale = set(TABS)
        self.query_one("#case-summary", Static).update(
            summary_text(d, self.services, narrow=self.has_class("narrow")))
        self._fill_tab(self.query_one(TabbedContent).active or TABS[0])

    def _fill_tab(self, tab: str) -> None:
        d = self.detail
        if d is None or tab not in self._stale or tab not in self._built:
            return
        self._stale.discard(tab)
        if tab == "who":
            self._fill_who(d)
        elif tab == "next":
            self.query_one("#next-text", Static).update(next_steps_text(d, self.services, self.actor))
        elif tab == "checklist":
            self._fill_checklist(d)
        elif tab == "history":
            self._fill_history(d)
        elif tab == "notes":
            self._fill_notes(d)
        elif tab == "agreements":
            self._fill_agreements(d)
        elif tab == "consents":
            self._fill_consents(d)
        elif tab == "plan":
            self.query_one(PlanTab).load(self.services, self.actor, d.id)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            await self._build(event.pane.id)

    def _fill_who(self, d: CaseDetail) -> None:
        s = self.services
        table = self.query_one("#who-table", DataTable)
        table.clear()
        from kindroute.services.screen_queries import involvement

        involved = involvement(s.route, d.step)
        assigned = {a.role: a for a in d.assignments}
        roles = list(involved) + [r for r in assigned if r not in involved]
        for role in roles:
            a = assigned.get(role)
            letter = involved.get(role, "")
            table.add_row(
                Text(s.role_label(role)),
                Text(a.person) if a else Text("niet toegewezen", style="dim"),
                Text(letter, style="bold" if letter.startswith("aan zet") else ""),
                Text(nl_date(a.since) if a else ""),
                key=role,
            )

    def _fill_checklist(self, d: CaseDetail) -> None:
        self._filling = True
        sel = self.query_one("#checklist-list", SelectionList)
        keep = sel.highlighted
        sel.clear_options()
        options = []
        for track in d.tracks:
            for item_id, label, done in track.checklist:
                prompt = Text(label)
                if len(d.tracks) > 1:
                    prompt.append(f"  ({track.step_title})", style="dim")
                options.append(Selection(prompt, f"{track.track}:{item_id}", done))
        sel.add_options(options)
        if options:
            sel.highlighted = min(keep or 0, len(options) - 1)
        self._filling = False
        self.query_one("#documents-text", Static).update(documents_text(d, self.services))

    def _fill_history(self, d: CaseDetail) -> None:
        self.query_one(TimelinePane).load(d.id)

    def _fill_notes(self, d: CaseDetail) -> None:
        self.query_one("#notes-text", Static).update(notes_text(d, self.services))

    def _fill_agreements(self, d: CaseDetail) -> None:
        fill_agreements(self.query_one("#agreements-table", DataTable), d, self.services)

    def _fill_consents(self, d: CaseDetail) -> None:
        fill_consents(self.query_one("#consents-table", DataTable), d)


    # ------------------------------------------------------------------ actions
    def _changed(self, result: Any) -> None:
        if result is not None:
            self.load()

    def _need_detail(self) -> CaseDetail | None:
        if self.detail is None:
            self.notify("De casus wordt nog geladen.", severity="warning")
        return self.detail

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    async def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        await self._build(tab)
        pane = self.query_one(f"#{tab}", TabPane)
        focusable = [w for w in pane.query("DataTable, SelectionList, PlanTab") if w.can_focus]
        if focusable:
            focusable[0].focus()

    def action_step(self) -> None:
        from kindroute.screens.step import StepScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(StepScreen(d), callback=self._changed)

    def action_note(self) -> None:
        from kindroute.screens.note import NoteScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(NoteScreen(d), callback=self._changed)

    def action_agreement(self) -> None:
        from kindroute.screens.agreement import AgreementScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(AgreementScreen(d), callback=self._changed)

    def action_consent(self) -> None:
        from kindroute.screens.consent import ConsentScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(ConsentScreen(d), callback=self._changed)

    def action_assign(self) -> None:
        from kindroute.screens.assign import AssignScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(AssignScreen(d), callback=self._changed)

    def action_document(self) -> None:
        from kindroute.screens.document import DocumentScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(DocumentScreen(d), callback=self._changed)

    def action_term(self) -> None:
        from kindroute.screens.term import TermScreen

        if (d := self._need_detail()) is not None:
            self.app.push_screen(TermScreen(d), callback=self._changed)

    def action_flowchart(self) -> None:
        self.kr.action_flowchart(case_id=self.case_id)

    def action_toggle_row(self) -> None:
        """x: complete/reopen the highlighted agreement, or withdraw the highlighted consent."""
        d = self._need_detail()
        if d is None:
            return
        active = self.query_one(TabbedContent).active
        if active == "agreements":
            table = self.query_one("#agreements-table", DataTable)
            if not d.agreements or table.cursor_row < 0:
                self.notify("Geen afspraak gekozen.", severity="warning")
                return
            g = d.agreements[table.cursor_row]
            services, actor = self.services, self.actor
            self.undo = (g.id, g.done)
            self._write(
                lambda: services.complete_agreement(actor, d.id, g.id, done=not g.done,
                                                    expected_version=d.version),
                f"Afspraak '{g.what}' " + ("afgerond" if not g.done else "weer open")
                + f" — {self.key_for('undo', 'u')}: ongedaan maken.",
            )
        elif active == "consents":
            table = self.query_one("#consents-table", DataTable)
            if not d.consents or table.cursor_row < 0:
                self.notify("Geen toestemming gekozen.", severity="warning")
                return
            from kindroute.screens.withdraw import WithdrawConsentScreen

            if reason := self.refused("withdraw"):
                self.notify(reason, title="Niet voor u", severity="warning", markup=False)
                return
            c = d.consents[table.cursor_row]
            self.app.push_screen(WithdrawConsentScreen(d, c), callback=self._changed)
        else:
            self.notify("x werkt in de tabs Afspraken (afronden) en Toestemmingen (intrekken).",
                        severity="warning")

    def _write(self, call: Any, done: str) -> None:
        call_service(self, call, lambda _: self.Written(done), purpose="write", group="write",
                     exclusive=True)

    def on_case_screen_written(self, message: Written) -> None:
        self.app.notify(message.done, markup=False)
        self.load()

    def action_undo(self) -> None:
        """u: take back the last x on an agreement (while the notice offers it)."""
        d, undo = self.detail, self.undo
        if d is None or undo is None:
            self.notify("Er is niets om ongedaan te maken.", severity="warning")
            return
        self.undo = None
        agreement_id, was_done = undo
        services, actor = self.services, self.actor
        self._write(lambda: services.complete_agreement(actor, d.id, agreement_id, done=was_done,
                                                        expected_version=d.version),
                    "Ongedaan gemaakt: de afspraak is weer " + ("afgerond." if was_done else "open."))

    def on_plan_tab_edit(self, event: PlanTab.Edit) -> None:
        """The Plan tab asks for a form (see ``screens/plan_forms.py``, ``screens/opp_form.py``)."""
        from kindroute.screens.plan_forms import plan_form

        event.stop()
        if (d := self._need_detail()) is not None:
            form = plan_form(event.what, d, self.query_one(PlanTab).plan)
            if form is not None:
                self.app.push_screen(form, callback=self._changed)

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        d = self.detail
        if self._filling or d is None:
            return
        track, item = str(event.selection.value).split(":", 1)
        done = event.selection.value in event.selection_list.selected
        self._write(
            lambda: self.services.tick_checklist(self.actor, d.id, item, done=done, track=track,
                                                 expected_version=d.version),
            "Afgevinkt." if done else "Vinkje weggehaald.",
        )
