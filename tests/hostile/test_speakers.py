"""Hostile input for speakers: bad checkpoints, odd transcripts and audio, careless CLI use."""

from __future__ import annotations

import io
import pickle
import struct

import numpy as np
import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.diarization.attribute import SpeakerPlan, attribute_mono, word_speakers
from interview_tui.diarization.torch_pickle import MAGIC_NUMBER, CheckpointError, load_legacy_checkpoint
from interview_tui.domain.transcript import Segment, Word


class _Evil:
    def __reduce__(self):
        return (print, ("this must never run",))


def _header() -> bytes:
    return pickle.dumps(MAGIC_NUMBER) + pickle.dumps(1001) + pickle.dumps({})


def _truncated() -> bytes:
    class _Pid(pickle.Pickler):
        def persistent_id(self, obj):
            return ("storage", "FloatStorage", "0", "cpu", 4, None) if obj == "STORAGE" else None

    buf = io.BytesIO()
    _Pid(buf, protocol=2).dump({"w": "STORAGE"})
    return _header() + buf.getvalue() + pickle.dumps(["0"]) + struct.pack("<q", 4) + b"\x00" * 6


@pytest.mark.parametrize(
    "payload, message",
    [
        (pickle.dumps(123), "magic number"),
        (b"", "broken"),
        (b"\x80\x02garbage", "broken"),
        (pickle.dumps(MAGIC_NUMBER) + pickle.dumps(999), "protocol version"),
        (_header() + pickle.dumps(_Evil()), "refusing"),
        (_header() + pickle.dumps(io.BytesIO), "refusing"),
        (_truncated(), "truncated"),
    ],
    ids=["wrong-magic", "empty", "garbage", "old-protocol", "code-execution", "foreign-class", "truncated-storage"],
)
def test_bad_checkpoints_are_refused_without_running_anything(payload, message, capsys):
    with pytest.raises(CheckpointError, match=message):
        load_legacy_checkpoint(io.BytesIO(payload))
    assert "must never run" not in capsys.readouterr().out


def _words(spans):
    return [Word(f" w{i}", a, b, 0.9) for i, (a, b) in enumerate(spans)]


@pytest.mark.parametrize(
    "segments, audio_s",
    [
        ([], 5.0),
        ([Segment(0.0, 2.0, "Yes.", [], "Speaker (mono)")], 5.0),  # no word timestamps
        ([Segment(0.0, 1.0, "", _words([(0.5, 0.5), (0.5, 0.5)]))], 5.0),  # zero-length words
        ([Segment(0.0, 30.0, "", _words([(10.0, 11.0), (20.0, 25.0)]))], 5.0),  # words past the audio's end
        ([Segment(0.0, 1.0, "", _words([(0.1, 0.4)]))], 0.2),  # a tiny file
        ([Segment(0.0, 4.0, "", _words([(0.0, 1.0), (1.5, 3.0), (3.2, 4.0)]))], 4.0),  # silence only
    ],
    ids=["empty", "no-words", "zero-length-words", "words-past-end", "tiny-file", "silence"],
)
def test_odd_transcripts_and_audio_end_in_a_result(speaker_encoder, segments, audio_s):
    audio = np.zeros(int(audio_s * 16000), np.float32)
    ws = word_speakers(audio, segments, SpeakerPlan(2, "MP", "P01", (1.0,)), speaker_encoder)
    units = sum(len(s.words) or 1 for s in segments)
    assert len(ws.names) in (0, units) and len(ws.unsure) == len(ws.names)
    out, prov = attribute_mono(list(segments), audio, SpeakerPlan(), speaker_encoder)
    assert sum(len(s.words) or 1 for s in out) == units and "method" in prov


def test_missing_encoder_leaves_the_transcript_one_stream(tmp_path, monkeypatch):
    monkeypatch.setenv("INTERVIEW_TUI_MODEL_DIR", str(tmp_path))
    monkeypatch.setattr("interview_tui.diarization.encoder._installed_pretrained", lambda: None)
    seg = Segment(0.0, 1.0, "", _words([(0.1, 0.9)]), "Speaker (mono)")
    out, prov = attribute_mono([seg], np.zeros(16000, np.float32), SpeakerPlan())
    assert out == [seg] and prov["method"] == "unavailable" and "pip download resemblyzer" in prov["reason"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["speakers", "find", "99"], "recording 99 has no transcript yet"),
        (["speakers", "find", "x"], "is not a valid integer"),
        (["speakers", "find", "1", "--speakers", "1"], "1 is not in the range"),
        (["speakers", "swap", "99"], "recording 99 has no transcript yet"),
        (["speakers", "swap", "99", "MP"], "exactly two names"),
        (["speakers", "profile", "delete", "Nobody"], "no interviewer called 'Nobody'"),
        (["speakers", "profile", "save", "99"], "recording 99 does not exist"),
        (["transcribe", "--all", "--speakers", "2", "--no-speakers"], "not both"),
    ],
)
def test_careless_cli_use_gets_a_clear_message(project, args, message):
    result = CliRunner().invoke(main, ["--data-dir", str(project.root), *args])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Traceback" not in result.output
