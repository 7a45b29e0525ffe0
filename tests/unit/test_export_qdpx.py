"""REFI-QDA export: schema-valid, and read back with an independent parser (zipfile + ElementTree)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from interview_tui.export.layout import clean
from interview_tui.export.model import ExportProject
from interview_tui.export.qdpx import write_qdpx

XSD = Path(__file__).resolve().parents[1] / "data" / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _read(path: Path) -> tuple[zipfile.ZipFile, ET.Element]:
    zf = zipfile.ZipFile(path)
    return zf, ET.fromstring(zf.read("project.qde"))


def _internal(zf: zipfile.ZipFile, ref: str) -> bytes:
    assert ref.startswith("internal://"), ref
    return zf.read("sources/" + ref.removeprefix("internal://"))


def _selections(root: ET.Element, text_of) -> list[tuple[ET.Element, int, int]]:
    """(selection, start, end) of every selection on a text: transcript selections resolved through
    their sync points, plain-text selections by their positions."""
    out = []
    for tr in root.iter(f"{{{NS['q']}}}Transcript"):
        pos = {sp.get("guid"): int(sp.get("position")) for sp in tr.findall("q:SyncPoint", NS)}
        out += [(sel, pos[sel.get("fromSyncPoint")], pos[sel.get("toSyncPoint")]) for sel in tr.findall("q:TranscriptSelection", NS)]
    for src in root.iter(f"{{{NS['q']}}}TextSource"):
        out += [(sel, int(sel.get("startPosition")), int(sel.get("endPosition"))) for sel in src.findall("q:PlainTextSelection", NS)]
    return out


def _note_text(zf: zipfile.ZipFile, note: ET.Element) -> str:
    return _internal(zf, note.get("plainTextPath")).decode("utf-8")


def test_project_validates_against_refi_schema(sample_export: ExportProject, tmp_path: Path, schema) -> None:
    out = write_qdpx(sample_export, tmp_path / "study.qdpx")
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    schema.assertValid(doc)


def test_schema_rejects_a_broken_project(sample_export: ExportProject, tmp_path: Path, schema) -> None:
    """The validation above can fail: a code without its required isCodable is caught."""
    out = write_qdpx(sample_export, tmp_path / "study.qdpx")
    with zipfile.ZipFile(out) as zf:
        doc = etree.fromstring(zf.read("project.qde"))
    code = doc.find(".//q:Code", NS)
    del code.attrib["isCodable"]
    assert not schema.validate(doc)


def test_sync_points_map_text_positions_to_audio_times(sample_export: ExportProject, tmp_path: Path) -> None:
    zf, root = _read(write_qdpx(sample_export, tmp_path / "study.qdpx"))
    audio = root.find(".//q:AudioSource", NS)
    transcript = audio.find("q:Transcript", NS)
    text = _internal(zf, transcript.get("plainTextPath")).decode("utf-8")
    at = {int(sp.get("position")): int(sp.get("timeStamp")) for sp in transcript.findall("q:SyncPoint", NS)}
    segments = sample_export.participant("P01").transcripts[0].segments
    # every segment's text lies between a sync point at its start time and one at its end time
    for seg in segments:
        start = text.index(clean(seg.text))
        assert at[start] == round(seg.start * 1000) and at[start + len(clean(seg.text))] == round(seg.end * 1000)
    positions = [int(sp.get("position")) for sp in transcript.findall("q:SyncPoint", NS)]
    assert positions == sorted(positions)
    # the audio is inside the zip, byte for byte, under its extension
    assert audio.get("path").endswith(".wav") and audio.get("name") == "P01.wav"
    assert _internal(zf, audio.get("path")) == sample_export.participant("P01").transcripts[0].audio_path.read_bytes()
    # one text per transcript: no separate text source beside the audio's transcript
    assert root.find(".//q:TextSource", NS) is None
    assert "reviewed version 2" in text and "reviewed version 2" in transcript.find("q:Description", NS).text
    for el in (audio, transcript):
        assert el.get("creatingUser") and el.get("creationDateTime")


def test_question_passages_are_coded_to_guide_codes(sample_export: ExportProject, tmp_path: Path) -> None:
    zf, root = _read(write_qdpx(sample_export, tmp_path / "study.qdpx"))
    codes = {c.get("guid"): c for c in root.iter(f"{{{NS['q']}}}Code")}
    transcript = root.find(".//q:Transcript", NS)
    text = _internal(zf, transcript.get("plainTextPath")).decode("utf-8")
    coded = {}
    for sel, start, end in _selections(root, text):
        ref = sel.find("q:Coding/q:CodeRef", NS)
        if ref is not None:
            coded[codes[ref.get("targetGUID")].find("q:Description", NS).text.split(": ", 1)[1]] = text[start:end]
    q1 = coded["Can you describe what it is like providing involuntary treatment?"]
    assert q1.startswith("Interviewer: Can you describe") and q1.endswith("the patient agrees later.")
    assert "P01: It is demanding. Vi må være ærlige – always honest." in q1
    q2 = coded["Have you experienced any challenges in relation to agreeing on mutual goals?"]
    assert q2.startswith("Interviewer: Have you") and q2.endswith("«we negotiate» small goals first.")
    assert coded["Is there anything further you would like to add?"] == "Speaker: Nothing more, thank you."
    # the case's twin code covers the whole transcript (how QualCoder and NVivo link a case to its text)
    case = next(c for c in root.iter(f"{{{NS['q']}}}Case") if c.get("name") == "P01")
    assert codes[case.get("guid")].get("name") == "P01"
    assert coded["codes all of participant P01's transcripts"] == text
    # sections are parent codes of their questions; names fit MAXQDA's 63 characters, the full question is described
    section = next(c for c in root.iter(f"{{{NS['q']}}}Code") if c.get("name") == "Goals")
    [q2] = section.findall("q:Code", NS)
    assert q2.get("name") == "Have you experienced any challenges in relation to agreeing…"
    assert q2.find("q:Description", NS).text.endswith("Have you experienced any challenges in relation to agreeing on mutual goals?")
    assert all(len(c.get("name")) <= 63 for c in codes.values())


def test_cases_carry_typed_variables(sample_export: ExportProject, tmp_path: Path) -> None:
    _zf, root = _read(write_qdpx(sample_export, tmp_path / "study.qdpx"))
    variables = {v.get("guid"): (v.get("name"), v.get("typeOfVariable")) for v in root.iter(f"{{{NS['q']}}}Variable")}
    cases = {c.get("name"): c for c in root.iter(f"{{{NS['q']}}}Case")}
    assert set(cases) == {"P01", "P02"}

    def values(case):
        out = {}
        for vv in case.findall("q:VariableValue", NS):
            name, vtype = variables[vv.find("q:VariableRef", NS).get("targetGUID")]
            value_el = [e for e in vv if not e.tag.endswith("VariableRef")][0]
            out[name] = (vtype, value_el.tag.split("}")[1], value_el.text)
        return out

    p01 = values(cases["P01"])
    assert p01["Age"] == ("Integer", "IntegerValue", "44")
    assert p01["Years of experience"] == ("Float", "FloatValue", "21.5")
    assert p01["Gender"] == ("Text", "TextValue", "Woman")
    assert p01["Special education"] == ("Text", "TextValue", "CBT; Psychodynamic therapy")
    assert p01["Works as supervisor"] == ("Boolean", "BooleanValue", "true")
    assert p01["Started in psychiatry"] == ("Date", "DateValue", "2004-08-01")
    assert p01["Interview date"] == ("Date", "DateValue", "2026-01-10")
    assert p01["Interview duration (min)"] == ("Float", "FloatValue", "62.1")
    assert p01["Transcript reviewed"] == ("Boolean", "BooleanValue", "true")
    assert "Other" not in p01  # prefer not to say: no value rather than a made-up one
    assert values(cases["P02"])["Works as supervisor"] == ("Boolean", "BooleanValue", "false")
    # P01's case points at its text and audio sources
    refs = {r.get("targetGUID") for r in cases["P01"].findall("q:SourceRef", NS)}
    sources = {s.get("guid") for s in root.find("q:Sources", NS)}
    assert refs and refs <= sources


def test_notes_and_bookmarks_are_attached_where_they_were_made(sample_export: ExportProject, tmp_path: Path) -> None:
    zf, root = _read(write_qdpx(sample_export, tmp_path / "study.qdpx"))
    notes = {n.get("guid"): n for n in root.find("q:Notes", NS)}
    transcript = root.find(".//q:Transcript", NS)
    text = _internal(zf, transcript.get("plainTextPath")).decode("utf-8")
    attached = {}
    for sel, start, end in _selections(root, text):
        ref = sel.find("q:NoteRef", NS)
        if ref is not None:
            note = notes[ref.get("targetGUID")]
            assert note.get("creatingUser") and note.get("creationDateTime")
            attached[_note_text(zf, note)] = text[start:end]
    # the note was made at 20.0 s: inside the segment 18.35-65.05
    assert attached["Hesitated – come back to goals"] == "Yes, often: «we negotiate» small goals first."
    assert attached["Bookmark"] == "It is demanding. Vi må være ærlige – always honest."
    audio_sel = root.findall(".//q:AudioSource/q:AudioSelection", NS)
    assert sorted((int(a.get("begin")), int(a.get("end"))) for a in audio_sel) == [(3500, 9040), (18350, 65050)]


@pytest.mark.parametrize("mode", [True, "absolute", "relative"])
def test_linked_audio_uses_refi_path_forms_and_is_not_copied(sample_export: ExportProject, tmp_path: Path, schema, mode) -> None:
    wav = sample_export.participant("P01").transcripts[0].audio_path.resolve()
    out = write_qdpx(sample_export, tmp_path / "study.qdpx", link_audio=mode, base_path=tmp_path)
    zf, root = _read(out)
    audio = root.find(".//q:AudioSource", NS)
    if mode == "relative":
        assert audio.get("path") == "relative:///" + wav.relative_to(tmp_path).as_posix()
        assert root.get("basePath") == tmp_path.resolve().as_posix()
    else:
        assert audio.get("path") == "absolute://" + wav.as_posix()
    assert "file:" not in zf.read("project.qde").decode()
    assert [n for n in zf.namelist() if n.endswith(".wav")] == []
    schema.assertValid(etree.fromstring(zf.read("project.qde")))


def test_users_are_the_exporter_interviewers_and_reviewers(sample_export: ExportProject, tmp_path: Path) -> None:
    from dataclasses import replace

    p = sample_export.participant("P01")
    t = replace(p.transcripts[0], version=replace(p.transcripts[0].version, reviewed_by="KNH"))
    project = replace(sample_export, participants=(replace(p, transcripts=(t,)), sample_export.participants[1]))
    _zf, root = _read(write_qdpx(project, tmp_path / "study.qdpx"))
    users = {u.get("guid"): u.get("name") for u in root.find("q:Users", NS)}
    assert sorted(users.values()) == ["KNH", "MP", "interview-tui export"]  # each once
    transcript = root.find(".//q:Transcript", NS)
    assert users[transcript.get("creatingUser")] == "KNH"  # the reviewer made this text
    assert users[root.find(".//q:AudioSource", NS).get("creatingUser")] == "MP"  # the interviewer recorded
    made = [el.get("creatingUser") for el in root.iter() if el.get("creatingUser")]
    assert made and set(made) <= set(users)


def test_same_data_gives_same_guids(sample_export: ExportProject, tmp_path: Path) -> None:
    a = zipfile.ZipFile(write_qdpx(sample_export, tmp_path / "a.qdpx")).read("project.qde")
    b = zipfile.ZipFile(write_qdpx(sample_export, tmp_path / "b.qdpx")).read("project.qde")
    assert a == b


def test_control_characters_and_missing_audio(sample_export: ExportProject, tmp_path: Path, schema) -> None:
    """A transcript with characters XML cannot hold, and a recording whose audio file is gone."""
    from dataclasses import replace

    from interview_tui.domain.transcript import Segment

    p = sample_export.participant("P01")
    t = replace(p.transcripts[0], audio_path=None,
                segments=(Segment(0.0, 1.0, "bad\x00 char\x1b here\x0c", speaker="Interviewer", question_id="q1"),))
    project = replace(sample_export, participants=(replace(p, transcripts=(t,)),))
    zf, root = _read(write_qdpx(project, tmp_path / "x.qdpx"))
    schema.assertValid(etree.fromstring(zf.read("project.qde")))
    assert root.find(".//q:AudioSource", NS) is None
    source = root.find(".//q:TextSource", NS)
    assert source.get("creatingUser") and source.get("creationDateTime")
    assert _internal(zf, source.get("plainTextPath")).decode("utf-8").endswith("Interviewer: bad char here\n")


def test_opens_in_an_independent_reader(sample_export: ExportProject, tmp_path: Path) -> None:
    """pyrefiqda (Pydantic models generated from the same schema by xsdata, its own zip handling)
    loads the project, and its view of cases, variables, sources and sync points agrees with ours."""
    from pyrefiqda.refiproject import RefiProject

    out = write_qdpx(sample_export, tmp_path / "study.qdpx")
    project = RefiProject.load(out, extract_dir=str(tmp_path / "extracted"))
    assert [c.name for c in project.cases.case] == ["P01", "P02"]
    types = {v.name: v.type_of_variable.value for v in project.variables.variable}
    assert types["Age"] == "Integer" and types["Years of experience"] == "Float"
    assert types["Works as supervisor"] == "Boolean" and types["Started in psychiatry"] == "Date"
    assert not project.sources.text_source
    [audio] = project.sources.audio_source
    assert RefiProject.resolve_source_path(audio.path, tmp_path / "extracted").read_bytes()[:4] == b"RIFF"
    transcript = audio.transcript[0]
    text = RefiProject.resolve_source_path(transcript.plain_text_path, tmp_path / "extracted").read_text("utf-8")
    segments = sample_export.participant("P01").transcripts[0].segments
    by_time = {}
    for p in transcript.sync_point:
        by_time.setdefault(p.time_stamp, []).append(text[p.position : p.position + 12])
    for s in segments:
        assert clean(s.text)[:12] in by_time[round(s.start * 1000)]
    coded = [s for s in transcript.transcript_selection if s.coding]
    assert len(coded) == 4 and all(s.coding[0].code_ref.target_guid for s in coded)  # 3 questions + the case


def test_notes_without_a_transcript_position_travel_on_the_project(sample_export: ExportProject, tmp_path: Path, schema) -> None:
    from dataclasses import replace

    from interview_tui.export.model import ExportMark

    p02 = sample_export.participant("P02")
    loose = ExportMark("note", "Asked to pause the recorder", "2026-01-11T09:10:00+00:00", 600.0, "q1")
    session = replace(p02.sessions[0], marks=(loose,))
    project = replace(sample_export, participants=(sample_export.participants[0], replace(p02, sessions=(session,))))
    zf, root = _read(write_qdpx(project, tmp_path / "x.qdpx"))
    schema.assertValid(etree.fromstring(zf.read("project.qde")))
    notes = {n.get("guid"): n for n in root.find("q:Notes", NS)}
    [ref] = root.findall("q:NoteRef", NS)
    note = notes[ref.get("targetGUID")]
    assert _note_text(zf, note) == "Asked to pause the recorder"
    assert note.get("name") == "P02 note at 00:10:00.0 into the session"
    assert len(notes) == 3  # P01's two placed marks are not repeated as loose notes


def test_guids_are_unique_per_project_and_per_participant(sample_export: ExportProject, tmp_path: Path) -> None:
    """Two projects give P01 different GUIDs (merging two teams' exports must not merge people); within
    one project a later participant reusing a code, or a recording id reused after a withdrawal, gets
    new GUIDs."""
    import re
    from dataclasses import replace

    def guids(project: ExportProject, name: str) -> set[str]:
        qde = zipfile.ZipFile(write_qdpx(project, tmp_path / name)).read("project.qde").decode()
        return set(re.findall(r'guid="([^"]+)"', qde))

    a = replace(sample_export, project_uuid="0b6a3b4e-0d6e-4f57-9a0c-1d2e3f405162")
    b = replace(sample_export, project_uuid="9f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
    assert guids(a, "a.qdpx") == guids(a, "a2.qdpx")
    assert not guids(a, "a.qdpx") & guids(b, "b.qdpx")
    p01 = a.participants[0]
    reused = replace(p01, created_at="2026-03-01T00:00:00+00:00",
                     transcripts=(replace(p01.transcripts[0], recorded_at="2026-03-02T00:00:00+00:00"),))
    later = replace(a, participants=(reused,))
    _zf, first = _read(write_qdpx(a, tmp_path / "first.qdpx"))
    _zf, second = _read(write_qdpx(later, tmp_path / "second.qdpx"))
    for xpath in (".//q:Case", ".//q:AudioSource", ".//q:Transcript"):
        assert first.find(xpath, NS).get("guid") != second.find(xpath, NS).get("guid")
