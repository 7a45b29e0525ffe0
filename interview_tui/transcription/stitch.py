"""One interview, one transcript: a session's recordings placed on one timeline.

An interview may take several recordings (stopped and started again, or a crash and a
resume).  Each recording keeps its own stored transcript versions (their provenance: model,
review, sign-off); `stitch` lays the chosen version of each on the interview's timeline and
marks each boundary with the gap: `[recording resumed after 2 min]`.

The timeline starts at the first recording's start, so a one-recording interview keeps its
recording's times (and stays in sync with its audio).  A later recording starts where it
started on the wall clock, less the time the app was down in between (`session_resumed`
events), as the interview's duration counts it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from interview_tui.domain.session import Event, downtime_s, parse_iso
from interview_tui.domain.timecode import mm_ss
from interview_tui.domain.transcript import Segment, Word
from interview_tui.storage.rows import Recording

#: The flag of the line that marks a boundary between two recordings (it is no transcript text).
BOUNDARY_FLAG = "recording_boundary"

#: A time inside a bracket mark: `[word? 01:23]`, `[inaudible 01:23]`, `[01:23]`.
_MARK_TIME = re.compile(r"\[((?:[^\]]*? )?)(\d+):(\d\d)(?::(\d\d))?\]")


@dataclass(frozen=True)
class Part:
    """Where one recording lies on the interview's timeline."""

    recording_id: int
    offset_s: float
    #: wall-clock seconds since the previous recording ended (None for the first)
    gap_s: float | None = None


def gap_text(seconds: float) -> str:
    """`[recording resumed after 2 min]` (seconds under a minute, minutes rounded otherwise)."""
    if seconds < 60:
        return f"[recording resumed after {max(0, round(seconds))} s]"
    return f"[recording resumed after {round(seconds / 60)} min]"


def plan_parts(recordings: Sequence[Recording], events: Iterable[Event] = (),
               session_started_at: str | None = None) -> list[Part]:
    """Each recording's place on the timeline (from its id, started_at and duration_s).

    With the session's events and start, downtime between two recordings is left out.
    """
    rows = sorted(recordings, key=lambda r: (r.started_at, r.id))
    if not rows:
        return []
    events = list(events)
    first = parse_iso(rows[0].started_at)
    parts: list[Part] = []
    previous_end: datetime | None = None
    for r in rows:
        start = parse_iso(r.started_at)
        offset = (start - first).total_seconds()
        if session_started_at is not None and events:
            lo = (first - parse_iso(session_started_at)).total_seconds()
            hi = (start - parse_iso(session_started_at)).total_seconds()
            offset -= downtime_s([e for e in events if lo < e.session_offset_s <= hi])
        gap = None if previous_end is None else max(0.0, (start - previous_end).total_seconds())
        parts.append(Part(r.id, max(0.0, offset), gap))
        previous_end = start + timedelta(seconds=r.duration_s or 0.0)
    return parts


def shift_marks(text: str, offset_s: float) -> str:
    """Times in bracket marks moved by `offset_s` (they are times on the recording)."""
    if not offset_s:
        return text

    def moved(m: re.Match) -> str:
        a, b, c = int(m.group(2)), int(m.group(3)), m.group(4)
        seconds = a * 3600 + b * 60 + int(c) if c is not None else a * 60 + b
        return f"[{m.group(1)}{mm_ss(max(0.0, seconds + offset_s))}]"

    return _MARK_TIME.sub(moved, text)


def unshift_marks(text: str, offset_s: float, original: str = "") -> str:
    """`text` shown with its marks moved by `offset_s` (`shift_marks`), as its recording stores it.

    Marks are whole seconds, so moving one there and back can be a second off: a mark that reads
    as `original`'s reads once moved gets `original`'s back unchanged; only new ones are moved.
    """
    if not offset_s:
        return text
    known: dict[str, str] = {}
    for m in _MARK_TIME.finditer(original):
        known.setdefault(shift_marks(m.group(0), offset_s), m.group(0))
    return _MARK_TIME.sub(lambda m: known.get(m.group(0)) or shift_marks(m.group(0), -offset_s), text)


def shift(segments: Iterable[Segment], offset_s: float) -> list[Segment]:
    """Copies of `segments` (and their words) moved by `offset_s` on the timeline."""
    return [
        dataclasses.replace(
            s, start=s.start + offset_s, end=s.end + offset_s, text=shift_marks(s.text, offset_s),
            words=[Word(w.word, w.start + offset_s, w.end + offset_s, w.probability) for w in s.words],
            flags=list(s.flags),
        )
        for s in segments
    ]


def stitch(parts: Sequence[tuple[Part, Sequence[Segment]]]) -> list[Segment]:
    """One transcript from each part's segments: shifted, with a marked gap at each boundary.

    The gap mark belongs to the question of the segment after it, so it opens that stretch.
    """
    out: list[Segment] = []
    for part, segments in parts:
        moved = shift(segments, part.offset_s)
        if part.gap_s is not None:
            question = moved[0].question_id if moved else (out[-1].question_id if out else None)
            out.append(Segment(part.offset_s, part.offset_s, gap_text(part.gap_s), [], None, question,
                               flags=[BOUNDARY_FLAG]))
        out += moved
    return out
