"""Finding and repairing recordings a crash left unfinished.

A recording still in state 'recording' whose file no live process holds was
interrupted (kill -9, power cut, crash).  Its audio bytes are all there; only
the WAV size fields may be stale.  Repair never touches the original first:

1. write a repaired copy next to it (`*.wav.repair`), fsync it;
2. verify the copy: libsndfile reads it with the expected frame count, and its
   audio bytes hash the same as the original's;
3. only then rename the original to `*.wav.orig` and the copy into its place
   (two atomic renames; a crash between them is picked up by the next run);
4. update the row (state 'recovered', duration, sha256) and link its session.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from sqlite_utils import Database

from interview_tui.audio.wavfile import (
    WavRepairError,
    data_sha256,
    inspect_wav,
    verify_copy,
    write_repaired_copy,
)
from interview_tui.config import Project
from interview_tui.fileio import fsync_dir, is_locked, sha256_file
from interview_tui.privacy.segments import SegmentError, is_encrypted_recording, repair_file
from interview_tui.storage import recordings as store
from interview_tui.storage.rows import Recording

Action = Literal["repaired", "header_ok", "in_use", "failed"]


@dataclass(frozen=True)
class RecoveryReport:
    """What recovery found and did for one unfinished recording."""

    recording_id: int
    participant_code: str
    path: Path
    action: Action
    duration_s: float = 0.0
    session_id: int | None = None
    original_backup: Path | None = None
    message: str = ""

    def __str__(self) -> str:
        return f"recording {self.recording_id} ({self.participant_code}, {self.path.name}): {self.message}"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".orig")


def repair_path(path: Path) -> Path:
    return path.with_name(path.name + ".repair")


def recover_unfinished(db: Database, project: Project, *, keep_original: bool = True) -> list[RecoveryReport]:
    """Repair every unfinished recording no live process is writing; returns one report each."""
    return [recover_one(db, project, row, keep_original=keep_original) for row in store.unfinished_recordings(db)]


def recover_one(db: Database, project: Project, row: Recording, *, keep_original: bool = True) -> RecoveryReport:
    """Repair one unfinished recording row (see the module docstring for the steps)."""
    path = project.root / row.path
    code = row.participant_code
    orig = backup_path(path)

    def report(action: Action, message: str, **kw: object) -> RecoveryReport:
        return RecoveryReport(row.id, code, path, action, message=message, **kw)  # type: ignore[arg-type]

    if path.exists() and is_locked(path):
        return report("in_use", "still being recorded by a running process; left alone")
    # A crash between the two renames leaves only the .orig: repair from it.
    source = path if path.exists() else orig if orig.exists() else None
    if source is None:
        store.fail_recording(db, row.id, "recording file missing at recovery")
        return report("failed", f"file {row.path} is missing; marked failed")
    if is_encrypted_recording(path):
        return _recover_encrypted(db, row, path, source, keep_original, report)
    try:
        layout = inspect_wav(source)
    except WavRepairError as exc:
        store.fail_recording(db, row.id, f"unrecoverable: {exc}")
        return report("failed", f"cannot be repaired ({exc}); file kept, marked failed")
    if layout.frames == 0:
        store.fail_recording(db, row.id, "no audio was written before the recording stopped")
        return report("failed", "holds no audio; file kept, marked failed")

    backup: Path | None = None
    if source == path and layout.header_ok:
        action: Action = "header_ok"
        message = "header already matched the audio on disk"
    else:
        tmp = repair_path(path)
        tmp.unlink(missing_ok=True)  # a stale copy from an interrupted earlier repair
        try:
            write_repaired_copy(source, tmp)
            verify_copy(tmp, layout.frames, data_sha256(source, layout))
        except (OSError, WavRepairError) as exc:
            tmp.unlink(missing_ok=True)
            return report("failed", f"repair failed ({exc}); original left untouched, try again")
        if source == path:
            os.replace(path, orig)
        os.replace(tmp, path)
        fsync_dir(path.parent)
        if keep_original:
            backup = orig
        else:
            orig.unlink()
        action, message = "repaired", "size fields repaired from the audio on disk"

    duration = layout.frames / layout.samplerate
    session_id = row.session_id or store.guess_session(db, row)
    if session_id is not None and row.session_id is None:
        store.set_session(db, row.id, session_id)
    store.finish_recording(
        db, row.id, duration_s=duration, sha256=sha256_file(path), overflow_count=row.overflow_count,
        state="recovered", error=f"recording was interrupted; recovered {duration:.1f} s",
        sample_rate=layout.samplerate, channels=layout.channels,
    )
    where = f", linked to session {session_id}" if session_id is not None else ", no session found"
    return report(
        action, f"recovered {duration:.1f} s: {message}{where}",
        duration_s=duration, session_id=session_id, original_backup=backup,
    )


def _recover_encrypted(db: Database, row: Recording, path: Path, source: Path, keep_original: bool, report
                       ) -> RecoveryReport:
    """An encrypted recording: keep its whole age segments (no key needed, see privacy.segments)."""
    try:
        found, backup = repair_file(path, source, row.sample_rate, row.channels, keep_original)
    except SegmentError as exc:
        store.fail_recording(db, row.id, f"unrecoverable: {exc}")
        return report("failed", f"cannot be repaired ({exc}); file kept, marked failed")
    except OSError as exc:
        return report("failed", f"repair failed ({exc}); original left untouched, try again")
    duration = found.duration_s
    session_id = row.session_id or store.guess_session(db, row)
    if session_id is not None and row.session_id is None:
        store.set_session(db, row.id, session_id)
    store.finish_recording(
        db, row.id, duration_s=duration, sha256=sha256_file(path), overflow_count=row.overflow_count,
        state="recovered", error=f"recording was interrupted; recovered {duration:.1f} s",
    )
    repaired = source != path or not found.intact
    what = "cut-off last segment dropped" if repaired else "all segments whole"
    where = f", linked to session {session_id}" if session_id is not None else ", no session found"
    return report("repaired" if repaired else "header_ok",
                  f"recovered {duration:.1f} s (encrypted): {what}{where}",
                  duration_s=duration, session_id=session_id, original_backup=backup)


def last_written_at(db: Database, project: Project, session_id: int) -> datetime | None:
    """When a session's interrupted recording was last written: the moment the app stopped.

    The writer fsyncs every second, so the file's modification time (of the original, once
    recovery has set it aside) is within a second of the crash.  None when no recording of
    the session was interrupted.
    """
    latest: datetime | None = None
    for row in store.list_recordings(db, session_id=session_id):
        path = project.root / row.path
        # Recovery keeps the interrupted original as .orig, or, when its header was intact, leaves
        # the file untouched: either way the time is the same before and after recovery ran.
        if row.state == "recording":
            candidates = [path]
        elif row.state == "recovered" and not backup_path(path).exists():
            candidates = [path]
        else:
            candidates = [backup_path(path)]
        for p in candidates:
            try:
                moment = datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
            except OSError:
                continue
            latest = moment if latest is None else max(latest, moment)
    return latest
