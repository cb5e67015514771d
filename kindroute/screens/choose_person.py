"""Who am I? A list of the people in a local file; the choice is remembered.

Only for a local SQLite file, which is its owner's: a shared database has the login
screen (:mod:`kindroute.screens.login`) instead, and never lists its people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from kindroute.screens.base import KrScreen, run_service
from kindroute.widgets.title_bar import TitleBar


class ChoosePersonScreen(KrScreen):
    """Pick yourself from the people in the database (dismisses with an Actor)."""

    BINDINGS = [
        Binding("enter", "choose", "Kiezen", id="choose", show=True),
        Binding("escape", "app.quit", "Stoppen", id="stop", show=False),
    ]

    def __init__(self, choose: Callable[[int], Any]) -> None:
        super().__init__()
        self._choose = choose

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="choose-person"):
            yield Static(Text("Wie bent u?", style="bold"), classes="dialog-title")
            yield Static("Kies uzelf; kindroute onthoudt dit voor deze database. "
                         "(Later wisselen: kindroute --as NAAM.)", markup=False, classes="dim")
            yield OptionList(id="people")
        yield Footer()

    def on_mount(self) -> None:
        run_service(self, self.services.list_people, self._show, group="people", exclusive=True)

    def _show(self, people: list) -> None:
        options = []
        for p in people:
            label = Text(p.name)
            roles = ", ".join(self.services.role_label(r) for r in p.roles)
            label.append(f"  {roles}", style="dim")
            if p.school or p.organisation:
                label.append(f" · {p.school or p.organisation}", style="dim")
            options.append(Option(label, id=str(p.id)))
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        option_list.highlighted = 0 if options else None
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option.id)

    def action_choose(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self._pick(ol.get_option_at_index(ol.highlighted).id)

    def _pick(self, person_id: str | None) -> None:
        if person_id is None:
            return
        choose, chosen = self._choose, int(person_id)
        run_service(self, lambda: choose(chosen), self.dismiss)
