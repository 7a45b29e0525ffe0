"""A one-line level meter per channel: RMS and peak bars in dBFS, with the numbers."""

from __future__ import annotations

from textual.widget import Widget

from interview_tui.audio.levels import FLOOR_DBFS, Level

#: The meter's scale: -60 dBFS (left end) to 0 dBFS.
METER_FLOOR_DBFS = -60.0


def meter_bar(peak_dbfs: float, rms_dbfs: float, width: int = 30) -> str:
    """`█` up to the RMS, `▓` from there to the peak, `░` for the rest (scale -60..0 dBFS)."""

    def cells(db: float) -> int:
        fraction = (max(db, METER_FLOOR_DBFS) - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS
        return round(min(fraction, 1.0) * width)

    rms, peak = cells(rms_dbfs), max(cells(peak_dbfs), cells(rms_dbfs))
    return "█" * rms + "▓" * (peak - rms) + "░" * (width - peak)


def _db(value: float) -> str:
    return "  -inf" if value <= FLOOR_DBFS else f"{value:6.1f}"


class LevelMeter(Widget):
    """One channel's meter line.  Repaints without a layout pass: it redraws about 13 times a second."""

    def __init__(self, channel: int, channels: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.channel = channel
        self.name_label = ("L", "R")[channel] if channels == 2 else " "
        self.level: Level | None = None

    def show(self, level: Level) -> None:
        self.level = level
        self.refresh()  # not Static.update(): that re-lays out the whole screen each time

    def _bar_width(self) -> int:
        # The numbers take 32 cells; the bar gets the rest (max 30) so the RMS value is never cut at 80 columns.
        return max(8, min(30, self.size.width - 32)) if self.size.width else 30

    def render(self) -> str:
        width = self._bar_width()
        if self.level is None:
            return f"{self.name_label} {meter_bar(FLOOR_DBFS, FLOOR_DBFS, width)}  peak   -inf  rms   -inf dBFS"
        peak, rms = self.level.peak_dbfs[self.channel], self.level.rms_dbfs[self.channel]
        return f"{self.name_label} {meter_bar(peak, rms, width)}  peak {_db(peak)}  rms {_db(rms)} dBFS"
