"""Live transcription's pure parts: where pieces end, reading a growing WAV, stored pieces."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from interview_tui.transcription.engine import TranscribeOptions
from interview_tui.transcription.live import (
    MAX_PIECE_S,
    MIN_PIECE_S,
    LiveStatus,
    LiveTranscriber,
    load_pieces,
    next_cut,
    pieces_path,
    read_span,
    stitch,
)

TALK = [(1.0, 10.0), (11.0, 24.0), (26.0, 30.0)]


@pytest.mark.parametrize(
    ("speech", "pending", "ended", "cut"),
    [
        (TALK, 10.0, False, None),  # too little audio waiting: an encoder window would be mostly empty
        (TALK, 31.0, False, 30.5),  # trailing pause long enough: the whole stretch goes
        (TALK, 30.2, False, 25.0),  # the last speech may go on: cut in the pause before it
        ([(0.5, 29.9)], 30.0, False, None),  # one person talking on: wait for a pause
        ([(0.5, MAX_PIECE_S + 5)], MAX_PIECE_S + 5.1, False, MAX_PIECE_S + 5.1),  # no pause ever: cut at the end
        ([], MIN_PIECE_S + 1, False, None),  # silence: nothing to do yet
        ([], MAX_PIECE_S + 1, False, MAX_PIECE_S + 1 - 0.4),  # long silence: skip past it
        (TALK, 12.0, True, 12.0),  # the interview ended: the rest is one piece
        ([], 0.0, True, None),
    ],
)
def test_next_cut(speech, pending, ended, cut) -> None:
    assert next_cut(speech, pending, ended) == cut


def _wav(path, seconds: float, rate: int = 48000, channels: int = 1):
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype("float32")
    sf.write(path, np.stack([tone] * channels, axis=1), rate, subtype="PCM_16")
    return path


@pytest.mark.parametrize(("rate", "channels"), [(16000, 1), (48000, 1), (44100, 2)])
def test_read_span_resamples_to_16k_mono(tmp_path, rate, channels) -> None:
    wav = _wav(tmp_path / "P01.wav", 3.0, rate, channels)
    audio, on_disk = read_span(wav, 1.0)
    assert on_disk == pytest.approx(3.0)
    assert audio.dtype == np.float32 and abs(len(audio) - 2 * 16000) <= 64
    assert 0.25 < np.abs(audio).max() < 0.35
    assert len(read_span(wav, 1.0, 1.5)[0]) == pytest.approx(8000, abs=64)
    assert len(read_span(wav, 5.0)[0]) == 0  # past the end: nothing yet


def test_read_span_reads_only_whole_frames_of_a_growing_file(tmp_path) -> None:
    wav = _wav(tmp_path / "P01.wav", 1.0, 16000)
    with open(wav, "ab") as f:
        f.write(b"\x01")  # the writer is half-way through a frame
    audio, on_disk = read_span(wav, 0.0)
    assert len(audio) == 16000 and on_disk == pytest.approx(1.0)


def test_pieces_survive_a_torn_last_line_and_stitch_in_order(tmp_path) -> None:
    store = pieces_path(tmp_path / "P01-S1.wav")
    assert store.name == "P01-S1.wav.live.jsonl"  # named after the recording: withdrawal's sweep finds it
    seg = {"start": 1.0, "end": 2.0, "text": "Hello.", "confidence": 0.9,
           "words": [{"word": " Hello.", "start": 1.0, "end": 2.0, "probability": 0.9}]}
    lines = [json.dumps({"start": 0.0, "end": 25.0, "language": "en", "segments": [seg]}),
             json.dumps({"start": 25.0, "end": 50.0, "language": "en",
                         "segments": [dict(seg, start=30.0, end=31.0, words=[dict(seg["words"][0], start=30.0, end=31.0)])]}),
             '{"start": 50.0, "end": 7']
    store.write_text("\n".join(lines))
    pieces = load_pieces(store)
    assert [p["start"] for p in pieces] == [0.0, 25.0]
    raw = stitch(pieces, 55.0, TranscribeOptions(language="en"))
    assert [(s.start, s.words[0].start) for s in raw.segments] == [(1.0, 1.0), (30.0, 30.0)]
    assert raw.language == "en" and raw.duration_s == 55.0 and raw.info["live_pieces"] == [[0.0, 25.0], [25.0, 50.0]]


def test_encrypted_recordings_and_missing_models_turn_it_off_with_a_reason(tmp_path) -> None:
    from interview_tui.privacy.segments import SUFFIX

    enc = LiveTranscriber(tmp_path / f"P01{SUFFIX}", object(), TranscribeOptions())  # type: ignore[arg-type]
    none = LiveTranscriber(tmp_path / "P01.wav", None, TranscribeOptions())
    assert not enc.enabled and "encrypted" in enc.status().reason
    assert "encrypted" in enc.status().label and "off" in enc.status().label
    assert not none.enabled and "model" in none.status().reason
    assert enc.finish() is None  # nothing to wait for


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (LiveStatus("on", done_s=100, recorded_s=112), "live on, 12 s behind"),
        (LiveStatus("paused: busy", "machine busy", 10, 200), "live paused: busy, 190 s behind"),
        (LiveStatus("off", "encrypted study"), "live off: encrypted study"),
    ],
)
def test_status_label(status, label) -> None:
    assert status.label == label
