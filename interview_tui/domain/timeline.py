"""Which guide question was current at each moment of a recording.

The interview screen stores a `question_reached` (or `closing_reached`) event whenever the
interviewer moves to a question, with the offset on the recording's timeline, and a
`final_prompt` event when the end-of-interview prompt is asked: its answer is kept apart from
the closing question's, under `FINAL_PROMPT_ID`.  Each word belongs to the last question
reached at or before its start, so a segment spanning a question change is cut there.  Events of other recordings of
the same session (or events without an offset) are placed by the wall clock (`at` minus the
recording's start), so a question reached before this recording started is current at 0 s.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol

from interview_tui.domain.study import FINAL_PROMPT_ID

QUESTION_KINDS = ("question_reached", "closing_reached", "final_prompt")


class EventLike(Protocol):
    kind: str
    question_id: str | None
    at: str
    recording_id: int | None
    recording_offset_s: float | None


@dataclass(frozen=True)
class QuestionTimeline:
    """Question changes as (offset_s, question_id), sorted by offset."""

    marks: tuple[tuple[float, str], ...] = ()
    #: words up to this many seconds before a key press already belong to the new question
    #: (interviewers often press the key while starting to ask).
    lead_s: float = 0.5

    def at(self, t: float) -> str | None:
        """The question current at `t` seconds into the recording (None before the first)."""
        offsets = [m[0] for m in self.marks]
        i = bisect.bisect_right(offsets, t + self.lead_s) - 1
        return self.marks[i][1] if i >= 0 else None

    def __bool__(self) -> bool:
        return bool(self.marks)


def _seconds_between(start_iso: str, at_iso: str) -> float:
    return (datetime.fromisoformat(at_iso) - datetime.fromisoformat(start_iso)).total_seconds()


def event_offsets(
    events: Iterable[EventLike], recording_id: int, recording_started_at: str | None, kinds: Iterable[str]
) -> list[tuple[float, EventLike]]:
    """(offset on this recording's timeline, event) for the events of `kinds`, sorted by offset."""
    wanted = set(kinds)
    out: list[tuple[float, EventLike]] = []
    for e in events:
        if e.kind not in wanted:
            continue
        if e.recording_offset_s is not None and e.recording_id == recording_id:
            out.append((float(e.recording_offset_s), e))
        elif recording_started_at:
            out.append((max(0.0, _seconds_between(recording_started_at, e.at)), e))
    out.sort(key=lambda m: m[0])
    return out


def timeline_from_events(
    events: Iterable[EventLike],
    recording_id: int,
    recording_started_at: str | None = None,
    *,
    lead_s: float = 0.5,
) -> QuestionTimeline:
    """The question timeline of one recording from its session's events."""
    marks = [(t, answer_id) for t, e in event_offsets(events, recording_id, recording_started_at, QUESTION_KINDS)
             if (answer_id := FINAL_PROMPT_ID if e.kind == "final_prompt" else e.question_id)]
    return QuestionTimeline(tuple(marks), lead_s)
