"""Stroomschema: the whole route, step by step, with how many cases stand in each step.

The school route on the left, the parallel jeugdhulp track beside it. Each step shows the
role at turn and its term, each arrow the guards that must hold. When opened from a case,
that case's steps are highlighted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from kindroute.screens.base import KrScreen, call_service
from kindroute.widgets.footer import KrFooter
from kindroute.widgets.title_bar import TitleBar
from kindroute.workflow import NOT_STARTED, guard_description
from kindroute.workflow.diagram import term_text, turn_text

if TYPE_CHECKING:
    from kindroute.workflow import Route


def track_text(route: Route, track_id: str, counts: dict[str, int], here: set[str],
               overdue: dict[str, int] | None = None, *, compact: bool = False) -> Text:
    """One track drawn as text: steps as boxes' headings, triggers as arrows with their guards."""
    track = route.tracks[track_id]
    t = Text()
    t.append(track.label.upper(), style="bold underline")
    if track.optional:
        starters = [tr for tr in route.triggers.values()
                    if tr.track == track_id and NOT_STARTED in tr.sources]
        for tr in starters:
            t.append("\n  start: ", style="dim")
            t.append(tr.label)
            guards = [guard_description(g, route) for g in tr.guards]
            if guards:
                t.append(f"  [{'; '.join(guards)}]", style="yellow")
    steps = route.steps_of(track_id)
    for step in steps:
        t.append("\n" if compact else "\n\n")
        highlight = step.id in here
        n = counts.get(step.id, 0)
        marker = "▶ " if highlight else "● "
        head_style = "bold reverse" if highlight else "bold"
        t.append(marker, style="bold cyan" if highlight else "cyan")
        t.append(f" {step.title} ", style=head_style)
        t.append(f" {n} casus" + ("sen" if n != 1 else "") if compact else
                 f"  {n} casus" + ("sen" if n != 1 else ""), style="bold" if n else "dim")
        late = (overdue or {}).get(step.id, 0)
        if late:
            t.append(f" · {late} te laat", style="bold red")
        if highlight:
            t.append(" ◀" if compact else "  ◀ deze casus", style="bold cyan")
        t.append(" · " if compact else "\n   ", style="dim")
        if step.final:
            t.append("eindstap", style="dim")
            if step.turn_roles:
                t.append(" · aan zet: ", style="dim")
                t.append(turn_text(route, step))
        else:
            t.append("" if compact else "aan zet: ", style="dim")
            t.append(turn_text(route, step), style="dim" if compact else "")
            t.append(" · " if compact else " · termijn: ", style="dim")
            t.append(term_text(route, step, short=True), style="dim" if compact else "")
        triggers = route.triggers_from(step.id)
        for i, tr in enumerate(triggers):
            last = i == len(triggers) - 1
            t.append("\n   " + ("└→ " if last else "├→ "), style="cyan")
            dest = route.steps.get(tr.dest)
            t.append(dest.title if dest else tr.dest)
            guards = [guard_description(g, route) for g in tr.guards]
            if guards:
                t.append(f"  [{'; '.join(guards)}]", style="yellow")
    return t


class FlowchartScreen(KrScreen):
    """The route drawn in the terminal; j/k scroll, escape back."""

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("j,down", "scroll(1)", "Omlaag", id="scroll_down", show=False),
        Binding("k,up", "scroll(-1)", "Omhoog", id="scroll_up", show=False),
        Binding("tab", "switch", "Ander spoor", id="switch", show=True),
    ]

    #: Below this width one track at a time, full width (tab switches).
    NARROW = 110

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__()
        self.case_id = case_id
        self.counts: dict[str, int] = {}
        self.overdue: dict[str, int] = {}
        self._drawn = False
        self.here: set[str] = set()
        self._main = Text()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="flow-title", classes="screen-title")
        with Horizontal(id="flow"):
            with VerticalScroll(id="flow-main", classes="flow-column"):
                yield Static(id="flow-main-text")
            with VerticalScroll(id="flow-side", classes="flow-column"):
                yield Static(id="flow-side-text")
        yield KrFooter()

    #: Seconds the route is left undrawn while its counts are on their way: they usually come
    #: within a frame or two, and drawing twice (without, then with) lays the screen out twice.
    DRAW_WAIT = 0.15

    def on_mount(self) -> None:
        self._drawn = False
        self.set_timer(self.DRAW_WAIT, self._draw_once)
        self.query_one("#flow-main").focus()
        services, actor, case_id = self.services, self.actor, self.case_id

        def fetch() -> tuple[dict[str, int], set[str], dict[str, int]]:
            counts = services.step_counts(actor)
            here: set[str] = set()
            if case_id is not None:
                here = {s for s in services.case_detail(actor, case_id).steps.values() if s != NOT_STARTED}
            return counts, here, services.step_overdue_counts(actor)

        call_service(self, fetch, lambda r: self.Counted(*r), group="flow", exclusive=True)

    class Counted(Message):
        """How many cases stand in each step (and how many of them are overdue), and the steps of
        the open case."""

        def __init__(self, counts: dict[str, int], here: set[str], overdue: dict[str, int]) -> None:
            super().__init__()
            self.counts = counts
            self.here = here
            self.overdue = overdue

    def _draw_once(self) -> None:
        """The route without its counts, when they take longer than :attr:`DRAW_WAIT`."""
        if not self._drawn:
            self.draw()

    def on_flowchart_screen_counted(self, message: Counted) -> None:
        self.counts, self.here, self.overdue = message.counts, message.here, message.overdue
        self.draw()
        self.call_after_refresh(self._show_here)

    def _show_here(self) -> None:
        """Scroll the open case's step into view (on a small terminal it is often below)."""
        width = self.query_one("#flow-main-text", Static).content_region.width
        lines = self._main.wrap(self.app.console, max(1, width)) if width else []
        row = next((i for i, line in enumerate(lines) if line.plain.startswith("▶")), None)
        if row is not None:
            self.query_one("#flow-main", VerticalScroll).scroll_to(y=max(0, row - 2), animate=False)

    def draw(self) -> None:
        self._drawn = True
        route = self.services.route
        title = Text("Stroomschema", style="bold")
        title.append(f" — {route.name} (versie {route.version})", style="")
        total = sum(n for s, n in self.counts.items() if route.steps.get(s) and
                    route.steps[s].track == route.main_track.id and not route.steps[s].final)
        title.append(f"  · {total} lopende casussen", style="dim")
        self.query_one("#flow-title", Static).update(title)
        tracks = list(route.tracks)
        compact = self.has_class("narrow")
        self._main = track_text(route, tracks[0], self.counts, self.here, self.overdue, compact=compact)
        self.query_one("#flow-main-text", Static).update(self._main)
        side = Text()
        for i, track_id in enumerate(tracks[1:]):
            if i:
                side.append("\n\n")
            side.append_text(track_text(route, track_id, self.counts, self.here, self.overdue,
                                        compact=compact))
        self.query_one("#flow-side-text", Static).update(side)

    def action_scroll(self, delta: int) -> None:
        focused = self.focused if isinstance(self.focused, VerticalScroll) else self.query_one("#flow-main")
        focused.scroll_relative(y=delta * 2, animate=False)  # type: ignore[union-attr]

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < self.NARROW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            self.draw()

    def action_switch(self) -> None:
        main = self.query_one("#flow-main")
        to_side = main.has_focus
        self.set_class(to_side, "side")
        (self.query_one("#flow-side") if to_side else main).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
