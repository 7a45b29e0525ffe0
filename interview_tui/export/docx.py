"""Word (`.docx`) transcripts via python-docx.

Layout: a page header line (participant code, date, duration, interviewer),
a details table (the same plus study and transcript version), then the
transcript with a heading for each guide question and one paragraph per
speaker turn: `[hh:mm:ss.d] Speaker: text [hh:mm:ss.d] text ...`, a time
before every segment.  Word's own line numbering (restarting never, every
line) can be switched on for coding by line.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from interview_tui import __version__
from interview_tui.export.layout import clean, turns, xml_safe
from interview_tui.export.model import ExportParticipant, ExportProject, ExportTranscript
from interview_tui.export.qda_text import transcript_stem
from interview_tui.domain.timecode import h_mm_ss, hh_mm_ss_d

_GREY = RGBColor(0x70, 0x70, 0x70)
_AFTER_LN_NUM = (
    "w:pgNumType", "w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg",
    "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange",
)


def details(project: ExportProject, p: ExportParticipant, t: ExportTranscript) -> list[tuple[str, str]]:
    """The header facts of one transcript, in order."""
    # The interview's own duration (first question to end, less downtime: the same figure as the
    # summary and the methods report); the audio's length only for a transcript without a session.
    session = next((s for s in p.sessions if t.session_started_at and s.started_at == t.session_started_at), None)
    duration = session.duration_s if session is not None and session.duration_s is not None else (
        t.duration_s if t.duration_s is not None else (t.segments[-1].end if t.segments else None))
    return [
        ("Participant", p.code),
        # The interview's date: its session's, never the audio file's (an imported file's is the import day).
        ("Date", (t.session_started_at or p.interview_date or t.recorded_at or "")[:10] or "unknown"),
        ("Duration", h_mm_ss(duration) if duration is not None else "unknown"),
        ("Interviewer", ", ".join(p.interviewers) or "not recorded"),
        ("Study", f"{project.study_title} ({project.study_version})"),
        ("Transcript", t.version.label),
    ]


def _line_numbers(doc) -> None:
    # python-docx has no API for line numbering; it is one element in the section properties.
    sect_pr = doc.sections[0]._sectPr
    ln = OxmlElement("w:lnNumType")
    ln.set(qn("w:countBy"), "1")
    ln.set(qn("w:restart"), "continuous")
    # Schema order: lnNumType goes right before the first of these that is present.
    for later in _AFTER_LN_NUM:
        anchor = sect_pr.find(qn(later))
        if anchor is not None:
            anchor.addprevious(ln)
            return
    sect_pr.append(ln)


def transcript_document(project: ExportProject, p: ExportParticipant, t: ExportTranscript, *, line_numbers: bool = False):
    """A python-docx Document holding one transcript."""
    doc = Document()
    facts = details(project, p, t)
    header = doc.sections[0].header.paragraphs[0]
    header.text = " | ".join(f"{k}: {clean(v)}" for k, v in facts[:4])
    doc.add_heading(f"Interview transcript {p.code}", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = key, clean(value)
    current_q: str | None = None
    for turn in turns(t.segments):
        if turn.question_id and turn.question_id != current_q:
            doc.add_heading(clean(project.questions.get(turn.question_id, turn.question_id)), level=2)
            current_q = turn.question_id
        para = doc.add_paragraph()
        for i, seg in enumerate(turn.segments):
            stamp = para.add_run(f"{' ' if i else ''}[{hh_mm_ss_d(seg.start)}] ")
            stamp.font.color.rgb = _GREY
            stamp.font.size = Pt(9)
            if i == 0:
                para.add_run(f"{clean(turn.speaker)}: ").bold = True
            para.add_run(clean(seg.text))
    if p.memos:
        doc.add_heading("Post-interview memos", level=2)
        for m in p.memos:
            doc.add_heading(clean(m.title), level=3)
            meta = doc.add_paragraph()
            meta.add_run(f"{m.created_at[:16].replace('T', ' ')} UTC" + (f", {clean(m.author)}" if m.author else "")).italic = True
            for para in m.text.split("\n\n"):
                doc.add_paragraph(xml_safe(para.strip()))
    _properties(doc, project, p, t)
    if line_numbers:
        _line_numbers(doc)
    return doc


def _properties(doc, project: ExportProject, p: ExportParticipant, t: ExportTranscript) -> None:
    """Document properties Word shows: the interviewers as authors, not the library that wrote the file."""
    props = doc.core_properties
    props.author = ", ".join(p.interviewers) or "interview-tui"
    props.last_modified_by = t.version.reviewed_by or props.author
    props.title = f"Interview transcript {p.code}"
    props.subject = f"{project.study_title} ({project.study_version})"
    props.comments = f"Transcript: {t.version.label}. Exported by interview-tui {__version__}."
    props.keywords = p.code
    props.created = props.modified = datetime.fromisoformat(project.generated_at)
    props.revision = 1


def write_docx(project: ExportProject, out_dir: Path, *, line_numbers: bool = False) -> list[Path]:
    """One `.docx` per transcript in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for p in project.participants:
        for t in p.transcripts:
            path = out_dir / f"{transcript_stem(p, t)}.docx"
            tmp = path.with_name(path.name + ".partial")
            transcript_document(project, p, t, line_numbers=line_numbers).save(str(tmp))
            tmp.replace(path)
            paths.append(path)
    return paths
