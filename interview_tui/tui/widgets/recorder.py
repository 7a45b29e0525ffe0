"""The recorder panel: draws the recording's state, level meters, elapsed time, disk and warnings.

Recording control lives in `interview_tui.recorder.controller.RecordingController` (no UI):
the panel forwards button and key presses to it, runs its blocking `run` in a Textual thread
worker, and turns what `run` reports into messages, so each outcome reaches the controller
and the drawing on the UI thread.  Levels and live-transcription lines coalesce, so a busy
UI only ever draws the latest.  Session events (recording started, pause, resume, stopped)
go to `on_session_event(kind, (recording id, offset), text)` at once, on the UI thread;
without that callback they bubble up as `RecorderPanel.SessionEvent` messages.  Choosing the
microphone is asked of the screen with `RecorderPanel.PickDevice` (a widget shows no screen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from sqlite_utils import Database
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from interview_tui.audio.capture import RecorderConfig, RecorderError
from interview_tui.audio.levels import Level
from interview_tui.audio.recording import RecordingSummary
from interview_tui.config import Project
from interview_tui.domain import clock as utc_clock
from interview_tui.domain.study import Study
from interview_tui.domain.timecode import m_ss
from interview_tui.recorder.controller import (
    SILENCE_WARNING_S,
    RecordingController,
    SessionEventSink,
    State,
)
from interview_tui.tui.messages import Notice
from interview_tui.tui.widgets.level_meter import LevelMeter

PanelState = State  # the recorder's states, as the panel shows them


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
    class SessionEvent(Message):
        """For the interview to store: kind is recording_started, pause, resume or recording_stopped."""

        kind: str
        recording: tuple[int, float]
        at: datetime
        text: str | None = None

    @dataclass
    class PickDevice(Message):
        """For the screen: show `options` ((key, label) pairs) and call `chosen(key or None)`."""

        title: str
        options: list[tuple[str, str]]
        chosen: Callable[[str | None], None]

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
        silence_warning_s: float = SILENCE_WARNING_S,
        on_session_event: SessionEventSink | None = None,
        controller: RecordingController | None = None,
        id: str | None = "recorder",
    ) -> None:
        super().__init__(id=id)
        self.db = db  # the UI thread's connection: only for reading and remembering settings
        if config is None:  # the project's remembered format (Mic… sets it)
            from interview_tui.storage.recordings import get_capture_format

            rate, channels = get_capture_format(db)
            config = RecorderConfig(samplerate=rate, channels=channels)
        self.on_session_event = on_session_event
        self.controller = controller or RecordingController(
            project, participant_code, session_id=session_id, study=study, device=device, config=config,
            silence_warning_s=silence_warning_s, on_session_event=self._emit,
        )
        self._shown_warning: tuple[str, str] | None = None
        self._shown_elapsed: str | None = None
        self._live_text = ""

    # The controller holds the state; the screen, tests and benchmarks read it here.

    @property
    def project(self) -> Project:
        return self.controller.project

    @property
    def state(self) -> State:
        return self.controller.state

    @state.setter
    def state(self, value: State) -> None:
        self.controller.state = value

    @property
    def device(self) -> str | None:
        return self.controller.device

    @device.setter
    def device(self, value: str | None) -> None:
        self.controller.device = value

    @property
    def config(self) -> RecorderConfig:
        return self.controller.config

    @property
    def silence_warning_s(self) -> float:
        return self.controller.silence_warning_s

    @silence_warning_s.setter
    def silence_warning_s(self, value: float) -> None:
        self.controller.silence_warning_s = value

    @property
    def summary(self) -> RecordingSummary | None:
        return self.controller.summary

    @property
    def error_text(self) -> str | None:
        return self.controller.error_text

    @property
    def live(self) -> Any:
        """The LiveTranscriber of the recording in hand (transcription/live.py), or None."""
        return self.controller.live

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
        self._show_disk()
        self.set_interval(5.0, self._show_disk)
        self.set_interval(0.5, self._show_elapsed)

    # -- what the interview asks ---------------------------------------------------------

    def recording_clock(self) -> tuple[int, float] | None:
        """(recording id, seconds on its timeline) while recording or paused, else None."""
        return self.controller.recording_clock()

    @property
    def is_recording(self) -> bool:
        return self.controller.is_recording

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
        """Pick the input device from what PortAudio sees (the screen shows the list); remembered for this project."""
        from interview_tui.audio.devices import AudioDeviceError, list_input_devices, refresh_devices
        from interview_tui.storage.recordings import get_input_device, set_capture_format, set_input_device

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
            if not key or self.is_recording:
                return
            channels, name = key.split("|", 1)
            set_input_device(self.db, name)
            set_capture_format(self.db, self.config.samplerate, int(channels))
            self.controller.device = name
            self.controller.config = RecorderConfig(samplerate=self.config.samplerate, channels=int(channels))
            self.notify(f"Recording from {name}, {'mono' if channels == '1' else 'stereo'}.", timeout=3)
            self.call_later(self._rebuild)

        self.post_message(self.PickDevice("Microphone (input device)", options, chosen))

    def start_recording(self) -> None:
        """Start a new recording (refused with a message when consent, device or disk say no)."""
        if self.controller.start():
            self._show_state()
            self._record()

    def toggle_pause(self) -> None:
        """Pause or resume adding audio to the file (stored as session events)."""
        self.controller.toggle_pause()
        self._show_state()

    def stop_recording(self) -> None:
        """Stop the recording; the worker finishes the file and the database row (this never waits)."""
        self.controller.stop()
        if self.is_mounted:
            self._show_state()

    async def _rebuild(self) -> None:
        """Compose again (one meter line per channel) and redraw the state on the new widgets."""
        await self.recompose()
        self._shown_warning = self._shown_elapsed = None
        self._show_state()
        self._show_disk()

    def on_unmount(self) -> None:
        # Leaving the screen must not leave a recording half-written: the worker finishes it
        # (the app waits for that before it exits).
        self.controller.stop()

    # -- the worker ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="recorder")
    def _record(self) -> None:
        self.controller.run(_Messages(self))

    # -- messages from the worker ----------------------------------------------------------

    def on_recorder_panel_started(self, message: Started) -> None:
        self.controller.started(message.recording_id)
        self._show_state()

    def on_recorder_panel_refused(self, message: Refused) -> None:
        self.controller.refused(message.reason)
        self.notify(message.reason, title="Not recording", severity="error", timeout=10)
        self._show_state()

    def on_recorder_panel_failed(self, message: Failed) -> None:
        self.controller.failed(message.error)
        self.notify(message.error.message, title="Recording stopped", severity="error", timeout=30)
        self._show_state()

    def on_recorder_panel_finished(self, message: Finished) -> None:
        self.controller.finished(message.summary)
        self._show_state()

    def on_recorder_panel_live_changed(self, message: LiveChanged) -> None:
        if message.text != self._live_text:
            self._live_text = message.text
            self._show_disk()

    def on_recorder_panel_level_changed(self, message: LevelChanged) -> None:
        self.controller.level(message.level)
        for meter in self.query(LevelMeter):
            meter.show(message.level)
        self._show_warning()

    # -- drawing -------------------------------------------------------------------------

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
        seconds = self.controller.elapsed_s()
        if seconds is None:
            return
        text = m_ss(seconds)
        if text != self._shown_elapsed:  # unchanged while paused: no layout pass
            self._shown_elapsed = text
            self.query_one("#rec-elapsed", Static).update(text)

    def _show_disk(self) -> None:
        disk = self.controller.check_disk()
        if disk is None:
            return
        line = self.query_one("#rec-disk", Static)
        live = f" · {self._live_text}" if self._live_text else ""
        line.update(f"disk {_size(disk.free_bytes)} free (≈ {m_ss(disk.seconds)} of audio){live}")
        line.set_class(disk.low, "-low")
        self._show_warning()

    def _show_warning(self) -> None:
        found = self.controller.current_warnings()
        shown = found[0] if found else ("", "")
        if shown == self._shown_warning:
            return  # redrawing an unchanged line 12 times a second costs more than the recording
        self._shown_warning = shown
        warning = self.query_one("#rec-warning", Static)
        warning.update(shown[0])
        warning.set_class(shown[1] == "error", "-error")
        warning.set_class(shown[1] == "warn", "-warn")


class _Messages:
    """The controller's reports as the panel's messages (posted from any thread)."""

    def __init__(self, panel: RecorderPanel) -> None:
        self.panel = panel

    def level(self, level: Level) -> None:
        self.panel.post_message(RecorderPanel.LevelChanged(level))

    def started(self, recording_id: int, path: Path) -> None:
        self.panel.post_message(RecorderPanel.Started(recording_id, path))

    def refused(self, reason: str) -> None:
        self.panel.post_message(RecorderPanel.Refused(reason))

    def failed(self, error: RecorderError) -> None:
        self.panel.post_message(RecorderPanel.Failed(error))

    def finished(self, summary: RecordingSummary) -> None:
        self.panel.post_message(RecorderPanel.Finished(summary))

    def live(self, text: str) -> None:
        self.panel.post_message(RecorderPanel.LiveChanged(text))

    def notice(self, text: str, title: str, failed: bool) -> None:
        self.panel.post_message(Notice(text, title, failed))  # the app shows it
