"""Memos and the journal travel in the folder export with the provenance the database holds, and
withdrawal erases a participant's memos from the database with everything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.storage import memos
from interview_tui.storage.recordings import list_recordings
from interview_tui.storage.transcripts import save_transcript
from interview_tui.export.erase import erase_participant_exports
from interview_tui.storage.withdrawal import withdraw_participant
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from tests.fixtures.export import SeededStudy

OPTIONS = {"verbatim": True, "beam_size": 5, "vad_filter": True, "language": "en"}
MEMO_TOKEN = "QQMEMOTOKEN"


@pytest.fixture
def with_memos(export_seeded: SeededStudy) -> SeededStudy:
    db = export_seeded.db
    [rec] = list_recordings(db, "P01")
    meta = TranscriptMeta(model="base", model_sha256="5e" * 32, engine="faster-whisper 1.2.1", language="en",
                          options=OPTIONS, duration_s=4.0)
    save_transcript(db, rec.id, Transcript(meta, [Segment(0.0, 4.0, "Hello there.", speaker="P01",
                                                              question_id="intro-describe")]))
    memos.add_memo(db, "P01", f"Rapport warm. {MEMO_TOKEN}", author="MP")
    memos.add_memo(db, "P02", "Short interview; tired.", author="KNH", title="P02 contact summary")
    memos.add_journal_entry(db, "My assumptions about coercion.", author="MP")
    return export_seeded


def test_folder_keeps_provenance_memos_and_journal(with_memos: SeededStudy, tmp_path: Path) -> None:
    root = with_memos.project.root
    result = CliRunner().invoke(main, ["--data-dir", str(root), "export", "folder", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "out" / "P01" / "transcripts" / "P01.json").read_text("utf-8"))["meta"]
    assert meta["model_sha256"] == "5e" * 32 and meta["options"] == OPTIONS
    [memo] = json.loads((tmp_path / "out" / "P01" / "memos.json").read_text("utf-8"))
    assert memo["text"] == f"Rapport warm. {MEMO_TOKEN}" and memo["author"] == "MP"
    assert memo["title"] == "P01 post-interview memo"
    [p02] = json.loads((tmp_path / "out" / "P02" / "memos.json").read_text("utf-8"))
    assert p02["title"] == "P02 contact summary"
    [entry] = json.loads((tmp_path / "out" / "journal.json").read_text("utf-8"))
    assert entry["text"] == "My assumptions about coercion."
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert "journal.json" in {f["path"] for f in manifest["files"]}


def test_withdrawal_erases_memos(with_memos: SeededStudy) -> None:
    db, project = with_memos.db, with_memos.project
    withdraw_participant(db, project, "P01", erase_exports=erase_participant_exports)
    assert memos.participant_memos(db, "P01") == []
    assert db.execute("SELECT COUNT(*) FROM memos WHERE text LIKE ?", [f"%{MEMO_TOKEN}%"]).fetchone()[0] == 0
    assert [m.title for m in memos.participant_memos(db, "P02")] == ["P02 contact summary"]
    assert len(memos.journal(db)) == 1  # the project's journal is not the participant's
    assert MEMO_TOKEN.encode() not in (project.root / "interview.db").read_bytes()


@pytest.mark.parametrize("code, text, message", [
    ("P99", "x", "no participant P99"),
    ("P01", "   \n ", "empty"),
    ("P01", "a\x00b", "NUL"),
    ("P01", "x" * 100_001, "limit"),
])
def test_memo_refusals(with_memos: SeededStudy, code: str, text: str, message: str) -> None:
    with pytest.raises(memos.MemoError, match=message):
        memos.add_memo(with_memos.db, code, text)


def test_withdrawal_deletes_attribute_tables_and_keeps_the_codebook(with_memos: SeededStudy, tmp_path: Path) -> None:
    from interview_tui.export.attributes import MAXQDA_FILE, NVIVO_FILE

    root = with_memos.project.root
    for args in (["export", "attributes", str(tmp_path / "attrs")], ["export", "codebook", str(tmp_path / "g.qdc")]):
        result = CliRunner().invoke(main, ["--data-dir", str(root), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    report = withdraw_participant(with_memos.db, with_memos.project, "P01", erase_exports=erase_participant_exports)
    assert not (tmp_path / "attrs" / MAXQDA_FILE).exists() and not (tmp_path / "attrs" / NVIVO_FILE).exists()
    assert (tmp_path / "g.qdc").is_file()
    assert {(tmp_path / "attrs" / MAXQDA_FILE).resolve(), (tmp_path / "attrs" / NVIVO_FILE).resolve()} <= {
        p.resolve() for p in report.exports_to_redo}
