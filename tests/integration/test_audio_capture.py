"""Recording through PortAudio from the virtual PulseAudio microphone, fed with known audio."""

from __future__ import annotations

import subprocess
import time
import wave

import numpy as np
import pytest
import soundfile

from interview_tui.audio.capture import RecorderConfig
from interview_tui.audio.devices import AudioDeviceError, list_input_devices, resolve_input_device
from interview_tui.audio.recording import ActiveRecording, RecordingRefused
from interview_tui.audio.recovery import recover_unfinished
from interview_tui.fileio import sha256_file
from interview_tui.storage import recordings as store
from tests.fixtures.audio import RATE, align, enroll, known_signal, write_wav

pytestmark = pytest.mark.audio


def _wait_frames(active: ActiveRecording, seconds: float) -> None:
    deadline = time.monotonic() + seconds + 10
    while active.recorder.current_offset() < seconds:
        assert time.monotonic() < deadline, "no audio arrived from the virtual microphone"
        assert active.recorder.state == "recording", active.recorder.error
        time.sleep(0.02)


def test_virtual_mic_is_listed(virtual_mic):
    names = [d.name for d in list_input_devices()]
    assert "pulse" in names
    assert resolve_input_device("pulse").name == "pulse"


def test_records_known_audio_exactly(virtual_mic, db, project, known_audio):
    source_path, source = known_audio
    enroll(db)
    levels = []
    active = ActiveRecording.start(db, project, "P01", device="pulse", on_level=levels.append)
    _wait_frames(active, 0.2)
    player = virtual_mic.play(source_path)
    assert player.wait(timeout=20) == 0, player.stderr.read()
    _wait_frames(active, active.recorder.current_offset() + 0.3)
    summary = active.finish()

    recorded, rate = soundfile.read(summary.path, dtype="int16")
    assert rate == RATE
    # Every frame the recorder counted is in the file, and the stored duration says so.
    assert len(recorded) == active.recorder.frames_written
    assert summary.duration_s == pytest.approx(len(recorded) / RATE, abs=1e-9)
    assert summary.overflow_count == 0
    # The known signal arrives bit-exact (same rate end to end, no resampling).
    lag = align(recorded, source)
    assert lag >= 0
    assert np.array_equal(recorded[lag:lag + len(source)], source)
    # Level meter: one update per 50 ms block, loud while the chirp plays.
    assert len(levels) >= 10 * summary.duration_s * 0.9
    assert max(level.peak for level in levels) > -12
    assert min(level.peak for level in levels) < -60

    row = store.get_recording(db, summary.recording_id)
    assert row.state == "complete"
    assert row.sha256 == sha256_file(summary.path)
    assert (row.sample_rate, row.channels, row.device, row.overflow_count) == (RATE, 1, "pulse", 0)
    assert row.path.startswith("recordings/P01/P01-") and row.path.endswith(".wav")
    assert store.get_input_device(db) == "pulse"  # remembered for the next recording


def test_exact_frame_count_for_seconds_and_16k_stereo(virtual_mic, db, project):
    enroll(db)
    config = RecorderConfig(samplerate=16000, channels=2)
    active = ActiveRecording.start(db, project, "P01", device="pulse", config=config, max_seconds=1.5)
    player = virtual_mic.play(write_wav(project.root / "tone.wav", known_signal(2.0, lead_silence_s=0.1)))
    assert active.recorder.limit_reached.wait(timeout=15)
    summary = active.finish()
    player.wait(timeout=20)
    with wave.open(str(summary.path)) as w:
        assert (w.getnframes(), w.getframerate(), w.getnchannels()) == (24000, 16000, 2)
    data, _ = soundfile.read(summary.path, dtype="int16")
    # The mono source is resampled and sent to both channels.
    assert np.abs(data).max() > 1000
    assert np.corrcoef(data[:, 0], data[:, 1])[0, 1] > 0.99
    assert summary.duration_s == 1.5 and summary.overflow_count == 0


def test_pause_does_not_advance_the_timeline(virtual_mic, db, project):
    enroll(db)
    active = ActiveRecording.start(db, project, "P01", device="pulse")
    _wait_frames(active, 0.3)
    active.pause()
    time.sleep(0.3)  # let blocks already queued before the pause drain
    frozen = active.recorder.frames_written
    time.sleep(0.5)
    assert active.recorder.frames_written == frozen
    assert active.recorder.latest_level is not None  # the meter keeps running while paused
    active.resume()
    _wait_frames(active, frozen / RATE + 0.3)
    rec_id, offset = active.clock()
    assert rec_id == active.recording_id and offset >= frozen / RATE + 0.3
    summary = active.finish()
    assert summary.duration_s == pytest.approx(active.recorder.frames_written / RATE)


def test_recovery_leaves_a_running_recording_alone(virtual_mic, db, project):
    enroll(db)
    active = ActiveRecording.start(db, project, "P01", device="pulse")
    _wait_frames(active, 0.2)
    before = sha256_file(active.path)
    [report] = recover_unfinished(db, project)
    assert report.action == "in_use"
    assert store.get_recording(db, active.recording_id).state == "recording"
    summary = active.finish()
    assert summary.duration_s > 0.2 and before  # the recorder was not disturbed


def test_missing_device_is_a_clear_error(virtual_mic, db, project):
    enroll(db)
    with pytest.raises(AudioDeviceError, match=r"'no-such-mic' not found.*pulse"):
        ActiveRecording.start(db, project, "P01", device="no-such-mic")
    with pytest.raises(AudioDeviceError, match="input channel"):
        resolve_input_device("pulse", channels=64)
    assert store.list_recordings(db) == []
    assert not any((project.recordings_dir / "P01").glob("*.wav"))


def test_recording_refused_without_audio_consent(db, project):
    enroll(db, audio_consent=False)
    with pytest.raises(RecordingRefused, match=r"P01 has not given consent to audio recording.*'audio_recording'"):
        ActiveRecording.start(db, project, "P01")
    assert store.list_recordings(db) == []
    assert not (project.recordings_dir / "P01").exists()


def test_recording_refused_for_unknown_participant(db, project):
    with pytest.raises(RecordingRefused, match="no participant P09; add them first"):
        ActiveRecording.start(db, project, "P09")


def test_recording_refused_when_folder_unwritable(db, project):
    enroll(db)
    project.recordings_dir.rmdir()
    project.recordings_dir.write_text("not a folder")  # root can write anywhere; a file blocks mkdir for everyone
    with pytest.raises(RecordingRefused, match="Cannot write recordings to .*recordings/P01"):
        ActiveRecording.start(db, project, "P01")
    assert store.list_recordings(db) == []


def test_device_lost_stops_cleanly_and_keeps_the_audio(virtual_mic, db, project, tmp_path):
    """The sound server dies mid-recording (like a USB microphone pulled out)."""
    from tests.fixtures.audio import VirtualMic

    enroll(db)
    own = VirtualMic(tmp_path / "own-server").start()  # a second daemon we may kill
    errors = []
    try:
        active = ActiveRecording.start(db, project, "P01", device="pulse", on_error=errors.append)
        _wait_frames(active, 0.5)
        subprocess.run(["pulseaudio", "-k"], env=own.subprocess_env(), check=True, timeout=10)
        deadline = time.monotonic() + 15
        while active.recorder.state != "failed":
            assert time.monotonic() < deadline, "the lost device was not noticed"
            time.sleep(0.05)
    finally:
        own.stop()
    summary = active.finish()
    [error] = errors
    assert error.kind == "device_lost" and summary.error == error
    assert "The microphone stopped delivering audio" in error.message and "start a new recording" in error.message
    assert summary.duration_s >= 0.5 and error.seconds_kept == pytest.approx(summary.duration_s, abs=0.2)
    assert soundfile.info(str(summary.path)).frames == round(summary.duration_s * RATE)
    row = store.get_recording(db, summary.recording_id)
    assert row.state == "complete" and "stopped delivering audio" in row.error


def test_session_must_be_the_participants(db, project):
    from interview_tui.storage.participants import add_participant
    from interview_tui.storage.sessions import open_session

    study = enroll(db)
    add_participant(db, study.id, "P02")
    other = open_session(db, participant_id=store.participant_row(db, "P02").id, study_id=1)
    with pytest.raises(RecordingRefused, match=f"Session {other} is P02's, not P01's"):
        ActiveRecording.start(db, project, "P01", session_id=other)
    with pytest.raises(RecordingRefused, match="Session 99 does not exist"):
        ActiveRecording.start(db, project, "P01", session_id=99)


def test_two_recordings_in_the_same_second_get_their_own_files(virtual_mic, db, project):
    enroll(db)
    first = ActiveRecording.start(db, project, "P01", device="pulse", max_seconds=0.1)
    second = ActiveRecording.start(db, project, "P01", device="pulse", max_seconds=0.1)
    paths = {first.finish().path, second.finish().path}
    assert len(paths) == 2 and all(p.exists() for p in paths)


def test_overflow_count_is_stored_while_recording(virtual_mic, db, project):
    enroll(db)
    active = ActiveRecording.start(db, project, "P01", device="pulse")
    _wait_frames(active, 0.1)
    active.recorder.overflow_count = 2  # as the writer counts them; a crash now must not lose them
    active.checkpoint()
    assert store.get_recording(db, active.recording_id).overflow_count == 2
    assert active.finish().overflow_count == 2
