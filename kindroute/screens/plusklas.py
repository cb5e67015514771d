"""Plus-klas: locations with their occupancy, placements and the waiting list.

The upper table holds the locations (places, taken, free, waiting); the lower one the
placements and the waiting list (in order of request) of the location under the cursor.
``p`` places a case at that location — or puts it on the waiting list when no place is free
or others asked first; ``l`` ends the placement under the cursor (or takes it off the list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input, Static

from kindroute.screens.base import KrScreen, run_service
from kindroute.screens.form import FormScreen
from kindroute.widgets.refill import fitted, refill
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services.plusklas import LocationInfo, PlacementInfo


LOCATION_COLUMNS = fitted("Locatie", "dagen", "plaatsen", "bezet", "vrij", "wachtlijst", "scholen")
PLACEMENT_COLUMNS = fitted("Casus", "Leerling", "School", "Stand", "Aangevraagd", "Start")


def _nl(d: Any) -> str:
    return "—" if d is None else f"{d.day}-{d.month}-{d.year}"


class PlaceForm(FormScreen):
    """Which case gets a place (or joins the waiting list) at a location."""

    TITLE_TEXT = "Plus-klas: plaatsen"
    ERROR_FIELDS = {"Casus": "place-case", "Dagen": "place-days"}

    def __init__(self, location: LocationInfo) -> None:
        super().__init__(location.name)
        self.location = location

    def fields(self) -> ComposeResult:
        yield from self.field("Casusnummer", Input(id="place-case", placeholder="bv. 12", type="integer"))
        yield from self.field("Dagen (optioneel)", Input(id="place-days", placeholder="bv. di"))

    def check(self) -> bool:
        return self.require(**{"place-case": "Casusnummer"})

    def save(self) -> Any:
        return self.services.plusklas.place(self.actor, int(self.value("place-case")), self.location.id,
                                            days=self.value("place-days"))

    def done_message(self, result: Any) -> str:
        if result.status == "geplaatst":
            return f"Casus {result.case_id} geplaatst in {result.location}."
        return f"Geen plaats vrij: casus {result.case_id} staat op de wachtlijst (plaats {result.position})."


class PlusklasScreen(KrScreen):
    """Locations above, the chosen location's placements and waiting list below."""

    DEFAULT_CSS = """
    PlusklasScreen #locations { height: 1fr; }
    PlusklasScreen #placements { height: 1fr; }
    PlusklasScreen .sub-title { padding: 0 1; text-style: bold; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("p", "place", "Plaatsen", id="place"),
        Binding("l", "leave", "Beëindigen", id="leave"),
        Binding("tab", "switch", "Andere tabel", id="switch", show=False),
        Binding("f5,ctrl+r", "reload", "Vernieuwen", show=False, id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.locations: list[LocationInfo] = []
        self.current = 0

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Plus-klas · laden…", style="bold"), id="plusklas-title", classes="screen-title")
        yield DataTable(id="locations", cursor_type="row", zebra_stripes=True)
        yield Static("", id="placements-title", classes="sub-title")
        yield DataTable(id="placements", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#locations").focus()
        self.reload()

    def reload(self) -> None:
        services, actor = self.services, self.actor
        run_service(self, lambda: services.plusklas.list(actor), self._loaded, group="plusklas",
                    exclusive=True)

    def _loaded(self, locations: list[LocationInfo]) -> None:
        self.locations = locations
        places = sum(loc.places for loc in locations)
        taken = sum(loc.occupied for loc in locations)
        waiting = sum(loc.waiting for loc in locations)
        title = Text("Plus-klas", style="bold")
        title.append(f"  {taken} van {places} plaatsen bezet · {waiting} op de wachtlijst", style="")
        self.query_one("#plusklas-title", Static).update(title)
        table = self.query_one("#locations", DataTable)
        row = table.cursor_row
        refill(table, LOCATION_COLUMNS,
               (((Text(loc.name), loc.days or "—", str(loc.places), str(loc.occupied), str(loc.free),
                  str(loc.waiting), Text(", ".join(_served(s) for s in loc.serves))), str(loc.id))
                for loc in locations))
        if locations:
            table.move_cursor(row=min(max(row, 0), len(locations) - 1))
        self._show(table.cursor_row)

    def _show(self, index: int) -> None:
        self.current = index
        table = self.query_one("#placements", DataTable)
        if not self.locations:
            refill(table, PLACEMENT_COLUMNS, ())
            self.query_one("#placements-title", Static).update("Nog geen Plus-klaslocaties.")
            return
        loc = self.locations[max(0, min(index, len(self.locations) - 1))]
        self.query_one("#placements-title", Static).update(
            Text(f"{loc.name}: plaatsingen en wachtlijst (volgorde van aanvraag)"))
        refill(table, PLACEMENT_COLUMNS,
               (((str(p.case_id), Text(p.pupil or "—"), Text(p.school),
                  "geplaatst" if p.position is None else f"wachtlijst {p.position}",
                  _nl(p.requested_on), _nl(p.start_on)), str(p.case_id)) for p in loc.placements))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "locations":
            self._show(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "placements" and event.row_key.value:
            self.kr.open_case(int(event.row_key.value))

    def selected_placement(self) -> PlacementInfo | None:
        if not self.locations:
            return None
        loc = self.locations[self.current]
        table = self.query_one("#placements", DataTable)
        if not loc.placements or table.row_count == 0:
            return None
        return loc.placements[min(table.cursor_row, len(loc.placements) - 1)]

    def action_place(self) -> None:
        if not self.locations:
            self.app.notify("Er zijn nog geen Plus-klaslocaties.", markup=False)
            return
        self.app.push_screen(PlaceForm(self.locations[self.current]),
                             callback=lambda result: self.reload() if result else None)

    def action_leave(self) -> None:
        p = self.selected_placement()
        if p is None:
            self.app.notify("Kies eerst een plaatsing in de onderste tabel (tab).", markup=False)
            return
        services, actor = self.services, self.actor

        def done(result: Any) -> None:
            self.reload()

        run_service(self, lambda: services.plusklas.leave(actor, p.case_id), done,
                    done=f"Casus {p.case_id}: plaatsing beëindigd." if p.position is None
                    else f"Casus {p.case_id} van de wachtlijst gehaald.")

    def action_switch(self) -> None:
        locations = self.query_one("#locations")
        (self.query_one("#placements") if locations.has_focus else locations).focus()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()


def _served(s: Any) -> str:
    """A served school with its travel time and distance when known."""
    extra = [f"{s.travel_minutes} min" if s.travel_minutes else "",
             f"{s.distance_km:g} km" if s.distance_km else ""]
    extra = [e for e in extra if e]
    return s.school + (f" ({', '.join(extra)})" if extra else "")
