"""Per-participant export folder: every format, demographics, consent, events, and a checked manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from interview_tui.transcription import formats
from interview_tui.export.folder import FolderExportError, write_folder
from interview_tui.export.model import ExportProject


def test_folder_contents_and_manifest(sample_export: ExportProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest_path = write_folder(sample_export, out)
    manifest = json.loads(manifest_path.read_text("utf-8"))
    names = {f["path"] for f in manifest["files"]}
    assert {
        "P01/audio/rec1.wav",
        *(f"P01/transcripts/P01.{ext}" for ext in ("txt", "srt", "vtt", "json", "md", "maxqda.txt", "nvivo.txt", "nvivo.tsv", "docx")),
        "P01/demographics.json", "P01/consent.json", "P01/session-events.json", "P01/memos.json",
        "P02/demographics.json", "P02/session-events.json", "P02/memos.json",
    } == names
    # every file on disk is listed with its true checksum, and nothing else is on disk
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == names
    for f in manifest["files"]:
        data = (out / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["bytes"] == len(data)
    assert manifest["participants"]["P01"]["transcripts"][0]["label"].startswith("reviewed version 2")
    # the transcription formats carry the segments and say which version they are
    t = formats.from_json((out / "P01/transcripts/P01.json").read_text("utf-8"))
    src = sample_export.participant("P01").transcripts[0]
    assert [(s.start, s.end, s.speaker, s.text) for s in t.segments] == [(s.start, s.end, s.speaker, s.text) for s in src.segments]
    assert "reviewed version 2" in (out / "P01/transcripts/P01.txt").read_text("utf-8")
    consent = json.loads((out / "P01/consent.json").read_text("utf-8"))
    assert consent["form_version"] == "1.0" and consent["items_given"] == ["participate", "record"]
    assert "interviewer" not in consent and "MP" not in json.dumps(consent)
    demo = {d["field_id"]: d for d in json.loads((out / "P01/demographics.json").read_text("utf-8"))}
    assert demo["started"]["value"] == "2004-08-01" and demo["note"]["prefer_not_to_say"] is True
    events = json.loads((out / "P01/session-events.json").read_text("utf-8"))
    assert [e["kind"] for e in events[0]["events"]] == ["question", "bookmark", "note"]


def test_re_export_removes_participants_no_longer_exported(sample_export: ExportProject, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_folder(sample_export, out)
    assert (out / "P02").is_dir()
    without_p02 = replace(sample_export, participants=sample_export.participants[:1])
    write_folder(without_p02, out)
    assert not (out / "P02").exists()
    assert list(json.loads((out / "manifest.json").read_text("utf-8"))["participants"]) == ["P01"]


def test_refuses_a_folder_that_is_not_an_earlier_export(sample_export: ExportProject, tmp_path: Path) -> None:
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.docx").write_text("precious")
    with pytest.raises(FolderExportError, match="not empty"):
        write_folder(sample_export, out)
    assert (out / "chapter1.docx").read_text() == "precious"
