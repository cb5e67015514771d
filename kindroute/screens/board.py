"""Verbeterbord: improvement actions in columns per status, the bordsessie, retrospectives.

Columns ``idee``, ``doen``, ``bezig``, ``klaar``; ``←``/``→`` move between columns, ``1``–``4``
put the action under the cursor in that column, ``+`` adds one, ``r`` records a retrospective
and ``n`` starts the bordsessie: the open actions one by one in 15 minutes (a timer shows what
is left), with the same status keys, ``n``/``p`` to walk and ``+`` for a new action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from kindroute.screens.base import KrScreen, run_service
from kindroute.screens.form import FormScreen
from kindroute.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from kindroute.services.board import BoardActionInfo, RetroInfo

STATUSES = ("idee", "doen", "bezig", "klaar")
LABELS = {"idee": "Idee", "doen": "Te doen", "bezig": "Bezig", "klaar": "Klaar"}
SESSION_SECONDS = 15 * 60


def _nl(d: Any) -> str:
    return "—" if d is None else f"{d.day}-{d.month}-{d.year}"


def action_text(a: BoardActionInfo) -> Text:
    t = Text(a.action)
    t.append(f"\n  {a.owner or '—'} · {_nl(a.due_on)}", style="red" if a.overdue else "dim")
    if a.school:
        t.append(f" · {a.school}", style="dim")
    return t


def action_card(a: BoardActionInfo, step_title: str | None) -> Text:
    t = Text(a.action, style="bold")
    for label, value in (("Doel", a.goal), ("Eigenaar", a.owner), ("Klaar op", _nl(a.due_on)),
                         ("Status", LABELS.get(a.status, a.status)), ("Stap", step_title),
                         ("Bord", a.school or "SWV"), ("Succes", a.success)):
        t.append(f"\n{label + ':':10}", style="dim")
        t.append(value or "—", style="red" if label == "Klaar op" and a.overdue else "")
    return t


class ActionForm(FormScreen):
    TITLE_TEXT = "Nieuwe verbeteractie"
    ERROR_FIELDS = {"Actie": "board-action", "Doel": "board-goal", "Persoon": "board-owner",
                    "Datum": "board-due", "stap": "board-step"}
    DONE = "Verbeteractie toegevoegd."

    def fields(self) -> ComposeResult:
        yield from self.field("Actie (wat)", Input(id="board-action", placeholder="Wat gaan we doen?"))
        yield from self.field("Doel", Input(id="board-goal", placeholder="Waar draagt het aan bij?"))
        yield from self.field("Eigenaar (wie)", Input(id="board-owner", value=self.actor.name))
        yield from self.field("Klaar op (wanneer)", Input(id="board-due", placeholder="JJJJ-MM-DD"))
        yield from self.field("Stap van de route (optioneel)",
                              Input(id="board-step", placeholder="bv. opp_opstellen"))

    def check(self) -> bool:
        return self.require(**{"board-action": "Actie"})

    def save(self) -> Any:
        school = self.actor.school_id  # the SWV has none: its own board
        return self.services.board.add(
            self.actor, self.value("board-action"), goal=self.value("board-goal"),
            owner=self.value("board-owner") or None, due=self.value("board-due") or None,
            step=self.value("board-step") or None, school=school, status="doen")


class RetroForm(FormScreen):
    TITLE_TEXT = "Retrospectief"
    ERROR_FIELDS = {"goed": "retro-well", "beter": "retro-better", "Acties": "retro-actions"}
    DONE = "Retrospectief vastgelegd."

    def fields(self) -> ComposeResult:
        yield from self.field("Wat ging goed?", Input(id="retro-well"))
        yield from self.field("Wat kan beter?", Input(id="retro-better"))
        yield from self.field("Acties", Input(id="retro-actions"))

    def check(self) -> bool:
        return self.require(**{"retro-well": "Wat ging goed", "retro-better": "Wat kan beter"})

    def save(self) -> Any:
        school = self.actor.school_id  # the SWV has none: its own board
        return self.services.board.add_retro(self.actor, went_well=self.value("retro-well"),
                                             can_be_better=self.value("retro-better"),
                                             actions=self.value("retro-actions"), school=school)


class BoardScreen(KrScreen):
    """The board: four columns and the latest retrospective."""

    DEFAULT_CSS = """
    BoardScreen #columns { height: 1fr; }
    BoardScreen .board-column { width: 1fr; }
    BoardScreen .board-column OptionList { height: 1fr; }
    BoardScreen .column-title { text-style: bold; padding: 0 1; }
    BoardScreen #retro { height: auto; max-height: 4; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Terug", id="back"),
        Binding("n", "session", "Bordsessie", id="session"),
        Binding("plus,a", "new", "Nieuwe actie", id="new", key_display="+"),
        Binding("r", "retro", "Retrospectief", id="retro"),
        Binding("left,h", "column(-1)", "Vorige kolom", show=False, id="column_left"),
        Binding("right,l", "column(1)", "Volgende kolom", show=False, id="column_right"),
        *[Binding(str(i + 1), f"status('{s}')", LABELS[s], show=False, id=f"status_{s}")
          for i, s in enumerate(STATUSES)],
        Binding("f5,ctrl+r", "reload", "Vernieuwen", show=False, id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[BoardActionInfo] = []
        self.retros: list[RetroInfo] = []

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Verbeterbord · laden…", style="bold"), id="board-title", classes="screen-title")
        with Horizontal(id="columns"):
            for status in STATUSES:
                with Vertical(classes="board-column"):
                    yield Static(LABELS[status], id=f"title-{status}", classes="column-title")
                    yield OptionList(id=f"col-{status}")
        yield Static("", id="retro")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#col-doen").focus()
        self.reload()

    def reload(self) -> None:
        services, actor = self.services, self.actor

        def fetch() -> tuple[list[Any], list[Any]]:
            return services.board.list(actor), services.board.retros(actor, limit=1)

        run_service(self, fetch, self._loaded, group="board", exclusive=True)

    def _loaded(self, result: tuple[list[BoardActionInfo], list[RetroInfo]]) -> None:
        self.actions, self.retros = result
        open_n = sum(1 for a in self.actions if a.status != "klaar")
        late = sum(1 for a in self.actions if a.overdue)
        title = Text("Verbeterbord", style="bold")
        title.append(f"  {open_n} open acties" + (f" · {late} te laat" if late else ""), style="")
        self.query_one("#board-title", Static).update(title)
        for status in STATUSES:
            column = self.query_one(f"#col-{status}", OptionList)
            keep = column.highlighted
            column.clear_options()
            mine = [a for a in self.actions if a.status == status]
            column.add_options([Option(action_text(a), id=str(a.id)) for a in mine])
            if mine:
                column.highlighted = min(keep or 0, len(mine) - 1)
            self.query_one(f"#title-{status}", Static).update(f"{LABELS[status]} ({len(mine)})")
        retro = self.query_one("#retro", Static)
        if self.retros:
            r = self.retros[0]
            t = Text(f"Retrospectief {_nl(r.held_on)}: ", style="bold")
            t.append("goed: ", style="dim")
            t.append(r.went_well)
            t.append(" · beter: ", style="dim")
            t.append(r.can_be_better)
            if r.actions:
                t.append(" · acties: ", style="dim")
                t.append(r.actions)
            retro.update(t)
        else:
            retro.update(Text("Nog geen retrospectief (r).", style="dim"))

    def selected(self) -> BoardActionInfo | None:
        column = self.focused if isinstance(self.focused, OptionList) else None
        if column is None or column.highlighted is None:
            return None
        option = column.get_option_at_index(column.highlighted)
        return next((a for a in self.actions if str(a.id) == option.id), None)

    def action_column(self, delta: int) -> None:
        ids = [f"col-{s}" for s in STATUSES]
        current = self.focused.id if self.focused is not None and self.focused.id in ids else "col-doen"
        self.query_one(f"#{ids[(ids.index(current) + delta) % len(ids)]}").focus()

    def action_status(self, status: str) -> None:
        action = self.selected()
        if action is None:
            return
        move_to(self, action, status, self._moved)

    def _moved(self, result: Any) -> None:
        self.reload()
        self.query_one(f"#col-{result.status}").focus()

    def action_new(self) -> None:
        self.app.push_screen(ActionForm(), callback=lambda r: self.reload() if r else None)

    def action_retro(self) -> None:
        self.app.push_screen(RetroForm(), callback=lambda r: self.reload() if r else None)

    def action_session(self) -> None:
        self.app.push_screen(BoardSessionScreen(), callback=lambda _r: self.reload())

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()


def move_to(screen: Any, action: BoardActionInfo, status: str, then: Any) -> None:
    services, actor = screen.services, screen.actor
    run_service(screen, lambda: services.board.move(actor, action.id, status), then,
                done=f"'{action.action}' → {LABELS[status]}")


class BoardSessionScreen(KrScreen):
    """The weekly board session: open actions one by one, with a 15-minute timer."""

    DEFAULT_CSS = """
    BoardSessionScreen #session-card { padding: 1 2; height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "end", "Sessie afsluiten", id="end"),
        Binding("n,right", "walk(1)", "Volgende", id="next"),
        Binding("p,left", "walk(-1)", "Vorige", id="previous"),
        Binding("plus,a", "new", "Nieuwe actie", id="new", key_display="+"),
        *[Binding(str(i + 1), f"status('{s}')", LABELS[s], show=i == 3, id=f"status_{s}")
          for i, s in enumerate(STATUSES)],
    ]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[BoardActionInfo] = []
        self.index = 0
        self.left = SESSION_SECONDS
        self.changed = 0

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Text("Bordsessie", style="bold"), id="session-title", classes="screen-title")
        yield Static("Laden…", id="session-card")
        yield Footer()

    def on_mount(self) -> None:
        self.timer = self.set_interval(1, self._tick)
        self.load()

    def load(self, keep: int | None = None) -> None:
        services, actor = self.services, self.actor

        def fetch() -> list[Any]:
            return [a for a in services.board.list(actor) if a.status != "klaar"]

        def loaded(actions: list[BoardActionInfo]) -> None:
            self.actions = actions
            if keep is not None:
                self.index = next((i for i, a in enumerate(actions) if a.id == keep), self.index)
            self.index = max(0, min(self.index, len(actions) - 1))
            self.draw()

        run_service(self, fetch, loaded, group="session", exclusive=True)

    def _tick(self) -> None:
        if self.left > 0:
            self.left -= 1
            if self.left == 0:
                self.app.notify("De 15 minuten zijn om: rond de bordsessie af.", markup=False, timeout=10)
        self.draw_title()

    def clock(self) -> str:
        return f"{self.left // 60:02d}:{self.left % 60:02d}"

    def draw_title(self) -> None:
        t = Text("Bordsessie", style="bold")
        if self.actions:
            t.append(f"  actie {self.index + 1} van {len(self.actions)}", style="")
        t.append(f"  ⏱ {self.clock()}", style="bold red" if self.left < 120 else "bold")
        self.query_one("#session-title", Static).update(t)

    def draw(self) -> None:
        self.draw_title()
        card = self.query_one("#session-card", Static)
        if not self.actions:
            card.update(Text("Geen open acties. Voeg er een toe met +.", style="dim"))
            return
        a = self.actions[self.index]
        step = self.services.route.steps.get(a.step or "")
        text = action_card(a, step.title if step else None)
        text.append("\n\n1 idee · 2 doen · 3 bezig · 4 klaar · n volgende · p vorige · + nieuwe actie",
                    style="dim")
        card.update(text)

    def action_walk(self, delta: int) -> None:
        if self.actions:
            self.index = (self.index + delta) % len(self.actions)
            self.draw()

    def action_status(self, status: str) -> None:
        if not self.actions:
            return
        action = self.actions[self.index]

        def moved(result: Any) -> None:
            self.changed += 1
            self.load(keep=result.id if result.status != "klaar" else None)

        move_to(self, action, status, moved)

    def action_new(self) -> None:
        def added(result: Any) -> None:
            if result:
                self.changed += 1
                self.load(keep=getattr(result, "id", None))

        self.app.push_screen(ActionForm(), callback=added)

    def action_end(self) -> None:
        used = SESSION_SECONDS - self.left
        self.app.notify(f"Bordsessie afgesloten na {used // 60} min; {self.changed} wijzigingen.",
                        markup=False)
        self.dismiss(self.changed)
