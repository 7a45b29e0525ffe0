"""Elapsed time against the planned duration and the current section's time budget."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from interview_tui.domain.session import TimeStatus, budget_status, time_status
from interview_tui.domain.timecode import m_ss
from interview_tui.domain.study import Guide, Section


def _paint(widget: Static, text: str, status: TimeStatus) -> None:
    widget.update(text)
    widget.set_class(status == "near", "-near")
    widget.set_class(status == "over", "-over")


class SessionClock(Horizontal):
    """Elapsed / planned (45-75 min) and the current section's time / budget, each coloured
    by the classes `-near` and `-over` (see app.tcss) and saying so in a word."""

    def compose(self) -> ComposeResult:
        yield Static(id="clock-total")
        yield Static(id="clock-section")

    def show(self, guide: Guide, elapsed_s: float, section: Section | None, section_s: float) -> None:
        status = time_status(elapsed_s, guide.planned_min * 60, guide.planned_max * 60)
        total = f"{m_ss(elapsed_s)} of {guide.planned_min:g}–{guide.planned_max:g} min"
        if status == "over":
            total += " · past plan"
        _paint(self.query_one("#clock-total", Static), total, status)
        part, sec_status = "", "ok"
        if section is not None:
            # Numbers first: on a narrow terminal the end of the title is what gets cut.
            part = m_ss(section_s)
            if section.time_budget_min:
                part += f"/{section.time_budget_min:g} min"
                sec_status = budget_status(section_s, section.time_budget_min)
            # Said in words too, not by colour alone (monochrome terminals, NO_COLOR).
            part += {"ok": "", "near": " near", "over": " OVER"}[sec_status]
            part += f" {section.title}"
        _paint(self.query_one("#clock-section", Static), part, sec_status)
