"""The recorder panel: start/pause/resume/stop, live level meter, elapsed time, free disk space.

The recording runs in a thread worker with its own database connection (a
connection belongs to one thread); PortAudio and the file writer run on
their own threads (`interview_tui.audio.capture`).  Levels come back as
`LevelChanged` messages that coalesce, so a busy UI only ever draws the
latest one.  Changes the session should store (recording started, pause,
resume, stopped) go to `on_session_event(kind, (recording id, offset), text)`
at once, on the UI thread (so a stop right before the session closes is
stored before it); without that callback they bubble up as
`RecorderPanel.SessionEvent` messages.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Literal

from sqlite_utils import Database
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from interview_tui.audio.capture import RecorderConfig, RecorderError
from interview_tui.audio.levels import Level, LevelThrottle
from interview_tui.audio.recording import ActiveRecording, RecordingSummary, free_seconds
from interview_tui.config import Project
from interview_tui.domain.timecode import m_ss
from interview_tui.domain import clock as utc_clock
from interview_tui.domain.study import Study
from interview_tui.privacy.segments import is_encrypted_recording
from interview_tui.tui.widgets.level_meter import LevelMeter

SessionEventSink = Callable[[str, "tuple[int, float]", "str | None"], None]
PanelState = Literal["idle", "starting", "recording", "paused", "stopping", "stopped", "failed"]

#: Warn when the disk holds less recording time than this.
LOW_DISK_S = 30 * 60
#: The meter redraws at most this often (14 a second; with 75 ms blocks: every block);
#: merged levels keep every peak.
METER_INTERVAL_S = 0.07
#: How long a clip stays flagged after the last clipped block.
CLIP_HOLD_S = 2.0


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


class RecorderPanel(Vertical):
    """Records the interview; see the module docstring for threads and messages."""

    DEFAULT_CSS = (Path(__file__).with_suffix(".tcss")).read_text(encoding="utf-8")

    @dataclass
    class LevelChanged(Message):
        """The latest block's levels (coalesces: only the newest waiting one is handled)."""

        level: Level

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RecorderPanel.LevelChanged)

    @dataclass
    class Started(Message):
        recording_id: int
        path: Path

    @dataclass
    class Refused(Message):
        """Recording could not start: consent, device, folder, disk; `reason` says what to do."""

        reason: str

    @dataclass
    class Failed(Message):
        """The recording stopped on its own (disk full, device lost); what was written is kept."""

        error: RecorderError

    @dataclass
    class Finished(Message):
        summary: RecordingSummary

    @dataclass
    class LiveChanged(Message):
        """Live transcription's state line (transcription/live.py), coalesced like levels."""

        text: str

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RecorderPanel.LiveChanged)

    @dataclass
    class Notice(Message):
        """Something a worker wants the interviewer to read (recovery found a recording, archiving failed)."""

        text: str
        title: str
        failed: bool

    @dataclass
    class SessionEvent(Message):
        """For the interview to store: kind is recording_started, pause, resume or recording_stopped."""

        kind: str
        recording: tuple[int, float]
        at: datetime
        text: str | None = None

    def __init__(
        self,
        project: Project,
        db: Database,
        session_id: int | None,
        participant_code: str,
        *,
        study: Study | None = None,
        device: str | None = None,
        config: RecorderConfig | None = None,
        silence_warning_s: float = 10.0,
        on_session_event: SessionEventSink | None = None,
        id: str | None = "recorder",
    ) -> None:
        super().__init__(id=id)
        self.project = project
        self.db = db  # the UI thread's connection: only for reading settings
        self.session_id = session_id
        self.participant_code = participant_code
        self.study = study
        self.device = device
        if config is None:  # the project's remembered format (Mic… sets it)
            from interview_tui.storage.recordings import get_capture_format

            rate, channels = get_capture_format(db)
            config = RecorderConfig(samplerate=rate, channels=channels)
        self.config = config
        self.silence_warning_s = silence_warning_s
        self.on_session_event = on_session_event
        self.state: PanelState = "idle"
        self.summary: RecordingSummary | None = None
        self.error_text: str | None = None
        self._active: ActiveRecording | None = None
        self._stop = threading.Event()
        self._done = threading.Event()
        self._done.set()
        self._silent_since: float | None = None
        self._clipped_at: float | None = None
        self._shown_warning: tuple[str, str] | None = None
        self._shown_elapsed: str | None = None
        self._live_text = ""
        self.live = None  # the LiveTranscriber while recording (transcription/live.py)

    def compose(self) -> ComposeResult:
        with Horizontal(id="rec-controls"):
            yield Static("○ not recording", id="rec-state")
            yield Static("", id="rec-elapsed")
            yield Button("● Record", id="rec-start", variant="error", compact=True)
            yield Button("Pause", id="rec-pause", compact=True, disabled=True)
            yield Button("■ Stop", id="rec-stop", compact=True, disabled=True)
            yield Button("Mic…", id="rec-device", compact=True)
        for ch in range(self.config.channels):
            yield LevelMeter(ch, self.config.channels, id=f"rec-meter-{ch}", classes="rec-meter")
        with Horizontal(id="rec-status"):
            yield Static("", id="rec-disk")
            yield Static("", id="rec-warning")

    def on_mount(self) -> None:
        self._recover()
        self._show_disk()
        self.set_interval(5.0, self._show_disk)
        self.set_interval(0.5, self._show_elapsed)

    # -- what the interview asks ---------------------------------------------------------

    def recording_clock(self) -> tuple[int, float] | None:
        """(recording id, seconds on its timeline) while recording or paused, else None."""
        active = self._active
        if active is None or self.state not in ("recording", "paused"):
            return None
        return active.clock()

    @property
    def is_recording(self) -> bool:
        return self.state in ("starting", "recording", "paused", "stopping")

    # -- actions -------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "rec-start":
            self.start_recording()
        elif event.button.id == "rec-pause":
            self.toggle_pause()
        elif event.button.id == "rec-stop":
            self.stop_recording()
        elif event.button.id == "rec-device":
            self.choose_device()

    def choose_device(self) -> None:
        """Pick the input device from what PortAudio sees; remembered for this project."""
        from interview_tui.audio.devices import AudioDeviceError, list_input_devices, refresh_devices
        from interview_tui.storage.recordings import get_input_device, set_capture_format, set_input_device
        from interview_tui.tui.screens.dialogs import PickDialog

        if self.is_recording:
            self.notify("Stop the recording before changing the microphone.", severity="warning")
            return
        try:
            refresh_devices()  # a microphone plugged in since the app started
            devices = list_input_devices()
        except AudioDeviceError as exc:
            self.notify(str(exc), title="No audio", severity="error", timeout=10)
            return
        if not devices:
            self.notify("No input device found: plug in a microphone.", severity="error", timeout=10)
            return
        current = (self.device or get_input_device(self.db), self.config.channels)
        options = []
        for d in devices:
            for channels in (1, 2)[: d.max_input_channels]:
                mode = "mono" if channels == 1 else "stereo: one microphone per speaker"
                mark = "  ← current" if (d.name, channels) == current else ""
                options.append((f"{channels}|{d.name}", f"{d.label()} · {mode}{mark}"))

        def chosen(key: str | None) -> None:
            if not key:
                return
            channels, name = key.split("|", 1)
            self.device = name
            set_input_device(self.db, name)
            set_capture_format(self.db, self.config.samplerate, int(channels))
            self.config = RecorderConfig(samplerate=self.config.samplerate, channels=int(channels))
            self.notify(f"Recording from {name}, {'mono' if channels == '1' else 'stereo'}.", timeout=3)
            self.call_later(self._rebuild)

        self.app.push_screen(PickDialog("Microphone (input device)", options), chosen)

    def start_recording(self) -> None:
        """Start a new recording (refused with a message when consent, device or disk say no)."""
        if self.is_recording:
            return
        self.state, self.error_text, self.summary = "starting", None, None
        self._stop.clear()
        self._done.clear()
        self._silent_since = self._clipped_at = None
        self._show_state()
        self._record()

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
        self._show_state()

    def stop_recording(self, wait: bool = False) -> None:
        """Stop the recording; the worker finishes the file and the database row.

        `wait=True` blocks until that is done (when the app is closing).
        """
        stopping = self.state in ("recording", "paused")
        # Read the timeline before the writer can finish, then signal it first: whatever
        # happens to the widgets below (they may be unmounting), the file gets finished.
        clock = self._active.clock() if stopping and self._active is not None else None
        self._stop.set()
        if stopping:
            if clock is not None:
                self._emit("recording_stopped", clock)
            self.state = "stopping"
            if self.is_mounted:
                self._show_state()
        if wait:
            self._done.wait(timeout=30)

    async def _rebuild(self) -> None:
        """Compose again (one meter line per channel) and redraw the state on the new widgets."""
        await self.recompose()
        self._shown_warning = self._shown_elapsed = None
        self._show_state()
        self._show_disk()

    def on_unmount(self) -> None:
        # Leaving the screen or quitting must not leave a recording half-written.
        self.stop_recording(wait=True)

    # -- the worker ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="recorder")
    def _record(self) -> None:
        from interview_tui.audio.devices import AudioDeviceError
        from interview_tui.audio.recording import RecordingRefused
        from interview_tui.storage import open_db

        db = open_db(self.project.db_path)  # this thread's own connection
        try:
            throttle = LevelThrottle(METER_INTERVAL_S)

            def on_level(level: Level) -> None:  # writer thread: merge, and post only what will be drawn
                merged = throttle.push(level)
                if merged is not None:
                    self.post_message(self.LevelChanged(merged))

            try:
                active = ActiveRecording.start(
                    db, self.project, self.participant_code, study=self.study, session_id=self.session_id,
                    device=self.device, config=self.config,
                    on_level=on_level,
                    on_error=lambda error: self.post_message(self.Failed(error)),
                )
            except (RecordingRefused, AudioDeviceError) as exc:
                self.post_message(self.Refused(str(exc)))
                return
            except OSError as exc:
                self.post_message(self.Refused(f"Cannot create the recording file: {exc}"))
                return
            self._active = active
            self.post_message(self.Started(active.recording_id, active.path))
            self.live = live = self._start_live(db, active)
            while not self._stop.wait(1.0):
                if active.recorder.state == "failed":
                    break
                active.checkpoint()
                if live is not None:
                    live.note_overflows(active.recorder.overflow_count)
                    self.post_message(self.LiveChanged(live.status().label))
            summary = active.finish()
            self.post_message(self.Finished(summary))
            if live is not None:  # its own thread: leaving the screen must not wait for the last piece
                threading.Thread(target=self._store_live, args=(summary.recording_id, live),
                                 name="live-transcript").start()
            # An encrypted recording only the analysis machine can decode: nothing to archive here
            # (`interview-tui decrypt` there writes the plain WAV to compress).
            if not is_encrypted_recording(summary.path):
                self._archive(db, summary.recording_id)
        finally:
            db.close()
            self._done.set()

    def _start_live(self, db: Database, active: ActiveRecording):
        """Worker thread: live transcription of this recording (None when it cannot even be set up)."""
        from interview_tui.transcription.live_session import start_live

        try:
            live = start_live(db, self.project, active.recording_id, self.participant_code)
        except Exception as exc:  # the recording goes on without it; `transcribe` works afterwards
            self.post_message(self.LiveChanged(f"live off: {exc}"))
            return None
        self.post_message(self.LiveChanged(live.status().label))
        return live

    def _store_live(self, recording_id: int, live) -> None:
        """Thread: wait for the last piece and store the stitched transcript."""
        from interview_tui.storage import open_db
        from interview_tui.transcription.live_session import store_live

        if not live.enabled:
            return
        self.post_message(self.LiveChanged("live: finishing the last part…"))
        db = open_db(self.project.db_path)
        try:
            transcript_id = store_live(db, self.project, recording_id, live)
        except Exception as exc:  # the recording is safe; `transcribe` can still do it
            self.post_message(self.LiveChanged(f"live failed ({exc}); run transcribe"))
            return
        finally:
            db.close()
        self.post_message(self.LiveChanged(
            "transcript ready" if transcript_id is not None else f"{live.status().label}; run transcribe"))

    def _archive(self, db: Database, recording_id: int) -> None:
        """Worker thread: the compressed archival copy, when the project asks for one (`record --archive`)."""
        from interview_tui.audio.convert import ConversionError, archive_recording
        from interview_tui.storage.recordings import ARCHIVE_FORMAT_KEY, get_setting

        fmt = get_setting(db, ARCHIVE_FORMAT_KEY)
        if fmt in (None, "", "none"):
            return
        try:
            archive_recording(db, self.project, recording_id, fmt)
        except ConversionError as exc:
            self.post_message(self.Notice(str(exc), f"Archival {fmt} copy not written", True))

    @work(thread=True, exit_on_error=False, group="recorder-recovery")
    def _recover(self) -> None:
        """Repair recordings a crash left unfinished (a resumed session gets its audio back)."""
        from interview_tui.audio.recovery import recover_unfinished
        from interview_tui.storage import open_db

        db = open_db(self.project.db_path)
        try:
            reports = [r for r in recover_unfinished(db, self.project) if r.action != "in_use"]
            for report in reports:
                self.post_message(self.Notice(str(report), "Interrupted recording found", report.action == "failed"))
            self._resume_live(db, [r.recording_id for r in reports if r.action in ("repaired", "header_ok")])
        finally:
            db.close()

    def _resume_live(self, db: Database, recording_ids: list[int]) -> None:
        """Worker thread: finish the live transcripts of recordings a crash interrupted."""
        from interview_tui.transcription.live_session import resume_live

        for rid in recording_ids:
            try:
                if resume_live(db, self.project, rid) is not None:
                    self.post_message(self.Notice(f"recording {rid}: the live transcript was finished and stored.",
                                                  "Live transcript resumed", False))
            except Exception as exc:  # `transcribe` still works; say why this did not
                self.post_message(self.Notice(f"recording {rid}: live transcript not finished ({exc}); run transcribe.",
                                              "Live transcript", True))

    # -- messages from the worker ----------------------------------------------------------

    def on_recorder_panel_notice(self, message: Notice) -> None:
        self.notify(message.text, title=message.title, severity="error" if message.failed else "information",
                    timeout=15)

    def on_recorder_panel_started(self, message: Started) -> None:
        if self.state == "starting":
            self.state = "recording"
        self._emit("recording_started", (message.recording_id, 0.0))
        self._show_state()

    def on_recorder_panel_refused(self, message: Refused) -> None:
        self.state, self.error_text = "idle", message.reason
        self.notify(message.reason, title="Not recording", severity="error", timeout=10)
        self._show_state()

    def on_recorder_panel_failed(self, message: Failed) -> None:
        active = self._active
        if active is not None:
            self._emit("recording_stopped", (active.recording_id, message.error.seconds_kept), message.error.message)
        self.state, self.error_text = "failed", message.error.message
        self._stop.set()
        self.notify(message.error.message, title="Recording stopped", severity="error", timeout=30)
        self._show_state()

    def on_recorder_panel_finished(self, message: Finished) -> None:
        self.summary = message.summary
        if self.state != "failed":
            self.state = "stopped"
        if message.summary.overflow_count:
            self.error_text = (f"{message.summary.overflow_count} audio block(s) were lost (overflow); "
                               "close other programs before the next recording.")
        self._show_state()

    def on_recorder_panel_live_changed(self, message: LiveChanged) -> None:
        if message.text != self._live_text:
            self._live_text = message.text
            self._show_disk()

    def on_recorder_panel_level_changed(self, message: LevelChanged) -> None:
        level, now = message.level, time.monotonic()
        if level.clipping:
            self._clipped_at = now
        if level.silent:
            self._silent_since = self._silent_since or now
        else:
            self._silent_since = None
        for meter in self.query(LevelMeter):
            meter.show(level)
        self._show_warning()

    # -- drawing -------------------------------------------------------------------------

    def _session_event(self, kind: str, text: str | None = None) -> None:
        clock = self._active.clock() if self._active is not None else None
        if clock is not None:
            self._emit(kind, clock, text)

    def _emit(self, kind: str, recording: tuple[int, float], text: str | None = None) -> None:
        if self.on_session_event is not None:
            self.on_session_event(kind, recording, text)
        else:
            self.post_message(self.SessionEvent(kind, recording, utc_clock.now(), text))

    def _show_state(self) -> None:
        labels = {
            "idle": "○ not recording", "starting": "… starting", "recording": "● REC",
            "paused": "‖ paused", "stopping": "… finishing", "stopped": "■ saved", "failed": "✖ stopped",
        }
        state = self.query_one("#rec-state", Static)
        state.update(labels[self.state])
        for cls in ("-recording", "-paused", "-failed"):
            state.set_class(self.state == cls[1:], cls)
        self.query_one("#rec-start", Button).disabled = self.is_recording
        pause = self.query_one("#rec-pause", Button)
        pause.disabled = self.state not in ("recording", "paused")
        label = "Resume" if self.state == "paused" else "Pause"
        if str(pause.label) != label:
            pause.label = label
            pause.refresh(layout=True)  # a label is no layout change to Textual: "Resume" was cut to "Resum"
        self.query_one("#rec-stop", Button).disabled = self.state not in ("recording", "paused")
        self.query_one("#rec-device", Button).disabled = self.is_recording
        self._show_elapsed()
        self._show_warning()

    def _show_elapsed(self) -> None:
        active = self._active
        if active is None:
            return
        seconds = self.summary.duration_s if self.summary else active.recorder.current_offset()
        text = m_ss(seconds)
        if text != self._shown_elapsed:  # unchanged while paused: no layout pass
            self._shown_elapsed = text
            self.query_one("#rec-elapsed", Static).update(text)

    def _show_disk(self) -> None:
        try:
            free, seconds = free_seconds(self.project.root, self.config.samplerate, self.config.channels)
        except OSError:
            return
        disk = self.query_one("#rec-disk", Static)
        live = f" · {self._live_text}" if self._live_text else ""
        disk.update(f"disk {_size(free)} free (≈ {m_ss(seconds)} of audio){live}")
        disk.set_class(seconds < LOW_DISK_S, "-low")
        self._disk_low = seconds < LOW_DISK_S
        self._show_warning()

    def _warnings(self) -> list[tuple[str, str]]:
        """(text, severity) for what the interviewer should know now, most urgent first."""
        found: list[tuple[str, str]] = []
        if self.error_text:
            found.append((self.error_text, "error"))
        now = time.monotonic()
        if self.state in ("recording", "paused"):
            if self._clipped_at is not None and now - self._clipped_at < CLIP_HOLD_S:
                found.append(("Clipping: the input is too loud; lower the gain or move the microphone back.", "warn"))
            if self._silent_since is not None and now - self._silent_since >= self.silence_warning_s:
                found.append((f"No signal for {now - self._silent_since:.0f} s: is the microphone muted?", "warn"))
        if getattr(self, "_disk_low", False):
            found.append(("Disk space is short: free some space or keep this interview brief.", "warn"))
        return found

    def _show_warning(self) -> None:
        found = self._warnings()
        shown = found[0] if found else ("", "")
        if shown == self._shown_warning:
            return  # redrawing an unchanged line 12 times a second costs more than the recording
        self._shown_warning = shown
        warning = self.query_one("#rec-warning", Static)
        warning.update(shown[0])
        warning.set_class(shown[1] == "error", "-error")
        warning.set_class(shown[1] == "warn", "-warn")
