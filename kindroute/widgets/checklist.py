"""A checklist whose boxes read without colour: ``[x]`` done, ``[ ]`` open.

Textual's SelectionList draws the same ``▐X▌`` for ticked and unticked items and tells
them apart by colour only; on a monochrome terminal, in a screenshot or for a colour-blind
reader they look alike. This list draws its own box and keeps everything else.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

DONE = "[x]"
OPEN = "[ ]"


class Checklist(SelectionList[str]):
    """A SelectionList with ``[x]`` / ``[ ]`` boxes."""

    def _get_left_gutter_width(self) -> int:
        return len(DONE) + 1

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        index = int(self.scroll_offset.y) + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        done = selection.value in self.selected
        component = "selection-list--button" + ("-selected" if done else "") + (
            "-highlighted" if self.highlighted == index else "")
        base = next(iter(line)).style or self.rich_style
        box = Style.combine([base, Style(bold=True, color=self.get_component_rich_style(component).bgcolor)])
        meta = Style(meta={"option": index})
        return Strip([Segment(DONE if done else OPEN, box + meta), Segment(" ", base + meta), *line])
