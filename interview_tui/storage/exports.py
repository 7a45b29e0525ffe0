"""Queries the exports need that no other storage module offers.

Everything here reads; nothing writes.  Participants who withdrew
(`participants.withdrawn_at` set) are left out by every query that lists
participants, so no export can reach their data by accident.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database


def _rows(db: Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def withdrawn_codes(db: Database) -> set[str]:
    """Codes of participants who withdrew (for checks that nothing of theirs is exported)."""
    return {r["code"] for r in _rows(db, "SELECT code FROM participants WHERE withdrawn_at IS NOT NULL")}


def chosen_transcript(db: Database, recording_id: int) -> dict[str, Any] | None:
    """The transcript version an export uses for a recording.

    The latest *reviewed* version (kind 'review' with `reviewed_at` set) when
    there is one, else the latest machine version.  Unfinished review drafts
    (kind 'review' without `reviewed_at`) are never exported.
    """
    rows = _rows(
        db,
        "SELECT id, recording_id, version, kind, language, model, engine, created_at, duration_s,"
        " reviewed_by, reviewed_at FROM transcripts WHERE recording_id = ?"
        " AND (kind = 'machine' OR reviewed_at IS NOT NULL)"
        " ORDER BY (kind = 'review') DESC, version DESC LIMIT 1",
        [recording_id],
    )
    return rows[0] if rows else None


def transcript_segments(db: Database, transcript_id: int) -> list[dict[str, Any]]:
    """A transcript's segments in order (start_s, end_s, text, speaker, question_id)."""
    return _rows(
        db,
        "SELECT idx, start_s, end_s, text, speaker, question_id FROM segments"
        " WHERE transcript_id = ? ORDER BY idx",
        [transcript_id],
    )
