"""The command palette (ctrl+p): every action of the current screen, and a case search.

Typing part of a pupil's name finds cases in the database (a LIMITed query through the
services, in a thread), so the palette also works on 100,000 cases.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

#: Actions offered everywhere once a person is chosen: (action, title, help).
GLOBAL_COMMANDS = (
    ("app.home", "Werkvoorraad", "Terug naar de werkvoorraad (h)"),
    ("app.cases", "Casussen", "Alle casussen die u mag zien (c)"),
    ("app.flowchart", "Stroomschema", "De hele route met aantallen per stap (w)"),
    ("app.review", "Bespreking", "Een reeks casussen één voor één doorlopen (b)"),
    ("app.people", "Mensen", "Collega's en partners: toevoegen, wijzigen, rol beëindigen (p)"),
    ("app.help", "Help: alle toetsen", "Alle toetsen van dit scherm (?)"),
    ("app.quit", "Stoppen", "kindroute afsluiten (q)"),
)


class KindrouteCommands(Provider):
    """Screen actions plus 'Casus: <leerling>' hits from the database."""

    def _commands(self) -> list[tuple[str, str, str]]:
        app: Any = self.app
        if getattr(app, "actor", None) is None:
            return [("app.quit", "Stoppen", "kindroute afsluiten (q)")]
        seen: set[str] = set()
        out: list[tuple[str, str, str]] = []
        screen = self.screen
        for binding in getattr(screen, "BINDINGS", []):
            action = getattr(binding, "action", None)
            description = getattr(binding, "description", "")
            if not action or not description or action in seen:
                continue
            if screen.check_action(action.split("(")[0], ()) is False:
                continue
            seen.add(action)
            key = binding.key_display or binding.key.split(",")[0]
            out.append((action, description, f"Toets: {key}"))
        for action, title, help_text in GLOBAL_COMMANDS:
            if action.split(".", 1)[1] not in {a.split(".")[-1] for a in seen}:
                out.append((action, title, help_text))
        return out

    async def _run(self, action: str) -> None:
        if action.startswith("app."):
            await self.app.run_action(action[4:])
        else:
            await self.app.run_action(action, self.screen)

    async def discover(self) -> Hits:
        for action, title, help_text in self._commands():
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, title, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help_text)
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
