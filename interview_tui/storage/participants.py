"""Participants: pseudonymous codes (P01, P02, ... P99, P100); where each stands is `roster.py`.

Nothing identifying is stored: the key linking codes to names stays outside
this database, as the consent text promises.
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from interview_tui.domain.participant_codes import ParticipantError, code_number, format_code, normalize_code
from interview_tui.storage import audit
from interview_tui.storage.rows import Participant, from_row
from interview_tui.domain.clock import now_iso

__all__ = [
    "ParticipantError",
    "add_participant",
    "get_participant",
    "next_code",
    "normalize_code",
    "require_participant",
    "withdraw_participant",
]


def next_code(db: Database) -> str:
    """The code after the highest one in use (withdrawn included), so codes follow recruitment order."""
    codes = [r[0] for r in db.execute("SELECT code FROM participants").fetchall()]
    return format_code(max((code_number(c) for c in codes), default=0) + 1)


def get_participant(db: Database, code: str) -> Participant | None:
    """The participant with this code, or None."""
    try:
        code = normalize_code(code)
    except ParticipantError:
        return None
    rows = list(db.query("SELECT * FROM participants WHERE code = ?", [code]))
    return from_row(Participant, rows[0]) if rows else None


def require_participant(db: Database, code: str) -> Participant:
    """Like `get_participant`, but raises `ParticipantError` saying what to do when unknown or withdrawn."""
    canonical = normalize_code(code)
    row = get_participant(db, canonical)
    if row is None:
        raise ParticipantError(
            f"no participant {canonical}; add them first (interview-tui participants add --code {canonical})"
        )
    if row.withdrawn_at:
        raise ParticipantError(f"{canonical} withdrew on {row.withdrawn_at[:10]}; nothing more is recorded for them")
    return row


def add_participant(db: Database, study_slug: str, code: str | None = None, *, actor: str | None = None) -> Participant:
    """Add a participant under `code` (default: `next_code`); returns them.

    Raises `ParticipantError` for a malformed or already used code.
    """
    with db.atomic():
        chosen = normalize_code(code) if code else next_code(db)
        existing = get_participant(db, chosen)
        if existing is not None:
            raise ParticipantError(
                f"{chosen} already exists (added {existing.created_at[:10]}); choose another code "
                f"or leave the code out to get the next free one ({next_code(db)})"
            )
        try:
            cursor = db.execute(
                "INSERT INTO participants (code, study_slug, created_at) VALUES (?, ?, ?)",
                [chosen, study_slug, now_iso()],
            )
        except sqlite3.IntegrityError:  # another process took the code between the check and the insert
            raise ParticipantError(f"{chosen} was just added by someone else; try again") from None
        audit.log(db, "participant.add", actor=actor, participant_code=chosen, details={"study": study_slug})
        return from_row(Participant, next(db.query("SELECT * FROM participants WHERE id = ?", [cursor.lastrowid])))


def withdraw_participant(db: Database, code: str, *, actor: str | None = None) -> None:
    """Mark a participant as withdrawn (their rows stay; deleting their data is a separate step)."""
    row = require_participant(db, code)
    with db.atomic():
        db.execute("UPDATE participants SET withdrawn_at = ? WHERE id = ?", [now_iso(), row.id])
        audit.log(db, "participant.withdraw", actor=actor, participant_code=row.code)
