"""One microphone recording from start to finish: checks, file, database row, recorder.

`ActiveRecording.start` refuses (with `RecordingRefused`, saying why and what
to do) when the participant has not given the study's recording consent item,
the study has ended, or the recordings folder cannot be written.  `finish`
stops the recorder and stores duration, sha256 and overflows.  Both use the
database on the caller's thread; the recorder's own threads never touch it.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlite_utils import Database

from interview_tui import wav
from interview_tui.audio.capture import Recorder, RecorderConfig, RecorderError
from interview_tui.audio.devices import InputDevice, resolve_input_device
from interview_tui.audio.levels import Level
from interview_tui.audio.wavfile import inspect_wav
from interview_tui.config import Project
from interview_tui.fileio import sha256_file
from interview_tui.domain.participant_codes import normalize_code
from interview_tui.domain.study import Study
from interview_tui.privacy.segments import SUFFIX as ENCRYPTED_SUFFIX
from interview_tui.privacy.segments import is_encrypted_recording
from interview_tui.privacy.segments import scan as scan_segments
from interview_tui.storage import recordings as store

#: Below this much free space a recording is refused; the UI warns well before.
MIN_FREE_BYTES = 50 * 1024 * 1024


class RecordingRefused(RuntimeError):
    """A recording may not or cannot start; the message says why and what to do."""


def participant_study(db: Database, code: str) -> Study | None:
    """The study a participant was enrolled under, rebuilt from the exact file stored in the database."""
    from interview_tui.storage.studies import load_registered_study

    return load_registered_study(db, store.participant_row(db, code).study_slug)


def check_consent(db: Database, code: str, study: Study | None) -> None:
    """Refuse unless the participant may be recorded (`storage.permission`: not withdrawn or
    declined, the study's audio-recording consent item given, the study not ended)."""
    from interview_tui.storage.permission import ParticipantError, refusal

    try:
        refused = refusal(db, code, "recording", study)
    except ParticipantError as exc:
        raise RecordingRefused(str(exc)) from None
    if refused is not None:
        raise RecordingRefused(str(refused))


def check_folder(folder: Path, min_free: int = MIN_FREE_BYTES) -> None:
    """Refuse when `folder` cannot be created or written, or has too little free space."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # os.access is wrong for root and for read-only mounts: really create a file.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise RecordingRefused(
            f"Cannot write recordings to {folder}: {exc.strerror or exc}. Choose a writable project "
            "folder (--data-dir) or fix the folder's permissions."
        ) from exc
    free = shutil.disk_usage(folder).free
    if free < min_free:
        raise RecordingRefused(
            f"Only {free / 2**20:.0f} MiB free on the disk of {folder}; free some space "
            "(or choose another project folder) before recording."
        )


def free_seconds(folder: Path, samplerate: int, channels: int) -> tuple[int, float]:
    """Free bytes on the disk of `folder`, and how many seconds of 16-bit audio fit in them."""
    free = shutil.disk_usage(folder).free
    return free, free / (samplerate * channels * 2)


@dataclass(frozen=True)
class RecordingSummary:
    """What was stored for a finished recording."""

    recording_id: int
    path: Path
    duration_s: float
    sha256: str
    overflow_count: int
    state: str
    error: RecorderError | None = None


class ActiveRecording:
    """A running microphone recording with its database row."""

    def __init__(self, db: Database, project: Project, recording_id: int, path: Path, recorder: Recorder) -> None:
        self.db = db
        self.project = project
        self.recording_id = recording_id
        self.path = path
        self.recorder = recorder
        self._stored_overflows = 0

    @classmethod
    def start(
        cls,
        db: Database,
        project: Project,
        participant_code: str,
        *,
        study: Study | None = None,
        session_id: int | None = None,
        device: str | int | InputDevice | None = None,
        config: RecorderConfig = RecorderConfig(),
        on_level: Callable[[Level], None] | None = None,
        on_error: Callable[[RecorderError], None] | None = None,
        remember_device: bool = True,
        max_seconds: float | None = None,
    ) -> "ActiveRecording":
        """Check consent and folder, pick the device (argument, else the project's remembered one,
        else the system default), create the file and row, and start recording."""
        check_consent(db, participant_code, study)
        participant_code = normalize_code(participant_code)
        # A study with encryption recipients gets encrypted recordings (docs/privacy.md).
        study = study or participant_study(db, participant_code)
        recipients = tuple(study.encryption_recipients) if study is not None else ()
        if recipients:
            config = dataclasses.replace(config, encrypt_to=recipients)
        if session_id is not None:
            owner = store.session_participant_code(db, session_id)
            if owner != participant_code:
                raise RecordingRefused(
                    f"Session {session_id} does not exist." if owner is None
                    else f"Session {session_id} is {owner}'s, not {participant_code}'s; check --session."
                )
        started = datetime.now(timezone.utc)
        suffix = ENCRYPTED_SUFFIX if recipients else ".wav"
        check_folder((project.root / store.recording_relpath(participant_code, session_id, started)).parent)
        if not isinstance(device, InputDevice):
            device = resolve_input_device(device if device is not None else store.get_input_device(db), config.channels)
        max_frames = round(max_seconds * config.samplerate) if max_seconds is not None else None

        def create(path: Path) -> Recorder:
            recorder = Recorder(path, device, config, on_level=on_level, on_error=on_error, max_frames=max_frames)
            recorder.start()  # creates the file exclusively ("xb"): FileExistsError moves on to the next name
            return recorder

        # The file first, so a row never points at nothing; named like imports (one naming function).
        rel, recorder = store.claim_recording_file(db, project.root, participant_code, session_id, started,
                                                   suffix, create)
        path = project.root / rel
        try:
            if remember_device:
                store.set_input_device(db, device.name)
            rec_id = store.start_recording(
                db, participant_code=participant_code, path=rel, session_id=session_id, device=device.name,
                sample_rate=config.samplerate, channels=config.channels,
                started_at=started.isoformat(timespec="microseconds"),
            )
        except BaseException:
            # No row describes the file: stop and remove it, so disk and database agree.
            recorder.stop()
            path.unlink(missing_ok=True)
            raise
        return cls(db, project, rec_id, path, recorder)

    def checkpoint(self) -> None:
        """Store the overflow count when it changed (call now and then on the owner's thread)."""
        count = self.recorder.overflow_count
        if count != self._stored_overflows:
            store.set_overflow_count(self.db, self.recording_id, count)
            self._stored_overflows = count

    def clock(self) -> tuple[int, float]:
        """(recording id, seconds on its timeline): what session events store."""
        return self.recording_id, self.recorder.current_offset()

    def pause(self) -> None:
        self.recorder.pause()

    def resume(self) -> None:
        self.recorder.resume()

    def finish(self) -> RecordingSummary:
        """Stop (if still running), make sure the header is right, checksum, and store the result."""
        self.recorder.stop()
        if is_encrypted_recording(self.path):
            duration = _finish_encrypted(self.path, self.recorder.config)
        else:
            layout = inspect_wav(self.path)
            if not layout.header_ok:
                # After a disk-full stop the writer may not have finished the header; the size
                # fields are rewritten in place (the audio bytes are not touched).
                _rewrite_sizes(self.path, layout.data_offset, layout.available_data_bytes)
                os.truncate(self.path, layout.data_offset + layout.available_data_bytes)
            duration = layout.frames / layout.samplerate
        digest = sha256_file(self.path)
        error = self.recorder.error
        store.finish_recording(
            self.db, self.recording_id, duration_s=duration, sha256=digest,
            overflow_count=self.recorder.overflow_count, error=error.message if error else None,
        )
        return RecordingSummary(
            self.recording_id, self.path, duration, digest, self.recorder.overflow_count, "complete", error
        )


def _finish_encrypted(path: Path, config: RecorderConfig) -> float:
    """Duration of an encrypted recording; a segment cut off by a full disk is dropped."""
    found = scan_segments(path, config.samplerate, config.channels)
    if not found.intact:
        os.truncate(path, found.complete_bytes)
    return found.duration_s


def _rewrite_sizes(path: Path, data_offset: int, data_bytes: int) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        for offset, field in wav.size_fields(data_offset, data_bytes):
            os.pwrite(fd, field, offset)
        os.fsync(fd)
    finally:
        os.close(fd)
