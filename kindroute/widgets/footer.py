"""The footer of every screen: Textual's, compact on a narrow terminal so its keys fit in 80.

Below :data:`COMPACT_BELOW` columns the keys lose their padding and the palette's
``^p Opdrachten`` makes room for the screen's own keys (``?`` lists ctrl+p with the rest).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

#: Below this width the footer drops the padding between its keys.
COMPACT_BELOW = 110


class KrFooter(Footer):
    """A Footer that turns compact below :data:`COMPACT_BELOW` columns."""

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < COMPACT_BELOW
        self.compact = narrow
        self.show_command_palette = not narrow
