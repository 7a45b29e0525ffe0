"""Review status per transcript and for the project: what `review list` and a methods section report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from sqlite_utils import Database

from interview_tui.review.diff import Correction, compare
from interview_tui.review.progress import heard_share
from interview_tui.storage import reviews as store
from interview_tui.storage.transcripts import load_transcript


@dataclass(frozen=True)
class ReviewStatus:
    """One recording's transcript: its machine version, its newest review, how far the review got."""

    recording_id: int
    participant_code: str
    session_id: int | None
    duration_s: float | None
    machine_version: int
    review_version: int | None
    reviewed_by: str | None
    reviewed_at: str | None
    heard: float
    edits: int
    correction: Correction | None

    @property
    def state(self) -> str:
        if self.review_version is None:
            return "not started"
        if self.reviewed_at:
            return f"signed off {self.reviewed_at[:10]} by {self.reviewed_by}"
        return "in review"

    def as_dict(self) -> dict[str, Any]:
        c = self.correction
        return {
            "recording_id": self.recording_id, "participant": self.participant_code, "session_id": self.session_id,
            "duration_s": self.duration_s,
            "machine_version": self.machine_version, "review_version": self.review_version, "state": self.state,
            "reviewed_by": self.reviewed_by, "reviewed_at": self.reviewed_at, "heard": round(self.heard, 4),
            "edits": self.edits, "correction_rate": round(c.rate, 4) if c else None,
            "reviewed_words": c.reviewed_words if c else None,
        }


def review_statuses(db: Database) -> list[ReviewStatus]:
    """Every transcribed recording of active participants with its review status."""
    out = []
    for row in store.review_overview(db):
        review_id = row.review_id
        correction = None
        heard, edits = 0.0, 0
        if review_id is not None:
            parent = store.transcript_row(db, review_id)
            machine_id = row.machine_id
            while parent is not None and parent.kind != "machine" and parent.parent_id:
                parent = store.transcript_row(db, parent.parent_id)
            machine_id = parent.id if parent is not None else machine_id
            correction = compare(load_transcript(db, machine_id).segments, load_transcript(db, review_id).segments)
            heard = heard_share(store.heard_spans(db, review_id), row.duration_s)
            edits = sum(1 for e in store.edits(db, review_id) if e.kind not in ("start", "signoff"))
        out.append(ReviewStatus(row.recording_id, row.participant_code, row.session_id, row.duration_s,
                                row.machine_version,
                                row.review_version, row.reviewed_by, row.reviewed_at, heard, edits, correction))
    return out


class _Reviewed(Protocol):
    recording_id: int
    session_id: int | None
    reviewed_at: str | None


def interviews_signed(rows: Sequence[_Reviewed]) -> tuple[int, int]:
    """(signed off, all) counted per interview, not per recording: an interview that took several
    recordings is one transcript, signed off when every one of its recordings is."""
    interviews: dict[object, bool] = {}
    for row in rows:
        key = row.session_id if row.session_id is not None else ("recording", row.recording_id)
        interviews[key] = interviews.get(key, True) and bool(row.reviewed_at)
    return sum(interviews.values()), len(interviews)


def project_line(statuses: list[ReviewStatus]) -> str:
    """e.g. '3 of 10 transcripts reviewed; pooled correction rate 7.2% over 41,200 reviewed words'
    (one transcript per interview, however many recordings it took)."""
    signed = [s for s in statuses if s.reviewed_at]
    words = sum(s.correction.reviewed_words for s in signed if s.correction)
    corrected = sum(s.correction.corrected_words for s in signed if s.correction)
    done, total = interviews_signed(statuses)
    line = f"{done} of {total} transcripts reviewed (signed off)"
    if words:
        line += f"; pooled correction rate {corrected / words:.1%} over {words:,} reviewed words"
    return line
