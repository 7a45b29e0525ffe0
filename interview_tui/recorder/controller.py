"""Recording control for one interview, without a UI: start, pause, resume, stop, warnings.

A front end (the recorder panel) owns a `RecordingController` and calls it from one thread,
its own (the UI thread): `start`, `toggle_pause`, `stop`, `level`, `check_disk`, and the
outcomes `started` / `refused` / `failed` / `finished` that the blocking `run` reported.
`run` does the blocking work on a worker thread: it opens its own database connection (a
connection belongs to one thread), starts the microphone recording and live transcription,
checkpoints once a second until `stop`, finishes the file and the row, hands the live
transcript to a thread of its own, and writes the archival copy.  It never changes the
controller's state; it reports through the `RecorderSink`, and the front end brings each
report back to its own thread (Textual: a message) before it calls the outcome method.

Session events (recording started, pause, resume, stopped) go to `on_session_event` on the
owner's thread at once, so a stop right before the session closes is stored before it.
Every time comes from `clock` (monotonic seconds), so the warnings' timing is testable
without waiting.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal, Protocol

from sqlite_utils import Database

from interview_tui.audio.capture import RecorderConfig, RecorderError
from interview_tui.audio.levels import Level, LevelThrottle
from interview_tui.audio.recording import ActiveRecording, RecordingSummary, free_seconds
from interview_tui.config import Project
from interview_tui.domain.study import Study
from interview_tui.privacy.segments import is_encrypted_recording

State = Literal["idle", "starting", "recording", "paused", "stopping", "stopped", "failed"]
Severity = Literal["error", "warn"]
SessionEventSink = Callable[[str, "tuple[int, float]", "str | None"], None]

#: Warn when the disk holds less recording time than this.
LOW_DISK_S = 30 * 60
#: Levels reach the front end at most this often (14 a second; with 75 ms blocks: every block);
#: merged levels keep every peak.
METER_INTERVAL_S = 0.07
#: How long a clip stays flagged after the last clipped block.
CLIP_HOLD_S = 2.0
#: How long "no signal" may last before the interviewer is warned.
SILENCE_WARNING_S = 10.0
#: How often `run` checkpoints the overflow count and asks live transcription how it does.
CHECKPOINT_S = 1.0
#: How long `wait` waits for the file (and archival copy) by default.
FINISH_TIMEOUT_S = 30.0
#: After `stop`, how long `wait` gives a `run` that has not begun yet.
BEGIN_GRACE_S = 2.0


class RecorderSink(Protocol):
    """Where `run` reports (from the worker, writer or live threads, never the owner's)."""

    def level(self, level: Level) -> None:
        """The latest merged levels (throttled to `METER_INTERVAL_S`)."""

    def started(self, recording_id: int, path: Path) -> None: ...

    def refused(self, reason: str) -> None:
        """Recording could not start: consent, device, folder, disk; `reason` says what to do."""

    def failed(self, error: RecorderError) -> None:
        """The recording stopped on its own (disk full, device lost); what was written is kept."""

    def finished(self, summary: RecordingSummary) -> None: ...

    def live(self, text: str) -> None:
        """Live transcription's state line (transcription/live.py)."""

    def notice(self, text: str, title: str, failed: bool) -> None:
        """Something the interviewer should read (the archival copy failed)."""


@dataclass
class Warnings:
    """What the interviewer should know now, from levels, disk and the recording's outcome."""

    silence_warning_s: float = SILENCE_WARNING_S
    silent_since: float | None = None
    clipped_at: float | None = None
    disk_low: bool = False
    error_text: str | None = None

    def level(self, level: Level, now: float) -> None:
        if level.clipping:
            self.clipped_at = now
        if level.silent:
            self.silent_since = self.silent_since if self.silent_since is not None else now
        else:
            self.silent_since = None

    def reset_signal(self) -> None:
        self.silent_since = self.clipped_at = None

    def found(self, now: float, recording: bool) -> list[tuple[str, Severity]]:
        """(text, severity), most urgent first; clipping and silence only while recording or paused."""
        found: list[tuple[str, Severity]] = []
        if self.error_text:
            found.append((self.error_text, "error"))
        if recording:
            if self.clipped_at is not None and now - self.clipped_at < CLIP_HOLD_S:
                found.append(("Clipping: the input is too loud; lower the gain or move the microphone back.", "warn"))
            if self.silent_since is not None and now - self.silent_since >= self.silence_warning_s:
                found.append((f"No signal for {now - self.silent_since:.0f} s: is the microphone muted?", "warn"))
        if self.disk_low:
            found.append(("Disk space is short: free some space or keep this interview brief.", "warn"))
        return found


@dataclass(frozen=True)
class Disk:
    free_bytes: int
    seconds: float

    @property
    def low(self) -> bool:
        return self.seconds < LOW_DISK_S


def _open_db(project: Project) -> Database:
    from interview_tui.storage import open_db

    return open_db(project.db_path)


@dataclass
class Services:
    """What `run` calls to do the work; tests pass fakes (no device, no model, no process)."""

    start_recording: Callable[..., Any] = ActiveRecording.start
    open_db: Callable[[Project], Database] = _open_db
    start_live: Callable[[Database, Project, int, str], Any] | None = None
    store_live: Callable[[Database, Project, int, Any], "int | None"] | None = None
    archive: Callable[..., Any] | None = None  # (db, project, recording id, format)
    disk: Callable[[Path, int, int], "tuple[int, float]"] = free_seconds


_RUNNING: "weakref.WeakSet[RecordingController]" = weakref.WeakSet()


class RecordingController:
    """One interview's recorder: its state machine, warnings and the blocking work (see the module docstring)."""

    def __init__(
        self,
        project: Project,
        participant_code: str,
        *,
        session_id: int | None = None,
        study: Study | None = None,
        device: str | None = None,
        config: RecorderConfig | None = None,
        silence_warning_s: float = SILENCE_WARNING_S,
        on_session_event: SessionEventSink | None = None,
        clock: Callable[[], float] = time.monotonic,
        services: Services | None = None,
        checkpoint_s: float = CHECKPOINT_S,
    ) -> None:
        self.project = project
        self.participant_code = participant_code
        self.session_id = session_id
        self.study = study
        self.device = device
        self.config = config or RecorderConfig()
        self.on_session_event = on_session_event
        self.clock = clock
        self.services = services or Services()
        self.checkpoint_s = checkpoint_s
        self.state: State = "idle"
        self.summary: RecordingSummary | None = None
        self.warnings = Warnings(silence_warning_s)
        self.disk: Disk | None = None
        self.live: Any = None  # the LiveTranscriber while recording (transcription/live.py)
        self._active: ActiveRecording | None = None
        self._stop = threading.Event()
        self._began = threading.Event()  # `run` has begun (a worker can be cancelled before it runs)
        self._saved = threading.Event()  # the file and its row are finished
        self._done = threading.Event()  # ... and the archival copy written: `run` returned
        self._saved.set()
        self._done.set()

    # -- what the interview asks (owner's thread) -------------------------------------------

    @property
    def is_recording(self) -> bool:
        return self.state in ("starting", "recording", "paused", "stopping")

    @property
    def error_text(self) -> str | None:
        return self.warnings.error_text

    @property
    def silence_warning_s(self) -> float:
        return self.warnings.silence_warning_s

    @silence_warning_s.setter
    def silence_warning_s(self, value: float) -> None:
        self.warnings.silence_warning_s = value

    def recording_clock(self) -> tuple[int, float] | None:
        """(recording id, seconds on its timeline) while recording or paused, else None."""
        active = self._active
        if active is None or self.state not in ("recording", "paused"):
            return None
        return active.clock()

    def elapsed_s(self) -> float | None:
        """Seconds recorded (the saved duration once finished); None before the first recording."""
        if self.summary is not None:
            return self.summary.duration_s
        return self._active.recorder.current_offset() if self._active is not None else None

    def current_warnings(self) -> list[tuple[str, Severity]]:
        return self.warnings.found(self.clock(), self.state in ("recording", "paused"))

    # -- commands (owner's thread) ------------------------------------------------------------

    def start(self) -> bool:
        """Ready a new recording; True when the caller should now run `run` on a worker thread."""
        if self.is_recording:
            return False
        self.state, self.summary = "starting", None
        self.warnings.error_text = None
        self.warnings.reset_signal()
        self._stop.clear()
        self._began.clear()
        self._saved.clear()
        self._done.clear()
        _RUNNING.add(self)
        return True

    def toggle_pause(self) -> None:
        """Pause or resume adding audio to the file (stored as session events)."""
        active = self._active
        if active is None:
            return
        if self.state == "recording":
            active.pause()
            self.state = "paused"
            self._session_event("pause")
        elif self.state == "paused":
            active.resume()
            self.state = "recording"
            self._session_event("resume")

    def stop(self) -> None:
        """Ask `run` to finish the file; returns at once (`wait` or `finished` say when it is done)."""
        stopping = self.state in ("recording", "paused")
        # Read the timeline before the writer can finish, then signal: the file gets finished
        # whatever happens to the front end afterwards.
        clock = self._active.clock() if stopping and self._active is not None else None
        self._stop.set()
        if stopping:
            if clock is not None:
                self._emit("recording_stopped", clock)
            self.state = "stopping"

    def wait(self, timeout: float = FINISH_TIMEOUT_S, *, archived: bool = True) -> bool:
        """Block until the file is finished (and, with `archived`, its archival copy); for a thread, not the UI.

        After `stop`, a `run` that has not begun within `BEGIN_GRACE_S` (its worker was cancelled
        with the app) counts as finished: it recorded nothing, and returns at once if it begins later.
        """
        if self._stop.is_set() and not self._began.wait(min(timeout, BEGIN_GRACE_S)):
            return True
        return (self._done if archived else self._saved).wait(timeout)

    def level(self, level: Level) -> None:
        """The levels the front end is about to draw: they drive the clipping and silence warnings."""
        self.warnings.level(level, self.clock())

    def check_disk(self) -> Disk | None:
        """Free space on the project's disk, in bytes and recording time (None when it cannot be read)."""
        try:
            free, seconds = self.services.disk(self.project.root, self.config.samplerate, self.config.channels)
        except OSError:
            return self.disk
        self.disk = Disk(free, seconds)
        self.warnings.disk_low = self.disk.low
        return self.disk

    # -- outcomes of `run`, brought to the owner's thread -------------------------------------

    def started(self, recording_id: int) -> None:
        if self.state == "starting":
            self.state = "recording"
        self._emit("recording_started", (recording_id, 0.0))

    def refused(self, reason: str) -> None:
        self.state = "idle"
        self.warnings.error_text = reason

    def failed(self, error: RecorderError) -> None:
        active = self._active
        if active is not None:
            self._emit("recording_stopped", (active.recording_id, error.seconds_kept), error.message)
        self.state = "failed"
        self.warnings.error_text = error.message
        self._stop.set()

    def finished(self, summary: RecordingSummary) -> None:
        self.summary = summary
        if self.state != "failed":
            self.state = "stopped"
        if summary.overflow_count:
            self.warnings.error_text = (f"{summary.overflow_count} audio block(s) were lost (overflow); "
                                        "close other programs before the next recording.")

    # -- the blocking work (a worker thread) ---------------------------------------------------

    def run(self, sink: RecorderSink) -> None:
        """Record until `stop`: start, checkpoint, finish, hand over the live transcript, archive."""
        from interview_tui.audio.devices import AudioDeviceError
        from interview_tui.audio.recording import RecordingRefused

        self._began.set()
        if self._stop.is_set():  # stopped before it began (the interview was left or the app quit)
            self._saved.set()
            self._done.set()
            return
        try:
            db = self.services.open_db(self.project)
        except BaseException:
            self._saved.set()
            self._done.set()
            raise
        try:
            throttle = LevelThrottle(METER_INTERVAL_S, clock=self.clock)

            def on_level(level: Level) -> None:  # writer thread: merge, and pass on only what will be drawn
                merged = throttle.push(level)
                if merged is not None:
                    sink.level(merged)

            try:
                active = self.services.start_recording(
                    db, self.project, self.participant_code, study=self.study, session_id=self.session_id,
                    device=self.device, config=self.config, on_level=on_level, on_error=sink.failed,
                )
            except (RecordingRefused, AudioDeviceError) as exc:
                sink.refused(str(exc))
                return
            except OSError as exc:
                sink.refused(f"Cannot create the recording file: {exc}")
                return
            self._active = active
            sink.started(active.recording_id, active.path)
            self.live = live = self._start_live(db, active, sink)
            while not self._stop.wait(self.checkpoint_s):
                if active.recorder.state == "failed":
                    break
                active.checkpoint()
                if live is not None:
                    live.note_overflows(active.recorder.overflow_count)
                    sink.live(live.status().label)
            summary = active.finish()
            self._saved.set()
            sink.finished(summary)
            if live is not None:  # its own thread: leaving the screen must not wait for the last piece
                threading.Thread(target=self._store_live, args=(summary.recording_id, live, sink),
                                 name="live-transcript").start()
            # An encrypted recording only the analysis machine can decode: nothing to archive here
            # (`interview-tui decrypt` there writes the plain WAV to compress).
            if not is_encrypted_recording(summary.path):
                self._archive(db, summary.recording_id, sink)
        finally:
            db.close()
            self._saved.set()
            self._done.set()
            _RUNNING.discard(self)

    def _start_live(self, db: Database, active: ActiveRecording, sink: RecorderSink) -> Any:
        """Live transcription of this recording (None when it cannot even be set up)."""
        start_live = self.services.start_live
        if start_live is None:
            from interview_tui.transcription.live_session import start_live
        try:
            live = start_live(db, self.project, active.recording_id, self.participant_code)
        except Exception as exc:  # the recording goes on without it; `transcribe` works afterwards
            sink.live(f"live off: {exc}")
            return None
        sink.live(live.status().label)
        return live

    def _store_live(self, recording_id: int, live: Any, sink: RecorderSink) -> None:
        """Thread: wait for the last piece and store the stitched transcript."""
        store_live = self.services.store_live
        if store_live is None:
            from interview_tui.transcription.live_session import store_live
        if not live.enabled:
            return
        sink.live("live: finishing the last part…")
        db = self.services.open_db(self.project)
        try:
            transcript_id = store_live(db, self.project, recording_id, live)
        except Exception as exc:  # the recording is safe; `transcribe` can still do it
            sink.live(f"live failed ({exc}); run transcribe")
            return
        finally:
            db.close()
        sink.live("transcript ready" if transcript_id is not None else f"{live.status().label}; run transcribe")

    def _archive(self, db: Database, recording_id: int, sink: RecorderSink) -> None:
        """The compressed archival copy, when the project asks for one (`record --archive`)."""
        from interview_tui.audio.convert import ConversionError, archive_recording
        from interview_tui.storage.recordings import ARCHIVE_FORMAT_KEY, get_setting

        fmt = get_setting(db, ARCHIVE_FORMAT_KEY)
        if fmt in (None, "", "none"):
            return
        try:
            (self.services.archive or archive_recording)(db, self.project, recording_id, fmt)
        except ConversionError as exc:
            sink.notice(str(exc), f"Archival {fmt} copy not written", True)

    # -- session events ------------------------------------------------------------------------

    def _session_event(self, kind: str, text: str | None = None) -> None:
        clock = self._active.clock() if self._active is not None else None
        if clock is not None:
            self._emit(kind, clock, text)

    def _emit(self, kind: str, recording: tuple[int, float], text: str | None = None) -> None:
        if self.on_session_event is not None:
            self.on_session_event(kind, recording, text)


def running() -> list[RecordingController]:
    """Controllers whose `run` has not returned (a quitting app finishes them first)."""
    return [c for c in list(_RUNNING) if not c._done.is_set()]
