"""The .qdpx opens in a real QDA tool: QualCoder's own REFI-QDA importer (its unmodified `refi.py`,
run headless in a subprocess by ../shared/qda-readers/qualcoder/run_import.py) imports a project
exported through the CLI from a real database, and we check what arrived in QualCoder's tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.domain.transcript import Segment
from interview_tui.storage import memos, sessions
from interview_tui.storage.recordings import list_recordings
from tests.fixtures.export import WITHDRAWN_TOKEN, SeededStudy, add_transcript, make_wav

#: ../shared beside the checkout (a symlink in the worktrees); QUALCODER_IMPORTER overrides it.
READER = Path(os.environ.get("QUALCODER_IMPORTER", Path(__file__).resolve().parents[3] / "shared" / "qda-readers"
                             / "qualcoder" / "run_import.py"))

SEGMENTS = [
    Segment(0.0, 4.2, "Can you describe what it is like providing involuntary treatment?", speaker="Interviewer", question_id="intro-describe"),
    Segment(4.6, 11.3, "It is demanding, but we try to keep the patient involved.", speaker="Participant", question_id="intro-describe"),
    Segment(12.0, 15.5, "How do you establish contact?", speaker="Interviewer", question_id="alliance-contact"),
    Segment(15.9, 24.0, "Mostly by being honest about the coercion.", speaker="Participant", question_id="alliance-contact"),
]

# A developer without ../shared skips these; CI (which always has it) fails instead of skipping.
pytestmark = pytest.mark.skipif(not READER.is_file() and not os.environ.get("CI"),
                                reason="QualCoder's importer is not in ../shared")


@pytest.fixture
def qda_project(export_seeded: SeededStudy) -> SeededStudy:
    """P01: audio, a reviewed transcript, a note, a bookmark and a post-interview memo; P02: a transcript
    whose audio is gone; a project journal entry."""
    db, project = export_seeded.db, export_seeded.project
    [rec] = list_recordings(db, "P01")
    (project.root / rec.path).parent.mkdir(parents=True, exist_ok=True)
    make_wav(project.root / rec.path, seconds=3.0)
    add_transcript(db, rec.id, 1, "machine", SEGMENTS)
    add_transcript(db, rec.id, 2, "review", SEGMENTS, reviewed_at="2026-01-25T10:00:00+00:00")
    sessions.add_event(db, rec.session_id, "note", text="Long pause before answering", session_offset_s=6.0,
                       recording_id=rec.id, recording_offset_s=6.0)
    sessions.add_event(db, rec.session_id, "bookmark", session_offset_s=17.0, recording_id=rec.id,
                       recording_offset_s=17.0)
    memos.add_memo(db, "P01", "Setting: staff room. Rapport: warm.\nAsk next time about goals.", author="MP")
    # A second memo under the same default title: QualCoder keys journal entries by name.
    memos.add_memo(db, "P01", "Follow-up call: nothing to add.", author="MP")
    sessions.add_event(db, rec.session_id, "bookmark", session_offset_s=17.0, recording_id=rec.id,
                       recording_offset_s=17.0)  # a second bookmark at the same moment
    [rec2] = list_recordings(db, "P02")
    add_transcript(db, rec2.id, 1, "machine", SEGMENTS[:2])
    memos.add_journal_entry(db, "I noticed I steer towards coercion stories.", title="Reflexive note 1", author="KNH")
    return export_seeded


def _export(root: Path, out: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(root), "export", "qdpx", str(out), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _import(qdpx: Path, work: Path) -> dict:
    # Any Python 3 runs it: refi.py needs only the standard library plus the Qt stand-ins beside it.
    proc = subprocess.run([sys.executable, str(READER), str(qdpx), str(work), "--json"], capture_output=True,
                          text=True, timeout=120)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0 and report["finished"], (report["error"], proc.stderr[-2000:])
    return report


def test_qualcoder_imports_the_project(qda_project: SeededStudy, tmp_path: Path) -> None:
    root = qda_project.project.root
    _export(root, tmp_path / "study.qdpx")
    got = _import(tmp_path / "study.qdpx", tmp_path / "qc")
    t = got["tables"]
    sources = {row[1]: row for row in t["source"]}
    # each transcript once: P01's as the transcript of its audio, P02's (no audio) as a text source
    texts = {name: row for name, row in sources.items() if row[2]}
    assert sorted(texts) == ["P01.wav.txt", "P02 interview transcript"], sorted(sources)
    assert sum(SEGMENTS[1].text in row[2] for row in texts.values()) == 2
    # the audio arrived as an internal source, copied under its extension
    assert sources["P01.wav"][3] == "/audio/P01.wav" and "audio/P01.wav" in got["files"]
    assert (tmp_path / "qc" / "proj.qda" / "audio" / "P01.wav").read_bytes()[:4] == b"RIFF"
    # codes: guide questions under 64 characters, the full question as the memo; questions coded
    codes = {row[1]: row for row in t["code_name"]}
    assert all(len(name) <= 63 for name in codes)
    assert not {"P01", "P02"} & set(codes)  # the case twins became case links, not codes
    long_q = [row for row in codes.values() if "…" in row[1]]
    assert long_q and all(row[2] and len(row[2]) > len(row[1]) for row in long_q)
    coded_fids = {row[2] for row in t["code_text"]}
    assert {texts["P01.wav.txt"][0], texts["P02 interview transcript"][0]} <= coded_fids
    # cases linked to their participant's text, with their attributes
    cases = {row[1]: row[0] for row in t["cases"]}
    assert {"P01", "P02"} <= set(cases)
    links = {(row[1], row[2]) for row in t["case_text"]}
    assert (cases["P01"], texts["P01.wav.txt"][0]) in links
    assert (cases["P02"], texts["P02 interview transcript"][0]) in links
    attributes = {(row[4], row[1]): row[3] for row in t["attribute"] if row[2] == "case"}
    assert attributes[(cases["P01"], "Interviewer")] == "MP"
    assert attributes[(cases["P01"], "Transcript reviewed")] == "true"
    # notes, the memo and the journal arrive with their text
    journal = {row[1]: row[2] for row in t["journal"]}
    assert journal["P01 note at 00:00:06.0"] == "Long pause before answering"
    assert "Ask next time about goals." in journal["P01 post-interview memo"]
    assert "Follow-up call: nothing to add." in journal["P01 post-interview memo (2)"]
    assert journal["P01 bookmark at 00:00:17.0 (2)"] == "Bookmark"
    assert "I noticed I steer towards coercion stories." in journal["Reflexive note 1"]
    # users: the interviewer and the reviewer own what they made
    owners = {row[5] for row in t["source"]} | {row[4] for row in t["journal"]}
    assert {"MP", "KNH"} <= owners
    # nothing of the withdrawn participant
    assert WITHDRAWN_TOKEN not in json.dumps(got)


@pytest.mark.parametrize("mode", ["internal", "relative", "absolute"])
def test_audio_link_forms_import(qda_project: SeededStudy, tmp_path: Path, mode: str) -> None:
    root = qda_project.project.root
    _export(root, tmp_path / "study.qdpx", "--audio", mode)
    import zipfile

    qde = zipfile.ZipFile(tmp_path / "study.qdpx").read("project.qde").decode()
    assert "file:" not in qde and f'path="{mode}://' in qde
    got = _import(tmp_path / "study.qdpx", tmp_path / "qc")
    audio = next(row for row in got["tables"]["source"] if row[1] == "P01.wav")
    if mode == "absolute":
        wav = (root / list_recordings(qda_project.db, "P01")[0].path).resolve()
        assert audio[3] == f"audio:{wav.as_posix()}"
    else:  # QualCoder copies internal and relative audio into its project
        assert audio[3] == "/audio/P01.wav"
        assert (tmp_path / "qc" / "proj.qda" / "audio" / "P01.wav").read_bytes()[:4] == b"RIFF"


def test_two_projects_never_share_guids(qda_project: SeededStudy, tmp_path: Path) -> None:
    """The same participant code in two projects gets different case GUIDs; one project keeps its GUIDs."""
    import re
    import shutil
    import zipfile

    root = qda_project.project.root
    _export(root, tmp_path / "a.qdpx")
    _export(root, tmp_path / "a2.qdpx")
    other = tmp_path / "other"
    shutil.copytree(root, other)
    # A copied project keeps its identity; a new project (settings row gone) gets a fresh one.
    import sqlite3

    with sqlite3.connect(other / "interview.db") as conn:
        conn.execute("DELETE FROM settings WHERE key = 'project_uuid'")
    _export(other, tmp_path / "b.qdpx")

    def case_guid(path: Path) -> str:
        qde = zipfile.ZipFile(path).read("project.qde").decode()
        return re.search(r'<Case guid="([^"]+)" name="P01"', qde).group(1)

    assert case_guid(tmp_path / "a.qdpx") == case_guid(tmp_path / "a2.qdpx")
    assert case_guid(tmp_path / "a.qdpx") != case_guid(tmp_path / "b.qdpx")


def test_several_recordings_each_arrive_once(qda_project: SeededStudy, tmp_path: Path) -> None:
    """A second interview of P01 (with audio) and of P02 (audio gone): four texts, each once, no clash."""
    from interview_tui.storage.participants import get_participant
    from tests.fixtures.export import add_interview

    db, project = qda_project.db, qda_project.project
    interviewer = db.execute("SELECT id FROM interviewers WHERE name = 'MP'").fetchone()[0]
    for code, audio in (("P01", True), ("P02", False)):
        assert get_participant(db, code)
        _sid, rid = add_interview(db, project, code, qda_project.study_id, interviewer, 28, 20, audio=audio)
        add_transcript(db, rid, 1, "machine", SEGMENTS[2:])
    _export(project.root, tmp_path / "study.qdpx")
    got = _import(tmp_path / "study.qdpx", tmp_path / "qc")
    texts = sorted(row[1] for row in got["tables"]["source"] if row[2])
    assert texts == ["P01-1.wav.txt", "P01-2.wav.txt", "P02-1 interview transcript", "P02-2 interview transcript"]
    assert {"audio/P01-1.wav", "audio/P01-2.wav"} <= set(got["files"])
    cases = {row[1]: row[0] for row in got["tables"]["cases"]}
    linked = {}
    for _id, caseid, fid, *_ in got["tables"]["case_text"]:
        linked.setdefault(caseid, set()).add(fid)
    assert len(linked[cases["P01"]]) == 2 and len(linked[cases["P02"]]) == 2
