"""The app's global actions: the keys that open a screen from anywhere, the palette, help, quit.

:class:`kindroute.app.KindrouteApp` is built on :class:`GlobalActions`; the app itself keeps
start-up and who is acting. A screen that needs the data waits for it while the database
opens (:meth:`KindrouteApp.still_loading`). Each screen's module is imported when
its key is first pressed, not for the first frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from textual.app import App, SystemCommand
from textual.screen import Screen

if TYPE_CHECKING:
    from kindroute.app import KindrouteApp


class GlobalActions(App[int]):
    """The actions behind the app's own keys (c, w, b, h, p, i, v, k, ?, q, ctrl+p)."""

    failed: bool

    @property
    def _kr(self) -> KindrouteApp:
        return cast("KindrouteApp", self)

    def action_home(self) -> None:
        from kindroute.screens.worklist import WorklistScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, WorklistScreen):
            self.pop_screen()

    def action_cases(self) -> None:
        if self._kr.still_loading("cases", "Casussen"):
            return
        from kindroute.screens.cases import CasesScreen

        if not isinstance(self.screen, CasesScreen):
            self.push_screen(CasesScreen())

    def action_flowchart(self, case_id: int | None = None) -> None:
        if self._kr.still_loading("flowchart", "het stroomschema"):
            return
        from kindroute.screens.flowchart import FlowchartScreen

        if not isinstance(self.screen, FlowchartScreen):
            self.push_screen(FlowchartScreen(case_id=case_id))

    def action_review(self) -> None:
        if self._kr.still_loading("review", "de bespreking"):
            return
        from kindroute.screens.review import start_review

        start_review(self._kr)

    def action_command_palette(self) -> None:
        """The palette, with Dutch words (see :class:`KindrouteCommandPalette`)."""
        from kindroute.widgets.palette import KindrouteCommandPalette

        if self.use_command_palette and not KindrouteCommandPalette.is_open(self):
            self.push_screen(KindrouteCommandPalette())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's fixed commands, in Dutch (Textual's own are English)."""
        yield SystemCommand("Toetsen", "Alle toetsen van dit scherm (?)", self.action_help)
        yield SystemCommand("Thema", "Een ander kleurenschema kiezen", self.action_change_theme)
        yield SystemCommand("Stoppen", "kindroute afsluiten (q)", self.action_quit)

    def action_change_theme(self) -> None:
        from textual.command import CommandPalette
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Zoek een thema…"))

    def action_people(self) -> None:
        if self._kr.still_loading("people", "Mensen"):
            return
        from kindroute.screens.people import PeopleScreen

        if not isinstance(self.screen, PeopleScreen):
            self.push_screen(PeopleScreen())

    def action_help(self) -> None:
        from kindroute.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        self.exit(return_code=1 if self.failed else 0)

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()

    def action_swv(self, which: str) -> None:
        """Inzicht, the verbeterbord or the sociale kaart (see screens/swv_nav.py)."""
        if not self._kr.still_loading(f"swv('{which}')", "dit scherm"):
            from kindroute.screens.swv_nav import open_swv_screen

            open_swv_screen(self._kr, which)
