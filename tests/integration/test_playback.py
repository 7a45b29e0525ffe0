"""Review playback through a real output device: the virtual PulseAudio sink's monitor (`vmic`)
is recorded while the player plays, and what came out is compared with the file by cross-correlation."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from interview_tui.audio.playback import AudioSource, PlaybackError, Player, stretch
from tests.fixtures.speech import RATE as SPEECH_RATE

pytestmark = [pytest.mark.audio, pytest.mark.slow]

MIC_RATE = 48000


def record_while(action, seconds: float) -> np.ndarray:
    """Record `seconds` from the default input (the sink's monitor) while `action()` runs."""
    import sounddevice as sd

    frames: list[np.ndarray] = []

    def callback(indata, _frames, _time, _status) -> None:
        frames.append(indata[:, 0].copy())

    with sd.InputStream(samplerate=MIC_RATE, channels=1, dtype="float32", callback=callback):
        threading.Event().wait(0.3)
        action()
        threading.Event().wait(seconds)
    return np.concatenate(frames)


def to_mic_rate(samples: np.ndarray, rate: int) -> np.ndarray:
    n = int(round(len(samples) * MIC_RATE / rate))
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)), samples)


def best_match(recorded: np.ndarray, reference: np.ndarray) -> tuple[int, float]:
    """Offset of `reference` in `recorded` by FFT cross-correlation, and the normalised correlation there."""
    rec, ref = recorded.astype(np.float64), reference.astype(np.float64)
    size = 1 << (len(rec) + len(ref)).bit_length()
    corr = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)[: len(rec) - len(ref) + 1]
    lag = int(np.argmax(corr))
    window = rec[lag:lag + len(ref)]
    return lag, float(np.dot(window, ref) / (np.linalg.norm(window) * np.linalg.norm(ref) + 1e-12))


def sounding_seconds(samples: np.ndarray, rate: int) -> float:
    """Time from the first to the last loud 20-ms frame."""
    frame = int(0.02 * rate)
    n = len(samples) // frame
    rms = np.sqrt((samples[: n * frame].reshape(n, frame) ** 2).mean(1))
    loud = np.flatnonzero(rms > rms.max() * 0.05)
    return (loud[-1] - loud[0] + 1) * 0.02


def test_a_segment_played_is_the_segment_heard(virtual_mic, interview_clip) -> None:
    source = AudioSource(interview_clip.path)
    heard: list[tuple[float, float]] = []
    states: list[tuple[bool, str | None]] = []
    player = Player(source, on_heard=lambda a, b: heard.append((a, b)), on_state=lambda p, e: states.append((p, e)))
    first = interview_clip.timeline[1]  # "I started as a nurse many years ago."
    t0, t1 = first.start_s - 0.2, first.end_s + 0.2
    try:
        recorded = record_while(lambda: player.play_span(t0, t1), (t1 - t0) + 1.5)
    finally:
        player.close()
        source.close()
    reference = to_mic_rate(source_read(interview_clip.path, t0, t1), SPEECH_RATE)
    _lag, corr = best_match(recorded, reference)
    assert corr > 0.9, corr
    # Only the segment played: what came out lasts as long as the segment's speech.
    assert sounding_seconds(recorded, MIC_RATE) == pytest.approx(sounding_seconds(reference, MIC_RATE), abs=0.1)
    assert states[0] == (True, None) and states[-1] == (False, None)
    assert heard[0][0] == pytest.approx(t0) and heard[-1][1] == pytest.approx(t1)
    assert player.position == pytest.approx(t1)


def source_read(path: Path, t0: float, t1: float) -> np.ndarray:
    src = AudioSource(path)
    try:
        return src.read(t0, t1)
    finally:
        src.close()


def test_slower_playback_keeps_the_words_and_lasts_longer(virtual_mic, interview_clip) -> None:
    source = AudioSource(interview_clip.path)
    player = Player(source)
    part = interview_clip.timeline[3]  # "It looks like trust and honesty."
    t0, t1 = part.start_s - 0.2, part.end_s + 0.2
    player.set_speed(0.75)
    try:
        recorded = record_while(lambda: player.play_span(t0, t1), (t1 - t0) / 0.75 + 1.5)
    finally:
        player.close()
    slowed = stretch(source.read(t0, t1), source.samplerate, 0.75)
    source.close()
    _lag, corr = best_match(recorded, to_mic_rate(slowed, SPEECH_RATE))
    assert corr > 0.9, corr
    original = sounding_seconds(to_mic_rate(source_read(interview_clip.path, t0, t1), SPEECH_RATE), MIC_RATE)
    assert sounding_seconds(recorded, MIC_RATE) == pytest.approx(original / 0.75, rel=0.05)


def test_pause_step_and_seek_move_the_position(virtual_mic, interview_clip) -> None:
    source = AudioSource(interview_clip.path)
    player = Player(source)
    try:
        player.seek(5.0)
        assert player.position == 5.0 and not player.playing
        player.step(-3.0)
        assert player.position == 2.0
        player.step(-10.0)
        assert player.position == 0.0
        player.play(1.0)
        assert player.playing
        threading.Event().wait(1.0)
        player.pause()
        paused_at = player.position
        assert not player.playing and 1.0 < paused_at < source.duration_s
        player.step(2.0)
        assert player.position == pytest.approx(paused_at + 2.0)
        assert player.next_speed() == 0.75 and player.next_speed() == 0.5 and player.next_speed() == 1.0
        with pytest.raises(PlaybackError, match="out of range"):
            player.set_speed(3.0)
    finally:
        player.close()
        source.close()


def test_missing_or_encrypted_recording_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(PlaybackError, match="missing; restore it"):
        AudioSource(tmp_path / "gone.wav")
    (tmp_path / "rec.wav.ageseg").write_bytes(b"interview-tui age segments v1\n")
    for name in ("rec.wav", "rec.wav.ageseg"):
        with pytest.raises(PlaybackError, match="rec.wav.ageseg is encrypted for this study.*"
                                                "`interview-tui decrypt rec.wav.ageseg --identity KEY`"):
            AudioSource(tmp_path / name)


def test_other_formats_are_converted_and_measured(tmp_path: Path, interview_clip) -> None:
    import subprocess

    mp3 = tmp_path / "clip.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(interview_clip.path), str(mp3)], check=True)
    source = AudioSource(mp3)
    try:
        assert source.duration_s == pytest.approx(interview_clip.timeline[-1].end_s + 0.5, abs=0.2)
        db = source.frame_db()
        assert len(db) == pytest.approx(source.duration_s / 0.02, abs=2)
        speech = interview_clip.timeline[0]
        assert db[int((speech.start_s + 0.5) / 0.02)] > db[int(0.2 / 0.02)] + 20  # speech louder than the lead-in
    finally:
        source.close()


def test_output_device_by_name_or_refused(virtual_mic, monkeypatch) -> None:
    from interview_tui.audio.devices import AudioDeviceError
    from interview_tui.audio.playback import OUTPUT_DEVICE_ENV, chosen_output_device, list_output_devices

    pulse = next(d for d in list_output_devices() if d.name == "pulse")
    assert chosen_output_device(None) is None  # the system default
    assert chosen_output_device("pulse") == pulse.index
    monkeypatch.setenv(OUTPUT_DEVICE_ENV, str(pulse.index))
    assert chosen_output_device("nonexistent") == pulse.index  # the environment wins over the setting
    monkeypatch.delenv(OUTPUT_DEVICE_ENV)
    with pytest.raises(AudioDeviceError, match="not found. Outputs:"):
        chosen_output_device("no such speaker")
