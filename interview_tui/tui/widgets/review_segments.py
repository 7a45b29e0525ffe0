"""The transcript under review as a list: one entry per segment with time, speaker and guide question."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from interview_tui.review.attention import AttentionItem
from interview_tui.transcription.stitch import BOUNDARY_FLAG
from interview_tui.domain.transcript import Segment
from interview_tui.domain.timecode import mm_ss


def segment_prompt(seg: Segment, index: int, question: str | None, flagged: Sequence[str]) -> Text:
    """How one segment reads in the list: question line when it changes, then time, speaker, flags, text
    (a recording boundary: its time and mark)."""
    out = Text()
    if question:
        out.append(f"Q: {question}\n", style="bold italic")
    if BOUNDARY_FLAG in seg.flags:  # where one recording of the interview ends and the next begins
        out.append(f"{mm_ss(seg.start)} ", style="dim")
        out.append(seg.text, style="italic")
        return out
    out.append(f"{mm_ss(seg.start)}–{mm_ss(seg.end)} ", style="dim")
    out.append(f"{seg.speaker or 'Speaker'}", style="bold")
    if flagged:
        out.append(f"  ! {', '.join(dict.fromkeys(flagged))}", style="bold #ff6e6e")  # a light red: legible in monochrome too
    out.append("\n")
    out.append(seg.text)
    return out


class SegmentList(OptionList):
    """Segments in order; the highlighted one is the current segment (followed while audio plays)."""

    # ←/→ step through the audio (the screen's action), not scroll the list sideways.
    BINDINGS = [
        Binding("left", "screen.step(-1)", "Back 3 s", show=False),
        Binding("right", "screen.step(1)", "On 3 s", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: list[tuple[Segment, tuple[str, ...]]] = []

    def show(self, segments: Sequence[Segment], questions: dict[str, str], attention: Sequence[AttentionItem]) -> None:
        """Draw the segments: only changed entries when the count is the same, else every entry."""
        keep = self.highlighted
        flagged: dict[int, list[str]] = {}
        for item in attention:
            flagged.setdefault(item.index, []).append(item.kind)
        state = [(seg, tuple(flagged.get(i, []))) for i, seg in enumerate(segments)]
        heads: list[str | None] = []
        previous_q: str | None = None
        for seg in segments:
            q = seg.question_id if seg.question_id != previous_q else None
            previous_q = seg.question_id
            heads.append(questions.get(q, q) if q else None)
        same_shape = len(state) == len(self._shown) and all(
            old.question_id == new.question_id for (old, _), (new, _) in zip(self._shown, state))
        if same_shape:  # an edit inside segments: redraw just those (a long interview has ~1,000)
            for i, ((old, old_flags), (seg, flags)) in enumerate(zip(self._shown, state)):
                if old is not seg or old_flags != flags:
                    self.replace_option_prompt_at_index(i, segment_prompt(seg, i, heads[i], flags))
        else:
            options: list[Option | None] = []
            for i, (seg, flags) in enumerate(state):
                if i:
                    options.append(None)  # a thin rule between segments: turns read apart at a glance
                options.append(Option(segment_prompt(seg, i, heads[i], flags), id=f"seg-{i}"))
            self.set_options(options)
            if segments:
                self.highlighted = min(keep or 0, len(segments) - 1)
        self._shown = state

    def go_to(self, index: int) -> None:
        """Highlight segment `index` and scroll it into view."""
        if 0 <= index < self.option_count and index != self.highlighted:
            self.highlighted = index
            self.scroll_to_highlight(top=False)
