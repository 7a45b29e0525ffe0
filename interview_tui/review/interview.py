"""Reviewing an interview that took several recordings as one transcript.

Each recording keeps its own review versions (`ReviewSession`, the only writer), so the
provenance of every segment stays with its recording.  `InterviewReview` shows them as one
document on the interview's timeline (`transcription.stitch`), maps each edit to the
recording it belongs to, and signs all of them off together.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Sequence

from sqlite_utils import Database

from interview_tui.domain.pieces import Piece, spans_in, timeline_end
from interview_tui.domain.transcript import Segment
from interview_tui.review import edits as ed
from interview_tui.review.attention import AttentionItem, Loudness
from interview_tui.review.diff import Correction, compare, diff_lines
from interview_tui.review.follow import segment_at
from interview_tui.review.progress import heard_share
from interview_tui.review.replace import Replacement
from interview_tui.review.session import ReviewError, ReviewSession
from interview_tui.storage.recordings import get_recording, list_recordings
from interview_tui.storage.sessions import get_session, session_events
from interview_tui.storage.transcripts import has_transcript
from interview_tui.transcription.stitch import BOUNDARY_FLAG, Part, plan_parts, stitch, unshift_marks


@dataclass(frozen=True)
class Place:
    """Where a segment of the interview transcript comes from (None: a boundary mark)."""

    part: int | None
    index: int | None


class InterviewReview:
    """One review over a session's recordings, each saved into its own review version.

    The review screen works on this for every transcript: a recording made in one go is an
    interview of one part, whose timeline is the recording's own.  Times in and out are on the
    interview's timeline; text shown carries its marks' times on that timeline too, and is
    stored with them moved back onto its recording's clock.
    """

    def __init__(self, db: Database, session_id: int | None, parts: list[tuple[Part, ReviewSession]],
                 durations: Sequence[float | None] = ()) -> None:
        """`durations`: each recording's length as recorded (else its transcript's is used)."""
        self.db = db
        self.session_id = session_id
        self.parts = parts
        lengths = list(durations) + [None] * (len(parts) - len(durations))
        self.pieces = [Piece(part.offset_s, length or review.duration_s or 0.0)
                       for (part, review), length in zip(parts, lengths)]
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
        length = {r.id: r.duration_s for r in rows}
        return cls(db, session_id, [(p, ReviewSession.open(db, p.recording_id)) for p in parts],
                   [length[p.recording_id] for p in parts])

    @classmethod
    def for_recording(cls, db: Database, recording_id: int) -> "InterviewReview":
        """The whole interview `recording_id` belongs to (the recording alone when it has no session)."""
        row = get_recording(db, recording_id)
        if row is not None and row.session_id is not None:
            return cls.open(db, row.session_id)
        return cls(db, None, [(Part(recording_id, 0.0), ReviewSession.open(db, recording_id))],
                   [row.duration_s if row is not None else None])

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

    def _local_text(self, index: int, text: str) -> str:
        """Text shown at `index` as its recording stores it (mark times on the recording's clock)."""
        place = self.places[index]
        if place.part is None or place.index is None:
            return text
        part, review = self.parts[place.part]
        return unshift_marks(text, part.offset_s, review.segments[place.index].text)

    def _local_pos(self, index: int, pos: int) -> int:
        """A place in the text shown at `index` as a place in its recording's stored text (a mark's
        time can be wider on the interview's clock: `1:00:05` where the recording says `00:05`)."""
        place = self.places[index]
        if place.part is None or place.index is None:
            return pos
        part, review = self.parts[place.part]
        if not part.offset_s:
            return pos
        return len(unshift_marks(self.segments[index].text[:pos], part.offset_s, review.segments[place.index].text))

    def is_boundary(self, index: int) -> bool:
        return 0 <= index < len(self.places) and self.places[index].part is None

    def part_of(self, index: int) -> int | None:
        """Which recording (index into `parts`) segment `index` belongs to; None for a boundary mark."""
        return self.places[index].part if 0 <= index < len(self.places) else None

    # -- edits: each goes to its recording's review and is saved before it returns -------------

    def set_text(self, index: int, text: str) -> None:
        review, i = self._target(index)
        review.set_text(i, self._local_text(index, text))
        self._restitch()

    def set_speaker(self, index: int, speaker: str) -> None:
        review, i = self._target(index)
        review.set_speaker(i, speaker)
        self._restitch()

    def confirm(self, index: int) -> None:
        review, i = self._target(index)
        review.confirm(i)
        self._restitch()

    def split(self, index: int, pos: int) -> None:
        review, i = self._target(index)
        review.split(i, self._local_pos(index, pos))
        self._restitch()

    def merge_next(self, index: int) -> None:
        review, i = self._target(index)
        if i + 1 >= len(review.segments) and len(self.parts) > 1 and review is not self.parts[-1][1]:
            raise ReviewError("the next segment is in another recording; segments merge within a recording only")
        review.merge_next(i)
        self._restitch()

    def insert_marker(self, index: int, pos: int, kind: str, at_s: float | None = None) -> None:
        """A marker at `pos` in segment `index`; `at_s` is a time on the interview's timeline."""
        review, i = self._target(index)
        offset = self.parts[self.places[index].part or 0][0].offset_s
        review.insert_marker(i, self._local_pos(index, pos), kind, None if at_s is None else max(0.0, at_s - offset))
        self._restitch()

    def rename_speaker(self, old: str, new: str) -> int:
        """`old` becomes `new` in every recording that has it; returns segments changed."""
        having = [r for _, r in self.parts if old in r.speakers()] or [self.parts[0][1]]
        try:
            return sum(r.rename_speaker(old, new) for r in having)
        finally:
            self._restitch()

    def swap_speakers(self, a: str | None = None, b: str | None = None) -> int:
        """Swap two speakers in the whole interview (default: its only two); returns segments changed."""
        if a is None or b is None:
            a, b = ed.the_two_speakers(self.speakers())
        having = [r for _, r in self.parts if {a, b} & set(r.speakers())] or [self.parts[0][1]]
        try:
            return sum(r.swap_speakers(a, b) for r in having)
        finally:
            self._restitch()

    def apply_speakers(self, part: int, names: Sequence[str], unsure: Sequence[bool],
                       provenance: dict[str, Any]) -> int:
        """Speakers found by voice in recording `part` (index into `parts`), as one saved edit."""
        try:
            return self.parts[part][1].apply_speakers(names, unsure, provenance)
        finally:
            self._restitch()

    def searchable(self) -> list[Segment]:
        """The segments find/replace looks through: boundary marks are no text, so they hold nothing to find."""
        return [dataclasses.replace(s, text="") if self.is_boundary(i) else s for i, s in enumerate(self.segments)]

    def replace(self, plan: Sequence[Replacement], find: str, replacement: str) -> int:
        """Apply a find/replace preview (made over `searchable()`); returns how many matches were replaced."""
        by_part: dict[int, list[Replacement]] = {}
        for r in plan:
            place = self.places[r.index] if 0 <= r.index < len(self.places) else None
            if place is None or place.part is None or place.index is None:
                raise ed.EditError("the transcript changed since the preview; search again")
            by_part.setdefault(place.part, []).append(
                Replacement(place.index, self._local_text(r.index, r.before), self._local_text(r.index, r.after), r.count))
        try:
            return sum(self.parts[k][1].replace(local, find, replacement) for k, local in by_part.items())
        finally:
            self._restitch()

    def sign_off(self, reviewed_by: str) -> list[str]:
        """Sign off every recording's review (one decision for the whole interview)."""
        try:
            return [review.sign_off(reviewed_by) for _, review in self.parts]
        finally:
            self._restitch()

    # -- listening ------------------------------------------------------------------------------

    def heard(self, start_s: float, end_s: float) -> None:
        """A span of the interview's timeline was heard: stored with each recording it covers."""
        for k, a, b in spans_in(self.pieces, start_s, end_s):
            self.parts[k][1].heard(a, b)

    def progress(self) -> float:
        """Share of the interview's audio heard in this review (0..1)."""
        if len(self.parts) == 1:
            return self.parts[0][1].progress()
        total = sum(p.duration_s for p in self.pieces)
        if total <= 0:
            return 0.0
        return sum(heard_share(r.heard_spans(), p.duration_s) * p.duration_s
                   for (_, r), p in zip(self.parts, self.pieces)) / total

    def resume_at(self) -> float:
        """Where listening stopped last time, on the interview's timeline (0: from the start)."""
        ends = [part.offset_s + r.resume_at() for part, r in self.parts if r.resume_at() > 0]
        return max(ends, default=0.0)

    def segment_at(self, t: float) -> int | None:
        return segment_at(self.segments, t)

    def attention(self, loudness: Sequence[Loudness | None] | None = None) -> list[AttentionItem]:
        """Every recording's attention queue (with its own loudness) in the interview's order and times."""
        out: list[AttentionItem] = []
        first = {k: self.places.index(Place(k, 0)) for k in range(len(self.parts)) if Place(k, 0) in self.places}
        for k, (part, review) in enumerate(self.parts):
            heard = loudness[k] if loudness is not None and k < len(loudness) else None
            for item in review.attention(heard):
                out.append(dataclasses.replace(item, index=first[k] + item.index,
                                               start_s=item.start_s + part.offset_s, end_s=item.end_s + part.offset_s))
        return out

    # -- what is shown --------------------------------------------------------------------------

    @property
    def recording_id(self) -> int:
        """The first recording's id (the interview's, when it took one recording)."""
        return self.parts[0][0].recording_id

    @property
    def recording_ids(self) -> list[int]:
        return [part.recording_id for part, _ in self.parts]

    @property
    def participant_code(self) -> str | None:
        return self.parts[0][1].participant_code

    @property
    def questions(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for _, review in self.parts:
            out.update(review.questions)
        return out

    @property
    def duration_s(self) -> float | None:
        if len(self.parts) == 1:
            return self.parts[0][1].duration_s
        return timeline_end(self.pieces)

    @property
    def drafts(self) -> tuple[int | None, ...]:
        """Each recording's review draft (None until its first edit or audio heard)."""
        return tuple(review.draft_id for _, review in self.parts)

    @property
    def signed_off(self) -> bool:
        return all(review.signed_off for _, review in self.parts)

    @property
    def version_label(self) -> str:
        """The version shown: one recording's label, or each recording's in short."""
        if len(self.parts) == 1:
            return self.parts[0][1].version_label
        return f"{len(self.parts)} recordings as one interview (" + ", ".join(
            f"rec {part.recording_id} {review.version_label.split(' (')[0]}" for part, review in self.parts) + ")"

    def version_labels(self) -> Sequence[str]:
        return [f"recording {part.recording_id}: {review.version_label}" for part, review in self.parts]

    def audio(self) -> list[tuple[str | None, float]]:
        """Each recording's audio file (relative to the project; None when not known) and its offset."""
        return [(review.audio_relpath, part.offset_s) for part, review in self.parts]

    def speaker_attributions(self) -> list[dict[str, Any]]:
        """How each recording's machine speakers were found by voice (those that were)."""
        return [r.speaker_attribution for _, r in self.parts if r.speaker_attribution]

    def speakers(self) -> list[str]:
        return ed.speakers([s for i, s in enumerate(self.segments) if not self.is_boundary(i)])

    # -- figures --------------------------------------------------------------------------------

    @property
    def machine(self) -> list[Segment]:
        return stitch([(part, review.machine) for part, review in self.parts])

    def correction(self) -> Correction:
        if len(self.parts) == 1:
            return self.parts[0][1].correction()
        return compare(self.machine, [s for s in self.segments if BOUNDARY_FLAG not in s.flags])

    def diff_lines(self) -> list[str]:
        return diff_lines(self.machine, [s for s in self.segments if BOUNDARY_FLAG not in s.flags])
