"""REFI-QDA project export (`.qdpx`): what NVivo, MAXQDA, ATLAS.ti and QualCoder import.

A `.qdpx` is a zip with `project.qde` (QDA-XML 1.0, namespace
`urn:QDA-XML:project:1.0`) and a `sources/` folder.  We write:

- each transcript as a `TextSource` (plain text in `sources/`), its question
  passages coded to the guide codes (`PlainTextSelection` + `Coding`);
- its recording as an `AudioSource` (copied into `sources/`, or linked by
  absolute URI) holding a `Transcript` over the same text whose `SyncPoint`s
  tie the start and end of every segment to the audio time in milliseconds;
- participants as `Case`s with typed `VariableValue`s (demographics plus
  interview date, duration, interviewer and whether the transcript was reviewed);
- the guide's sections and questions as the initial code system;
- interviewer notes and bookmarks as `Note`s, attached to the segment they were
  made in (a text selection and an audio selection).

GUIDs are uuid5 of stable keys, so exporting the same data twice gives the
same GUIDs and a tool can recognise its earlier import.
"""

from __future__ import annotations

import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from interview_tui import __version__
from interview_tui.export.layout import Span, TextLayout, lay_out, xml_safe
from interview_tui.export.model import (
    DemographicValue,
    ExportMark,
    ExportParticipant,
    ExportProject,
    ExportTranscript,
)
from interview_tui.export.timecode import clock

NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.UUID("6f1c1f8e-2d7a-4c55-9b8e-3a4f0e6d2b10")

#: demographic field type -> REFI-QDA variable type
VARIABLE_TYPES = {
    "integer": "Integer",
    "decimal": "Float",
    "single_choice": "Text",
    "multiple_choice": "Text",
    "text": "Text",
    "date": "Date",
}
_VALUE_ELEMENT = {
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Date": "DateValue",
}


def guid(*key: object) -> str:
    """A stable GUID for a key (same data, same GUID across exports)."""
    return str(uuid.uuid5(_GUID_NS, "/".join(str(k) for k in key)))


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    node = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: xml_safe(str(v)) for k, v in attrs.items() if v is not None})
    if text is not None:
        node.text = xml_safe(text)
    return node


def _decimal(value: float | int) -> str:
    """xsd:decimal text (no exponent)."""
    return format(Decimal(repr(float(value))).normalize(), "f")


def _value_text(vtype: str, value: object) -> str:
    if vtype == "Integer":
        return str(int(value))  # type: ignore[call-overload]
    if vtype == "Float":
        return _decimal(value)  # type: ignore[arg-type]
    if vtype == "Boolean":
        return "true" if value else "false"
    if vtype == "Date":
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, tuple):
        return "; ".join(value)
    return str(value)


def _is_yes_no(choices: tuple[str, ...]) -> bool:
    return {c.strip().lower() for c in choices} == {"yes", "no"}


@dataclass(frozen=True)
class _Var:
    key: str
    name: str
    type: str
    description: str | None = None


@dataclass
class _SourceFile:
    name: str
    data: bytes | None = None
    copy_from: Path | None = None


def _variables(project: ExportProject) -> list[_Var]:
    out: list[_Var] = []
    for v in project.variables:
        vtype = VARIABLE_TYPES.get(v.type, "Text")
        if v.type == "single_choice" and _is_yes_no(v.choices):
            vtype = "Boolean"
        desc = f"Demographic field '{v.field_id}' ({v.type}{', ' + v.unit if v.unit else ''})"
        out.append(_Var(f"demographic:{v.field_id}", v.label, vtype, desc))
    out += [
        _Var("interview:date", "Interview date", "Date", "Date of the first interview session"),
        _Var("interview:duration_min", "Interview duration (min)", "Float", "Total recorded interview time"),
        _Var("interview:interviewer", "Interviewer", "Text", "Who interviewed (researcher, not participant)"),
        _Var("transcript:reviewed", "Transcript reviewed", "Boolean", "All transcripts are reviewed versions"),
    ]
    return out


def _case_values(p: ExportParticipant, var: _Var) -> object | None:
    kind, _, key = var.key.partition(":")
    if kind == "demographic":
        dv: DemographicValue | None = p.demographic(key)
        if dv is None or dv.prefer_not_to_say or dv.value is None:
            return None
        if var.type == "Boolean":
            return str(dv.value).strip().lower() == "yes"
        return dv.value
    if key == "date":
        return date.fromisoformat(p.interview_date) if p.interview_date else None
    if key == "duration_min":
        d = p.interview_duration_s
        return round(d / 60, 1) if d is not None else None
    if key == "interviewer":
        return ", ".join(p.interviewers) or None
    if key == "reviewed":
        return all(t.version.kind == "review" for t in p.transcripts) if p.transcripts else None
    return None


def _segment_at(transcript: ExportTranscript, layout: TextLayout, offset: float) -> int | None:
    """Index of the segment playing at `offset` (or the last one before it)."""
    best = None
    for i, seg in enumerate(transcript.segments):
        if seg.start <= offset:
            best = i
        if seg.start <= offset < seg.end:
            return i
    return best


def _transcript_header(p: ExportParticipant, t: ExportTranscript) -> str:
    return f"Participant {p.code}, recording {t.recording_id}. Transcript: {t.version.label}."


def build_project_xml(project: ExportProject, *, link_audio: bool = False) -> tuple[ET.ElementTree, list[_SourceFile]]:
    """The project.qde tree and the files that go under `sources/`."""
    ET.register_namespace("", NS)
    slug = project.study_slug
    user = guid(slug, "user")
    root = ET.Element(
        f"{{{NS}}}Project",
        {
            "name": f"{project.study_title} ({project.study_version})",
            "origin": f"interview-tui {__version__}",
            "creatingUserGUID": user,
            "creationDateTime": project.generated_at,
        },
    )
    files: list[_SourceFile] = []
    users = _el(root, "Users")
    _el(users, "User", guid=user, name="interview-tui export")

    # Passages are coded by question id; sections only group questions.
    code_guid = {c.id: guid(slug, "code", c.kind, c.id) for c in project.all_codes() if c.kind == "question"}
    if project.guide_codes:
        codes = _el(_el(root, "CodeBook"), "Codes")

        def add_code(parent: ET.Element, c) -> None:
            node = _el(parent, "Code", guid=guid(slug, "code", c.kind, c.id), name=c.name, isCodable="true")
            if c.description:
                _el(node, "Description", c.description)
            for child in c.children:
                add_code(node, child)

        for top in project.guide_codes:
            add_code(codes, top)

    variables = _variables(project)
    var_guid = {v.key: guid(slug, "variable", v.key) for v in variables}
    variables_el = _el(root, "Variables")
    for v in variables:
        node = _el(variables_el, "Variable", guid=var_guid[v.key], name=v.name, typeOfVariable=v.type)
        if v.description:
            _el(node, "Description", v.description)

    sources_el = ET.Element(f"{{{NS}}}Sources")
    notes_el = ET.Element(f"{{{NS}}}Notes")
    links_el = ET.Element(f"{{{NS}}}Links")
    cases_el = _el(root, "Cases") if project.participants else None
    loose_notes: list[str] = []
    for p in project.participants:
        case = _el(cases_el, "Case", guid=guid(slug, "case", p.code), name=p.code)  # type: ignore[arg-type]
        _el(case, "Description", f"Participant {p.code}")
        for v in variables:
            value = _case_values(p, v)
            if value is None:
                continue
            vv = _el(case, "VariableValue")
            _el(vv, "VariableRef", targetGUID=var_guid[v.key])
            _el(vv, _VALUE_ELEMENT[v.type], _value_text(v.type, value))
        for t in p.transcripts:
            _el(case, "SourceRef", targetGUID=guid(slug, "text", t.recording_id))
            if t.audio_path is not None:
                _el(case, "SourceRef", targetGUID=guid(slug, "audio", t.recording_id))
        placed: set[ExportMark] = set()
        for t in p.transcripts:
            placed |= _add_transcript(sources_el, notes_el, links_el, files, project, p, t, code_guid, user, link_audio)
        # Notes made while nothing was recording (or before transcription) still travel, on the project.
        for n, m in enumerate(m for m in p.marks if m not in placed):
            note_guid = guid(slug, "loose-note", p.code, n)
            note = _el(notes_el, "Note", guid=note_guid,
                       name=f"{p.code} {m.kind} at {clock(m.session_offset_s)} into the session")
            _el(note, "PlainTextContent", xml_safe(m.text) or m.kind.title())
            loose_notes.append(note_guid)

    if len(sources_el):
        root.append(sources_el)
    if len(notes_el):
        root.append(notes_el)
    if len(links_el):
        root.append(links_el)
    _el(
        root,
        "Description",
        f"Exported by interview-tui {__version__} from study '{project.study_slug}' version "
        f"{project.study_version} on {project.generated_at}. Participants who withdrew are not included.",
    )
    for note_guid in loose_notes:
        _el(root, "NoteRef", targetGUID=note_guid)
    ET.indent(root)
    return ET.ElementTree(root), files


def _add_transcript(
    sources_el: ET.Element,
    notes_el: ET.Element,
    links_el: ET.Element,
    files: list[_SourceFile],
    project: ExportProject,
    p: ExportParticipant,
    t: ExportTranscript,
    code_guid: dict[str, str],
    user: str,
    link_audio: bool,
) -> set[ExportMark]:
    """Add one transcript's text and audio sources; returns the notes/bookmarks placed on it."""
    slug = project.study_slug
    layout = lay_out(t.segments, header=_transcript_header(p, t))
    text_guid = guid(slug, "text", t.recording_id)
    text_file = f"{text_guid}.txt"
    files.append(_SourceFile(text_file, data=layout.text.encode("utf-8")))
    src = _el(
        sources_el,
        "TextSource",
        guid=text_guid,
        name=f"{p.code} interview transcript",
        plainTextPath=f"internal://{text_file}",
        creatingUser=user,
        creationDateTime=project.generated_at,
    )
    _el(src, "Description", f"Transcript: {t.version.label}. Recording {t.recording_id}.")
    for passage in layout.passages():
        if passage.question_id not in code_guid:
            continue
        sel = _el(
            src,
            "PlainTextSelection",
            guid=guid(slug, "passage", t.recording_id, passage.span.start),
            name=f"{project.questions.get(passage.question_id, passage.question_id)}"[:200],
            startPosition=passage.span.start,
            endPosition=passage.span.end,
            creatingUser=user,
        )
        _el(sel, "Description", f"{clock(passage.start_s)} - {clock(passage.end_s)}")
        coding = _el(sel, "Coding", guid=guid(slug, "coding", t.recording_id, passage.span.start), creatingUser=user)
        _el(coding, "CodeRef", targetGUID=code_guid[passage.question_id])

    marks = [m for m in p.marks if m.recording_id == t.recording_id and m.recording_offset_s is not None]
    mark_spans: list[tuple[ExportMark, Span, int]] = []
    for m in marks:
        idx = _segment_at(t, layout, m.recording_offset_s or 0.0)
        if idx is None:
            continue
        mark_spans.append((m, layout.segment_spans[idx], idx))
    for n, (m, span, idx) in enumerate(mark_spans):
        note_guid = guid(slug, "note", t.recording_id, m.kind, n)
        sel = _el(
            src,
            "PlainTextSelection",
            guid=guid(slug, "mark-text", t.recording_id, n),
            name=f"{m.kind.title()} at {clock(m.recording_offset_s or 0.0)}",
            startPosition=span.start,
            endPosition=span.end,
            creatingUser=user,
        )
        _el(sel, "NoteRef", targetGUID=note_guid)
        note = _el(notes_el, "Note", guid=note_guid, name=f"{p.code} {m.kind} at {clock(m.recording_offset_s or 0.0)}")
        _el(note, "PlainTextContent", xml_safe(m.text) or m.kind.title())

    if t.audio_path is None:
        return {m for m, _span, _idx in mark_spans}
    audio_guid = guid(slug, "audio", t.recording_id)
    if link_audio:
        audio_ref = t.audio_path.resolve().as_uri()
    else:
        audio_file = f"{audio_guid}{t.audio_path.suffix.lower()}"
        files.append(_SourceFile(audio_file, copy_from=t.audio_path))
        audio_ref = f"internal://{audio_file}"
    audio = _el(sources_el, "AudioSource", guid=audio_guid, name=f"{p.code} interview audio", path=audio_ref)
    _el(audio, "Description", f"Recording {t.recording_id}" + (f", sha256 {t.audio_sha256}" if t.audio_sha256 else ""))
    tr = _el(
        audio,
        "Transcript",
        guid=guid(slug, "transcript", t.recording_id),
        name=f"{p.code} transcript ({t.version.label})"[:200],
        plainTextPath=f"internal://{text_file}",
    )
    for i, (seg, span) in enumerate(zip(t.segments, layout.segment_spans)):
        if t.audio_end_s is not None and seg.start >= t.audio_end_s:
            break  # later recordings of the interview are not this audio
        _el(tr, "SyncPoint", guid=guid(slug, "sync", t.recording_id, i, "start"), timeStamp=_ms(seg.start), position=span.start)
        _el(tr, "SyncPoint", guid=guid(slug, "sync", t.recording_id, i, "end"), timeStamp=_ms(seg.end), position=span.end)
    for n, (m, _span, idx) in enumerate(mark_spans):
        seg = t.segments[idx]
        asel = _el(
            audio,
            "AudioSelection",
            guid=guid(slug, "mark-audio", t.recording_id, n),
            name=f"{m.kind.title()} at {clock(m.recording_offset_s or 0.0)}",
            begin=_ms(seg.start),
            end=_ms(seg.end),
        )
        _el(asel, "NoteRef", targetGUID=guid(slug, "note", t.recording_id, m.kind, n))
    _el(
        links_el,
        "Link",
        guid=guid(slug, "link", t.recording_id),
        name="transcript of",
        direction="Associative",
        originGUID=text_guid,
        targetGUID=audio_guid,
    )
    return {m for m, _span, _idx in mark_spans}


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def write_qdpx(project: ExportProject, out: Path, *, link_audio: bool = False) -> Path:
    """Write the `.qdpx` zip to `out` (written to a temporary name, then renamed into place)."""
    tree, files = build_project_xml(project, link_audio=link_audio)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            with zf.open("project.qde", "w") as fh:
                fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
                tree.write(fh, encoding="utf-8", xml_declaration=False)
            for f in files:
                target = f"sources/{f.name}"
                if f.data is not None:
                    zf.writestr(target, f.data)
                else:
                    assert f.copy_from is not None
                    # Audio is already compressed or large; storing avoids minutes of deflate.
                    with f.copy_from.open("rb") as src, zf.open(
                        zipfile.ZipInfo(target, date_time=(1980, 1, 1, 0, 0, 0)), "w", force_zip64=True
                    ) as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave half a project behind (full disk, Ctrl-C)
        raise
    tmp.replace(out)
    return out
