"""Inzicht: the monitor with charts — where cases pile up, how long steps take, the trend.

The figures are those of ``kindroute report`` (:mod:`kindroute.services.report`), loaded in a
thread worker that posts them tagged with a generation (a stale load is dropped). Tabs: steps
(bars now / overdue, and the table), schools, months (a line per month), lead times, Plus-klas.
``enter`` on a step or a school opens the Casussen list filtered on it.

The first frame is the screen's frame alone: the title, the tab names and an empty chart area.
The tabs with their charts and tables (plotext, five tables: most of the screen's cost) are
mounted after that frame, and the figures are asked for once they are there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

from kindroute.screens.base import KrScreen
from kindroute.widgets.refill import fitted, refill
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services.report_model import Report

TABS = ("steps", "schools", "months", "leads", "places")
TAB_TITLES = ("1 Stappen", "2 Scholen", "3 Maanden", "4 Doorlooptijd", "5 Plus-klas")
NOW_COLOUR, LATE_COLOUR = "blue", "red"


def _cell(value: Any) -> Text:
    return Text("—" if value is None else str(value), justify="right")


class MonitorScreen(KrScreen):
    """The SWV's monitor; the same figures as the report, with charts."""

    DEFAULT_CSS = """
    MonitorScreen TabPane { padding: 0; }
    MonitorScreen PlotextPlot { height: 1fr; min-height: 8; }
    MonitorScreen DataTable { height: 1fr; }
    MonitorScreen #monitor-frame { height: 1fr; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("enter", "drill", "Casussen", id="drill", show=True),
        Binding("p", "plusklas", "Plus-klas", id="plusklas", show=True),
        Binding("f5,ctrl+r", "reload", "Vernieuwen", show=False, id="reload"),
        *[Binding(str(i + 1), f"tab('{tab}')", f"Tab {i + 1}", show=False, id=f"tab{i + 1}")
          for i, tab in enumerate(TABS)],
    ]

    class Loaded(Message):
        """A report for generation ``generation`` is in."""

        def __init__(self, generation: int, report: Report) -> None:
            super().__init__()
            self.generation = generation
            self.report = report

    class Failed(Message):
        def __init__(self, generation: int, message: str) -> None:
            super().__init__()
            self.generation = generation
            self.message = message

    def __init__(self, school: str | int | None = None) -> None:
        super().__init__()
        self.school = school
        self.generation = 0
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Inzicht · laden…", style="bold"), id="monitor-title", classes="screen-title")
        frame = Text("  ".join(TAB_TITLES), style="bold")
        frame.append("\n\nGrafieken laden…", style="dim")
        yield Static(frame, id="monitor-frame")
        yield Static("", id="monitor-note", classes="dim")
        yield Footer()

    @staticmethod
    def _tabs() -> TabbedContent:
        """The tabs with their charts and tables, mounted after the first frame."""
        from textual_plotext import PlotextPlot  # plotext: not needed for the first frame

        def table(id: str) -> DataTable[Any]:
            return DataTable(id=id, cursor_type="row", zebra_stripes=True)

        titles = dict(zip(TABS, TAB_TITLES, strict=True))
        tabs = TabbedContent(id="monitor-tabs", initial="steps")
        for pane in (
            TabPane(titles["steps"], PlotextPlot(id="steps-chart"), table("steps-table"), id="steps"),
            TabPane(titles["schools"], table("schools-table"), id="schools"),
            TabPane(titles["months"], PlotextPlot(id="months-chart"), id="months"),
            TabPane(titles["leads"], PlotextPlot(id="leads-chart"), table("leads-table"), id="leads"),
            TabPane(titles["places"], table("places-table"), id="places"),
        ):
            tabs.compose_add_child(pane)  # as ``with TabbedContent():`` in a compose
        return tabs

    @property
    def built(self) -> bool:
        """True once the tabs (charts and tables) are mounted."""
        return bool(self.query("#monitor-tabs"))

    def on_mount(self) -> None:
        # the tabs and the figures come after the first frame: building them would delay it
        # (queued, so that other callbacks waiting for that frame are not held up by it)
        self.call_after_refresh(self.call_later, self._build)

    async def _build(self) -> None:
        frame = self.query_one("#monitor-frame", Static)
        await self.mount(self._tabs(), before=frame)
        await frame.remove()
        self.query_one("#steps-table").focus()
        self.reload()

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        if not self.built:
            return  # the figures are asked for once the tabs are there
        self.generation += 1
        self._load(self.generation)

    @work(thread=True, exclusive=True, group="monitor", exit_on_error=False)
    def _load(self, generation: int) -> None:
        from kindroute.errors import KindrouteError

        try:
            report = self.services.report(self.actor, school=self.school)
        except KindrouteError as exc:
            self.post_message(self.Failed(generation, str(exc)))
            return
        self.post_message(self.Loaded(generation, report))

    def on_monitor_screen_failed(self, message: Failed) -> None:
        if message.generation == self.generation:
            self.app.notify(message.message, severity="error", markup=False, timeout=8)

    def on_monitor_screen_loaded(self, message: Loaded) -> None:
        if message.generation != self.generation:
            return  # a newer load is on its way
        self.report = r = message.report
        from kindroute.services.report_format import footnote, heading

        title = Text("Inzicht", style="bold")
        title.append(" · " + heading(r).removeprefix("Monitor "))
        self.query_one("#monitor-title", Static).update(title)
        self.query_one("#monitor-note", Static).update(Text(footnote(r), style="dim"))
        self._fill_steps(r)
        self._fill_schools(r)
        self._fill_months(r)
        self._fill_leads(r)
        self._fill_places(r)

    # ------------------------------------------------------------------ drawing
    def _fill_steps(self, r: Report) -> None:
        from textual_plotext import PlotextPlot

        from kindroute.services.report_model import as_number

        refill(self.query_one("#steps-table", DataTable),
               [("Stap", min(30, max((len(s.title) for s in r.steps), default=4))),
                *fitted("nu", "te laat", "in", "uit", "mediaan d", "p90 d")],
               (((Text(s.title), _cell(s.now), _cell(s.overdue), _cell(s.entered), _cell(s.left),
                  _cell(s.median_days), _cell(s.p90_days)), s.step) for s in r.steps))
        plot = self.query_one("#steps-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        # the steps where cases stand (a "<5" counts as standing there, drawn as 0)
        shown = [s for s in r.steps if s.now != 0] or r.steps
        labels = [s.title[:14] for s in shown]
        values = [[as_number(s.now) for s in shown], [as_number(s.overdue) for s in shown]]
        plt.multiple_bar(labels, values, labels=["nu", "te laat"], color=[NOW_COLOUR, LATE_COLOUR],
                         orientation="horizontal")
        plt.title("Casussen per stap: nu en te laat")
        plot.refresh()

    def _fill_schools(self, r: Report) -> None:
        from kindroute.services.report_format import side_tracks

        tracks = side_tracks(r)
        refill(self.query_one("#schools-table", DataTable),
               [("School", min(30, max((len(s.school) for s in r.schools), default=6))),
                *fitted("open", "te laat", *[f"{r.track_labels[t]} open" for t in tracks])],
               (((Text(s.school), _cell(s.open), _cell(s.overdue),
                  *[_cell(s.tracks.get(t, (0, 0))[0]) for t in tracks]), str(s.school_id))
                for s in r.schools))

    def _fill_months(self, r: Report) -> None:
        from textual_plotext import PlotextPlot

        from kindroute.services.report_model import as_number

        plot = self.query_one("#months-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        xs = list(range(1, len(r.months) + 1))
        plt.plot(xs, [as_number(m.opened) for m in r.months], label="geopend", color="blue", marker="braille")
        plt.plot(xs, [as_number(m.closed) for m in r.months], label="afgesloten", color="green",
                 marker="braille")
        plt.xticks(xs, [m.month[2:] for m in r.months])
        plt.title("Doorstroom per maand")
        plot.refresh()

    def _fill_leads(self, r: Report) -> None:
        from textual_plotext import PlotextPlot

        refill(self.query_one("#leads-table", DataTable),
               [("Van → naar", min(40, max((len(lt.title) for lt in r.lead_times), default=10))),
                *fitted("mediaan d", "p90 d", "aantal")],
               (((Text(lt.title), _cell(lt.median_days), _cell(lt.p90_days), _cell(lt.n)), lt.to)
                for lt in r.lead_times))
        plot = self.query_one("#leads-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.bar([lt.title.split(" → ")[-1][:16] for lt in r.lead_times],
                [lt.median_days or 0 for lt in r.lead_times], orientation="horizontal", color="orange")
        plt.title("Doorlooptijd vanaf signalering (mediaan, dagen)")
        plot.refresh()

    def _fill_places(self, r: Report) -> None:
        refill(self.query_one("#places-table", DataTable),
               [("Locatie", min(30, max((len(p.location) for p in r.plusklas), default=7))),
                *fitted("plaatsen", "bezet", "vrij", "wachtlijst", "wachttijd d")],
               (((Text(p.location), _cell(p.places), _cell(p.occupied), _cell(p.free), _cell(p.waiting),
                  _cell(p.median_wait_days)), p.location) for p in r.plusklas))

    # ------------------------------------------------------------------ actions
    def action_tab(self, tab: str) -> None:
        if not self.built:
            return
        self.query_one("#monitor-tabs", TabbedContent).active = tab
        pane = self.query_one(f"#{tab}", TabPane)
        tables = pane.query(DataTable)
        if tables:
            tables.first().focus()

    def action_reload(self) -> None:
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._drill(event.data_table, event.row_key.value)

    def action_drill(self) -> None:
        table = self.focused if isinstance(self.focused, DataTable) else None
        if table is None or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self._drill(table, key)

    def _drill(self, table: DataTable[Any], key: str | None) -> None:
        """Open the case list filtered on a step or a school (the Plus-klas table: its screen)."""
        if key is None:
            return
        from kindroute.services import CaseFilter

        route = self.services.route
        if table.id == "steps-table" and key in route.steps:
            self.open_cases(CaseFilter(step=key, track=route.steps[key].track))
        elif table.id == "schools-table":
            self.open_cases(CaseFilter(school_id=int(key)))
        elif table.id == "places-table":
            self.action_plusklas()

    def open_cases(self, case_filter: Any) -> None:
        from kindroute.screens.cases import CasesScreen

        screen = CasesScreen()
        screen.filter = case_filter
        self.app.push_screen(screen)

    def action_plusklas(self) -> None:
        from kindroute.screens.plusklas import PlusklasScreen

        self.app.push_screen(PlusklasScreen())

    def action_back(self) -> None:
        self.app.pop_screen()
