"""Hostile output paths: every command that writes where the user says, aimed at what must survive.

Real projects, real files, the real CLI (run from inside the project folder, as a user would).
`export qdpx interview.db` once turned the database into a zip; the key file and a user's own
`thesis/chapter3.txt` went the same way.  Now an existing file is refused unless --force, and the
database (-wal/-shm/-journal), the recordings and the key file are refused even with --force.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.config import Project
from interview_tui.transcription.formats import write_outputs
from interview_tui.outputs import Guard, OutputError, write_output
from interview_tui.storage import open_db
from interview_tui.storage.recordings import list_recordings
from interview_tui.storage.sessions import add_event
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from tests.fixtures.export import add_transcript, make_wav, seed_study

pytestmark = pytest.mark.usefixtures("no_network")

KEY = "{key}"  # replaced by the configured key file's path


@pytest.fixture
def hostile(project: Project, db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The seed study with P01's audio and transcript, a configured key file, cwd = the project folder."""
    seed_study(db, project)
    [rec] = list_recordings(db, "P01")
    (project.root / rec.path).parent.mkdir(parents=True, exist_ok=True)
    make_wav(project.root / rec.path, seconds=1.0)
    add_transcript(db, rec.id, 1, "machine", (Segment(0.0, 1.0, "hello there", speaker="P01", question_id="intro-describe"),))
    add_event(db, rec.session_id, "question_reached", question_id="intro-describe", session_offset_s=0.0,
              recording_id=rec.id, recording_offset_s=0.0)
    db.close()
    key = tmp_path / "usb" / "key.json"
    for args in (["key", "use", str(key)], ["key", "add", "P01", "--name", "Ann Example"]):
        assert _cli(project, *args).exit_code == 0
    monkeypatch.chdir(project.root)
    return project


def _cli(project: Project, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args])


def _digest(paths: list[Path]) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _protected_state(project: Project, key: Path) -> dict[str, str]:
    return _digest(sorted(project.recordings_dir.rglob("*")) + [key])


def _db_intact(project: Project) -> None:
    assert not zipfile.is_zipfile(project.db_path)
    conn = sqlite3.connect(project.db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == 17
    finally:
        conn.close()


def _symlink(name: str, to: str):
    def setup(root: Path) -> None:
        (root / name).symlink_to(root / to)
    return setup


# (id, setup, argv): each must end in a refusal that names the protected thing; nothing protected changes.
PROTECTED = [
    ("qdpx-onto-the-database", None, ["export", "qdpx", "interview.db"]),
    ("qdpx-onto-the-database-forced", None, ["export", "qdpx", "interview.db", "--force"]),
    ("qdpx-onto-the-database-via-dotdot", None, ["export", "qdpx", "../project/./recordings/../interview.db", "--force"]),
    ("qdpx-onto-the-wal", None, ["export", "qdpx", "interview.db-wal", "--force"]),
    ("qdpx-onto-the-journal", None, ["export", "qdpx", "interview.db-journal", "--force"]),
    ("qdpx-through-a-symlink-to-the-database", _symlink("link.qdpx", "interview.db"), ["export", "qdpx", "link.qdpx", "--force"]),
    ("qdpx-into-recordings", None, ["export", "qdpx", "recordings/P01/x.qdpx"]),
    ("qdpx-through-a-symlinked-folder-into-recordings", _symlink("rec", "recordings"), ["export", "qdpx", "rec/x.qdpx", "--force"]),
    ("qdpx-onto-the-key-file", None, ["export", "qdpx", KEY, "--force"]),
    ("maxqda-into-recordings", None, ["export", "maxqda", "recordings", "--force"]),
    ("nvivo-into-a-participant-recordings-folder", None, ["export", "nvivo", "recordings/P01", "--force"]),
    ("docx-into-recordings", None, ["export", "docx", "recordings/new", "--force"]),
    ("folder-into-recordings", None, ["export", "folder", "recordings/new", "--force"]),
    ("methods-onto-the-database", None, ["report", "methods", "--out", "interview.db", "--force"]),
    ("methods-onto-the-key-file", None, ["report", "methods", "--out", KEY, "--force"]),
    ("summary-onto-the-database", None, ["demographics", "summary", "--out", "interview.db", "--force"]),
    ("summary-onto-the-shm", None, ["demographics", "summary", "--out", "interview.db-shm", "--force"]),
    ("summary-into-recordings", None, ["demographics", "summary", "--out", "recordings/summary.txt"]),
    ("clips-into-recordings", None, ["clips", "{session}", "--out", "recordings/P01/clips", "--force"]),
    ("keygen-onto-the-journal", None, ["keygen", "--out", "interview.db-journal"]),
    ("keygen-into-recordings", None, ["keygen", "--out", "recordings/study.key"]),
]


@pytest.mark.parametrize("case_id, setup, argv", PROTECTED, ids=[c[0] for c in PROTECTED])
def test_never_writes_over_the_project(hostile: Project, tmp_path: Path, case_id, setup, argv) -> None:
    key = tmp_path / "usb" / "key.json"
    db = open_db(hostile.db_path)
    session = str(list_recordings(db, "P01")[0].session_id)
    db.close()
    argv = [str(key) if a == KEY else session if a == "{session}" else a for a in argv]
    if setup:
        setup(hostile.root)
    before = _protected_state(hostile, key)
    result = _cli(hostile, *argv)
    assert result.exit_code == 1, result.output
    assert "never written over" in result.output and "Traceback" not in result.output, result.output
    assert _protected_state(hostile, key) == before
    _db_intact(hostile)
    assert not list(hostile.root.rglob("*.partial"))  # no staging left behind


def _user_file(rel: str, text: str = "my own chapter 3"):
    def setup(root: Path) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path
    return setup


# (id, setup making the user's file, argv): refused without --force, the user's bytes intact.
EXISTING = [
    ("qdpx-onto-a-thesis-chapter", _user_file("thesis/chapter3.txt"), ["export", "qdpx", "thesis/chapter3.txt"]),
    ("qdpx-onto-an-earlier-export", _user_file("out/study.qdpx"), ["export", "qdpx", "out/study.qdpx"]),
    ("maxqda-onto-a-users-P01.txt", _user_file("mq/P01.txt"), ["export", "maxqda", "mq"]),
    ("nvivo-onto-a-users-versions.txt", _user_file("nv/versions.txt"), ["export", "nvivo", "nv"]),
    ("docx-onto-a-users-P01.docx", _user_file("dx/P01.docx"), ["export", "docx", "dx"]),
    ("folder-into-a-users-folder", _user_file("fo/notes.txt"), ["export", "folder", "fo", "--force"]),
    ("methods-onto-a-users-file", _user_file("methods.txt"), ["report", "methods", "--out", "methods.txt"]),
    ("summary-onto-a-users-file", _user_file("summary.md"), ["demographics", "summary", "--out", "summary.md"]),
    ("clips-onto-a-users-clip", _user_file("cl/P01-S1-01-intro-describe.wav"), ["clips", "1", "--out", "cl"]),
    ("keygen-onto-an-existing-key", _user_file("../study.key", "AGE-SECRET-KEY-1..."), ["keygen", "--out", "../study.key"]),
]


@pytest.mark.parametrize("case_id, setup, argv", EXISTING, ids=[c[0] for c in EXISTING])
def test_refuses_an_existing_file_without_force(hostile: Project, case_id, setup, argv) -> None:
    path = setup(hostile.root)
    before = path.read_bytes()
    result = _cli(hostile, *argv)
    assert result.exit_code == 1, result.output
    assert ("--force" in result.output or "never overwritten" in result.output
            or "not empty" in result.output), result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before
    assert not list(path.parent.glob(".*.partial"))


FORCED = [
    ("qdpx-onto-a-thesis-chapter", "thesis/chapter3.txt", ["export", "qdpx", "thesis/chapter3.txt", "--force"]),
    ("maxqda-onto-a-users-P01.txt", "mq/P01.txt", ["export", "maxqda", "mq", "--force"]),
    ("methods-onto-a-users-file", "methods.txt", ["report", "methods", "--out", "methods.txt", "--force"]),
    ("summary-onto-a-users-file", "summary.md", ["demographics", "summary", "--out", "summary.md", "--force"]),
]


@pytest.mark.parametrize("case_id, rel, argv", FORCED, ids=[c[0] for c in FORCED])
def test_force_replaces_a_users_file(hostile: Project, case_id, rel, argv) -> None:
    path = _user_file(rel)(hostile.root)
    result = _cli(hostile, *argv)
    assert result.exit_code == 0, result.output
    assert path.read_bytes() != b"my own chapter 3"


def test_a_forced_folder_export_replaces_the_earlier_one_whole(hostile: Project) -> None:
    """Re-exporting only P01 over an earlier export of everyone leaves no stale participant folder."""
    assert _cli(hostile, "export", "folder", "fo").exit_code == 0
    assert (hostile.root / "fo" / "P02").is_dir()
    again = _cli(hostile, "export", "folder", "fo", "-p", "P01")
    assert again.exit_code == 1 and "--force" in again.output
    assert _cli(hostile, "export", "folder", "fo", "-p", "P01", "--force").exit_code == 0
    assert sorted(p.name for p in (hostile.root / "fo").iterdir()) == ["P01", "manifest.json"]


def test_new_output_paths_are_made_and_private(hostile: Project) -> None:
    """A missing folder is created; files 0600 and folders 0700 (the CLI sets a private umask)."""
    result = _cli(hostile, "export", "maxqda", "new/deeper/mq")
    assert result.exit_code == 0, result.output
    files = list((hostile.root / "new").rglob("*"))
    assert files and all(os.stat(p).st_mode & 0o077 == 0 for p in files)


# -- the writer itself: crashes, full disks and races never leave a half file at the user's path ------


def _half_then(exc: BaseException):
    def write(staged: Path) -> None:
        staged.write_bytes(b"PK\x03\x04 half a zip")
        raise exc
    return write


def _appears_meanwhile(target: Path):
    def write(staged: Path) -> None:
        staged.write_text("export")
        target.write_text("someone else's file, written meanwhile")
    return write


WRITER = [
    ("crash-half-way", _half_then(RuntimeError("killed")), RuntimeError),
    ("disk-full", _half_then(OSError(errno.ENOSPC, "No space left on device")), OSError),
    ("ctrl-c", _half_then(KeyboardInterrupt()), KeyboardInterrupt),
]


@pytest.mark.parametrize("case_id, write, raised", WRITER, ids=[c[0] for c in WRITER])
def test_a_failed_writer_leaves_nothing(tmp_path: Path, case_id, write, raised) -> None:
    target = tmp_path / "out" / "study.qdpx"
    with pytest.raises(raised):
        write_output(target, write, guard=Guard())
    assert not target.exists() and list((tmp_path / "out").iterdir()) == []


def test_a_file_that_appears_while_writing_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "study.qdpx"
    with pytest.raises(OutputError, match="already exists"):
        write_output(target, _appears_meanwhile(target), guard=Guard())
    assert target.read_text() == "someone else's file, written meanwhile"


def test_transcript_files_never_land_in_recordings(project: Project) -> None:
    """`transcribe FILE --out recordings/...`: the transcript writer refuses before writing."""
    meta = TranscriptMeta(model="base", model_sha256=None, engine="x", language="en", options={})
    transcript = Transcript(meta, [Segment(0.0, 1.0, "hi", speaker="A")])
    with pytest.raises(OutputError, match="recordings folder"):
        write_outputs(transcript, project.recordings_dir / "P01" / "P01", ["txt"], guard=Guard.for_project(project))
    assert list(project.recordings_dir.rglob("*")) == []


# -- decrypting on the analysis machine ----------------------------------------------------------------

DECRYPT = [  # (id, where the decrypted file would go, extra args, exit code, message, the file there after)
    ("onto-an-existing-file", "notes.txt", [], 1, "--force", b"my notes"),
    ("onto-an-existing-file-forced", "notes.txt", ["--force"], 0, "", b"secret transcript"),
    ("into-recordings", "recordings/P01/notes.txt", ["--force"], 1, "never written over", None),
]


@pytest.mark.parametrize("case_id, rel, extra, code, message, after", DECRYPT, ids=[c[0] for c in DECRYPT])
def test_decrypt_never_overwrites(hostile: Project, age_keys, tmp_path: Path, case_id, rel, extra, code, message,
                                  after) -> None:
    import pyrage

    from interview_tui.privacy.agekeys import parse_recipients

    key_path, public = age_keys
    dst = hostile.root / rel
    src = tmp_path / "incoming" / "notes.txt.age"
    src.parent.mkdir()
    src.write_bytes(pyrage.encrypt(b"secret transcript", parse_recipients([public])))
    if dst.parent.is_dir() and "recordings" not in rel:
        dst.write_bytes(b"my notes")
    result = _cli(hostile, "decrypt", str(src), "-i", str(key_path), "--out", str(dst.parent), *extra)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert (dst.read_bytes() if dst.exists() else None) == after
