"""Interview sessions and their events: each event is committed the moment it happens."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlite_utils import Database

from interview_tui.domain.safe_text import check_text
from interview_tui.domain.session import Event, EventWriter
from interview_tui.domain.clock import now_iso
from interview_tui.storage.rows import SessionDefaults, SessionRow, from_row


def open_session(
    db: Database,
    *,
    participant_id: int,
    study_id: int,
    interviewer_id: int | None = None,
    place: str | None = None,
    started_at: str | None = None,
) -> int:
    """Create an open session and return its id (events are added with `add_event`)."""
    if place is not None:
        check_text(place.strip(), "place")
    with db.conn:
        cursor = db.execute(
            "INSERT INTO sessions (participant_id, interviewer_id, study_id, place, state, started_at)"
            " VALUES (?, ?, ?, ?, 'open', ?)",
            [participant_id, interviewer_id, study_id, place, started_at or now_iso()],
        )
    return int(cursor.lastrowid)


def add_event(
    db: Database,
    session_id: int,
    kind: str,
    *,
    question_id: str | None = None,
    prompt_id: str | None = None,
    text: str | None = None,
    session_offset_s: float,
    recording_id: int | None = None,
    recording_offset_s: float | None = None,
    at: str | None = None,
) -> Event:
    """Store one event and commit at once; returns it with its sequence number.

    `at` defaults to now (UTC).  Reaching a question also updates the
    session's `current_question_id`, so a listing shows where it stopped.
    """
    at = at or now_iso()
    with db.conn:  # one transaction: the seq and the insert cannot race another writer
        row = db.execute(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM session_events WHERE session_id = ?", [session_id]
        ).fetchone()
        seq = int(row[0])
        db.execute(
            "INSERT INTO session_events (session_id, seq, kind, question_id, prompt_id, text, at,"
            " session_offset_s, recording_id, recording_offset_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [session_id, seq, kind, question_id, prompt_id, text, at, session_offset_s,
             recording_id, recording_offset_s],
        )
        if kind in ("question_reached", "closing_reached") and question_id:
            db.execute("UPDATE sessions SET current_question_id = ? WHERE id = ?", [question_id, session_id])
    return Event(
        kind=kind, at=at, session_offset_s=session_offset_s, question_id=question_id,
        prompt_id=prompt_id, text=text, recording_id=recording_id,
        recording_offset_s=recording_offset_s, seq=seq,
    )


def event_writer(db: Database, session_id: int) -> EventWriter:
    """A writer for `domain.session.Interview`: stores each event at once."""

    def write(event: Event) -> Event:
        stored = add_event(
            db, session_id, event.kind, question_id=event.question_id, prompt_id=event.prompt_id,
            text=event.text, session_offset_s=event.session_offset_s, recording_id=event.recording_id,
            recording_offset_s=event.recording_offset_s, at=event.at,
        )
        return replace(event, seq=stored.seq)

    return write


def close_session(db: Database, session_id: int, ended_at: str | None = None) -> None:
    """Mark a session closed (read-only from now on)."""
    with db.conn:
        db.execute(
            "UPDATE sessions SET state = 'closed', ended_at = ? WHERE id = ?", [ended_at or now_iso(), session_id]
        )


def _session_rows(db: Database, where: str, params: list[Any]) -> list[SessionRow]:
    sql = (
        "SELECT s.id, s.participant_id, p.code AS participant_code, s.interviewer_id,"
        " i.name AS interviewer, s.study_id, st.slug AS study_slug, st.source_path AS study_source,"
        " s.place, s.state, s.started_at, s.ended_at, s.current_question_id,"
        " (SELECT COUNT(*) FROM session_events e WHERE e.session_id = s.id) AS event_count"
        " FROM sessions s JOIN participants p ON p.id = s.participant_id"
        " LEFT JOIN interviewers i ON i.id = s.interviewer_id"
        " LEFT JOIN studies st ON st.id = s.study_id"
        f" WHERE {where} ORDER BY s.started_at, s.id"
    )
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [from_row(SessionRow, dict(zip(names, row))) for row in cursor.fetchall()]


def open_sessions(db: Database) -> list[SessionRow]:
    """Sessions still open (an app killed mid-interview leaves one), oldest first."""
    return _session_rows(db, "s.state = 'open'", [])


def active_sessions(db: Database) -> list[SessionRow]:
    """Every session of participants still in the study, oldest first."""
    return _session_rows(db, "p.withdrawn_at IS NULL", [])


def get_session(db: Database, session_id: int) -> SessionRow | None:
    """One session with participant code, interviewer name and event count."""
    rows = _session_rows(db, "s.id = ?", [session_id])
    return rows[0] if rows else None


def participant_sessions(db: Database, participant_code: str) -> list[SessionRow]:
    """All sessions of one participant, oldest first."""
    return _session_rows(db, "p.code = ?", [participant_code])


def session_events(db: Database, session_id: int) -> list[Event]:
    """A session's events in the order they happened."""
    cursor = db.execute(
        "SELECT kind, at, session_offset_s, question_id, prompt_id, text, recording_id,"
        " recording_offset_s, seq FROM session_events WHERE session_id = ? ORDER BY seq",
        [session_id],
    )
    return [
        Event(kind=r[0], at=r[1], session_offset_s=r[2], question_id=r[3], prompt_id=r[4], text=r[5],
              recording_id=r[6], recording_offset_s=r[7], seq=r[8])
        for r in cursor.fetchall()
    ]


def latest_session_defaults(db: Database) -> SessionDefaults | None:
    """Interviewer name and place of the most recent session (to pre-fill the start screen)."""
    row = db.execute(
        "SELECT i.name, s.place FROM sessions s LEFT JOIN interviewers i ON i.id = s.interviewer_id"
        " ORDER BY s.started_at DESC, s.id DESC LIMIT 1"
    ).fetchone()
    return SessionDefaults(interviewer=row[0], place=row[1]) if row else None
