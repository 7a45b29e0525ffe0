"""Transcript files are regular enough to parse back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interview_tui.transcription.formats import (
    NO_QUESTION_HEADING,
    from_json,
    parse_formats,
    to_json,
    to_md,
    to_srt,
    to_txt,
    to_vtt,
    write_outputs,
)
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word


def sample() -> Transcript:
    meta = TranscriptMeta(model="base", model_sha256="ab" * 32, engine="faster-whisper 1.2.1", language="no",
                          options={"verbatim": True}, duration_s=3700.0, source="P01.wav", version=2,
                          participant_code="P01")
    segs = [
        Segment(1.0, 2.5, "Hei.", [Word(" Hei.", 1.0, 2.5, 0.9)], "Speaker A (left)", None),
        Segment(3.0, 5.0, "Hva tenker du <om> det & slikt?", [], "MP (interviewer)", "q1"),
        Segment(5.5, 7.0, "Eh, (.) [altså? 00:05] ja.", [], "P01", "q1", 0.5, ["unsure"]),
        Segment(7.2, 9.0, "Og så?", [], "P01", "q1"),
        Segment(3661.5, 3662.0, "Takk.", [], "MP (interviewer)", "q2"),
    ]
    return Transcript(meta, segs, {"q1": "Hva betyr allianse for deg?", "q2": "Noe mer?"})


def test_txt_has_one_paragraph_per_turn_with_time() -> None:
    txt = to_txt(sample())
    turns = re.findall(r"^\[(\d\d:\d\d:\d\d)\] ([^:]+): (.*)$", txt, flags=re.M)
    assert turns[2] == ("00:00:05", "P01", "Eh, (.) [altså? 00:05] ja. Og så?")  # two segments, one turn
    assert turns[-1][0] == "01:01:01"
    assert "# model: base" in txt and "# mode: verbatim" in txt


def test_srt_and_vtt_cues() -> None:
    t = sample()
    cues = to_srt(t).strip().split("\n\n")
    assert cues[-1] == "5\n01:01:01,500 --> 01:01:02,000\nMP (interviewer): Takk."
    vtt = to_vtt(t)
    assert vtt.startswith("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n<v Speaker A (left)>Hei.\n")
    assert "<v MP (interviewer)>Hva tenker du &lt;om&gt; det &amp; slikt?" in vtt


def test_markdown_reads_question_by_question() -> None:
    md = to_md(sample())
    assert re.findall(r"^## (.+)$", md, flags=re.M) == [NO_QUESTION_HEADING, "Hva betyr allianse for deg?", "Noe mer?"]
    assert "**[00:00:05] P01:** Eh, (.) [altså? 00:05] ja. Og så?" in md
    assert md.startswith("# Transcript: P01\n")


def test_json_round_trip_keeps_everything() -> None:
    t = sample()
    back = from_json(to_json(t))
    assert back.segments == t.segments and back.meta == t.meta and back.questions == t.questions


def test_write_outputs_and_format_names(tmp_path: Path) -> None:
    written = write_outputs(sample(), tmp_path / "out" / "P01", parse_formats("txt, .md,JSON"))
    assert [p.name for p in written] == ["P01.txt", "P01.md", "P01.json"]
    assert not list((tmp_path / "out").glob("*.partial"))
    with pytest.raises(ValueError, match="unknown format docx; choose from txt, srt, vtt, json, md"):
        parse_formats("txt,docx")
