"""Subtitle cues follow the usual conventions: 42 characters a line, 2 lines, 7 seconds."""

from __future__ import annotations

import re

import pytest
import srt
import webvtt

from interview_tui.transcription.formats import to_srt, to_vtt
from interview_tui.transcription.subtitles import MAX_LINE, MAX_LINES, MAX_SECONDS, segment_cues
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word

LONG = ("It is demanding, but we try to keep the patient involved in every decision we make, even when "
        "the ward is full and the decisions are urgent, because trust is what carries us through the "
        "weeks after a coercive measure.")  # 210 characters, the defect's one cue


def _transcript(*segments: Segment) -> Transcript:
    meta = TranscriptMeta(model="base", model_sha256=None, engine="e", language="en", options={})
    return Transcript(meta, list(segments))


@pytest.mark.parametrize("segment", [
    Segment(10.0, 40.0, LONG, speaker="P01"),
    Segment(10.0, 12.0, LONG, speaker="P01"),  # fast speech: length rules
    Segment(0.0, 123.4, "Nothing more, thank you.", speaker="P01"),  # long silence: duration rule
    Segment(5.0, 25.0, "word " * 30, [Word(f" word", 5.0 + i * 0.6, 5.5 + i * 0.6, 0.9) for i in range(30)], "P01"),
    Segment(1.0, 2.0, "x" * 60, speaker="P01"),  # one word longer than a line stays whole
])
def test_cues_fit_the_conventions(segment: Segment) -> None:
    cues = segment_cues(segment, "P01: ")
    words = " ".join(line for c in cues for line in c.lines).removeprefix("P01: ").split()
    assert words == segment.text.split()  # nothing lost, nothing repeated
    for c in cues:
        assert len(c.lines) <= MAX_LINES
        assert all(len(line) <= MAX_LINE for line in c.lines) or len(c.lines[0].split()) == 1
        assert 0 <= c.end - c.start <= MAX_SECONDS + 1e-9
    assert [c.start for c in cues] == sorted(c.start for c in cues)


def test_the_210_character_segment_reads_back_as_short_cues(tmp_path) -> None:
    t = _transcript(Segment(10.0, 40.0, LONG, speaker="P01"))
    subs = list(srt.parse(to_srt(t)))
    assert len(subs) >= 3 and all(len(line) <= MAX_LINE for s in subs for line in s.content.split("\n"))
    (tmp_path / "t.vtt").write_text(to_vtt(t), encoding="utf-8")
    captions = webvtt.read(str(tmp_path / "t.vtt"))
    assert len(captions) == len(subs)
    assert " ".join(re.sub(r"<[^>]+>", "", c.text).replace("\n", " ") for c in captions) == LONG
