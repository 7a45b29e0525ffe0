"""Word transcripts: header facts, question headings, and turns that parse back exactly."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx

from interview_tui.export.docx import write_docx
from interview_tui.export.layout import clean
from interview_tui.export.model import ExportProject
from interview_tui.domain.timecode import rounded

STAMP = re.compile(r"\[(\d\d):(\d\d):(\d\d)\.(\d)\] ")


def _secs(h: str, m: str, s: str, d: str) -> float:
    return ((int(h) * 3600 + int(m) * 60 + int(s)) * 10 + int(d)) / 10


def parse_docx(path: Path) -> tuple[str, dict[str, str], list[str], list[tuple[str, float, str]]]:
    """(page header, details table, headings, [(speaker, start, text)])."""
    doc = docx.Document(str(path))
    page_header = doc.sections[0].header.paragraphs[0].text
    facts = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    headings, segments = [], []
    for para in doc.paragraphs:
        if para.style.name == "Heading 2":
            headings.append(para.text)
            continue
        if not STAMP.match(para.text):
            continue
        pieces = STAMP.split(para.text)
        speaker, _, first = pieces[5].partition(": ")
        pieces[5] = first
        for i in range(1, len(pieces), 5):
            segments.append((speaker, _secs(*pieces[i : i + 4]), pieces[i + 4].strip()))
    return page_header, facts, headings, segments


def test_docx_parses_back(sample_export: ExportProject, tmp_path: Path) -> None:
    [path] = write_docx(sample_export, tmp_path)
    assert path.name == "P01.docx"
    page_header, facts, headings, segments = parse_docx(path)
    assert page_header == "Participant: P01 | Date: 2026-01-10 | Duration: 1:02:03 | Interviewer: MP"
    assert facts["Transcript"].startswith("reviewed version 2")
    assert headings == [
        "Can you describe what it is like providing involuntary treatment?",
        "Have you experienced any challenges in relation to agreeing on mutual goals?",
        "Is there anything further you would like to add?",
    ]
    t = sample_export.participant("P01").transcripts[0]
    assert segments == [(s.speaker_label, rounded(s.start), clean(s.text)) for s in t.segments]


def test_duration_is_the_interviews_not_the_audios(sample_export: ExportProject, tmp_path: Path) -> None:
    # An interview of 50:00 (first question to end) whose transcript's audio runs 1:02:03: the Word
    # header gives the interview's duration, as the summary and the methods report do.
    from dataclasses import replace

    p = sample_export.participant("P01")
    [t] = p.transcripts
    session = replace(p.sessions[0], duration_s=3000.0)
    p = replace(p, sessions=(session,), transcripts=(replace(t, session_started_at=session.started_at),))
    [path] = write_docx(replace(sample_export, participants=(p, *sample_export.participants[1:])), tmp_path)
    page_header, facts, _, _ = parse_docx(path)
    assert facts["Duration"] == "0:50:00" and "Duration: 0:50:00" in page_header


def test_line_numbers_are_optional(sample_export: ExportProject, tmp_path: Path) -> None:
    [plain] = write_docx(sample_export, tmp_path / "plain")
    [numbered] = write_docx(sample_export, tmp_path / "numbered", line_numbers=True)
    assert b"lnNumType" not in zipfile.ZipFile(plain).read("word/document.xml")
    xml = zipfile.ZipFile(numbered).read("word/document.xml").decode()
    assert re.search(r'<w:lnNumType w:countBy="1" w:restart="continuous"/>', xml)
    # still a document python-docx (and so Word's schema order) accepts
    assert parse_docx(numbered)[3] == parse_docx(plain)[3]


def test_header_date_author_and_memos(sample_export: ExportProject, tmp_path: Path) -> None:
    """An imported recording's file date is the import day: the header shows the interview's date;
    the document's author is the interviewer, not python-docx; the post-interview memo follows."""
    from dataclasses import replace

    from docx import Document

    from interview_tui.export.model import ExportMemo

    p = sample_export.participant("P01")
    t = replace(p.transcripts[0], recorded_at="2026-03-03T10:00:00+00:00", session_started_at="2026-01-10T09:00:00+00:00")
    memo = ExportMemo("P01 post-interview memo", "Setting: staff room.\n\nAsk about goals next time.",
                      "2026-01-10T11:00:00+00:00", "MP")
    project = replace(sample_export, participants=(replace(p, transcripts=(t,), memos=(memo,)),))
    [path] = write_docx(project, tmp_path)
    page_header, facts, _headings, _segments = parse_docx(path)
    assert "Date: 2026-01-10" in page_header and facts["Date"] == "2026-01-10"
    doc = Document(str(path))
    assert doc.core_properties.author == "MP" and "python-docx" not in (doc.core_properties.comments or "")
    assert doc.core_properties.title == "Interview transcript P01"
    texts = [para.text for para in doc.paragraphs]
    assert "Post-interview memos" in texts and "Ask about goals next time." in texts
