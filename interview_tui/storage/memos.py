"""Memos and the project journal: what the interviewer wrote after an interview and along the way.

A *memo* belongs to one participant (a post-interview contact summary:
setting, rapport, main themes, what to ask next time); a *journal* entry
belongs to the project (reflexive notes).  Both are plain text with an author
and a time; withdrawal erases a participant's memos with their other rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlite_utils import Database

from interview_tui.domain.clock import now_iso
from interview_tui.storage.participants import ParticipantError, get_participant, normalize_code

#: Longest memo or journal entry kept (a few pages); longer text is refused, not cut.
MAX_TEXT = 100_000


class MemoError(ValueError):
    """A memo cannot be saved; the message says why."""


@dataclass(frozen=True)
class Memo:
    id: int
    kind: Literal["memo", "journal"]
    title: str
    text: str
    author: str | None
    created_at: str
    participant_code: str | None = None
    session_id: int | None = None


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise MemoError("the memo is empty; write something or skip it")
    if len(text) > MAX_TEXT:
        raise MemoError(f"the memo is {len(text)} characters long; the limit is {MAX_TEXT}")
    if "\x00" in text:
        raise MemoError("the memo contains a NUL character; remove it")
    return text


def _title(title: str | None, fallback: str) -> str:
    title = " ".join((title or "").split())
    if title:
        return title[:200]
    return fallback


def add_memo(db: Database, code: str, text: str, *, title: str | None = None, author: str | None = None,
             session_id: int | None = None) -> int:
    """Save a memo on participant `code`; returns its id."""
    try:
        code = normalize_code(code)
    except ParticipantError as err:
        raise MemoError(str(err)) from None
    row = get_participant(db, code)
    if row is None:
        raise MemoError(f"no participant {code}; see `interview-tui participants list`")
    if row.withdrawn_at:
        raise MemoError(f"participant {row.code} withdrew; nothing new is stored about them")
    text = _clean_text(text)
    with db.conn:
        cursor = db.execute(
            "INSERT INTO memos (kind, participant_id, session_id, title, text, author, created_at)"
            " VALUES ('memo', ?, ?, ?, ?, ?, ?)",
            [row.id, session_id, _title(title, f"{row.code} post-interview memo"), text,
             (author or "").strip() or None, now_iso()],
        )
    return int(cursor.lastrowid)


def add_journal_entry(db: Database, text: str, *, title: str | None = None, author: str | None = None) -> int:
    """Save a project journal entry; returns its id."""
    text = _clean_text(text)
    now = now_iso()
    with db.conn:
        cursor = db.execute(
            "INSERT INTO memos (kind, title, text, author, created_at) VALUES ('journal', ?, ?, ?, ?)",
            [_title(title, f"Journal {now[:16].replace('T', ' ')}"), text, (author or "").strip() or None, now],
        )
    return int(cursor.lastrowid)


_SELECT = (
    "SELECT m.id, m.kind, m.title, m.text, m.author, m.created_at, p.code AS participant_code, m.session_id"
    " FROM memos m LEFT JOIN participants p ON p.id = m.participant_id"
)


def participant_memos(db: Database, code: str) -> list[Memo]:
    """A participant's memos, oldest first."""
    rows = db.execute(_SELECT + " WHERE m.kind = 'memo' AND p.code = ? ORDER BY m.created_at, m.id", [code])
    return [Memo(*r) for r in rows.fetchall()]


def journal(db: Database) -> list[Memo]:
    """The project journal, oldest first."""
    rows = db.execute(_SELECT + " WHERE m.kind = 'journal' ORDER BY m.created_at, m.id")
    return [Memo(*r) for r in rows.fetchall()]
