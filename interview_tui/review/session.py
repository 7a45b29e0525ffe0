"""One reviewer's pass over one recording's transcript: edits saved as they are made.

`ReviewSession.open` resumes the recording's unfinished review draft, or prepares a new one
from the newest version (machine, or a signed-off review).  The draft row is created by the
first edit or the first audio heard, so merely looking creates nothing.  Every edit is saved
(segments + edit log, one transaction) before the method returns.  The database connection
belongs to the caller's thread.
"""

from __future__ import annotations

from typing import Any, Sequence

from sqlite_utils import Database

from interview_tui.domain.safe_text import text_problem
from interview_tui.review import edits as ed
from interview_tui.review.attention import AttentionItem, AttentionSettings, Loudness, build_queue
from interview_tui.review.diff import Correction, compare
from interview_tui.review.progress import furthest, heard_share
from interview_tui.review.replace import Replacement, apply_replace
from interview_tui.storage import reviews as store
from interview_tui.storage.rows import TranscriptRow
from interview_tui.storage.studies import study_for_recording
from interview_tui.storage.transcripts import load_transcript, recording_context
from interview_tui.domain.transcript import Segment


class ReviewError(Exception):
    """The recording cannot be reviewed (no transcript, unknown recording); message says what to do."""


def _questions(db: Database, recording_id: int) -> dict[str, str]:
    """Guide question texts of the recording's study (the study stored with its session, else its slug's)."""
    study = study_for_recording(db, recording_id)
    return study.guide.answer_headings() if study else {}


class ReviewSession:
    """The segments under review and the version they are saved into."""

    def __init__(self, db: Database, recording_id: int, source: TranscriptRow, draft_id: int | None,
                 segments: list[Segment], machine: list[Segment]) -> None:
        self.db = db
        self.recording_id = recording_id
        self.source = source
        self.draft_id = draft_id
        self.segments = segments
        self.machine = machine
        self.questions = _questions(db, recording_id)
        ctx = recording_context(db, recording_id)
        self.participant_code: str | None = ctx.participant_code if ctx else None
        self.audio_relpath: str | None = ctx.path if ctx else None
        self._queue_cache: dict[int, tuple] = {}
        self.duration_s: float | None = source.duration_s or (segments[-1].end if segments else None)
        options = source.options
        self.unsure_probability = float(options.get("unsure_probability", 0.4))
        #: how the machine transcript's speakers were found by voice (None: by channel, or not at all).
        self.speaker_attribution: dict[str, Any] | None = options.get("speaker_attribution")

    @classmethod
    def open(cls, db: Database, recording_id: int) -> "ReviewSession":
        """Resume the recording's review draft, or prepare a new review of its newest version."""
        latest = store.latest_version(db, recording_id)
        if latest is None:
            raise ReviewError(f"recording {recording_id} has no transcript yet; transcribe it first "
                              f"(interview-tui transcribe {recording_id})")
        draft_id = latest.id if latest.kind == "review" and not latest.reviewed_at else None
        source_id = latest.parent_id if draft_id else latest.id
        source = store.transcript_row(db, source_id) or latest
        segments = ed.normalized(load_transcript(db, latest.id).segments)
        machine_row = source
        while machine_row.kind != "machine" and machine_row.parent_id:
            machine_row = store.transcript_row(db, machine_row.parent_id) or machine_row
        machine = load_transcript(db, machine_row.id).segments
        return cls(db, recording_id, source, draft_id, segments, machine)

    # -- versions ---------------------------------------------------------------------------

    @property
    def version_label(self) -> str:
        """e.g. 'review draft v3 (from machine v2)'."""
        if self.draft_id is None:
            if self.source.reviewed_at:
                return (f"signed off by {self.source.reviewed_by} v{self.source.version} "
                        "(an edit starts a new review version)")
            return f"{self.source.kind} v{self.source.version} (a review version starts with the first edit)"
        row = store.transcript_row(self.db, self.draft_id)
        edited = any(e.kind != "start" for e in store.edits(self.db, self.draft_id))
        if not (row and row.reviewed_at) and not edited:
            # Listening already keeps its heard spans in the draft row, but the help promises that a
            # review version starts with the first edit: until then, name what is shown.
            return (f"{self.source.kind} v{self.source.version} "
                    "(a review version starts with the first edit)")
        state = f"signed off by {row.reviewed_by}" if row and row.reviewed_at else "review draft"
        return f"{state} v{row.version if row else None} (from {self.source.kind} v{self.source.version})"

    def ensure_draft(self) -> int:
        """The draft edits go into, created (or started anew after a sign-off) when needed."""
        if self.draft_id is not None:
            row = store.transcript_row(self.db, self.draft_id)
            if row is not None and not row.reviewed_at:
                return self.draft_id
            self.source = row or self.source
        self.draft_id = store.start_review(self.db, self.source.id, self.segments)
        return self.draft_id

    @property
    def signed_off(self) -> bool:
        """Whether what is shown is a signed-off version (the next edit starts a new one)."""
        row = store.transcript_row(self.db, self.draft_id) if self.draft_id else self.source
        return bool(row and row.reviewed_at)

    def _save(self, kind: str, segments: list[Segment], details: dict[str, Any]) -> None:
        draft = self.ensure_draft()
        # The draft holds exactly self.segments (a fresh one is a copy of them), so only changes are written.
        store.save_segments(self.db, draft, segments, kind, details, previous=self.segments)
        self.segments = segments

    # -- edits (each saved before it returns) ------------------------------------------------

    def set_text(self, index: int, text: str) -> None:
        _check(text, "the segment text", multiline=True)
        before = self.segments[index].text if 0 <= index < len(self.segments) else None
        self._save("text", ed.set_text(self.segments, index, text), {"index": index, "before": before, "after": text})

    def confirm(self, index: int) -> None:
        self._save("confirm", ed.confirm(self.segments, index), {"index": index})

    def split(self, index: int, pos: int) -> None:
        self._save("split", ed.split(self.segments, index, pos), {"index": index, "pos": pos})

    def merge_next(self, index: int) -> None:
        self._save("merge", ed.merge_next(self.segments, index), {"index": index})

    def set_speaker(self, index: int, speaker: str) -> None:
        _check(speaker, "the speaker")
        before = self.segments[index].speaker if 0 <= index < len(self.segments) else None
        self._save("speaker", ed.set_speaker(self.segments, index, speaker),
                   {"index": index, "before": before, "after": speaker})

    def rename_speaker(self, old: str, new: str) -> int:
        _check(new, "the speaker")
        segments, count = ed.rename_speaker(self.segments, old, new)
        self._save("rename", segments, {"before": old, "after": new, "segments": count})
        return count

    def swap_speakers(self, a: str | None = None, b: str | None = None) -> int:
        """Swap two speakers in the whole transcript (default: its only two); returns segments changed."""
        if a is None or b is None:
            a, b = ed.the_two_speakers(self.speakers())
        segments, count = ed.swap_speakers(self.segments, a, b)
        self._save("swap", segments, {"speakers": [a, b], "segments": count})
        return count

    def apply_speakers(self, names: Sequence[str], unsure: Sequence[bool], provenance: dict[str, Any]) -> int:
        """Speakers found by voice (see `diarization.word_speakers`) as one saved edit; returns segments after."""
        from interview_tui.diarization.attribute import SPEAKER_FLAG

        units = sum(len(s.words) or 1 for s in self.segments)
        if len(names) != units or len(unsure) != units:
            raise ed.EditError("the transcript changed while speakers were being found; find them again")
        self._save("speakers", ed.apply_speakers(self.segments, names, unsure, SPEAKER_FLAG),
                   {"provenance": provenance})
        return len(self.segments)

    def insert_marker(self, index: int, pos: int, kind: str, at_s: float | None = None) -> None:
        self._save("marker", ed.insert_marker(self.segments, index, pos, kind, at_s),
                   {"index": index, "pos": pos, "marker": kind})

    def replace(self, plan: Sequence[Replacement], find: str, replacement: str) -> int:
        """Apply a find/replace preview; returns how many matches were replaced."""
        _check(replacement, "the replacement")
        self._save("replace", apply_replace(self.segments, plan),
                   {"find": find, "replace": replacement, "segments": [r.index for r in plan]})
        return sum(r.count for r in plan)

    def sign_off(self, reviewed_by: str) -> str:
        """Sign the draft off (creating it when nothing was edited: 'reviewed, no changes')."""
        if not reviewed_by.strip():
            raise store.ReviewStateError("say who reviewed the transcript (name or initials)")
        problem = text_problem(reviewed_by.strip())
        if problem:
            raise store.ReviewStateError(f"the reviewer's name {problem}")
        return store.sign_off(self.db, self.ensure_draft(), reviewed_by)

    # -- listening and figures ----------------------------------------------------------------

    def heard(self, start_s: float, end_s: float) -> None:
        """Record a span of audio the reviewer heard."""
        if end_s <= start_s:
            return
        if self.draft_id is None and self.source.kind == "review":
            # Listening to a signed-off version again is no new review: no new version for it.
            store.add_heard_span(self.db, self.source.id, start_s, end_s)
        else:
            store.add_heard_span(self.db, self.ensure_draft(), start_s, end_s)

    def heard_spans(self) -> list[tuple[float, float]]:
        """Spans heard in this review (before the first edit after a sign-off: those of the signed version)."""
        if self.draft_id:
            return store.heard_spans(self.db, self.draft_id)
        return store.heard_spans(self.db, self.source.id) if self.source.kind == "review" else []

    def progress(self) -> float:
        """Share of the audio heard in this review (0..1)."""
        return heard_share(self.heard_spans(), self.duration_s)

    def resume_at(self) -> float:
        """Where listening stopped last time."""
        return furthest(self.heard_spans())

    def attention(self, loudness: Loudness | None = None) -> list[AttentionItem]:
        """The attention queue (per-segment results cached across edits)."""
        return build_queue(self.segments, AttentionSettings(unsure_probability=self.unsure_probability), loudness,
                           self._queue_cache)

    def correction(self) -> Correction:
        return compare(self.machine, self.segments)

    def speakers(self) -> list[str]:
        return ed.speakers(self.segments)


def _check(text: str, what: str, *, multiline: bool = False) -> None:
    """Refuse control characters (ESC, NUL...) in review input, as `EditError` the screen shows."""
    problem = text_problem(text.strip(), multiline=multiline)
    if problem:
        raise ed.EditError(f"{what} {problem}")
