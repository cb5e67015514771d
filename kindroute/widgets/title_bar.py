"""The top line of every screen: the app's title and who is working (person · role)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget


class TitleBar(Widget):
    """A one-line title bar showing ``app.title`` and ``app.sub_title``, updated when they change.

    Lighter than Textual's ``Header`` (no icon, no clock): the first frame of the app is
    drawn sooner, and the person's name is shown literally, whatever it holds.
    """

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "title", self._changed, init=False)
        self.watch(self.app, "sub_title", self._changed, init=False)

    def _changed(self, *_: Any) -> None:
        self.refresh()

    def render(self) -> Text:
        text = Text(str(self.app.title), style="bold", no_wrap=True, overflow="ellipsis", end="")
        if self.app.sub_title:
            text.append(" — ")
            text.append(str(self.app.sub_title), style="dim")
        return text
