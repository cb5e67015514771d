"""The floor for P1: the smallest Textual app (a Static and a Footer), started like kindroute.

It appends ``time.time()`` to ``KINDROUTE_READY_FILE`` after its first refresh, the same
marker kindroute writes when its worklist is interactive.
"""

from __future__ import annotations

import os
import time

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static


class FloorApp(App[None]):
    BINDINGS = [("q", "quit", "Stoppen")]

    def compose(self) -> ComposeResult:
        yield Static("kindroute floor")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._write_marker)

    def _write_marker(self) -> None:
        path = os.environ.get("KINDROUTE_READY_FILE")
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"{time.time()}\n")


if __name__ == "__main__":
    FloorApp().run()
