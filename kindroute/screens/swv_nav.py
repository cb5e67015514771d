"""Opening the SWV's screens from anywhere: Inzicht (``i``), the verbeterbord (``v``) and the
sociale kaart (``k``; from a case: the partners of its school, "wie kunnen we vragen?")."""

from __future__ import annotations

from typing import Any


def open_swv_screen(app: Any, which: str) -> None:
    current = app.screen
    if which == "monitor":
        from kindroute.screens.monitor import MonitorScreen

        if not isinstance(current, MonitorScreen):
            app.push_screen(MonitorScreen())
    elif which == "board":
        from kindroute.screens.board import BoardScreen

        if not isinstance(current, BoardScreen):
            app.push_screen(BoardScreen())
    elif which == "partners":
        from kindroute.screens.partners import PartnersScreen

        if not isinstance(current, PartnersScreen):
            app.push_screen(PartnersScreen(case_id=getattr(current, "case_id", None)))
