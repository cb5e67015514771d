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
    """A Footer that turns compact below :data:`COMPACT_BELOW` columns, shows its keys in the
    screen's first frame, and is built again only when the keys it shows change.

    Textual's Footer composes empty at mount and rebuilds itself after every bindings signal
    (the screen resuming, focus moving, a key that runs an action): on opening a case that was
    two rebuilds of every key, each a style pass and a layout of the whole screen, before the
    first frame was done. Here the keys are composed at mount, and a rebuild asked for is
    skipped when, by the time it runs, what the footer shows is what it already shows.
    """

    _shown: tuple[Any, ...] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the screen's bindings are there when the footer is mounted: compose them then
        self.set_reactive(Footer._bindings_ready, True)

    def _keys(self) -> tuple[Any, ...]:
        """What the footer shows: the screen's shown bindings (a focused widget's hidden ones,
        such as a table's cursor keys, change nothing), the palette's key, the footer's mode."""
        active = self.screen.active_bindings
        shown = tuple((key, b.key, b.action, b.description, b.group, enabled, tooltip)
                      for key, (_node, b, enabled, tooltip) in active.items() if b.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        pal = None if palette is None else (palette.binding.key, palette.binding.description,
                                            palette.enabled, palette.tooltip)
        return (self.compact, self.show_command_palette, shown, pal)

    def compose(self) -> ComposeResult:
        if self._shown is None:  # the first time: its mode from the terminal's width already
            self._set_mode(self.app.size.width)
        if self._bindings_ready:
            self._shown = self._keys()
        yield from super().compose()

    def _unchanged(self) -> bool:
        return self._shown is not None and self._shown == self._keys()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._unchanged():
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        """Compose the keys again, unless an earlier rebuild already shows them."""
        if self.is_attached and not self._unchanged():
            await self.recompose()

    def _set_mode(self, width: int) -> None:
        narrow = width < COMPACT_BELOW
        self.compact = narrow
        self.show_command_palette = not narrow

    def on_resize(self, event: events.Resize) -> None:
        palette = self.show_command_palette
        self._set_mode(event.size.width)
        if self.show_command_palette != palette:  # the palette's key comes or goes
            self.call_after_refresh(self._rebuild)
