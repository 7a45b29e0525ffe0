"""Subtitle cues of readable size: what SRT and WebVTT players and editors expect.

Common subtitle conventions (BBC, Netflix and EBU guidelines agree closely):
at most 42 characters a line, at most 2 lines a cue, at most 7 seconds on
screen.  A long segment is split at word boundaries into several cues; each
cue's times come from the words' own timestamps when the segment still has
them (its text unchanged since transcription), else from the segment's span
shared out by characters.  No cue stays up longer than 7 seconds: a cue over a
long silence ends 7 seconds after it starts.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from interview_tui.domain.transcript import Segment

MAX_LINE = 42
MAX_LINES = 2
MAX_SECONDS = 7.0


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]


def wrap(text: str) -> list[str]:
    """`text` broken into lines of at most `MAX_LINE` characters (a longer single word keeps its own line)."""
    return textwrap.wrap(text, MAX_LINE, break_long_words=False, break_on_hyphens=False) or [""]


def _timed_words(seg: Segment) -> tuple[list[tuple[str, float, float]], bool]:
    """The segment's words with times, and whether the times are the model's (else estimated)."""
    tokens = seg.text.split()
    if seg.words and [w.word.strip() for w in seg.words] == tokens:
        return [(w.word.strip(), w.start, w.end) for w in seg.words], True
    total = sum(len(t) + 1 for t in tokens) or 1
    span = max(seg.end - seg.start, 0.0)
    out, pos = [], 0
    for token in tokens:
        start = seg.start + span * pos / total
        pos += len(token) + 1
        out.append((token, start, seg.start + span * pos / total))
    return out, False


def segment_cues(seg: Segment, prefix: str = "") -> list[Cue]:
    """The cues for one segment; `prefix` (e.g. `Speaker: `) opens the first cue and counts toward its length."""
    words, timed = _timed_words(seg)
    if not words:
        return [_cue(seg.start, seg.end, wrap(prefix.strip()))] if prefix.strip() else []
    cues: list[Cue] = []
    run: list[tuple[str, float, float]] = []

    def text_of(items: list[tuple[str, float, float]]) -> str:
        return (prefix if not cues else "") + " ".join(w for w, _, _ in items)

    def fits(items: list[tuple[str, float, float]]) -> bool:
        # Estimated times say nothing about pauses, so only real word times split a cue by duration.
        short = not timed or items[-1][2] - items[0][1] <= MAX_SECONDS
        return len(wrap(text_of(items))) <= MAX_LINES and short

    for word in words:
        if run and not fits(run + [word]):
            cues.append(_cue(run[0][1], run[-1][2], wrap(text_of(run))))
            run = []
        run.append(word)
    if run:
        cues.append(_cue(run[0][1], run[-1][2], wrap(text_of(run))))
    return cues


def _cue(start: float, end: float, lines: list[str]) -> Cue:
    return Cue(start, min(end, start + MAX_SECONDS), tuple(lines))
