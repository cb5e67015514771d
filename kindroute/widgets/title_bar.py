"""The top line of every screen: the app's title and who is working (person · role)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget


class TitleBar(Widget):
    """A one-line title bar showing ``app.title`` and ``app.sub_title``, updated when they change
    (by :func:`refresh_title_bars`, which the app calls: a bar that watched the app itself stayed
    in the app's list of watchers after its screen closed, with everything it had drawn, until the
    title changed again — every case opened left one behind).

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

    def render(self) -> Text:
        text = Text(str(self.app.title), style="bold", no_wrap=True, overflow="ellipsis", end="")
        if self.app.sub_title:
            text.append(" — ")
            text.append(str(self.app.sub_title), style="dim")
        return text


def refresh_title_bars(app: Any) -> None:
    """Draw the title bars of every screen in ``app``'s stack again (its title or person changed)."""
    for screen in app.screen_stack:
        for bar in screen.query(TitleBar):
            bar.refresh()
