"""The command palette (ctrl+p): every action of the current screen, and a case search.

Typing part of a pupil's name finds cases in the database (a LIMITed query through the
services, in a thread), so the palette also works on 100,000 cases.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

PLACEHOLDER = "Zoek een opdracht, of een casus op naam van de leerling…"
NO_MATCHES = "Niets gevonden"

#: Longer help for some binding ids, shown under the title in the palette.
HELP = {
    "home": "Terug naar de werkvoorraad",
    "cases": "Alle casussen die u mag zien",
    "flowchart": "De hele route met aantallen per stap",
    "review": "Een bespreking voortzetten of beginnen: agenda, verslag",
    "people": "Collega's en partners: toevoegen, wijzigen, rol beëindigen",
    "help": "Alle toetsen van dit scherm",
    "quit": "kindroute afsluiten",
}
#: Bindings the palette does not offer (moving around a list, the palette itself).
SKIP = {"palette", "cursor_up", "cursor_down", "page_up", "page_down", "first", "last", "close"}


class KindrouteCommands(Provider):
    """Screen actions plus 'Casus: <leerling>' hits from the database."""

    def _commands(self) -> list[tuple[str, Any, str, str]]:
        """(action, namespace, title, help) for every binding active on the screen, with its key
        as the user has it now (keys.toml included)."""
        from kindroute.keymap import BINDING_IDS

        app: Any = self.app
        if getattr(app, "actor", None) is None:
            return [("quit", app, "Stoppen", "kindroute afsluiten (q)")]
        screen = self.screen
        found: dict[str, tuple[str, Any, str, list[str]]] = {}
        order = sorted(screen.active_bindings.items(), key=lambda item: item[1].node is app)
        for key, active in order:
            binding = active.binding
            if binding.id not in BINDING_IDS or binding.id in SKIP or not binding.description:
                continue
            shown = binding.key_display if binding.key_display and binding.key == key else key
            if binding.id in found:
                found[binding.id][3].append(shown)
                continue
            found[binding.id] = (binding.action, active.node, binding.description, [shown])
        out = []
        for binding_id, (action, node, title, keys) in found.items():
            keys_text = " / ".join(dict.fromkeys(keys))
            help_text = f"{HELP[binding_id]} ({keys_text})" if binding_id in HELP else f"Toets: {keys_text}"
            out.append((action, node, title, help_text))
        return out

    async def _run(self, action: str, node: Any) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for action, node, title, help_text in self._commands():
            yield DiscoveryHit(title, partial(self._run, action, node), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, node, title, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action, node), help=help_text)
        app: Any = self.app
        if getattr(app, "actor", None) is None or len(query.strip()) < 2:
            return
        from kindroute.services import CaseFilter

        def find() -> list[Any]:
            case_filter = CaseFilter(text=query.strip(), status=None, sort="pupil")
            return list(app.services.list_cases(app.actor, case_filter, limit=15))

        try:
            rows = await asyncio.to_thread(find)
        except Exception:  # noqa: BLE001 - a failed search shows no hits, never a traceback
            return
        for row in rows:
            label = Text(f"Casus: {row.pupil}")
            label.append(f"  groep {row.group} · {row.step_title}", style="dim")
            yield Hit(0.9, label, partial(app.open_case, row.id), text=f"Casus: {row.pupil}",
                      help=f"{row.school} · aan zet: {row.at_turn or row.at_turn_role or '—'}")


class KindrouteCommandPalette(CommandPalette):
    """Textual's palette with Dutch words: the placeholder and the 'nothing found' line."""

    def __init__(self) -> None:
        super().__init__(placeholder=PLACEHOLDER, id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own version writes 'No matches found'; the same, in Dutch.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True,
                           id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
