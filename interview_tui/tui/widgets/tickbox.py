"""A checkbox whose state shows without colour: ✓ when ticked, a blank when not."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    """Textual's Checkbox draws the same `X` ticked or not and tells them apart by colour only,
    which a monochrome terminal (or NO_COLOR, or a colour-blind reader) cannot see."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # read by ToggleButton._button
        return "✓" if self.value else " "
