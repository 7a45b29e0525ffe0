"""Review versions of transcripts: drafts, their segments saved at every edit, sign-off, heard spans.

A review version is a `transcripts` row of kind 'review' whose `parent_id` is the version it
started from (the machine version, or an earlier signed-off review).  Its parent is never
changed.  Each edit rewrites the draft's segments and logs the edit in one transaction, so a
crash loses nothing that was saved; a signed-off version is frozen.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from sqlite_utils import Database

from interview_tui.domain.clock import now_iso
from interview_tui.storage.rows import ReviewEdit, ReviewOverview, TranscribedRecording, TranscriptRow, from_row
from interview_tui.storage.transcripts import _rows
from interview_tui.domain.transcript import Segment


class ReviewStateError(Exception):
    """The transcript cannot be changed that way (signed off, not a review, missing); message says why."""


def _segment_row(transcript_id: int, i: int, s: Segment) -> tuple[Any, ...]:
    # Plain dicts, not dataclasses.asdict: a 75-minute transcript has ~15,000 words.
    words = [{"word": w.word, "start": w.start, "end": w.end, "probability": w.probability} for w in s.words]
    return (transcript_id, i, s.start, s.end, s.text, s.speaker, s.question_id, json.dumps(words), s.confidence,
            json.dumps(s.flags))


def _segment_rows(transcript_id: int, segments: Sequence[Segment], first: int = 0) -> list[tuple[Any, ...]]:
    return [_segment_row(transcript_id, first + i, s) for i, s in enumerate(segments[first:])]


_INSERT_SEGMENTS = (
    "INSERT INTO segments (transcript_id, idx, start_s, end_s, text, speaker, question_id, words,"
    " confidence, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _version(row: dict[str, Any]) -> TranscriptRow:
    return from_row(TranscriptRow, {**row, "options": json.loads(row["options"]) if row["options"] else {}})


def _raw_transcript(db: Database, transcript_id: int) -> dict[str, Any] | None:
    rows = _rows(db, "SELECT * FROM transcripts WHERE id = ?", [transcript_id])
    return rows[0] if rows else None


def transcript_row(db: Database, transcript_id: int) -> TranscriptRow | None:
    """One transcript version (no segments), or None."""
    row = _raw_transcript(db, transcript_id)
    return _version(row) if row else None


def latest_version(db: Database, recording_id: int) -> TranscriptRow | None:
    """The newest transcript version of a recording, whatever its kind."""
    rows = _rows(db, "SELECT * FROM transcripts WHERE recording_id = ? ORDER BY version DESC LIMIT 1", [recording_id])
    return _version(rows[0]) if rows else None


def start_review(db: Database, source_id: int, segments: Sequence[Segment]) -> int:
    """A new review draft of `source_id`'s recording holding `segments`; returns its id.

    The draft is the recording's next version with the source's provenance copied and
    `parent_id` = the source.
    """
    src = _raw_transcript(db, source_id)  # the options text is copied as stored
    if src is None:
        raise ReviewStateError(f"transcript {source_id} does not exist")
    with db.conn:
        version = int(db.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM transcripts WHERE recording_id = ?", [src["recording_id"]]
        ).fetchone()[0])
        cursor = db.execute(
            "INSERT INTO transcripts (recording_id, version, kind, parent_id, language, model, model_sha256,"
            " engine, options, created_at, duration_s) VALUES (?, ?, 'review', ?, ?, ?, ?, ?, ?, ?, ?)",
            [src["recording_id"], version, source_id, src["language"], src["model"], src["model_sha256"],
             src["engine"], src["options"], now_iso(), src["duration_s"]],
        )
        draft = int(cursor.lastrowid)
        db.conn.executemany(_INSERT_SEGMENTS, _segment_rows(draft, segments))
        db.execute("INSERT INTO review_edits (transcript_id, at, kind, details) VALUES (?, ?, 'start', ?)",
                   [draft, now_iso(), json.dumps({"parent_id": source_id, "parent_version": src["version"]})])
    return draft


def _draft(db: Database, transcript_id: int) -> TranscriptRow:
    row = transcript_row(db, transcript_id)
    if row is None:
        raise ReviewStateError(f"transcript {transcript_id} does not exist")
    if row.kind != "review":
        raise ReviewStateError(f"transcript {transcript_id} is the machine version; edits go into a review version")
    if row.reviewed_at:
        raise ReviewStateError(
            f"version {row.version} was signed off by {row.reviewed_by or '?'}; start a new review to change it"
        )
    return row


def save_segments(db: Database, transcript_id: int, segments: Sequence[Segment], kind: str,
                  details: dict[str, Any] | None = None, previous: Sequence[Segment] | None = None) -> int:
    """Store a draft's segments and log the edit, in one transaction; returns the edit's id.

    With `previous` (the segments as stored before this edit), only rows whose Segment object
    changed are written: edits return new objects for what they change and keep the others,
    so fixing one word in a long transcript writes one row.
    """
    _draft(db, transcript_id)
    with db.conn:
        if previous is None:
            db.execute("DELETE FROM segments WHERE transcript_id = ?", [transcript_id])
            db.conn.executemany(_INSERT_SEGMENTS, _segment_rows(transcript_id, segments))
        elif len(previous) == len(segments):
            for i, (old, new) in enumerate(zip(previous, segments)):
                if old is not new:
                    db.execute("DELETE FROM segments WHERE transcript_id = ? AND idx = ?", [transcript_id, i])
                    db.execute(_INSERT_SEGMENTS, _segment_row(transcript_id, i, new))
        else:  # a split or merge: everything from the first changed segment on moves
            first = next((i for i, (a, b) in enumerate(zip(previous, segments)) if a is not b),
                         min(len(previous), len(segments)))
            db.execute("DELETE FROM segments WHERE transcript_id = ? AND idx >= ?", [transcript_id, first])
            db.conn.executemany(_INSERT_SEGMENTS, _segment_rows(transcript_id, segments, first))
        cursor = db.execute(
            "INSERT INTO review_edits (transcript_id, at, kind, details) VALUES (?, ?, ?, ?)",
            [transcript_id, now_iso(), kind, json.dumps(details or {}, ensure_ascii=False)],
        )
    return int(cursor.lastrowid)


def sign_off(db: Database, transcript_id: int, reviewed_by: str) -> str:
    """Mark a draft reviewed by `reviewed_by` now; returns the timestamp.  The version is frozen after."""
    name = " ".join(reviewed_by.split())
    if not name:
        raise ReviewStateError("say who reviewed the transcript (name or initials)")
    _draft(db, transcript_id)
    at = now_iso()
    with db.conn:
        db.execute("UPDATE transcripts SET reviewed_by = ?, reviewed_at = ? WHERE id = ?", [name, at, transcript_id])
        db.execute("INSERT INTO review_edits (transcript_id, at, kind, details) VALUES (?, ?, 'signoff', ?)",
                   [transcript_id, at, json.dumps({"by": name}, ensure_ascii=False)])
    return at


def edits(db: Database, transcript_id: int) -> list[ReviewEdit]:
    """The edit log of a review version, oldest first (details decoded)."""
    rows = _rows(db, "SELECT * FROM review_edits WHERE transcript_id = ? ORDER BY id", [transcript_id])
    return [from_row(ReviewEdit, {**r, "details": json.loads(r["details"]) if r["details"] else {}}) for r in rows]


def add_heard_span(db: Database, transcript_id: int, start_s: float, end_s: float) -> None:
    """Remember that the reviewer heard [start_s, end_s] of the audio while reviewing this version."""
    if end_s <= start_s:
        return
    with db.conn:
        db.execute("INSERT INTO review_spans (transcript_id, start_s, end_s, at) VALUES (?, ?, ?, ?)",
                   [transcript_id, start_s, end_s, now_iso()])


def heard_spans(db: Database, transcript_id: int) -> list[tuple[float, float]]:
    """Every span heard while reviewing this version."""
    return [(a, b) for a, b in db.execute(
        "SELECT start_s, end_s FROM review_spans WHERE transcript_id = ? ORDER BY start_s", [transcript_id]
    ).fetchall()]


def review_overview(db: Database) -> list[ReviewOverview]:
    """Per transcribed recording of active participants: its newest machine version and newest review version."""
    return [from_row(ReviewOverview, r) for r in _rows(
        db,
        "SELECT r.id AS recording_id, p.code AS participant_code, r.session_id,"
        " COALESCE(r.duration_s, m.duration_s) AS duration_s,"
        " m.id AS machine_id, m.version AS machine_version,"
        " v.id AS review_id, v.version AS review_version, v.reviewed_by, v.reviewed_at"
        " FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " JOIN transcripts m ON m.id = (SELECT id FROM transcripts WHERE recording_id = r.id AND kind = 'machine'"
        "   ORDER BY version DESC LIMIT 1)"
        " LEFT JOIN transcripts v ON v.id = (SELECT id FROM transcripts WHERE recording_id = r.id AND kind = 'review'"
        "   ORDER BY version DESC LIMIT 1)"
        " WHERE p.withdrawn_at IS NULL ORDER BY p.code, r.started_at, r.id",
    )]


def participant_transcribed_recordings(db: Database, code: str) -> list[TranscribedRecording]:
    """One participant's recordings that have a transcript, oldest first."""
    return [from_row(TranscribedRecording, r) for r in _rows(
        db,
        "SELECT r.id, r.started_at, r.duration_s, r.path, r.session_id,"
        " (SELECT MAX(version) FROM transcripts t WHERE t.recording_id = r.id) AS versions"
        " FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " WHERE p.code = ? AND EXISTS (SELECT 1 FROM transcripts t WHERE t.recording_id = r.id)"
        " ORDER BY r.started_at, r.id",
        [code],
    )]
