"""Laying a transcript out as plain text while remembering where each segment went.

Consecutive segments of one speaker under one guide question form a *turn*,
written as one paragraph `Speaker: text text ...`.  The layout keeps the
character span of every segment and turn so that writers can place sync
points and codings on exact text positions (Python string indices, i.e.
Unicode code points, which is how REFI-QDA counts positions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interview_tui.domain.transcript import Segment

# Characters XML 1.0 forbids (and Word refuses): C0 controls other than tab/newline/CR, and
# unpaired surrogates.  A model or a pasted note can produce them; exports drop them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def clean(text: str) -> str:
    """One line of text: tabs and line breaks become spaces, ends stripped, XML-unsafe characters dropped.

    Exports put one turn per paragraph and tabs between columns, so a stray
    newline or tab inside a segment would break them.
    """
    return " ".join(xml_safe(text).split())


@dataclass(frozen=True)
class Turn:
    """A run of consecutive segments with one speaker and one question."""

    speaker: str
    question_id: str | None
    segments: tuple[Segment, ...]

    @property
    def start(self) -> float:
        return self.segments[0].start

    @property
    def end(self) -> float:
        return self.segments[-1].end


def turns(segments: tuple[Segment, ...] | list[Segment]) -> list[Turn]:
    """Group segments into turns (speaker or question change starts a new turn)."""
    out: list[Turn] = []
    run: list[Segment] = []
    for seg in segments:
        if run and (seg.speaker_label != run[-1].speaker_label or seg.question_id != run[-1].question_id):
            out.append(Turn(run[0].speaker_label, run[0].question_id, tuple(run)))
            run = []
        run.append(seg)
    if run:
        out.append(Turn(run[0].speaker_label, run[0].question_id, tuple(run)))
    return out


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class QuestionPassage:
    """The text of one question's run of turns, with its audio times."""

    question_id: str
    span: Span
    start_s: float
    end_s: float


@dataclass(frozen=True)
class TextLayout:
    """A transcript's plain text with the span of every segment and turn."""

    text: str
    segment_spans: tuple[Span, ...]
    turn_spans: tuple[Span, ...]
    turns: tuple[Turn, ...]

    def passages(self) -> list[QuestionPassage]:
        """One passage per maximal run of turns aligned to the same question."""
        out: list[QuestionPassage] = []
        cur: list[int] = []

        def flush() -> None:
            if cur:
                first, last = self.turns[cur[0]], self.turns[cur[-1]]
                span = Span(self.turn_spans[cur[0]].start, self.turn_spans[cur[-1]].end)
                out.append(QuestionPassage(first.question_id or "", span, first.start, last.end))

        for i, turn in enumerate(self.turns):
            if cur and turn.question_id != self.turns[cur[-1]].question_id:
                flush()
                cur = []
            if turn.question_id is None:
                continue
            cur.append(i)
        flush()
        return out


def lay_out(segments: tuple[Segment, ...] | list[Segment], header: str = "") -> TextLayout:
    """The transcript as paragraphs `Speaker: text`, separated by blank lines, after `header`."""
    parts: list[str] = []
    pos = 0

    def put(s: str) -> None:
        nonlocal pos
        parts.append(s)
        pos += len(s)

    if header:
        put(clean(header) + "\n\n")
    seg_spans: list[Span] = []
    turn_spans: list[Span] = []
    grouped = turns(segments)
    for t_index, turn in enumerate(grouped):
        if t_index:
            put("\n\n")
        turn_start = pos
        put(f"{turn.speaker}: ")
        for s_index, seg in enumerate(turn.segments):
            if s_index:
                put(" ")
            seg_start = pos
            put(clean(seg.text))
            seg_spans.append(Span(seg_start, pos))
        turn_spans.append(Span(turn_start, pos))
    if grouped:
        put("\n")
    return TextLayout("".join(parts), tuple(seg_spans), tuple(turn_spans), tuple(grouped))
