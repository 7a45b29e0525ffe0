"""RecordingController without a UI, a device or a model: state transitions, session events and
the warnings' timing on a fake clock (no sleeps)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from interview_tui.audio.capture import RecorderError
from interview_tui.audio.levels import Level
from interview_tui.audio.recording import RecordingRefused, RecordingSummary
from interview_tui.config import Project
from interview_tui.recorder.controller import (
    CLIP_HOLD_S,
    LOW_DISK_S,
    METER_INTERVAL_S,
    RecordingController,
    Services,
)
from interview_tui.recorder.startup import LiveResumeGate

SILENT = Level((-120.0,), (-120.0,))
LOUD = Level((0.0,), (-3.0,))
SPEECH = Level((-20.0,), (-30.0,))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeRecorder:
    def __init__(self) -> None:
        self.state = "recording"
        self.overflow_count = 0
        self.offset = 0.0
        self.paused = False

    def current_offset(self) -> float:
        return self.offset


class FakeRecording:
    """What `ActiveRecording.start` returns, minus the microphone and the database."""

    def __init__(self, recording_id: int = 7, **kwargs) -> None:
        self.recording_id = recording_id
        self.path = Path(f"/tmp/rec-{recording_id}.wav")
        self.recorder = FakeRecorder()
        self.kwargs = kwargs
        self.checkpoints = 0
        self.finished = threading.Event()

    def clock(self) -> tuple[int, float]:
        return self.recording_id, self.recorder.offset

    def pause(self) -> None:
        self.recorder.paused = True

    def resume(self) -> None:
        self.recorder.paused = False

    def checkpoint(self) -> None:
        self.checkpoints += 1

    def finish(self) -> RecordingSummary:
        self.finished.set()
        return RecordingSummary(self.recording_id, self.path, self.recorder.offset, "sha", self.recorder.overflow_count,
                                "complete")


class OffLive:
    """Live transcription turned off (as the project setting does)."""

    enabled = False

    class _Status:
        label = "live off: turned off for this test"

    def note_overflows(self, count: int) -> None: ...

    def status(self):
        return self._Status()


class FakeDb:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class Sink:
    def __init__(self) -> None:
        self.reports: list[tuple] = []

    def level(self, level): self.reports.append(("level", level))
    def started(self, rid, path): self.reports.append(("started", rid))
    def refused(self, reason): self.reports.append(("refused", reason))
    def failed(self, error): self.reports.append(("failed", error.message))
    def finished(self, summary): self.reports.append(("finished", summary.recording_id))
    def live(self, text): self.reports.append(("live", text))
    def notice(self, text, title, failed): self.reports.append(("notice", title, failed))

    def kinds(self) -> list[str]:
        return [r[0] for r in self.reports if r[0] != "level"]


def _controller(tmp_path: Path, clock: FakeClock, *, start=None, disk=(10**9, 4 * 3600.0), events=None):
    recording = FakeRecording()

    def start_recording(db, project, code, **kwargs):
        if start is not None:
            return start(db, project, code, **kwargs)
        recording.kwargs = kwargs
        return recording

    def archive_setting_free(db, project, rid, fmt):  # never reached: no archive format in a FakeDb
        raise AssertionError

    services = Services(start_recording=start_recording, open_db=lambda project: FakeDb(),
                        start_live=lambda db, project, rid, code: OffLive(), archive=archive_setting_free,
                        disk=lambda root, rate, channels: disk)
    sink_events = events if events is not None else []
    controller = RecordingController(
        Project(tmp_path), "P01", session_id=3, device="pulse", clock=clock, services=services, checkpoint_s=0.01,
        on_session_event=lambda kind, rec, text: sink_events.append((kind, rec, text)),
    )
    return controller, recording, sink_events


@pytest.fixture
def no_archive(monkeypatch):
    """The archive step reads a project setting from the worker's connection: none is set."""
    import interview_tui.storage.recordings as recordings

    monkeypatch.setattr(recordings, "get_setting", lambda db, key: None)


def _run(controller: RecordingController, sink: Sink) -> threading.Thread:
    worker = threading.Thread(target=controller.run, args=(sink,))
    worker.start()
    return worker


def test_a_recording_from_start_to_saved(tmp_path, no_archive):
    clock, sink = FakeClock(), Sink()
    controller, recording, events = _controller(tmp_path, clock)
    assert controller.state == "idle" and not controller.is_recording
    assert controller.start() is True
    assert controller.state == "starting" and controller.is_recording
    assert controller.start() is False  # one recording at a time
    worker = _run(controller, sink)
    while "started" not in sink.kinds():
        threading.Event().wait(0.005)
    assert recording.kwargs["session_id"] == 3 and recording.kwargs["device"] == "pulse"
    controller.started(recording.recording_id)  # the front end brings the report to the owner's thread
    assert controller.state == "recording" and controller.recording_clock() == (7, 0.0)
    recording.recorder.offset = 12.5
    controller.toggle_pause()
    assert controller.state == "paused" and recording.recorder.paused
    recording.recorder.offset = 12.5  # paused: the timeline stands still
    controller.toggle_pause()
    assert controller.state == "recording" and not recording.recorder.paused
    recording.recorder.offset = 20.0
    controller.stop()  # returns at once
    assert controller.state == "stopping" and controller.is_recording
    assert controller.wait(timeout=10)
    worker.join(10)
    assert sink.kinds() == ["started", "live", "finished"]
    controller.finished(RecordingSummary(7, recording.path, 20.0, "sha", 0, "complete"))
    assert controller.state == "stopped" and not controller.is_recording
    assert controller.recording_clock() is None and controller.elapsed_s() == 20.0
    assert events == [("recording_started", (7, 0.0), None), ("pause", (7, 12.5), None),
                      ("resume", (7, 12.5), None), ("recording_stopped", (7, 20.0), None)]
    assert recording.checkpoints >= 0 and recording.finished.is_set()


def test_refused_goes_back_to_idle_with_the_reason(tmp_path):
    clock, sink = FakeClock(), Sink()

    def refuse(*args, **kwargs):
        raise RecordingRefused("P01 has not given consent to audio recording")

    controller, _, events = _controller(tmp_path, clock, start=refuse)
    controller.start()
    _run(controller, sink).join(10)
    assert sink.reports == [("refused", "P01 has not given consent to audio recording")]
    assert controller.wait(0)  # nothing left to finish
    controller.refused(sink.reports[0][1])
    assert controller.state == "idle" and not controller.is_recording
    assert controller.current_warnings() == [("P01 has not given consent to audio recording", "error")]
    assert events == []
    controller.start()  # trying again clears the old reason
    assert controller.error_text is None


def test_a_failure_stops_the_recording_and_is_stored_as_the_stop(tmp_path, no_archive):
    clock, sink = FakeClock(), Sink()
    controller, recording, events = _controller(tmp_path, clock)
    controller.start()
    worker = _run(controller, sink)
    while "started" not in sink.kinds():
        threading.Event().wait(0.005)
    controller.started(7)
    controller.failed(RecorderError("disk_full", "The disk is full.", 31.0))
    assert controller.state == "failed" and controller.error_text == "The disk is full."
    worker.join(10)  # failing stops the worker's loop: the file is finished
    assert recording.finished.is_set()
    controller.finished(RecordingSummary(7, recording.path, 31.0, "sha", 0, "complete"))
    assert controller.state == "failed"  # finishing does not hide the failure
    assert events[-1] == ("recording_stopped", (7, 31.0), "The disk is full.")


def test_overflows_are_reported_after_the_recording(tmp_path):
    controller, recording, _ = _controller(tmp_path, FakeClock())
    controller.start()
    controller.finished(RecordingSummary(7, recording.path, 5.0, "sha", 3, "complete"))
    assert controller.current_warnings()[0] == (
        "3 audio block(s) were lost (overflow); close other programs before the next recording.", "error")


def test_silence_warns_after_the_set_time_and_clears_with_signal(tmp_path):
    clock = FakeClock()
    controller, _, _ = _controller(tmp_path, clock)
    controller.silence_warning_s = 10.0
    controller.state = "recording"
    controller.level(SILENT)
    clock.advance(9.9)
    controller.level(SILENT)
    assert controller.current_warnings() == []
    clock.advance(0.1)
    assert controller.current_warnings() == [("No signal for 10 s: is the microphone muted?", "warn")]
    clock.advance(5)
    assert controller.current_warnings() == [("No signal for 15 s: is the microphone muted?", "warn")]
    controller.level(SPEECH)
    assert controller.current_warnings() == []
    controller.level(SILENT)  # a new silence counts from now
    clock.advance(9)
    assert controller.current_warnings() == []
    controller.state = "idle"  # not recording: no signal warnings
    clock.advance(60)
    assert controller.current_warnings() == []


def test_clipping_shows_for_a_hold_time_after_the_last_clip(tmp_path):
    clock = FakeClock()
    controller, _, _ = _controller(tmp_path, clock)
    controller.state = "recording"
    controller.level(LOUD)
    clip = ("Clipping: the input is too loud; lower the gain or move the microphone back.", "warn")
    assert controller.current_warnings() == [clip]
    clock.advance(CLIP_HOLD_S - 0.01)
    controller.level(SPEECH)
    assert controller.current_warnings() == [clip]
    clock.advance(0.01)
    assert controller.current_warnings() == []


def test_disk_space_warning_and_order(tmp_path):
    clock = FakeClock()
    controller, _, _ = _controller(tmp_path, clock, disk=(10**8, LOW_DISK_S - 1))
    disk = controller.check_disk()
    assert disk is not None and disk.low and disk.free_bytes == 10**8
    short = ("Disk space is short: free some space or keep this interview brief.", "warn")
    assert controller.current_warnings() == [short]
    controller.state = "recording"
    controller.level(LOUD)
    controller.warnings.error_text = "an error"
    # most urgent first: the error, then clipping, then the disk
    assert [w[0][:8] for w in controller.current_warnings()] == ["an error", "Clipping", "Disk spa"]
    roomy, _, _ = _controller(tmp_path, clock, disk=(10**10, LOW_DISK_S))
    assert not roomy.check_disk().low and roomy.current_warnings() == []


def test_levels_reach_the_front_end_throttled_on_the_controllers_clock(tmp_path, no_archive):
    clock, sink = FakeClock(), Sink()
    captured = {}

    def start(db, project, code, **kwargs):
        captured.update(kwargs)
        return FakeRecording()

    controller, _, _ = _controller(tmp_path, clock, start=start)
    controller.start()
    worker = _run(controller, sink)
    while "started" not in sink.kinds():
        threading.Event().wait(0.005)
    on_level = captured["on_level"]
    on_level(SPEECH)  # the first goes through
    on_level(LOUD)
    clock.advance(METER_INTERVAL_S * 0.5)
    on_level(SPEECH)  # too soon: held back
    clock.advance(METER_INTERVAL_S * 0.6)
    on_level(SPEECH)  # merged: the clip in between is kept
    controller.stop()
    worker.join(10)
    levels = [r[1] for r in sink.reports if r[0] == "level"]
    assert [lv.peak for lv in levels] == [-20.0, 0.0]


def test_the_live_transcript_is_stored_on_its_own_thread_after_the_file(tmp_path, no_archive):
    clock, sink = FakeClock(), Sink()
    stored = threading.Event()

    class Live:
        enabled = True

        def __init__(self):
            self.overflows = []

        def note_overflows(self, n):
            self.overflows.append(n)

        def status(self):
            class S:
                label = "live on, 3 s behind"
            return S()

    live = Live()

    def store_live(db, project, rid, given):
        assert given is live
        stored.set()
        return 11

    controller, recording, _ = _controller(tmp_path, clock)
    controller.services.start_live = lambda db, project, rid, code: live
    controller.services.store_live = store_live
    controller.start()
    worker = _run(controller, sink)
    while "started" not in sink.kinds():
        threading.Event().wait(0.005)
    while not live.overflows:
        threading.Event().wait(0.005)
    controller.stop()
    worker.join(10)
    assert stored.wait(10)
    lives = [r[1] for r in sink.reports if r[0] == "live"]
    assert lives[0] == "live on, 3 s behind"
    for _ in range(200):
        if sink.reports[-1] == ("live", "transcript ready"):
            break
        threading.Event().wait(0.01)
    assert sink.reports[-1] == ("live", "transcript ready")
    assert "live: finishing the last part…" in lives


def test_live_resume_waits_for_both_recovery_and_the_recorder():
    started: list[list[int]] = []
    gate = LiveResumeGate(started.append)
    gate.release()  # the recorder is back, recovery not done yet
    assert started == []
    gate.found([4, 5])
    assert started == [[4, 5]]
    gate.release()
    gate.found([6])
    assert started == [[4, 5]]  # once

    other = LiveResumeGate(started.append)
    other.found([8])
    assert started == [[4, 5]]  # waits for the recorder
    other.release()
    assert started == [[4, 5], [8]]

    nothing = LiveResumeGate(started.append)
    nothing.found([])
    nothing.release()
    assert started == [[4, 5], [8]] and nothing.started


def test_stopped_before_the_worker_began_records_nothing_and_does_not_hold_up_quitting(tmp_path):
    """An app quitting right after Record: its worker may never run; waiting must not hang, and a
    worker that begins late must not start a recording nobody will stop."""
    clock, sink = FakeClock(), Sink()
    opened = []
    controller, _, _ = _controller(tmp_path, clock)
    controller.services.open_db = lambda project: opened.append(1) or FakeDb()
    controller.start()
    controller.stop()
    assert controller.wait(timeout=5)  # after the grace time, not the 30-s timeout
    controller.run(sink)  # the cancelled worker begins after all
    assert sink.reports == [] and opened == []
    assert controller.wait(timeout=0)
