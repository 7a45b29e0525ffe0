"""Participants: pseudonymous codes (P01, P02, ... P99, P100) and where each one stands.

Nothing identifying is stored: the key linking codes to names stays outside
this database, as the consent text promises.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from interview_tui.domain.demographics import is_complete
from interview_tui.domain.participant_codes import ParticipantError, code_number, format_code, normalize_code
from interview_tui.domain.study import Study
from interview_tui.storage import audit
from interview_tui.storage.db import utcnow

ConsentStatus = Literal["given", "declined", "none"]

__all__ = [
    "ParticipantError",
    "ParticipantStatus",
    "add_participant",
    "get_participant",
    "list_participants",
    "next_code",
    "normalize_code",
    "require_participant",
    "withdraw_participant",
]


def next_code(db: Database) -> str:
    """The code after the highest one in use (withdrawn included), so codes follow recruitment order."""
    codes = [r[0] for r in db.execute("SELECT code FROM participants").fetchall()]
    return format_code(max((code_number(c) for c in codes), default=0) + 1)


def get_participant(db: Database, code: str) -> dict | None:
    """The participant row (id, code, study_slug, created_at, withdrawn_at), or None."""
    try:
        code = normalize_code(code)
    except ParticipantError:
        return None
    rows = list(db.query("SELECT * FROM participants WHERE code = ?", [code]))
    return rows[0] if rows else None


def require_participant(db: Database, code: str) -> dict:
    """Like `get_participant`, but raises `ParticipantError` saying what to do when unknown or withdrawn."""
    canonical = normalize_code(code)
    row = get_participant(db, canonical)
    if row is None:
        raise ParticipantError(
            f"no participant {canonical}; add them first (interview-tui participants add --code {canonical})"
        )
    if row["withdrawn_at"]:
        raise ParticipantError(f"{canonical} withdrew on {row['withdrawn_at'][:10]}; nothing more is recorded for them")
    return row


def add_participant(db: Database, study_slug: str, code: str | None = None, *, actor: str | None = None) -> dict:
    """Add a participant under `code` (default: `next_code`); returns the new row.

    Raises `ParticipantError` for a malformed or already used code.
    """
    with db.atomic():
        chosen = normalize_code(code) if code else next_code(db)
        existing = get_participant(db, chosen)
        if existing is not None:
            raise ParticipantError(
                f"{chosen} already exists (added {existing['created_at'][:10]}); choose another code "
                f"or leave the code out to get the next free one ({next_code(db)})"
            )
        try:
            cursor = db.execute(
                "INSERT INTO participants (code, study_slug, created_at) VALUES (?, ?, ?)",
                [chosen, study_slug, utcnow()],
            )
        except sqlite3.IntegrityError:  # another process took the code between the check and the insert
            raise ParticipantError(f"{chosen} was just added by someone else; try again") from None
        audit.log(db, "participant.add", actor=actor, participant_code=chosen, details={"study": study_slug})
        return dict(next(db.query("SELECT * FROM participants WHERE id = ?", [cursor.lastrowid])))


def withdraw_participant(db: Database, code: str, *, actor: str | None = None) -> None:
    """Mark a participant as withdrawn (their rows stay; deleting their data is a separate step)."""
    row = require_participant(db, code)
    with db.atomic():
        db.execute("UPDATE participants SET withdrawn_at = ? WHERE id = ?", [utcnow(), row["id"]])
        audit.log(db, "participant.withdraw", actor=actor, participant_code=row["code"])


@dataclass(frozen=True)
class ParticipantStatus:
    """Where one participant stands."""

    code: str
    study_slug: str
    created_at: str
    withdrawn_at: str | None
    consent: ConsentStatus
    demographics_done: bool
    interviewed: bool
    recorded: bool
    transcribed: bool


def _exists(db: Database, sql: str, participant_id: int) -> bool:
    return db.execute(f"SELECT EXISTS ({sql})", [participant_id]).fetchone()[0] == 1


def _status(db: Database, row: dict, study: Study | None) -> ParticipantStatus:
    from interview_tui.storage.consent import latest_consent
    from interview_tui.storage.demographics import get_demographics

    pid = row["id"]
    record = latest_consent(db, row["code"], study.consent.version if study else None)
    answers = get_demographics(db, row["code"])
    if study is not None:
        demographics_done = is_complete(study.demographics, answers)
    else:  # without the form the best we know is "something was filled in"
        demographics_done = bool(answers)
    return ParticipantStatus(
        code=row["code"],
        study_slug=row["study_slug"],
        created_at=row["created_at"],
        withdrawn_at=row["withdrawn_at"],
        consent=record["decision"] if record else "none",
        demographics_done=demographics_done,
        interviewed=_exists(db, "SELECT 1 FROM sessions WHERE participant_id = ? AND state = 'closed'", pid),
        recorded=_exists(db, "SELECT 1 FROM recordings WHERE participant_id = ? AND state != 'failed'", pid),
        transcribed=_exists(
            db,
            "SELECT 1 FROM transcripts t JOIN recordings r ON r.id = t.recording_id WHERE r.participant_id = ?",
            pid,
        ),
    )


def list_participants(
    db: Database, study: Study | None = None, *, include_withdrawn: bool = False
) -> list[ParticipantStatus]:
    """Every participant with status flags, by code number; withdrawn ones only when asked.

    Consent and demographics are judged against `study` (its consent form
    version and required fields); without it, against the latest study file
    registered for each participant's study.
    """
    from interview_tui.storage.studies import load_registered_study

    sql = "SELECT * FROM participants" + ("" if include_withdrawn else " WHERE withdrawn_at IS NULL")
    rows = sorted(db.query(sql), key=lambda r: (code_number(r["code"]), r["code"]))
    studies: dict[str, Study | None] = {}
    result = []
    for row in rows:
        chosen = study
        if chosen is None or chosen.id != row["study_slug"]:
            if row["study_slug"] not in studies:
                studies[row["study_slug"]] = load_registered_study(db, row["study_slug"])
            chosen = studies[row["study_slug"]] or study
        result.append(_status(db, row, chosen))
    return result
