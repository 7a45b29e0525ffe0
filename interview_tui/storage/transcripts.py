"""Transcripts and their segments, versioned: re-transcribing adds a version, never overwrites."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from interview_tui.storage import audit
from interview_tui.storage.rows import Recording, RecordingContext, RecordingOverview, TranscriptListing, from_row
from interview_tui.domain.clock import now_iso
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word


def _rows(db: Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def save_transcript(db: Database, recording_id: int, transcript: Transcript) -> int:
    """Store a machine transcript as the recording's next version (one transaction); returns its id."""
    meta = transcript.meta
    with db.conn:
        row = db.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM transcripts WHERE recording_id = ?", [recording_id]
        ).fetchone()
        version = int(row[0])
        cursor = db.execute(
            "INSERT INTO transcripts (recording_id, version, kind, language, model, model_sha256, engine,"
            " options, created_at, duration_s) VALUES (?, ?, 'machine', ?, ?, ?, ?, ?, ?, ?)",
            [recording_id, version, meta.language, meta.model, meta.model_sha256, meta.engine,
             json.dumps(meta.options, sort_keys=True), now_iso(), meta.duration_s],
        )
        transcript_id = int(cursor.lastrowid)
        db.conn.executemany(
            "INSERT INTO segments (transcript_id, idx, start_s, end_s, text, speaker, question_id, words,"
            " confidence, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (transcript_id, i, s.start, s.end, s.text, s.speaker, s.question_id,
                 json.dumps([w.to_dict() for w in s.words]), s.confidence, json.dumps(s.flags))
                for i, s in enumerate(transcript.segments)
            ],
        )
        code = db.execute("SELECT p.code FROM recordings r JOIN participants p ON p.id = r.participant_id"
                          " WHERE r.id = ?", [recording_id]).fetchone()
        audit.log(db, "transcription.run", participant_code=code[0] if code else None,
                  details={"recording_id": recording_id, "transcript_id": transcript_id, "version": version,
                           "model": meta.model, "engine": meta.engine, "segments": len(transcript.segments)})
    meta.version, meta.transcript_id, meta.recording_id = version, transcript_id, recording_id
    return transcript_id


def list_transcripts(db: Database, recording_id: int) -> list[TranscriptListing]:
    """Every version of a recording's transcript, oldest first (options decoded)."""
    rows = _rows(
        db,
        "SELECT t.*, (SELECT COUNT(*) FROM segments s WHERE s.transcript_id = t.id) AS segment_count"
        " FROM transcripts t WHERE recording_id = ? ORDER BY version",
        [recording_id],
    )
    for r in rows:
        r["options"] = json.loads(r["options"]) if r["options"] else {}
    return [from_row(TranscriptListing, r) for r in rows]


def load_transcript(db: Database, transcript_id: int) -> Transcript:
    """A stored transcript with its segments and words (KeyError if there is none)."""
    rows = _rows(
        db,
        "SELECT t.*, p.code AS participant_code, r.path AS recording_path FROM transcripts t"
        " JOIN recordings r ON r.id = t.recording_id JOIN participants p ON p.id = r.participant_id"
        " WHERE t.id = ?",
        [transcript_id],
    )
    if not rows:
        raise KeyError(transcript_id)
    t = rows[0]
    meta = TranscriptMeta(
        model=t["model"], model_sha256=t["model_sha256"], engine=t["engine"], language=t["language"],
        options=json.loads(t["options"]) if t["options"] else {}, duration_s=t["duration_s"],
        source=t["recording_path"], version=t["version"], transcript_id=t["id"],
        recording_id=t["recording_id"], participant_code=t["participant_code"],
    )
    segments = [
        Segment(
            start=s["start_s"], end=s["end_s"], text=s["text"], speaker=s["speaker"],
            question_id=s["question_id"], confidence=s["confidence"],
            words=[Word.from_dict(w) for w in json.loads(s["words"] or "[]")],
            flags=json.loads(s["flags"] or "[]"),
        )
        for s in _rows(db, "SELECT * FROM segments WHERE transcript_id = ? ORDER BY idx", [transcript_id])
    ]
    return Transcript(meta, segments)


def untranscribed_recordings(db: Database, *, include_transcribed: bool = False) -> list[Recording]:
    """Finished recordings with no transcript yet (what `transcribe --all` does), oldest first;
    with `include_transcribed` every finished recording (`--all --force`: a new version of each).

    Withdrawn participants' recordings are left out: their data must not be processed further.
    """
    untranscribed = "" if include_transcribed else \
        " AND NOT EXISTS (SELECT 1 FROM transcripts t WHERE t.recording_id = r.id)"
    return [from_row(Recording, r) for r in _rows(
        db,
        "SELECT r.*, p.code AS participant_code FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " WHERE r.state IN ('complete', 'recovered') AND p.withdrawn_at IS NULL"
        + untranscribed + " ORDER BY r.started_at, r.id",
    )]


def has_transcript(db: Database, recording_id: int) -> bool:
    """Whether any transcript version exists for the recording."""
    return db.execute("SELECT 1 FROM transcripts WHERE recording_id = ? LIMIT 1", [recording_id]).fetchone() is not None


def session_recording_ids(db: Database, session_id: int) -> list[int]:
    """Recordings of one interview session, oldest first."""
    return [r[0] for r in db.execute("SELECT id FROM recordings WHERE session_id = ? ORDER BY started_at, id", [session_id]).fetchall()]


def recording_context(db: Database, recording_id: int) -> RecordingContext | None:
    """What transcribing a recording needs besides audio: path, participant, session, interviewer, study text."""
    rows = _rows(
        db,
        "SELECT r.id, r.path, r.state, r.channels, r.started_at, r.session_id, r.source,"
        " p.code AS participant_code, p.study_slug, p.withdrawn_at,"
        " i.name AS interviewer_name, i.role AS interviewer_role,"
        " st.content AS study_content, st.source_path AS study_source"
        " FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " LEFT JOIN sessions s ON s.id = r.session_id"
        " LEFT JOIN interviewers i ON i.id = s.interviewer_id"
        " LEFT JOIN studies st ON st.id = s.study_id"
        " WHERE r.id = ?",
        [recording_id],
    )
    return from_row(RecordingContext, rows[0]) if rows else None


def recordings_overview(db: Database) -> list[RecordingOverview]:
    """Every recording of active participants with its newest transcript version (0 = none), oldest first."""
    return [from_row(RecordingOverview, r) for r in _rows(
        db,
        "SELECT r.id, p.code AS participant_code, r.session_id, r.source, r.state, r.started_at, r.duration_s,"
        " r.channels, COALESCE((SELECT MAX(version) FROM transcripts t WHERE t.recording_id = r.id), 0) AS versions"
        " FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " WHERE p.withdrawn_at IS NULL ORDER BY r.started_at, r.id",
    )]
