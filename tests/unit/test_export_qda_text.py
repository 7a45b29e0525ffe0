"""MAXQDA and NVivo transcripts parse back to the same speakers, times and text."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from interview_tui.export.layout import clean
from interview_tui.domain.transcript import Segment
from interview_tui.export.model import ExportProject, ExportTranscript
from interview_tui.export.qda_text import write_maxqda, write_nvivo
from interview_tui.domain.timecode import hh_mm_ss_d, maxqda, rounded

MAXQDA_TS = re.compile(r"#(\d\d):(\d\d):(\d\d)-(\d)#")
NVIVO_TS = r"(\d\d):(\d\d):(\d\d)\.(\d)"


def _secs(h: str, m: str, s: str, d: str) -> float:
    # tenths as an integer first, the same way the writer rounds
    return ((int(h) * 3600 + int(m) * 60 + int(s)) * 10 + int(d)) / 10


def _paragraphs(path: Path) -> list[str]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for the Windows tools"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    return [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def parse_maxqda(path: Path) -> tuple[str, list[tuple[str, float, str]], list[float]]:
    """(header, [(speaker, start, text)], [turn end]) from a MAXQDA transcript.

    A turn's end is its closing timestamp, or (where it has none) the next turn's opening one."""
    header, *paras = _paragraphs(path)
    segments, ends, stamp_runs = [], [], []
    for para in paras:
        speaker, _, body = para.strip().partition(": ")
        pieces = MAXQDA_TS.split(body)
        # split gives [before, h, m, s, d, text, h, m, s, d, text, ..., (h, m, s, d, "")]
        assert pieces[0].strip() == ""
        stamps = [_secs(*pieces[i : i + 4]) for i in range(1, len(pieces), 5)]
        texts = [pieces[i].strip() for i in range(5, len(pieces), 5)]
        closed = texts[-1] == ""
        for start, text in zip(stamps, texts[:-1] if closed else texts):
            segments.append((speaker, start, text))
        ends.append(stamps[-1] if closed else None)
        stamp_runs.append(stamps)
    # one timestamp per boundary: a paragraph never closes with the time the next one opens with
    for i, end in enumerate(ends[:-1]):
        assert end != stamp_runs[i + 1][0], (paras[i], paras[i + 1])
    assert ends[-1] is not None  # the last turn always closes
    ends = [end if end is not None else stamp_runs[i + 1][0] for i, end in enumerate(ends)]
    return header, segments, ends


def parse_nvivo_paragraphs(path: Path) -> list[tuple[float, str, str]]:
    paras = _paragraphs(path)  # every paragraph, the first included, starts with its timestamp
    out = []
    for para in paras:
        m = re.fullmatch(r"\[" + NVIVO_TS + r"\] ([^:]+): (.*)", para.strip())
        assert m, para
        out.append((_secs(*m.groups()[:4]), m.group(5), m.group(6)))
    return out


def parse_nvivo_table(path: Path) -> list[tuple[float, float, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert rows[0] == ["Timespan", "Speaker", "Content"]
    out = []
    for span, speaker, content in rows[1:]:
        m = re.fullmatch(NVIVO_TS + " - " + NVIVO_TS, span)
        assert m, span
        out.append((_secs(*m.groups()[:4]), _secs(*m.groups()[4:]), speaker, content))
    return out


def _turn_ends(t: ExportTranscript) -> list[float]:
    from interview_tui.export.layout import turns

    return [rounded(turn.end) for turn in turns(t.segments)]


@pytest.mark.parametrize(
    ("seconds", "mq", "nv"),
    [
        (0.0, "#00:00:00-0#", "00:00:00.0"),
        (3.25, "#00:00:03-3#", "00:00:03.3"),
        (9.04, "#00:00:09-0#", "00:00:09.0"),
        (59.96, "#00:01:00-0#", "00:01:00.0"),
        (3599.95, "#01:00:00-0#", "01:00:00.0"),
        (36000.0, "#10:00:00-0#", "10:00:00.0"),
    ],
)
def test_timestamp_forms(seconds: float, mq: str, nv: str) -> None:
    assert maxqda(seconds) == mq
    assert hh_mm_ss_d(seconds) == nv


def test_maxqda_parses_back(sample_export: ExportProject, tmp_path: Path) -> None:
    paths = write_maxqda(sample_export, tmp_path)
    assert sorted(p.name for p in paths) == ["P01.txt", "versions.txt"]  # P02 has no transcript
    t = sample_export.participant("P01").transcripts[0]
    header, segments, ends = parse_maxqda(tmp_path / "P01.txt")
    assert "P01" in header and "reviewed version 2" in header and ":" not in header
    assert segments == [(s.speaker_label, rounded(s.start), clean(s.text)) for s in t.segments]
    assert ends == _turn_ends(t)
    assert "P01.txt\tP01\trecording 1\treviewed version 2" in (tmp_path / "versions.txt").read_text("utf-8-sig")


def test_nvivo_paragraphs_and_table_parse_back(sample_export: ExportProject, tmp_path: Path) -> None:
    write_nvivo(sample_export, tmp_path)
    t = sample_export.participant("P01").transcripts[0]
    paras = parse_nvivo_paragraphs(tmp_path / "P01.txt")
    assert paras == [(rounded(s.start), s.speaker_label, clean(s.text)) for s in t.segments]
    table = parse_nvivo_table(tmp_path / "P01.tsv")
    assert table == [(rounded(s.start), rounded(s.end), s.speaker_label, clean(s.text)) for s in t.segments]
    versions = (tmp_path / "versions.txt").read_text("utf-8-sig")
    assert "P01.tsv\tP01\trecording 1\treviewed version 2" in versions


def test_speaker_with_colon_and_machine_version(sample_export: ExportProject, tmp_path: Path) -> None:
    from dataclasses import replace

    from interview_tui.export.model import TranscriptVersion

    p = sample_export.participant("P01")
    t = replace(
        p.transcripts[0],
        version=TranscriptVersion(3, 1, "machine", "2026-01-10T11:00:00+00:00", "base", "faster-whisper 1.2.1"),
        segments=(Segment(1.0, 2.0, "Hello: there", speaker="Dr: X"), Segment(2.0, 4.0, "Hi", speaker="P01")),
    )
    project = replace(sample_export, participants=(replace(p, transcripts=(t,)),))
    write_maxqda(project, tmp_path)
    header, segments, _ = parse_maxqda(tmp_path / "P01.txt")
    assert "machine version 1" in header and "not reviewed" in header
    assert segments == [("Dr  X", 1.0, "Hello: there"), ("P01", 2.0, "Hi")]


@pytest.mark.parametrize(("formatter", "seconds", "text"), [
    ("m_ss", 65.9, "1:05"), ("m_ss", 3725, "1:02:05"), ("m_ss", -3, "0:00"),
    ("mm_ss", 65.9, "01:05"), ("mm_ss", 725, "12:05"), ("mm_ss", 3725, "1:02:05"),
    ("hh_mm_ss", 3725.9, "01:02:05"), ("h_mm_ss", 3725.5, "1:02:06"), ("hh_mm_ss_d", 3725.25, "01:02:05.3"),
    ("maxqda", 3725.25, "#01:02:05-3#"), ("srt_time", 3725.25, "01:02:05,250"), ("vtt_time", 3725.25, "01:02:05.250"),
])
def test_each_time_shape_has_one_named_formatter(formatter: str, seconds: float, text: str) -> None:
    from interview_tui.domain import timecode

    assert getattr(timecode, formatter)(seconds) == text
