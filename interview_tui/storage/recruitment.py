"""The recruitment log: people invited to take part, counted but never named.

An entry is one person contacted, with what came of it: `invited` (no answer
yet), `declined` (with an optional reason) or `accepted` (they became a
participant; who they are is the participants table's business, not this
log's).  `storage.consent.recruitment_counts` combines it with the participants.
"""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from interview_tui.storage import audit
from interview_tui.domain.clock import now_iso
from interview_tui.storage.rows import RecruitmentContact, from_row

OUTCOMES: tuple[str, ...] = ("invited", "declined", "accepted")


class RecruitmentError(ValueError):
    """An entry that cannot be logged; the message says what to change."""


def log_contacts(
    db: Database,
    outcome: str,
    *,
    count: int = 1,
    reason: str | None = None,
    contacted_on: str | None = None,
    study_id: int | None = None,
    actor: str | None = None,
) -> list[int]:
    """Log `count` people contacted with this outcome; returns the new entry ids."""
    if outcome not in OUTCOMES:
        raise RecruitmentError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if count < 1:
        raise RecruitmentError(f"count must be 1 or more, not {count}")
    if reason and outcome != "declined":
        raise RecruitmentError("a reason is recorded only for a decline")
    if contacted_on:
        try:
            contacted_on = date.fromisoformat(contacted_on).isoformat()
        except ValueError:
            raise RecruitmentError(f"{contacted_on!r} is not a date written as YYYY-MM-DD") from None
    reason = " ".join(reason.split()) if reason else None
    ids = []
    with db.atomic():
        for _ in range(count):
            cursor = db.execute(
                "INSERT INTO recruitment_log (study_id, outcome, reason, contacted_on, recorded_at) VALUES (?, ?, ?, ?, ?)",
                [study_id, outcome, reason, contacted_on, now_iso()],
            )
            ids.append(int(cursor.lastrowid))
        # The reason is free text a researcher typed: it stays out of the audit trail.
        audit.log(db, "recruitment.log", actor=actor, details={"outcome": outcome, "count": count})
    return ids


def set_outcome(db: Database, entry_id: int, outcome: str, reason: str | None = None) -> None:
    """Change what came of an invitation (an invited person answered)."""
    if outcome not in OUTCOMES:
        raise RecruitmentError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
    if reason and outcome != "declined":
        raise RecruitmentError("a reason is recorded only for a decline")
    with db.atomic():
        cursor = db.execute(
            "UPDATE recruitment_log SET outcome = ?, reason = ? WHERE id = ?",
            [outcome, " ".join(reason.split()) if reason else None, entry_id],
        )
        if cursor.rowcount == 0:
            raise RecruitmentError(f"no recruitment log entry {entry_id}; see `interview-tui recruitment list`")
        audit.log(db, "recruitment.update", details={"entry": entry_id, "outcome": outcome})


def list_contacts(db: Database) -> list[RecruitmentContact]:
    """Every entry, oldest first."""
    return [from_row(RecruitmentContact, r) for r in
            db.query("SELECT id, outcome, reason, contacted_on, recorded_at FROM recruitment_log ORDER BY id")]


def log_counts(db: Database) -> dict[str, int]:
    """Entries per outcome (every outcome present, 0 when none)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome, k in db.execute("SELECT outcome, COUNT(*) FROM recruitment_log GROUP BY outcome"):
        counts[outcome] = int(k)
    return counts


def decline_reasons(db: Database) -> list[tuple[str, int]]:
    """Reasons given for declining, most frequent first (entries without a reason left out)."""
    rows = db.execute(
        "SELECT reason, COUNT(*) FROM recruitment_log WHERE outcome = 'declined' AND reason IS NOT NULL "
        "GROUP BY reason ORDER BY COUNT(*) DESC, MIN(id)"
    ).fetchall()
    return [(r, int(k)) for r, k in rows]
