"""The transcript under review as a list: one entry per segment with time, speaker and guide question."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from interview_tui.review.attention import AttentionItem
from interview_tui.transcription.types import Segment
from interview_tui.transcription.verbatim import clock


def segment_prompt(seg: Segment, index: int, question: str | None, flagged: Sequence[str]) -> Text:
    """How one segment reads in the list: question line when it changes, then time, speaker, flags, text."""
    out = Text()
    if question:
        out.append(f"Q: {question}\n", style="bold italic")
    out.append(f"{clock(seg.start)}–{clock(seg.end)} ", style="dim")
    out.append(f"{seg.speaker or 'Speaker'}", style="bold")
    if flagged:
        out.append(f"  ! {', '.join(dict.fromkeys(flagged))}", style="bold red")
    out.append("\n")
    out.append(seg.text)
    return out


class SegmentList(OptionList):
    """Segments in order; the highlighted one is the current segment (followed while audio plays)."""

    def show(self, segments: Sequence[Segment], questions: dict[str, str], attention: Sequence[AttentionItem]) -> None:
        """(Re)build every entry, keeping the highlighted index where it can."""
        keep = self.highlighted
        flagged: dict[int, list[str]] = {}
        for item in attention:
            flagged.setdefault(item.index, []).append(item.kind)
        options = []
        previous_q: str | None = None
        for i, seg in enumerate(segments):
            q = seg.question_id if seg.question_id != previous_q else None
            previous_q = seg.question_id
            text = questions.get(q, q) if q else None
            options.append(Option(segment_prompt(seg, i, text, flagged.get(i, [])), id=f"seg-{i}"))
        self.set_options(options)
        if segments:
            self.highlighted = min(keep or 0, len(segments) - 1)

    def go_to(self, index: int) -> None:
        """Highlight segment `index` and scroll it into view."""
        if 0 <= index < self.option_count and index != self.highlighted:
            self.highlighted = index
            self.scroll_to_highlight(top=False)
