"""Recordings: one row per audio file (microphone or imported), plus the chosen input device.

Paths are stored relative to the project folder and name the participant by
code and session only, never by name.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TypeVar

from sqlite_utils import Database

from interview_tui.storage import audit
from interview_tui.storage.rows import Participant, Recording, from_row
from interview_tui.domain.clock import now_iso

INPUT_DEVICE_KEY = "audio.input_device"
CHANNELS_KEY = "audio.channels"
SAMPLE_RATE_KEY = "audio.sample_rate"
ARCHIVE_FORMAT_KEY = "audio.archive_format"


T = TypeVar("T")


class UnknownParticipant(LookupError):
    """No participant with this code."""


def participant_row(db: Database, code: str) -> Participant:
    """The participant with `code`; raises `UnknownParticipant`."""
    rows = list(db.query("SELECT * FROM participants WHERE code = ?", [code]))
    if not rows:
        raise UnknownParticipant(code)
    return from_row(Participant, rows[0])


def session_participant_code(db: Database, session_id: int) -> str | None:
    """The participant code of a session, or None when the session does not exist."""
    rows = list(
        db.query(
            "SELECT p.code FROM sessions s JOIN participants p ON p.id = s.participant_id WHERE s.id = ?",
            [session_id],
        )
    )
    return rows[0]["code"] if rows else None


def recording_relpath(code: str, session_id: int | None, started: datetime, suffix: str = ".wav",
                      n: int = 1) -> str:
    """`recordings/P01/P01-S3-20261128T101500Z.wav`: participant code, session, UTC start time
    (`-2`, `-3`... before the suffix for further recordings started in the same second)."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    session = f"-S{session_id}" if session_id is not None else ""
    extra = f"-{n}" if n > 1 else ""
    return f"recordings/{code}/{code}{session}-{stamp}{extra}{suffix}"


def claim_recording_file(
    db: Database, root: Path, code: str, session_id: int | None, started: datetime, suffix: str,
    create: Callable[[Path], T],
) -> tuple[str, T]:
    """Create a new recording file under its `recording_relpath` name, never over another one.

    `create(path)` must create the file exclusively (open mode "xb", i.e. O_EXCL) and raise
    `FileExistsError` when it exists: then the next name (-2, -3, ...) is tried, so two
    recordings started in the same second, by two programs at once, never share a file.
    Names a recordings row already uses are skipped too.  Returns (relative path, what
    `create` returned).
    """
    (root / recording_relpath(code, session_id, started, suffix)).parent.mkdir(parents=True, exist_ok=True)
    n = 0
    while True:
        n += 1
        rel = recording_relpath(code, session_id, started, suffix, n)
        if db.execute("SELECT 1 FROM recordings WHERE path = ?", [rel]).fetchone():
            continue
        try:
            return rel, create(root / rel)
        except FileExistsError:
            continue


def add_imported_recording(
    db: Database, *, participant_code: str, path: str, session_id: int | None, sample_rate: int | None,
    channels: int | None, duration_s: float, sha256: str,
) -> int:
    """Insert a complete imported recording and its audit entry in ONE transaction; returns its id.

    Raises `sqlite3.Error` (nothing stored) when the row cannot be written.
    """
    participant = participant_row(db, participant_code)
    now = now_iso()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO recordings (participant_id, session_id, path, source, state, sample_rate, channels,"
            " started_at, ended_at, duration_s, sha256) VALUES (?, ?, ?, 'import', 'complete', ?, ?, ?, ?, ?, ?)",
            [participant.id, session_id, path, sample_rate, channels, now, now, duration_s, sha256],
        )
        rec_id = int(cursor.lastrowid)
        _audit(db, rec_id, "recording.imported", {"source": "import"})
        _audit(db, rec_id, "recording.stopped",
               {"state": "complete", "duration_s": round(duration_s, 3), "sha256": sha256})
    return rec_id


def start_recording(
    db: Database,
    *,
    participant_code: str,
    path: str,
    source: str = "microphone",
    session_id: int | None = None,
    device: str | None = None,
    sample_rate: int | None = None,
    channels: int | None = None,
    started_at: str | None = None,
) -> int:
    """Insert a recording in state 'recording' (or for imports, call `finish_recording` next); returns its id."""
    participant = participant_row(db, participant_code)
    with db.conn:
        cursor = db.execute(
            "INSERT INTO recordings (participant_id, session_id, path, source, state, device, sample_rate,"
            " channels, started_at) VALUES (?, ?, ?, ?, 'recording', ?, ?, ?, ?)",
            [participant.id, session_id, path, source, device, sample_rate, channels, started_at or now_iso()],
        )
        _audit(db, int(cursor.lastrowid), "recording.started" if source == "microphone" else "recording.imported",
               {"source": source})
    return int(cursor.lastrowid)


def finish_recording(
    db: Database,
    recording_id: int,
    *,
    duration_s: float,
    sha256: str,
    overflow_count: int = 0,
    error: str | None = None,
    state: str = "complete",
    sample_rate: int | None = None,
    channels: int | None = None,
) -> None:
    """Mark a recording complete (or 'recovered') with what describes its file."""
    updates: dict[str, Any] = {
        "state": state,
        "ended_at": now_iso(),
        "duration_s": duration_s,
        "sha256": sha256,
        "overflow_count": overflow_count,
        "error": error,
    }
    if sample_rate is not None:
        updates["sample_rate"] = sample_rate
    if channels is not None:
        updates["channels"] = channels
    with db.conn:
        db["recordings"].update(recording_id, updates)
        _audit(db, recording_id, "recording.recovered" if state == "recovered" else "recording.stopped",
               {"state": state, "duration_s": round(duration_s, 3), "sha256": sha256})


def fail_recording(db: Database, recording_id: int, error: str) -> None:
    """Mark a recording failed (no usable audio), keeping why."""
    with db.conn:
        db["recordings"].update(recording_id, {"state": "failed", "ended_at": now_iso(), "error": error})
        _audit(db, recording_id, "recording.failed", {})


def _audit(db: Database, recording_id: int, action: str, details: dict[str, Any]) -> None:
    """Audit entry for a recording, in the caller's transaction: code, session's interviewer, ids only."""
    row = db.execute(
        "SELECT p.code, r.session_id, i.name FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " LEFT JOIN sessions s ON s.id = r.session_id LEFT JOIN interviewers i ON i.id = s.interviewer_id"
        " WHERE r.id = ?", [recording_id],
    ).fetchone()
    if row is not None:
        audit.log(db, action, actor=row[2], participant_code=row[0],
                  details={"recording_id": recording_id, "session_id": row[1], **details})


def set_overflow_count(db: Database, recording_id: int, overflow_count: int) -> None:
    """Store the overflows counted so far (so a crash does not lose the count)."""
    with db.conn:
        db["recordings"].update(recording_id, {"overflow_count": overflow_count})


def set_session(db: Database, recording_id: int, session_id: int) -> None:
    """Link a recording to its interview session."""
    with db.conn:
        db["recordings"].update(recording_id, {"session_id": session_id})


def set_compressed_path(db: Database, recording_id: int, path: str) -> None:
    """Remember the archival (FLAC/Opus) copy of a recording, relative to the project."""
    with db.conn:
        db["recordings"].update(recording_id, {"compressed_path": path})


_SELECT = (
    "SELECT r.*, p.code AS participant_code FROM recordings r "
    "JOIN participants p ON p.id = r.participant_id"
)


def get_recording(db: Database, recording_id: int) -> Recording | None:
    """One recording, or None."""
    rows = list(db.query(f"{_SELECT} WHERE r.id = ?", [recording_id]))
    return from_row(Recording, rows[0]) if rows else None


def list_recordings(
    db: Database, participant_code: str | None = None, session_id: int | None = None
) -> list[Recording]:
    """Recordings, oldest first, optionally for one participant or session."""
    where, params = [], []
    if participant_code is not None:
        where.append("p.code = ?")
        params.append(participant_code)
    if session_id is not None:
        where.append("r.session_id = ?")
        params.append(session_id)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY r.started_at, r.id"
    return [from_row(Recording, r) for r in db.query(sql, params)]


def unfinished_recordings(db: Database) -> list[Recording]:
    """Recordings still in state 'recording' (the process died or is still running)."""
    return [from_row(Recording, r) for r in db.query(f"{_SELECT} WHERE r.state = 'recording' ORDER BY r.id")]


def guess_session(db: Database, recording: Recording) -> int | None:
    """The session a recording belongs to: from its events, else the participant's session open at its start."""
    rows = list(
        db.query(
            "SELECT session_id FROM session_events WHERE recording_id = ? ORDER BY seq LIMIT 1",
            [recording.id],
        )
    )
    if rows:
        return int(rows[0]["session_id"])
    rows = list(
        db.query(
            "SELECT id FROM sessions WHERE participant_id = ? AND started_at <= ?"
            " AND (ended_at IS NULL OR ended_at >= ?) ORDER BY started_at DESC LIMIT 1",
            [recording.participant_id, recording.started_at, recording.started_at],
        )
    )
    return int(rows[0]["id"]) if rows else None


def get_setting(db: Database, key: str) -> str | None:
    rows = list(db.query("SELECT value FROM settings WHERE key = ?", [key]))
    return rows[0]["value"] if rows else None


def set_setting(db: Database, key: str, value: str | None) -> None:
    with db.conn:
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )


def get_input_device(db: Database) -> str | None:
    """The input device name remembered for this project, if any."""
    return get_setting(db, INPUT_DEVICE_KEY)


def set_input_device(db: Database, name: str) -> None:
    """Remember the input device (by name: PortAudio indexes change between runs) for this project."""
    set_setting(db, INPUT_DEVICE_KEY, name)



def get_capture_format(db: Database) -> tuple[int, int]:
    """(sample rate, channels) remembered for this project; (48000, 1) by default."""
    rate, channels = get_setting(db, SAMPLE_RATE_KEY), get_setting(db, CHANNELS_KEY)
    return int(rate or 48000), int(channels or 1)


def set_capture_format(db: Database, sample_rate: int, channels: int) -> None:
    """Remember the sample rate and channel count (1 mono, 2 stereo: one microphone per speaker)."""
    set_setting(db, SAMPLE_RATE_KEY, str(sample_rate))
    set_setting(db, CHANNELS_KEY, str(channels))
