"""Where each participant stands: consent, demographics, interview, recording, transcript.

It reads consent and demographics, so it sits above `participants`, `consent` and
`demographics` (each of which needs the participant row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from interview_tui.domain.demographics import is_complete
from interview_tui.domain.participant_codes import code_number
from interview_tui.domain.study import Study
from interview_tui.storage.consent import latest_consent
from interview_tui.storage.demographics import get_demographics
from interview_tui.storage.studies import load_registered_study

ConsentStatus = Literal["given", "declined", "none"]


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
        consent=record.decision if record else "none",
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
