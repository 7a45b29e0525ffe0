"""Hostile withdrawals: earlier exports changed, moved, reused or copied; a real second process
holding the database; a crash half-way.

Withdrawal used to delete whatever sat at an earlier export's path (a methods file the user had
extended, a .qdpx path since reused for notes, in a copied project the ORIGINAL project's exports)
and, stopped by a locked database, left the recording deleted but the participant active with the
key-file entry in place.  Now it deletes only what is provably the export written (its sha256),
reports the rest, and is a recorded procedure that a rerun finishes.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

import interview_tui.export.erase as erase_module
from interview_tui.cli import main
from interview_tui.config import Project
from interview_tui.export.log import AUDIT_ACTION
from interview_tui.domain.transcript import Segment
from interview_tui.privacy.keyfile import KeyFile
from interview_tui.storage import audit, open_db
from interview_tui.storage.recordings import list_recordings
from interview_tui.storage.sessions import add_event
from interview_tui.storage.withdrawal import unfinished_withdrawals
from tests.fixtures.export import add_transcript, make_wav, seed_study

pytestmark = pytest.mark.usefixtures("no_network")

CODE = "P01"


@pytest.fixture
def study(project: Project, db, tmp_path: Path) -> Project:
    """P01-P10 with consent, demographics and interviews; P01 and P02 with audio and a transcript;
    a key file naming P01 and P02."""
    seed_study(db, project, withdrawn=False)
    for code in ("P01", "P02"):
        [rec] = list_recordings(db, code)
        (project.root / rec.path).parent.mkdir(parents=True, exist_ok=True)
        make_wav(project.root / rec.path, seconds=1.0)
        add_transcript(db, rec.id, 1, "machine", (Segment(0.0, 1.0, f"{code} speaking", speaker=code, question_id="intro-describe"),))
        add_event(db, rec.session_id, "question_reached", question_id="intro-describe", session_offset_s=0.0,
                  recording_id=rec.id, recording_offset_s=0.0)
    db.close()
    key = tmp_path / "usb" / "key.json"
    assert _cli(project, "key", "use", str(key)).exit_code == 0
    KeyFile(key).add("P01", "Ann Example")
    KeyFile(key).add("P02", "Bo Example")
    return project


def _cli(project: Project, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args])


def _ok(project: Project, *args: str) -> str:
    result = _cli(project, *args)
    assert result.exit_code == 0, result.output
    return result.output


# -- earlier exports: (id, make the export and tamper with it -> the path, deleted?, reason shown) ---------


def _methods_extended(p: Project, tmp: Path) -> Path:
    out = tmp / "thesis" / "methods.txt"
    _ok(p, "report", "methods", "--out", str(out))
    with out.open("a") as f:
        f.write("\nMy own notes on the sample, written after the export.\n")
    return out


def _qdpx_reused_for_notes(p: Project, tmp: Path) -> Path:
    out = tmp / "handoff" / "study.qdpx"
    _ok(p, "export", "qdpx", str(out))
    out.unlink()
    out.write_text("notes for my supervisor (mention P01 once)")
    return out


def _qdpx_unchanged_outside(p: Project, tmp: Path) -> Path:
    out = tmp / "handoff" / "study.qdpx"
    _ok(p, "export", "qdpx", str(out))
    return out


def _qdpx_unchanged_inside(p: Project, tmp: Path) -> Path:
    out = p.exports_dir / "study.qdpx"
    _ok(p, "export", "qdpx", str(out))
    return out


def _summary_unchanged(p: Project, tmp: Path) -> Path:
    out = tmp / "summary.csv"
    _ok(p, "demographics", "summary", "--format", "csv", "--out", str(out))
    return out


def _summary_extended(p: Project, tmp: Path) -> Path:
    out = tmp / "summary.md"
    _ok(p, "demographics", "summary", "--format", "markdown", "--out", str(out))
    out.write_text(out.read_text() + "\nMy reading of this table.\n")
    return out


def _maxqda_edited_by_user(p: Project, tmp: Path) -> Path:
    out = tmp / "mq"
    _ok(p, "export", "maxqda", str(out))
    (out / "P01.txt").write_text((out / "P01.txt").read_text() + "\nMY CODING MEMO\n", encoding="utf-8")
    return out / "P01.txt"


def _maxqda_unchanged(p: Project, tmp: Path) -> Path:
    out = tmp / "mq"
    _ok(p, "export", "maxqda", str(out))
    return out / "P01.txt"


def _clips_in_a_chosen_folder(p: Project, tmp: Path) -> Path:
    db = open_db(p.db_path)
    session = list_recordings(db, CODE)[0].session_id
    db.close()
    _ok(p, "clips", str(session), "--out", str(tmp / "clips"))
    [clip] = (tmp / "clips").iterdir()
    return clip


def _transcript_files_in_a_chosen_folder(p: Project, tmp: Path) -> Path:
    """`transcribe --recording N --out DIR` (the real tiny model) writes CODE-recN-vK.txt there."""
    db = open_db(p.db_path)
    rid = list_recordings(db, CODE)[0].id
    db.close()
    _ok(p, "transcribe", "--recording", str(rid), "--force", "--model", "tiny.en", "--language", "en", "--format", "txt",
        "--out", str(tmp / "tx"))
    [out] = (tmp / "tx").iterdir()
    assert out.name.startswith(f"{CODE}-rec{rid}-")
    return out


def _swapped_for_a_symlink(p: Project, tmp: Path) -> Path:
    out = tmp / "handoff" / "study.qdpx"
    _ok(p, "export", "qdpx", str(out))
    mine = tmp / "mine.txt"
    mine.write_text("the user's own file")
    out.unlink()
    out.symlink_to(mine)
    return out


def _users_notes_in_exports(p: Project, tmp: Path) -> Path:
    notes = p.exports_dir / "notes.txt"
    notes.parent.mkdir(parents=True, exist_ok=True)
    notes.write_text("Interview with P01 went well; follow up on ward culture.")
    return notes


def _legacy_absolute_entry(p: Project, tmp: Path) -> Path:
    """An export logged by an older version: an absolute path and no checksums."""
    out = tmp / "old" / "study.qdpx"
    out.parent.mkdir(parents=True)
    out.write_bytes(b"PK\x05\x06" + bytes(18))
    db = open_db(p.db_path)
    audit.log(db, AUDIT_ACTION, details={"format": "qdpx", "out": str(out), "participants": [CODE], "transcripts": []})
    db.close()
    return out


def _inside_another_project(p: Project, tmp: Path) -> Path:
    other = tmp / "other-project"
    other.mkdir()
    open_db(other / "interview.db").close()
    out = other / "exports" / "study.qdpx"
    _ok(p, "export", "qdpx", str(out))
    return out


# (id, setup, deleted?, words the report must show for a file left alone)
EXPORTS: list[tuple[str, Callable[[Project, Path], Path], bool, str]] = [
    ("methods-file-the-user-extended", _methods_extended, False, "changed since the export"),
    ("qdpx-path-reused-for-notes", _qdpx_reused_for_notes, False, "changed since the export"),
    ("qdpx-unchanged-outside-the-project", _qdpx_unchanged_outside, True, ""),
    ("qdpx-unchanged-inside-the-project", _qdpx_unchanged_inside, True, ""),
    ("demographics-summary-unchanged", _summary_unchanged, True, ""),
    ("demographics-summary-extended", _summary_extended, False, "changed since the export"),
    ("maxqda-file-the-user-coded-in", _maxqda_edited_by_user, False, "changed since the export"),
    ("maxqda-file-unchanged", _maxqda_unchanged, True, ""),
    ("clips-in-a-chosen-folder", _clips_in_a_chosen_folder, True, ""),
    ("transcript-files-in-a-chosen-folder", _transcript_files_in_a_chosen_folder, True, ""),
    ("export-swapped-for-a-symlink", _swapped_for_a_symlink, False, "no longer the file"),
    ("users-notes-in-the-exports-folder", _users_notes_in_exports, False, "no export of this project"),
    ("export-logged-before-checksums", _legacy_absolute_entry, False, "before checksums"),
    ("export-inside-another-project", _inside_another_project, False, "another project folder"),
]


@pytest.mark.parametrize("case_id, setup, deleted, why", EXPORTS, ids=[c[0] for c in EXPORTS])
def test_withdrawal_deletes_only_what_it_provably_wrote(study: Project, tmp_path: Path, case_id, setup, deleted, why) -> None:
    path = setup(study, tmp_path)
    before = path.read_bytes() if path.exists() else None
    result = _cli(study, "withdraw", CODE, "--yes")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if deleted:
        assert not os.path.lexists(path), result.output
    else:
        assert os.path.lexists(path) and path.read_bytes() == before
        assert f"Not deleted, check by hand: {path}" in result.output and why in result.output, result.output
    if case_id == "export-swapped-for-a-symlink":
        assert (tmp_path / "mine.txt").read_text() == "the user's own file"


def test_maxqda_versions_list_is_trimmed_for_each_withdrawal(study: Project, tmp_path: Path) -> None:
    """Two withdrawals in turn: the second still trusts versions.txt (its new checksum was recorded)."""
    out = tmp_path / "mq"
    _ok(study, "export", "maxqda", str(out))
    _ok(study, "withdraw", "P01", "--yes")
    second = _ok(study, "withdraw", "P02", "--yes")
    assert "Not deleted" not in second
    names = sorted(p.name for p in out.iterdir())
    assert "P01.txt" not in names and "P02.txt" not in names and "versions.txt" in names
    text = (out / "versions.txt").read_text("utf-8-sig")
    assert "\tP01\t" not in text and "\tP02\t" not in text


def test_a_copied_project_never_touches_the_original_exports(study: Project, tmp_path: Path) -> None:
    """Paths inside the project are stored relative: the copy's withdrawal erases the copy's export."""
    _ok(study, "export", "qdpx", str(study.exports_dir / "study.qdpx"))
    _ok(study, "export", "folder", str(study.exports_dir / "folder"))
    copy = Project(tmp_path / "copy")
    shutil.copytree(study.root, copy.root)
    _ok(copy, "withdraw", CODE, "--yes")
    assert not (copy.exports_dir / "study.qdpx").exists() and not (copy.exports_dir / "folder" / CODE).exists()
    assert (study.exports_dir / "study.qdpx").is_file() and (study.exports_dir / "folder" / CODE).is_dir()
    manifest = json.loads((study.exports_dir / "folder" / "manifest.json").read_text("utf-8"))
    assert CODE in manifest["participants"]


# -- a real second process holding the database ------------------------------------------------------

LOCKER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


class Locker:
    """Another program holding the project's write lock until `release()`."""

    def __init__(self, db_path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(db_path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait half a second for a lock instead of 30 (the test proves the outcome, not the patience)."""
    import interview_tui.storage.db as db_module

    connect = sqlite3.connect
    monkeypatch.setattr(db_module.sqlite3, "connect", lambda *a, **kw: connect(*a, **{**kw, "timeout": 0.5}))


def _state(project: Project, key: Path) -> dict:
    db = open_db(project.db_path)
    try:
        [rec] = [r for r in db.execute("SELECT r.path FROM recordings r JOIN participants p ON p.id = r.participant_id "
                                       "WHERE p.code = ?", [CODE])] or [(None,)]
        return {
            "withdrawn": db.execute("SELECT withdrawn_at FROM participants WHERE code = ?", [CODE]).fetchone()[0] is not None,
            "consent_rows": db.execute("SELECT COUNT(*) FROM consent_records c JOIN participants p ON p.id = c.participant_id "
                                       "WHERE p.code = ?", [CODE]).fetchone()[0],
            "recording_on_disk": rec[0] is not None and (project.root / rec[0]).exists(),
            "key_entry": CODE in KeyFile(key).load(),
            "unfinished": unfinished_withdrawals(db),
            "withdrawn_entries": len(audit.entries(db, action="withdrawn", participant_code=CODE)),
        }
    finally:
        db.close()


@pytest.mark.usefixtures("short_busy_timeout")
def test_locked_before_it_starts_nothing_is_erased(study: Project, tmp_path: Path) -> None:
    key = tmp_path / "usb" / "key.json"
    locker = Locker(study.db_path)
    try:
        result = _cli(study, "withdraw", CODE, "--yes")
    finally:
        locker.release()
    assert result.exit_code == 1 and "in use by another program" in result.output and "nothing was erased" in result.output
    assert "Traceback" not in result.output
    assert _state(study, key) == {"withdrawn": False, "consent_rows": 1, "recording_on_disk": True, "key_entry": True,
                                  "unfinished": [], "withdrawn_entries": 0}


@pytest.mark.usefixtures("short_busy_timeout")
def test_locked_half_way_is_unfinished_then_a_rerun_finishes(study: Project, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The quoted defect: files erased, then the database locked by another program."""
    key = tmp_path / "usb" / "key.json"
    original = erase_module.erase_participant_exports
    lockers: list[Locker] = []

    def erase_then_lock(db, code, root=None):
        erased = original(db, code, root)
        lockers.append(Locker(study.db_path))  # another program takes the database now
        return erased

    monkeypatch.setattr(erase_module, "erase_participant_exports", erase_then_lock)
    try:
        result = _cli(study, "withdraw", CODE, "--yes")
    finally:
        for locker in lockers:
            locker.release()
    assert result.exit_code == 1 and "unfinished" in result.output and f"withdraw {CODE}" in result.output, result.output
    assert "Traceback" not in result.output
    # One state: withdrawn (never active again), recorded as unfinished, and said so on every command.
    state = _state(study, key)
    assert state["withdrawn"] and state["unfinished"] == [CODE] and not state["recording_on_disk"]
    listing = _cli(study, "participants", "list")
    assert f"withdrawal of {CODE} is unfinished" in listing.output and f"interview-tui withdraw {CODE} --yes" in listing.output
    assert not any(line.split()[:1] == [CODE] for line in listing.output.splitlines())  # not listed as active
    assert any(line.split()[:1] == ["P02"] for line in listing.output.splitlines())

    monkeypatch.setattr(erase_module, "erase_participant_exports", original)
    finished = _cli(study, "withdraw", CODE, "--yes")
    assert finished.exit_code == 0 and f"{CODE} withdrawn" in finished.output, finished.output
    assert _state(study, key) == {"withdrawn": True, "consent_rows": 0, "recording_on_disk": False, "key_entry": False,
                                  "unfinished": [], "withdrawn_entries": 1}
    assert "unfinished" not in _cli(study, "participants", "list").output


def test_a_crash_half_way_is_finished_by_the_next_run(study: Project, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "usb" / "key.json"
    import interview_tui.storage.withdrawal as withdrawal

    def crash(*_a, **_kw):
        raise KeyboardInterrupt  # the power goes, the process is killed: nothing after this runs

    monkeypatch.setattr(withdrawal, "_delete_rows", crash)
    _cli(study, "withdraw", CODE, "--yes")
    assert _state(study, key)["unfinished"] == [CODE]
    monkeypatch.undo()
    _ok(study, "withdraw", CODE, "--yes")
    state = _state(study, key)
    assert state["unfinished"] == [] and state["consent_rows"] == 0 and state["withdrawn_entries"] == 1


# -- private by default -------------------------------------------------------------------------------


def test_project_files_are_private_even_under_a_permissive_umask(tmp_path: Path, repo_root: Path) -> None:
    """A real `interview-tui` process started with umask 022: database, recordings, outputs are the user's alone."""
    root = tmp_path / "proj"
    env = {**os.environ, "PYTHONPATH": str(repo_root)}

    def run(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "interview_tui", "--data-dir", str(root), *args], env=env,
                              capture_output=True, text=True, preexec_fn=lambda: os.umask(0o022), timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    run("participants", "add", "--code", "P01")
    (tmp_path / "keys").mkdir()  # keygen never creates a missing folder (a mistyped path is refused)
    run("keygen", "--out", str(tmp_path / "keys" / "study.key"))
    modes = {p.name: os.stat(p).st_mode & 0o777 for p in [root, root / "recordings", *root.glob("interview.db*"),
                                                            tmp_path / "keys" / "study.key"]}
    assert modes["interview.db"] == 0o600 and modes["recordings"] == 0o700 and modes["proj"] == 0o700, modes
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes
