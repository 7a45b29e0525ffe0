"""Interviewers' optional voice profiles (biometric data of consenting researchers only)."""

from __future__ import annotations

import numpy as np
from sqlite_utils import Database

from interview_tui.domain.clock import now_iso
from interview_tui.storage.rows import VoiceProfileInfo, from_row


def save_profile(db: Database, interviewer_id: int, encoder: str, encoder_sha256: str, vector: np.ndarray,
                 seconds: float) -> None:
    """Store (or replace) the interviewer's voice profile."""
    with db.atomic():
        db.execute(
            "INSERT OR REPLACE INTO voice_profiles (interviewer_id, encoder, encoder_sha256, embedding, seconds,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [interviewer_id, encoder, encoder_sha256, np.asarray(vector, np.float32).tobytes(), seconds, now_iso()],
        )


def get_profile(db: Database, interviewer_id: int, encoder_sha256: str) -> np.ndarray | None:
    """The interviewer's profile made with this encoder, or None."""
    row = db.execute("SELECT embedding FROM voice_profiles WHERE interviewer_id = ? AND encoder_sha256 = ?",
                     [interviewer_id, encoder_sha256]).fetchone()
    return np.frombuffer(row[0], dtype=np.float32).copy() if row else None


def delete_profile(db: Database, interviewer_id: int) -> bool:
    """Delete the interviewer's profile; whether there was one."""
    with db.atomic():
        return db.execute("DELETE FROM voice_profiles WHERE interviewer_id = ?", [interviewer_id]).rowcount > 0


def delete_interviewer(db: Database, interviewer_id: int) -> None:
    """Delete an interviewer who ran no session, and with them their voice profile (ON DELETE CASCADE)."""
    with db.atomic():
        db.execute("DELETE FROM interviewers WHERE id = ?", [interviewer_id])


def list_profiles(db: Database) -> list[VoiceProfileInfo]:
    """Interviewers with a profile, by name."""
    return [from_row(VoiceProfileInfo, r) for r in db.query(
        "SELECT i.name, i.role, v.encoder, v.seconds, v.created_at FROM voice_profiles v"
        " JOIN interviewers i ON i.id = v.interviewer_id ORDER BY i.name COLLATE NOCASE"
    )]
