"""Reviewing an interview that took several recordings as one transcript.

Each recording keeps its own review versions (`ReviewSession`, the only writer), so the
provenance of every segment stays with its recording.  `InterviewReview` shows them as one
document on the interview's timeline (`transcription.stitch`), maps each edit to the
recording it belongs to, and signs all of them off together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from sqlite_utils import Database

from interview_tui.review.diff import Correction, compare, diff_lines
from interview_tui.review.session import ReviewError, ReviewSession
from interview_tui.storage.recordings import list_recordings
from interview_tui.storage.sessions import get_session, session_events
from interview_tui.storage.transcripts import has_transcript
from interview_tui.transcription.stitch import Part, plan_parts, stitch
from interview_tui.domain.transcript import Segment

BOUNDARY_FLAG = "recording_boundary"


@dataclass(frozen=True)
class Place:
    """Where a segment of the interview transcript comes from (None: a boundary mark)."""

    part: int | None
    index: int | None


class InterviewReview:
    """One review over a session's recordings, each saved into its own review version."""

    def __init__(self, db: Database, session_id: int, parts: list[tuple[Part, ReviewSession]]) -> None:
        self.db = db
        self.session_id = session_id
        self.parts = parts
        self.segments: list[Segment] = []
        self.places: list[Place] = []
        self._restitch()

    @classmethod
    def open(cls, db: Database, session_id: int) -> "InterviewReview":
        """The session's transcribed recordings, in order (ReviewError when none is transcribed)."""
        session = get_session(db, session_id)
        if session is None:
            raise ReviewError(f"no session {session_id} (see: interview-tui review list)")
        rows = [r for r in list_recordings(db, session_id=session_id) if has_transcript(db, r.id)]
        if not rows:
            raise ReviewError(f"session {session_id} has no transcribed recording; transcribe it first "
                              f"(interview-tui transcribe --session {session_id})")
        parts = plan_parts(rows, session_events(db, session_id), session.started_at)
        return cls(db, session_id, [(p, ReviewSession.open(db, p.recording_id)) for p in parts])

    def _restitch(self) -> None:
        self.segments = stitch([(part, review.segments) for part, review in self.parts])
        self.places = []
        for k, (part, review) in enumerate(self.parts):
            if part.gap_s is not None:
                self.places.append(Place(None, None))
            self.places += [Place(k, i) for i in range(len(review.segments))]

    def _target(self, index: int) -> tuple[ReviewSession, int]:
        if not 0 <= index < len(self.places):
            raise ReviewError(f"no segment {index + 1}: the transcript has {len(self.places)} segments")
        place = self.places[index]
        if place.part is None or place.index is None:
            raise ReviewError("this line marks where a recording resumed; it is not transcript text")
        return self.parts[place.part][1], place.index

    # -- edits: each goes to its recording's review and is saved before it returns -------------

    def set_text(self, index: int, text: str) -> None:
        review, i = self._target(index)
        review.set_text(i, text)
        self._restitch()

    def set_speaker(self, index: int, speaker: str) -> None:
        review, i = self._target(index)
        review.set_speaker(i, speaker)
        self._restitch()

    def confirm(self, index: int) -> None:
        review, i = self._target(index)
        review.confirm(i)
        self._restitch()

    def merge_next(self, index: int) -> None:
        review, i = self._target(index)
        if i + 1 >= len(review.segments):
            raise ReviewError("the next segment is in another recording; segments merge within a recording only")
        review.merge_next(i)
        self._restitch()

    def sign_off(self, reviewed_by: str) -> list[str]:
        """Sign off every recording's review (one decision for the whole interview)."""
        return [review.sign_off(reviewed_by) for _, review in self.parts]

    # -- figures --------------------------------------------------------------------------------

    @property
    def machine(self) -> list[Segment]:
        return stitch([(part, review.machine) for part, review in self.parts])

    def correction(self) -> Correction:
        return compare(self.machine, [s for s in self.segments if BOUNDARY_FLAG not in s.flags])

    def diff_lines(self) -> list[str]:
        return diff_lines(self.machine, [s for s in self.segments if BOUNDARY_FLAG not in s.flags])

    @property
    def recording_ids(self) -> list[int]:
        return [part.recording_id for part, _ in self.parts]

    def version_labels(self) -> Sequence[str]:
        return [f"recording {part.recording_id}: {review.version_label}" for part, review in self.parts]
