"""The footer of every screen: Textual's, compact on a narrow terminal so its keys fit in 80.

Below :data:`COMPACT_BELOW` columns the keys lose their padding and the palette's
``^p Opdrachten`` makes room for the screen's own keys (``?`` lists ctrl+p with the rest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

#: Below this width the footer drops the padding between its keys.
COMPACT_BELOW = 110


class KrFooter(Footer):
    """A Footer that turns compact below :data:`COMPACT_BELOW` columns, and is built again
    only when the keys it shows change (Textual rebuilds it after every key that runs an
    action, such as a backspace in the name filter: a layout of the whole screen each time)."""

    _shown: tuple[Any, ...] | None = None
    #: A rebuild is queued (it reads the keys as they are then): more changes before it add none.
    _queued = False

    def _keys(self) -> tuple[Any, ...]:
        """What the footer shows: the screen's active bindings and the footer's own mode."""
        bindings = tuple((key, b.key, b.action, b.description, b.show, enabled, tooltip)
                         for key, (_node, b, enabled, tooltip) in self.screen.active_bindings.items())
        return (self.compact, self.show_command_palette, bindings)

    def compose(self) -> ComposeResult:
        self._queued = False
        if self._bindings_ready:
            self._shown = self._keys()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if (self._bindings_ready and self.is_attached and screen is self.screen
                and self._shown is not None and self._shown == self._keys()):
            return
        if self._queued and screen is self.screen:
            return  # at start the focus, the screen and the data each change the keys: one rebuild
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._queued = True  # Footer.bindings_changed queued call_after_refresh(recompose)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < COMPACT_BELOW
        self.compact = narrow
        self.show_command_palette = not narrow
