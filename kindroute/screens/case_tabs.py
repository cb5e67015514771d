"""The case screen's tabs other than the first: their widgets (mounted when a tab is first
shown) and what fills them from the loaded detail (``screens/case.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from kindroute.screens.case_timeline import TimelinePane
from kindroute.widgets.checklist import Checklist
from kindroute.widgets.format import nl_date, nl_datetime
from kindroute.widgets.plan_tab import PlanTab

if TYPE_CHECKING:
    from textual.widget import Widget

    from kindroute.services import CaseDetail, Services


def pane_widgets(tab: str) -> list[Widget]:
    """The widgets of a tab other than the first (mounted when it is first shown)."""
    if tab == "next":
        return [VerticalScroll(Static(id="next-text"))]
    if tab == "checklist":
        return [VerticalScroll(
            Static("Checklist van de huidige stap (spatie/enter: afvinken)", classes="dim"),
            Checklist(id="checklist-list"), Static(id="documents-text"))]
    if tab == "history":
        return [TimelinePane(id="timeline")]
    if tab == "notes":
        return [VerticalScroll(Static(id="notes-text"))]
    if tab == "agreements":
        table = DataTable(id="agreements-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("", "Wat", "Wie", "Vóór", "Door")
        return [table]
    if tab == "consents":
        table = DataTable(id="consents-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Nr", "Voor", "Doel", "Gegeven door", "Geldig", "Status")
        return [table]
    return [PlanTab(id="plan-tab")]


def documents_text(d: CaseDetail, services: Services) -> Text:
    """The documents recorded on the case, under its checklist."""
    docs = Text("Documenten", style="bold")
    docs.append("  (d: vastleggen)\n", style="dim")
    if not d.documents:
        docs.append("nog geen OPP, advies of besluit vastgelegd", style="dim")
    for doc in d.documents:
        kind = services.route.recordable(doc.kind)
        docs.append(f"{nl_date(doc.at)}  {kind.label if kind else doc.kind}: ", style="")
        docs.append(doc.outcome, style="bold")
        if doc.title:
            docs.append(f" — {doc.title}")
        docs.append(f"  ({doc.author})\n", style="dim")
    return docs


def notes_text(d: CaseDetail, services: Services) -> Text:
    """The notes, newest first."""
    t = Text()
    if not d.notes:
        t.append("Nog geen notities. n: notitie toevoegen", style="dim")
    for note in reversed(d.notes):
        t.append(nl_datetime(note.at), style="bold")
        t.append(f"  {note.author}", style="")
        if note.step:
            t.append(f" · {services.step_title(note.step)}", style="dim")
        t.append("\n" + note.text + "\n\n")
    return t


def fill_agreements(table: DataTable, d: CaseDetail, services: Services) -> None:
    """The agreements, one row each; the agreement under the cursor stays under it."""
    keep = None
    if table.row_count and table.cursor_row >= 0:
        keep = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
    table.clear()
    for g in d.agreements:
        table.add_row(
            Text("✓" if g.done else ("!" if g.overdue else "·"),
                 style="green" if g.done else ("bold red" if g.overdue else "")),
            Text(g.what, style="dim" if g.done else ""),
            Text(g.who or (services.role_label(g.who_role) if g.who_role else "—")),
            Text(nl_date(g.due_on), style="bold red" if g.overdue else ""),
            Text(g.created_by, style="dim"),
            key=str(g.id),
        )
    rows = [str(g.id) for g in d.agreements]
    if keep in rows:
        table.move_cursor(row=rows.index(keep))


def fill_consents(table: DataTable, d: CaseDetail) -> None:
    """The consents, one row each, with whether each is valid today."""
    table.clear()
    for c in d.consents:
        until = f"t/m {nl_date(c.valid_until)}" if c.valid_until else "onbeperkt"
        status = ("ingetrokken " + nl_date(c.withdrawn_on)) if c.withdrawn_on else (
            "geldig" if c.valid else "niet geldig")
        table.add_row(
            Text(str(c.id)),
            Text(c.role_label + (f" ({c.organisation})" if c.organisation else "")),
            Text(c.purpose),
            Text(c.given_by + (" + leerling" if c.pupil_cosigned else "")),
            Text(f"{nl_date(c.valid_from)} {until}"),
            Text(status, style="green" if c.valid else "red"),
            key=str(c.id),
        )
