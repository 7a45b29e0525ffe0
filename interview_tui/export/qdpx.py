"""REFI-QDA project export (`.qdpx`): what NVivo, MAXQDA, ATLAS.ti and QualCoder import.

A `.qdpx` is a zip with `project.qde` (QDA-XML 1.0, namespace
`urn:QDA-XML:project:1.0`) and a `sources/` folder.  Every transcript is ONE
text in the project:

- with its recording: an `AudioSource` (the file copied into `sources/` under
  its extension, or linked as `relative://` / `absolute://`) holding a
  `Transcript` whose `SyncPoint`s tie segment starts and ends to milliseconds;
  passages are coded with `TranscriptSelection`s between sync points;
- without audio: a `TextSource`, passages coded with `PlainTextSelection`s.

Participants are `Case`s with typed `VariableValue`s and a `SourceRef` to
their sources; each case also has a code of the same GUID that codes its
participant's whole text, the form NVivo writes and QualCoder reads to link a
case to its text.  Interviewer notes and bookmarks are `Note`s referenced from
the passage they were made in; post-interview memos are notes on the source
(or on the project when there is no transcript); the project journal is
project-level notes.  Every note's text is a file in `sources/`
(`plainTextPath`), which is where the tools read it.  Users: the exporter,
the interviewers and the reviewers; every source, selection, coding and note
names its creating user and time.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from interview_tui import __version__
from interview_tui.export.layout import Span, TextLayout, lay_out
from interview_tui.export.model import (
    DemographicValue,
    ExportMark,
    ExportMemo,
    ExportParticipant,
    ExportProject,
    ExportTranscript,
)
from interview_tui.export.qda_text import recordings_text, transcript_stem
from interview_tui.export.refi import add_code_tree, code_guid, element, guid, refi_datetime
from interview_tui.domain.timecode import hh_mm_ss_d

NS = "urn:QDA-XML:project:1.0"
AudioMode = Literal["internal", "relative", "absolute"]
AUDIO_MODES: tuple[str, ...] = ("internal", "relative", "absolute")
EXPORT_USER = "interview-tui export"

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


def case_value(p: ExportParticipant, var: _Var) -> object | None:
    """The participant's value of one project variable (None: no value, e.g. 'prefer not to say')."""
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


def variables_with_values(project: ExportProject) -> list[tuple[_Var, list[object | None]]]:
    """Every project variable with each participant's value, in participant order (for attribute tables)."""
    return [(v, [case_value(p, v) for p in project.participants]) for v in _variables(project)]


def _segment_at(transcript: ExportTranscript, offset: float) -> int | None:
    """Index of the segment playing at `offset` (or the last one before it)."""
    best = None
    for i, seg in enumerate(transcript.segments):
        if seg.start <= offset:
            best = i
        if seg.start <= offset < seg.end:
            return i
    return best


def _transcript_header(p: ExportParticipant, t: ExportTranscript) -> str:
    """The text source's first line; an interview of several recordings names each (file, version,
    start, length, where it begins), as the MAXQDA header does."""
    return f"Participant {p.code}, {recordings_text(t)}. Transcript: {t.version.label}."


class _Builder:
    """Builds one project.qde; holds what every part needs (GUID seed, users, notes, files)."""

    def __init__(self, project: ExportProject, audio_mode: AudioMode, base_path: Path | None) -> None:
        self.project = project
        self.seed = project.project_uuid or project.study_slug
        self.audio_mode = audio_mode
        self.base_path = base_path
        self.files: list[_SourceFile] = []
        self.users: dict[str, str] = {}
        self.export_user = self.guid("user", EXPORT_USER)
        self.now = refi_datetime(project.generated_at, project.generated_at)
        self.notes_el = ET.Element(f"{{{NS}}}Notes")
        self.project_notes: list[str] = []
        self.note_names: set[str] = set()

    def guid(self, *key: object) -> str:
        return guid(self.seed, *key)

    def user(self, name: str | None) -> str:
        """The GUID of a user (exporter, interviewer or reviewer), adding them to `Users` on first use."""
        if not name or name == EXPORT_USER:
            return self.export_user
        if name not in self.users:
            self.users[name] = self.guid("user", name)
        return self.users[name]

    def note(self, key: tuple, name: str, text: str, *, user: str | None = None, at: str | None = None) -> str:
        """A `Note` whose text is a file in `sources/`; returns its GUID."""
        note_guid = self.guid("note", *key)
        file_name = f"{note_guid}.txt"
        # Note names must be unique: QualCoder keys journal entries by name (and crashes renaming a duplicate).
        name, base, n = name[:200], name[:190], 2
        while name.lower() in self.note_names:
            name, n = f"{base} ({n})", n + 1
        self.note_names.add(name.lower())
        self.files.append(_SourceFile(file_name, data=text.encode("utf-8")))
        element(self.notes_el, NS, "Note", guid=note_guid, name=name, plainTextPath=f"internal://{file_name}",
                creatingUser=user or self.export_user, creationDateTime=refi_datetime(at, self.project.generated_at))
        return note_guid

    def memo_note(self, key: tuple, m: ExportMemo) -> str:
        author = self.user(m.author) if m.author else self.export_user
        body = m.text + (f"\n\n({m.author}, {m.created_at[:16].replace('T', ' ')} UTC)" if m.author else "")
        return self.note(key, m.title, body, user=author, at=m.created_at)


def build_project_xml(
    project: ExportProject,
    *,
    link_audio: bool | AudioMode = False,
    base_path: Path | None = None,
) -> tuple[ET.ElementTree, list[_SourceFile]]:
    """The project.qde tree and the files that go under `sources/`.

    `link_audio`: False or "internal" copies the audio into the project;
    "relative" links it relative to `base_path` (the project folder, written as
    the project's `basePath`); True or "absolute" links it by absolute path.
    """
    mode: AudioMode = "absolute" if link_audio is True else "internal" if not link_audio else link_audio
    if mode not in AUDIO_MODES:
        raise ValueError(f"unknown audio mode {mode!r}; use one of {', '.join(AUDIO_MODES)}")
    if mode == "relative" and base_path is None:
        raise ValueError("relative audio links need the project folder (base_path)")
    ET.register_namespace("", NS)
    b = _Builder(project, mode, base_path.resolve() if base_path else None)
    root = element(
        None, NS, "Project",
        name=f"{project.study_title} ({project.study_version})",
        origin=f"interview-tui {__version__}",
        creatingUserGUID=b.export_user,
        creationDateTime=b.now,
        basePath=b.base_path.as_posix() if mode == "relative" and b.base_path else None,
    )
    users_el = element(root, NS, "Users")

    codes_el = element(element(root, NS, "CodeBook"), NS, "Codes")
    add_code_tree(codes_el, NS, b.seed, project.guide_codes)
    questions = {c.id: code_guid(b.seed, c) for c in project.all_codes() if c.kind == "question"}

    variables = _variables(project)
    var_guid = {v.key: b.guid("variable", v.key) for v in variables}
    variables_el = element(root, NS, "Variables")
    for v in variables:
        node = element(variables_el, NS, "Variable", guid=var_guid[v.key], name=v.name, typeOfVariable=v.type)
        element(node, NS, "Description", v.description)

    cases_el = element(root, NS, "Cases") if project.participants else None
    sources_el = ET.Element(f"{{{NS}}}Sources")
    for p in project.participants:
        case_guid = b.guid("case", p.code, p.created_at)
        # The case's twin code: codes the whole text, which is how NVivo and QualCoder link a case to its text.
        case_code = element(codes_el, NS, "Code", guid=case_guid, name=p.code, isCodable="true")
        element(case_code, NS, "Description", f"Case {p.code}: codes all of participant {p.code}'s transcripts")
        case = element(cases_el, NS, "Case", guid=case_guid, name=p.code)
        element(case, NS, "Description", f"Participant {p.code}")
        for v in variables:
            value = case_value(p, v)
            if value is None:
                continue
            vv = element(case, NS, "VariableValue")
            element(vv, NS, "VariableRef", targetGUID=var_guid[v.key])
            element(vv, NS, _VALUE_ELEMENT[v.type], _value_text(v.type, value))
        placed: set[ExportMark] = set()
        for i, t in enumerate(p.transcripts):
            memos = p.memos if i == 0 else ()  # memos are about the interview: on its first source
            source_guid, marks = _add_transcript(b, sources_el, p, t, questions, case_guid, memos)
            element(case, NS, "SourceRef", targetGUID=source_guid)
            placed |= marks
        # Notes made while nothing was recording (or before transcription) still travel, on the project.
        for n, m in enumerate(m for m in p.marks if m not in placed):
            b.project_notes.append(b.note(
                ("loose", p.code, p.created_at, n), f"{p.code} {m.kind} at {hh_mm_ss_d(m.session_offset_s)} into the session",
                m.text or m.kind.title(), user=b.user(_interviewer(p)), at=m.at))
        if not p.transcripts:
            for n, memo in enumerate(p.memos):
                b.project_notes.append(b.memo_note(("memo", p.code, p.created_at, n), memo))
    for n, entry in enumerate(project.journal):
        b.project_notes.append(b.memo_note(("journal", n, entry.created_at), entry))

    if not len(codes_el):  # the schema wants at least one code in a code book
        root.remove(root.find(f"{{{NS}}}CodeBook"))
    if len(sources_el):
        root.append(sources_el)
    if len(b.notes_el):
        root.append(b.notes_el)
    element(
        root, NS, "Description",
        f"Exported by interview-tui {__version__} from study '{project.study_slug}' version "
        f"{project.study_version} on {project.generated_at}. Participants who withdrew are not included.",
    )
    for note_guid in b.project_notes:
        element(root, NS, "NoteRef", targetGUID=note_guid)
    element(users_el, NS, "User", guid=b.export_user, name=EXPORT_USER)
    for name, user_guid in b.users.items():
        element(users_el, NS, "User", guid=user_guid, name=name)
    ET.indent(root)
    return ET.ElementTree(root), b.files


def _interviewer(p: ExportParticipant) -> str | None:
    return p.interviewers[0] if p.interviewers else None


def _audio_ref(b: _Builder, t: ExportTranscript, audio_guid: str) -> str:
    assert t.audio_path is not None
    if b.audio_mode == "internal":
        audio_file = f"{audio_guid}{t.audio_path.suffix.lower()}"
        b.files.append(_SourceFile(audio_file, copy_from=t.audio_path))
        return f"internal://{audio_file}"
    path = t.audio_path.resolve()
    if b.audio_mode == "relative":
        assert b.base_path is not None
        try:
            return "relative:///" + path.relative_to(b.base_path).as_posix()
        except ValueError:  # outside the project folder: only an absolute link can reach it
            pass
    return "absolute://" + path.as_posix()


def _add_transcript(
    b: _Builder,
    sources_el: ET.Element,
    p: ExportParticipant,
    t: ExportTranscript,
    questions: dict[str, str],
    case_guid: str,
    memos: tuple[ExportMemo, ...],
) -> tuple[str, set[ExportMark]]:
    """Add one transcript as one source; returns its GUID and the notes/bookmarks placed on it."""
    project = b.project
    key = (p.code, p.created_at, t.recording_id, t.recorded_at or "")
    layout = lay_out(t.segments, header=_transcript_header(p, t))
    text_guid = b.guid("text", *key)
    text_file = f"{text_guid}.txt"
    b.files.append(_SourceFile(text_file, data=layout.text.encode("utf-8")))
    stem = transcript_stem(p, t)
    reviewer = b.user(t.version.reviewed_by) if t.version.kind == "review" and t.version.reviewed_by else None
    interviewer = b.user(_interviewer(p))
    text_user = reviewer or b.export_user
    text_at = refi_datetime(t.version.reviewed_at if reviewer else t.version.created_at, project.generated_at)
    description = f"Transcript: {t.version.label}. " + (
        f"Recordings {', '.join(map(str, t.recording_ids))}, one interview." if len(t.parts) > 1 else f"Recording {t.recording_id}.")

    # (name, span, code GUID or None, note GUIDs, created by, created at) for every selection.
    selections: list[tuple[str, Span, str | None, list[str], str, str]] = []
    selections.append((f"{p.code} (whole transcript)", Span(0, len(layout.text)), case_guid, [], text_user, text_at))
    for passage in layout.passages():
        if passage.question_id in questions:
            name = f"{project.questions.get(passage.question_id, passage.question_id)}"[:200]
            selections.append((name, passage.span, questions[passage.question_id], [], text_user, text_at))
    marks = [m for m in p.marks if m.recording_id == t.recording_id and m.recording_offset_s is not None]
    placed: list[tuple[ExportMark, int]] = []
    for n, m in enumerate(marks):
        idx = _segment_at(t, m.recording_offset_s or 0.0)
        if idx is None:
            continue
        label = f"{m.kind.title()} at {hh_mm_ss_d(m.recording_offset_s or 0.0)}"
        note_guid = b.note((*key, "mark", n), f"{p.code} {m.kind} at {hh_mm_ss_d(m.recording_offset_s or 0.0)}",
                           m.text or m.kind.title(), user=interviewer, at=m.at)
        selections.append((label, layout.segment_spans[idx], None, [note_guid], interviewer, refi_datetime(m.at, project.generated_at)))
        placed.append((m, idx))
    memo_guids = [b.memo_note((*key, "memo", n), memo) for n, memo in enumerate(memos)]

    # An interview that took several recordings is one text (the recordings' audio files are in the
    # folder export): a REFI transcript belongs to one audio file, and its sync points to that file's clock.
    if t.audio_path is None or len(t.parts) > 1:
        src = element(sources_el, NS, "TextSource", guid=text_guid, name=f"{stem} interview transcript",
                      plainTextPath=f"internal://{text_file}", creatingUser=text_user, creationDateTime=text_at)
        element(src, NS, "Description", description)
        for n, (name, span, code, notes, user, at) in enumerate(selections):
            sel = element(src, NS, "PlainTextSelection", guid=b.guid("selection", *key, n), name=name,
                          startPosition=span.start, endPosition=span.end, creatingUser=user, creationDateTime=at)
            _coding_and_notes(b, sel, key, n, code, notes, user, at)
        for memo_guid in memo_guids:
            element(src, NS, "NoteRef", targetGUID=memo_guid)
        return text_guid, {m for m, _ in placed}

    audio_guid = b.guid("audio", *key)
    audio = element(sources_el, NS, "AudioSource", guid=audio_guid, name=f"{stem}{t.audio_path.suffix.lower()}",
                    path=_audio_ref(b, t, audio_guid), creatingUser=interviewer,
                    creationDateTime=refi_datetime(t.recorded_at, project.generated_at))
    element(audio, NS, "Description",
            f"{p.code} interview audio, recording {t.recording_id}" + (f", sha256 {t.audio_sha256}" if t.audio_sha256 else ""))
    tr = element(audio, NS, "Transcript", guid=text_guid, name=f"{stem} transcript.txt",
                 plainTextPath=f"internal://{text_file}", creatingUser=text_user, creationDateTime=text_at)
    element(tr, NS, "Description", description)
    sync: dict[int, str] = {}
    points: list[tuple[int, int]] = []

    def sync_point(position: int, seconds: float) -> str:
        if position not in sync:
            sync[position] = b.guid("sync", *key, position)
            points.append((position, _ms(seconds)))
        return sync[position]

    for seg, span in zip(t.segments, layout.segment_spans):
        sync_point(span.start, seg.start)
        sync_point(span.end, seg.end)
    ranges = []
    for name, span, code, notes, user, at in selections:
        ranges.append((sync_point(span.start, _time_at(t, layout, span.start)),
                       sync_point(span.end, _time_at(t, layout, span.end))))
    for position, ms in sorted(points):
        element(tr, NS, "SyncPoint", guid=sync[position], timeStamp=ms, position=position)
    for n, ((name, _span, code, notes, user, at), (start, end)) in enumerate(zip(selections, ranges)):
        sel = element(tr, NS, "TranscriptSelection", guid=b.guid("selection", *key, n), name=name,
                      fromSyncPoint=start, toSyncPoint=end, creatingUser=user, creationDateTime=at)
        _coding_and_notes(b, sel, key, n, code, notes, user, at)
    for n, (m, idx) in enumerate(placed):
        seg = t.segments[idx]
        asel = element(audio, NS, "AudioSelection", guid=b.guid("audio-selection", *key, n),
                       name=f"{m.kind.title()} at {hh_mm_ss_d(m.recording_offset_s or 0.0)}", begin=_ms(seg.start),
                       end=_ms(seg.end), creatingUser=interviewer, creationDateTime=refi_datetime(m.at, project.generated_at))
        element(asel, NS, "NoteRef", targetGUID=b.guid("note", *key, "mark", marks.index(m)))
    for memo_guid in memo_guids:
        element(audio, NS, "NoteRef", targetGUID=memo_guid)
    return audio_guid, {m for m, _ in placed}


def _coding_and_notes(b: _Builder, sel: ET.Element, key: tuple, n: int, code: str | None, notes: list[str],
                      user: str, at: str) -> None:
    if code is not None:
        coding = element(sel, NS, "Coding", guid=b.guid("coding", *key, n), creatingUser=user, creationDateTime=at)
        element(coding, NS, "CodeRef", targetGUID=code)
    for note_guid in notes:
        element(sel, NS, "NoteRef", targetGUID=note_guid)


def _time_at(t: ExportTranscript, layout: TextLayout, position: int) -> float:
    """The audio time at a text position: the start of the segment at or after it, else the last end."""
    for seg, span in zip(t.segments, layout.segment_spans):
        if position <= span.start:
            return seg.start
        if position <= span.end:
            return seg.end
    return t.segments[-1].end if t.segments else 0.0


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def write_qdpx(project: ExportProject, out: Path, *, link_audio: bool | AudioMode = False,
               base_path: Path | None = None) -> Path:
    """Write the `.qdpx` zip to `out` (written to a temporary name, then renamed into place)."""
    tree, files = build_project_xml(project, link_audio=link_audio, base_path=base_path)
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
