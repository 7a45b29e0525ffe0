"""Queries the exports need that no other storage module offers.

Everything here reads; nothing writes.  Participants who withdrew
(`participants.withdrawn_at` set) are left out by every query that lists
participants, so no export can reach their data by accident.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database


def _rows(db: Database, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def active_participants(db: Database, study_slug: str | None = None) -> list[dict[str, Any]]:
    """Participants who have not withdrawn (id, code, study_slug, created_at), by code."""
    sql = "SELECT id, code, study_slug, created_at FROM participants WHERE withdrawn_at IS NULL"
    params: list[Any] = []
    if study_slug is not None:
        sql += " AND study_slug = ?"
        params.append(study_slug)
    return _rows(db, sql + " ORDER BY code", params)


def withdrawn_codes(db: Database) -> set[str]:
    """Codes of participants who withdrew (for checks that nothing of theirs is exported)."""
    return {r["code"] for r in _rows(db, "SELECT code FROM participants WHERE withdrawn_at IS NOT NULL")}


def study_slugs(db: Database) -> list[str]:
    """Study slugs that active participants are enrolled under."""
    return [r["study_slug"] for r in _rows(
        db, "SELECT DISTINCT study_slug FROM participants WHERE withdrawn_at IS NULL ORDER BY study_slug"
    )]


def demographic_rows(db: Database, participant_id: int) -> dict[str, tuple[Any, bool]]:
    """field_id -> (decoded value, prefer_not_to_say) for one participant."""
    out = {}
    for r in _rows(
        db,
        "SELECT field_id, value, prefer_not_to_say FROM demographic_values WHERE participant_id = ?",
        [participant_id],
    ):
        value = json.loads(r["value"]) if r["value"] is not None else None
        out[r["field_id"]] = (value, bool(r["prefer_not_to_say"]))
    return out


def latest_consent(db: Database, participant_id: int) -> dict[str, Any] | None:
    """The participant's most recent consent record (items decoded, interviewer name joined)."""
    rows = _rows(
        db,
        "SELECT c.form_version, c.form_title, c.decision, c.items_given, c.items_declined, c.method,"
        " c.recorded_at, c.text_hash, i.name AS interviewer FROM consent_records c"
        " LEFT JOIN interviewers i ON i.id = c.interviewer_id"
        " WHERE c.participant_id = ? ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1",
        [participant_id],
    )
    if not rows:
        return None
    row = rows[0]
    row["items_given"] = json.loads(row["items_given"])
    row["items_declined"] = json.loads(row["items_declined"])
    return row


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


def study_content(db: Database, slug: str) -> str | None:
    """The most recently registered study file text with this slug."""
    rows = _rows(db, "SELECT content FROM studies WHERE slug = ? ORDER BY id DESC LIMIT 1", [slug])
    return rows[0]["content"] if rows else None


def consent_decisions(db: Database) -> list[dict[str, Any]]:
    """Every participant's latest consent decision with its withdrawal time (code, decision, withdrawn_at)."""
    return _rows(
        db,
        "SELECT p.code, p.withdrawn_at, (SELECT c.decision FROM consent_records c WHERE c.participant_id = p.id"
        " ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1) AS decision FROM participants p ORDER BY p.code",
    )
