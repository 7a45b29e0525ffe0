"""End to end through the CLI: a real project database with a transcript, audio, notes, and a
withdrawn participant; every export is made and checked, and nothing of the withdrawn one leaks."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from interview_tui.cli import main
from interview_tui.storage import audit, sessions
from interview_tui.storage.recordings import list_recordings
from interview_tui.storage.transcripts import save_transcript
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from tests.fixtures.export import WITHDRAWN_TOKEN, SeededStudy, add_interview, add_transcript, make_wav

XSD = Path(__file__).resolve().parents[1] / "data" / "refi-qda" / "Project-mrt2019.xsd"

P01_SEGMENTS = [
    Segment(0.0, 4.2, "Can you describe what it is like providing involuntary treatment?", speaker="Interviewer",
            question_id="intro-describe"),
    Segment(4.6, 11.3, "It is demanding, but we try to keep the patient involved.", speaker="Participant",
            question_id="intro-describe"),
    Segment(12.0, 15.5, "How do you establish contact?", speaker="Interviewer", question_id="alliance-contact"),
    Segment(15.9, 24.0, "Mostly by being honest about the coercion.", speaker="Participant",
            question_id="alliance-contact"),
]


@pytest.fixture
def full_project(export_seeded: SeededStudy) -> SeededStudy:
    """P01 gets audio, a machine transcript and a reviewed one, a note and a bookmark."""
    db, project = export_seeded.db, export_seeded.project
    [rec] = list_recordings(db, "P01")
    audio = project.root / rec.path
    audio.parent.mkdir(parents=True, exist_ok=True)
    make_wav(audio, seconds=3.0)
    meta = TranscriptMeta(model="base", model_sha256=None, engine="faster-whisper 1.2.1", language="en",
                          options={"verbatim": True}, duration_s=24.0)
    save_transcript(db, rec.id, Transcript(meta, P01_SEGMENTS))
    add_transcript(db, rec.id, 2, "review",
                   [Segment(s.start, s.end, s.text.replace("demanding", "very demanding"), speaker=s.speaker, question_id=s.question_id)
                    for s in P01_SEGMENTS],
                   reviewed_at="2026-01-25T10:00:00+00:00")
    sessions.add_event(db, rec.session_id, "note", text="Long pause before answering", session_offset_s=6.0,
                       recording_id=rec.id, recording_offset_s=6.0)
    sessions.add_event(db, rec.session_id, "bookmark", session_offset_s=17.0, recording_id=rec.id,
                       recording_offset_s=17.0)
    return export_seeded


def _invoke(project_root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--data-dir", str(project_root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _all_bytes(root: Path) -> list[tuple[str, bytes]]:
    """Every file under root, zip members (qdpx, docx) opened too."""
    out = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        out.append((str(path), data))
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                out += [(f"{path}!{n}", zf.read(n)) for n in zf.namelist()]
    return out


def test_every_export_end_to_end(full_project: SeededStudy, tmp_path: Path) -> None:
    root = full_project.project.root
    out = tmp_path / "exports"
    _invoke(root, "export", "qdpx", str(out / "study.qdpx"))
    _invoke(root, "export", "maxqda", str(out / "maxqda"))
    _invoke(root, "export", "nvivo", str(out / "nvivo"))
    _invoke(root, "export", "docx", "--line-numbers", str(out / "docx"))
    _invoke(root, "export", "folder", str(out / "folder"))
    _invoke(root, "report", "methods", "--format", "markdown", "--out", str(out / "methods.md"))

    # the .qdpx is schema-valid and holds the reviewed text of P01, synced to its audio
    with zipfile.ZipFile(out / "study.qdpx") as zf:
        qde = zf.read("project.qde")
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(etree.fromstring(qde))
        notes = {el.get("plainTextPath").removeprefix("internal://")
                 for el in etree.fromstring(qde).iter("{urn:QDA-XML:project:1.0}Note")}
        texts = [zf.read(n).decode("utf-8") for n in zf.namelist()
                 if n.endswith(".txt") and n.removeprefix("sources/") not in notes]
        assert len([n for n in zf.namelist() if n.endswith(".wav")]) == 1
    assert len(texts) == 1 and "very demanding" in texts[0] and "reviewed version 2" in texts[0]
    cases = etree.fromstring(qde).findall(".//{urn:QDA-XML:project:1.0}Case")
    assert sorted(c.get("name") for c in cases) == [f"P{n:02d}" for n in range(1, 11)]

    # the text exports exist for the one transcribed participant and name the version
    assert sorted(p.name for p in (out / "maxqda").iterdir()) == ["P01.txt", "versions.txt"]
    assert "very demanding" in (out / "maxqda" / "P01.txt").read_text("utf-8-sig")
    assert sorted(p.name for p in (out / "nvivo").iterdir()) == ["P01.tsv", "P01.txt", "versions.txt"]
    assert [p.name for p in (out / "docx").iterdir()] == ["P01.docx"]

    manifest = json.loads((out / "folder" / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["participants"]) == [f"P{n:02d}" for n in range(1, 11)]
    assert manifest["participants"]["P01"]["transcripts"][0]["kind"] == "review"
    assert any(f["path"].startswith("P01/audio/") for f in manifest["files"])

    methods = (out / "methods.md").read_text("utf-8")
    assert "A total of 10 individuals were recruited, including 8 women and 2 men" in methods

    # nothing of the withdrawn participant anywhere, nor of those who declined
    for name, data in _all_bytes(out):
        assert WITHDRAWN_TOKEN.encode() not in data, name
        assert b"P17" not in data, name
        assert b"P11" not in data, name
    # each export is in the audit trail, with codes and versions only
    made = audit.entries(full_project.db, action="export.made")
    assert [e.details["format"] for e in made] == ["qdpx", "maxqda", "nvivo", "docx", "folder", "methods-markdown"]
    [versions] = made[0].details["transcripts"]
    assert (versions["kind"], versions["version"]) == ("review", 2)
    assert made[0].details["participants"] == [f"P{n:02d}" for n in range(1, 11)]


def test_clear_errors(full_project: SeededStudy, tmp_path: Path) -> None:
    root = full_project.project.root
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(root), "export", "qdpx", "-p", "P17", str(tmp_path / "x.qdpx")])
    assert result.exit_code == 1 and "P17" in result.output and "withdrawn" in result.output
    assert not (tmp_path / "x.qdpx").exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    result = runner.invoke(main, ["--data-dir", str(root), "export", "folder", str(busy)])
    assert result.exit_code == 1 and "not empty" in result.output and "Traceback" not in result.output
    empty = tmp_path / "empty-project"
    result = runner.invoke(main, ["--data-dir", str(empty), "report", "methods"])
    assert result.exit_code == 1 and "nothing to report" in result.output


def test_several_recordings_of_one_participant(full_project: SeededStudy, tmp_path: Path) -> None:
    """A second interview session of P02 with its own transcript: two numbered files."""
    db = full_project.db
    _sid, rid2 = add_interview(db, full_project.project, "P02", full_project.study_id, None, 21, 20, audio=True)
    [first] = [r for r in list_recordings(db, "P02") if r.id != rid2]
    meta = TranscriptMeta(model="base", model_sha256=None, engine="faster-whisper 1.2.1", language="en", options={})
    save_transcript(db, first.id, Transcript(meta, P01_SEGMENTS[:2]))
    save_transcript(db, rid2, Transcript(meta, P01_SEGMENTS[2:]))
    _invoke(full_project.project.root, "export", "nvivo", "-p", "P02", str(tmp_path / "nv"))
    assert sorted(p.name for p in (tmp_path / "nv").iterdir()) == [
        "P02-1.tsv", "P02-1.txt", "P02-2.tsv", "P02-2.txt", "versions.txt"
    ]


def test_withdrawal_erases_earlier_exports(full_project: SeededStudy, tmp_path: Path) -> None:
    """Exports made before P01 withdrew lose every byte of P01; P02's files stay."""
    from interview_tui.export.erase import erase_participant_exports
    from interview_tui.storage.participants import withdraw_participant

    root, db = full_project.project.root, full_project.db
    [rec2] = list_recordings(db, "P02")
    meta = TranscriptMeta(model="base", model_sha256=None, engine="faster-whisper 1.2.1", language="en", options={})
    save_transcript(db, rec2.id, Transcript(meta, P01_SEGMENTS[:2]))
    out = tmp_path / "exports"
    _invoke(root, "export", "qdpx", str(out / "study.qdpx"))
    for fmt in ("maxqda", "nvivo", "docx", "folder"):
        _invoke(root, "export", fmt, str(out / fmt))
    _invoke(root, "report", "methods", "--out", str(out / "methods.txt"))

    withdraw_participant(db, "P01")
    erased = erase_participant_exports(db, "P01")
    assert sorted(p.name for p in erased.redo) == ["methods.txt", "study.qdpx"]
    for name, data in _all_bytes(out):
        assert b"P01" not in data and b"very demanding" not in data, name
    assert (out / "maxqda" / "P02.txt").is_file() and (out / "docx" / "P02.docx").is_file()
    assert (out / "folder" / "P02").is_dir()
    manifest = json.loads((out / "folder" / "manifest.json").read_text("utf-8"))
    assert "P01" not in manifest["participants"] and "P02" in manifest["participants"]
    # exporting again now leaves P01 out by itself
    _invoke(root, "export", "qdpx", str(out / "study.qdpx"))
    with zipfile.ZipFile(out / "study.qdpx") as zf:
        assert b"P01" not in zf.read("project.qde")


def test_text_exports_need_a_transcript(export_seeded: SeededStudy, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(export_seeded.project.root), "export", "maxqda", str(tmp_path / "m")])
    assert result.exit_code == 1 and "no transcripts yet" in result.output
    assert "left out (consent declined): P11, P12, P13, P14, P15, P16." in result.output
    assert not (tmp_path / "m").exists()
