"""Checkboxes whose state shows without colour: ✓ when ticked, a blank when not."""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

T = TypeVar("T")

TICKED, UNTICKED = "✓", " "


class TickBox(Checkbox):
    """Textual's Checkbox draws the same `X` ticked or not and tells them apart by colour only,
    which a monochrome terminal (or NO_COLOR, or a colour-blind reader) cannot see."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # read by ToggleButton._button
        return TICKED if self.value else UNTICKED


class TickList(SelectionList[T]):
    """A SelectionList with the same ✓ / blank boxes (its own boxes also differ by colour only)."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if len(segments) < 3:
            return strip
        # [left edge, box, right edge, space, prompt…]: put the state into the box.
        text, style, control = segments[1]
        segments[1] = Segment(TICKED if option.value in self._selected else UNTICKED, style, control)
        return Strip(segments, strip.cell_length)
