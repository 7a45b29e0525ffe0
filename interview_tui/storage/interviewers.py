"""Interviewers: the researchers who run interviews (names or initials; never participants)."""

from __future__ import annotations

from sqlite_utils import Database

from interview_tui.domain.safe_text import check_text
from interview_tui.domain.clock import now_iso
from interview_tui.storage.rows import Interviewer, from_row


def get_or_add_interviewer(db: Database, name: str, role: str | None = None) -> int:
    """The id of the interviewer called `name`, adding them first if new.

    A role given for an interviewer who has none yet is filled in; an existing
    role is kept.
    """
    check_text(name.strip(), "interviewer name")
    if role is not None:
        check_text(role.strip(), "interviewer role")
    name = " ".join(name.split())
    if not name:
        raise ValueError("an interviewer needs a name or initials")
    with db.atomic():
        row = db.execute("SELECT id, role FROM interviewers WHERE name = ?", [name]).fetchone()
        if row:
            if role and not row[1]:
                db.execute("UPDATE interviewers SET role = ? WHERE id = ?", [role, row[0]])
            return int(row[0])
        cursor = db.execute(
            "INSERT INTO interviewers (name, role, created_at) VALUES (?, ?, ?)", [name, role, now_iso()]
        )
        return int(cursor.lastrowid)


def get_interviewer(db: Database, name: str) -> Interviewer | None:
    """The interviewer called `name`, or None."""
    rows = list(db.query("SELECT * FROM interviewers WHERE name = ?", [" ".join(name.split())]))
    return from_row(Interviewer, rows[0]) if rows else None


def list_interviewers(db: Database) -> list[Interviewer]:
    """Every interviewer, by name."""
    return [from_row(Interviewer, r) for r in
            db.query("SELECT id, name, role, created_at FROM interviewers ORDER BY name COLLATE NOCASE")]
