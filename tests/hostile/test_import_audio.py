"""Hostile input for `import-audio` (and the recorder's file naming): nothing overwritten, the
database always agrees with the disk, and the consent rules hold (real CLI processes)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.fixtures.hostile import assert_clear, consent, file_size_limit, make_wav, popen_cli, run_cli

pytestmark = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffmpeg is not installed")

BIG = "P" + "7" * 5000


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project: P01 consented (with audio), P02 declined, P03 no consent, P04 withdrawn, P05 session 1."""
    root = tmp_path_factory.mktemp("template") / "project"
    consent(root, "P01")
    consent(root, "P02", decision="declined")
    consent(root, "P03", decision="none")
    consent(root, "P04")
    assert run_cli(root, "withdraw", "P04", "--yes").returncode == 0
    consent(root, "P05")
    db = sqlite3.connect(root / "interview.db")
    with db:
        db.execute("INSERT INTO sessions (participant_id, study_id, state, started_at) VALUES "
                   "((SELECT id FROM participants WHERE code = 'P05'), (SELECT MAX(id) FROM studies), 'open', 'now')")
    db.close()
    return root


@pytest.fixture
def project(template, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(template, root)
    return root


@pytest.fixture(scope="module")
def audio(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("audio")
    files = {f"tone{i}": make_wav(folder / f"Jane Doe take {i}.wav", freq=300 + 100 * i) for i in range(4)}
    files["big"] = make_wav(folder / "long.wav", seconds=60)
    files["text"] = folder / "notes.wav"
    files["text"].write_text("not audio")
    files["empty"] = folder / "empty.wav"
    files["empty"].write_bytes(b"")
    files["odd"] = folder / "interview.docx"
    files["odd"].write_bytes(b"PK")
    return files


def rows(root: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(root / "interview.db")
    try:
        return db.execute("SELECT path, sha256 FROM recordings ORDER BY id").fetchall()
    finally:
        db.close()


def files_on_disk(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in (root / "recordings").rglob("*") if p.is_file()}


def assert_disk_agrees(root: Path) -> None:
    """Every row's file exists with the stored checksum, and every file has a row."""
    stored = rows(root)
    assert {p for p, _ in stored} == files_on_disk(root)
    for path, digest in stored:
        assert hashlib.sha256((root / path).read_bytes()).hexdigest() == digest, path


def test_same_second_runs_never_overwrite(project, audio) -> None:
    """The quoted defect: two runs in one second overwrote the first file, then a UNIQUE traceback."""
    procs = [popen_cli(project, "import-audio", str(audio[f"tone{i}"]), "--participant", "P01") for i in range(4)]
    outs = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, out, err in outs:
        assert code == 0 and "Traceback" not in err, err
    stored = rows(project)
    assert len(stored) == 4 and len({p for p, _ in stored}) == 4
    sources = {hashlib.sha256(audio[f"tone{i}"].read_bytes()).hexdigest() for i in range(4)}
    assert {d for _, d in stored} == sources  # each file kept its own audio
    assert_disk_agrees(project)


# (case, participant, extra args, audio key, exit code, message)
REFUSED = [
    ("withdrawn participant", "P04", [], "tone0", 1, "P04 withdrew from the study"),
    ("declined participant", "P02", [], "tone0", 1, "Not imported: P02 has not given consent to audio recording"),
    ("no consent at all", "P03", [], "tone0", 1, "P03 has no consent on file; no audio is imported"),
    ("unknown participant", "P09", [], "tone0", 1, "no participant P09; add them first"),
    ("5000-digit code", BIG, [], "tone0", 1, "(5001 characters) is not a participant code"),
    ("malformed code", "Jane Doe", [], "tone0", 1, "'Jane Doe' is not a participant code"),
    ("session that does not exist", "P01", ["--session", "999"], "tone0", 1, "session 999 does not exist"),
    ("another participant's session", "P01", ["--session", "1"], "tone0", 1, "session 1 is P05's, not P01's"),
    ("session not a number", "P01", ["--session", "one"], "tone0", 2, "'one' is not a valid id"),
    ("text file named .wav", "P01", [], "text", 1, "Not imported: notes.wav"),
    ("empty file", "P01", [], "empty", 1, "Not imported: empty.wav"),
    ("unsupported type", "P01", [], "odd", 1, "unsupported file type .docx"),
    ("missing file", "P01", [], "missing", 1, "no such file"),
    ("a folder", "P01", [], "folder", 2, "is a directory"),
    ("a device (/dev/zero)", "P01", [], "device", 1, "is not a regular file"),
]


@pytest.mark.parametrize("case,code,extra,key,exit_code,message", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_imports_leave_nothing_behind(project, audio, case, code, extra, key, exit_code, message) -> None:
    src = {"missing": audio["tone0"].with_name("gone.wav"), "folder": audio["tone0"].parent,
           "device": Path("/dev/zero")}.get(key) or audio[key]
    result = run_cli(project, "import-audio", str(src), "--participant", code, *extra)
    assert_clear(result, exit_code, message)
    assert rows(project) == [] and files_on_disk(project) == set()


def test_full_disk_during_the_copy_leaves_no_file_and_no_row(project, audio) -> None:
    result = run_cli(project, "import-audio", str(audio["big"]), "--participant", "P01",
                     preexec=file_size_limit(1_000_000))
    assert_clear(result, 1, "File too large; nothing was imported")
    assert rows(project) == [] and files_on_disk(project) == set()


def test_database_failure_removes_only_the_file_this_run_created(project, audio, monkeypatch) -> None:
    from interview_tui.audio.convert import import_audio
    from interview_tui.config import Project
    from interview_tui.storage import open_db
    from interview_tui.storage import recordings as store

    db = open_db(project / "interview.db")
    first = import_audio(db, Project(project), audio["tone0"], "P01")

    def broken(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "add_imported_recording", broken)
    with pytest.raises(sqlite3.OperationalError):
        import_audio(db, Project(project), audio["tone1"], "P01")
    assert [r.id for r in store.list_recordings(db)] == [first]
    db.close()
    assert_disk_agrees(project)


@pytest.mark.parametrize("creator", ["import (open xb)", "recorder (CrashSafeWavWriter)"])
def test_a_stray_file_at_the_name_is_never_overwritten(project, creator) -> None:
    """The recorder and import-audio name files with the same function and the same guarantee."""
    from interview_tui.audio.wavfile import CrashSafeWavWriter
    from interview_tui.storage import open_db
    from interview_tui.storage.recordings import claim_recording_file, recording_relpath

    started = datetime(2026, 11, 28, 10, 15, tzinfo=timezone.utc)
    stray = project / recording_relpath("P01", None, started)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"someone's audio")
    create = (lambda p: open(p, "xb")) if creator.startswith("import") else (lambda p: CrashSafeWavWriter(p, 16000, 1))
    db = open_db(project / "interview.db")
    rel, handle = claim_recording_file(db, project, "P01", None, started, ".wav", create)
    handle.close()
    db.close()
    assert rel == "recordings/P01/P01-20261128T101500Z-2.wav"
    assert stray.read_bytes() == b"someone's audio"


# The rule reaches transcription too: audio of these participants is never transcribed.
@pytest.mark.parametrize("code,message", [
    ("P02", "has not given consent to audio recording"),
    ("P03", "P03 has no consent on file"),
    ("P04", "P04 withdrew from the study"),
], ids=["declined", "no consent", "withdrawn"])
def test_transcription_is_refused_by_the_same_rule(project, code, message) -> None:
    from interview_tui.config import Project
    from interview_tui.storage import open_db
    from interview_tui.storage.recordings import add_imported_recording
    from interview_tui.transcription.batch import JobError, Settings, prepare_recording

    db = open_db(project / "interview.db")
    # A row from before the rule (or written by hand): the batch must still refuse it.
    if code == "P04":
        pid = db.execute("SELECT id FROM participants WHERE code = 'P04'").fetchone()[0]
        with db.atomic():
            db.execute("INSERT INTO recordings (participant_id, path, source, state, started_at)"
                       " VALUES (?, 'recordings/P04/x.wav', 'import', 'complete', 'now')", [pid])
        rid = db.execute("SELECT MAX(id) FROM recordings").fetchone()[0]
    else:
        rid = add_imported_recording(db, participant_code=code, path=f"recordings/{code}/x.wav", session_id=None,
                                     sample_rate=16000, channels=1, duration_s=1.0, sha256="0" * 64)
    with pytest.raises(JobError, match=message):
        prepare_recording(db, Project(project), rid, Settings())
    db.close()
