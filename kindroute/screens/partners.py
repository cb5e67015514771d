"""Sociale kaart: the partner organisations around the schools.

A table of partners (kind, name, contact, schools) and, below it, everything about the one
under the cursor: how to reach them, agreed meeting moments, the people in kindroute who work
there. Opened from a case it shows the partners of that case's school: "wie kunnen we vragen?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from kindroute.screens.base import KrScreen, run_service
from kindroute.widgets.refill import fitted, refill
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services.partners import PartnerInfo


def partner_text(p: PartnerInfo) -> Text:
    t = Text()
    t.append(p.name, style="bold")
    t.append(f"  ({p.kind_label})", style="dim")
    for label, value in (("Contact", p.contact), ("Bereikbaar", p.reach), ("Overleg", p.meetings),
                         ("Scholen", ", ".join(p.schools)), ("In kindroute", ", ".join(p.people))):
        t.append(f"\n{label + ':':14}", style="dim")
        t.append(value or "—")
    return t


class PartnersScreen(KrScreen):
    """All partners, or (``case_id``) those serving the case's school."""

    DEFAULT_CSS = """
    PartnersScreen #partners-table { height: 1fr; }
    PartnersScreen #partner-detail { height: auto; max-height: 9; padding: 0 1; border-top: solid $primary; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("a", "all", "Alle partners", id="all", show=True),
    ]

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.partners: list[PartnerInfo] = []
        self.school: str | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Sociale kaart · laden…", style="bold"), id="partners-title",
                     classes="screen-title")
        yield DataTable(id="partners-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="partner-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def load(self) -> None:
        services, actor, case_id = self.services, self.actor, self.case_id

        def fetch() -> tuple[str | None, list[Any]]:
            if case_id is not None:
                return services.partners.for_case(actor, case_id)
            return None, services.partners.list(actor)

        run_service(self, fetch, self._loaded, group="partners", exclusive=True)

    def _loaded(self, result: tuple[str | None, list[PartnerInfo]]) -> None:
        self.school, self.partners = result
        title = Text("Sociale kaart", style="bold")
        if self.school:
            title.append(" · wie kunnen we vragen? ", style="bold")
            title.append(self.school)
        title.append(f"  {len(self.partners)} partners", style="dim")
        self.query_one("#partners-title", Static).update(title)
        refill(self.query_one(DataTable), fitted("Soort", "Naam", "Contact", "Scholen"),
               (((Text(p.kind_label), Text(p.name), Text(p.contact or "—"),
                  Text(", ".join(p.schools) or "—")), str(p.id)) for p in self.partners))
        self._show(0)

    def _show(self, row: int) -> None:
        detail = self.query_one("#partner-detail", Static)
        if not self.partners:
            detail.update(Text("Geen partners op de kaart" + (" voor deze school." if self.school else "."),
                               style="dim"))
            return
        detail.update(partner_text(self.partners[max(0, min(row, len(self.partners) - 1))]))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    def action_all(self) -> None:
        self.case_id = None
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
