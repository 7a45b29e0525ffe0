"""Hostile input to the CLI as real processes: damaged databases, read-only folders, full disks,
absurd codes, missing folders and wrong types.  Each ends with its exit code, a clear message and
never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.hostile import assert_clear, consent, file_size_limit, make_wav, run_cli

BIG = "P" + "7" * 5000


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """P01 consented, P02 declined, P03 withdrawn."""
    root = tmp_path_factory.mktemp("template") / "project"
    consent(root, "P01")
    consent(root, "P02", decision="declined")
    consent(root, "P03")
    assert run_cli(root, "withdraw", "P03", "--yes").returncode == 0
    return root


@pytest.fixture
def project(template, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(template, root)
    return root


def _garbage(root: Path) -> None:
    (root / "interview.db").write_text("these are my interview notes, not a database\n" * 50)


def _truncated(root: Path) -> None:
    data = (root / "interview.db").read_bytes()
    (root / "interview.db").write_bytes(data[:100] + b"\xff" * (len(data) - 100))


def _folder(root: Path) -> None:
    (root / "interview.db").unlink()
    (root / "interview.db").mkdir()


def _nothing(root: Path) -> None:
    pass


SETUPS = {"garbage db": _garbage, "damaged db": _truncated, "db is a folder": _folder, "-": _nothing}

# (case, setup, args, exit code, message); "{tmp}" is a scratch folder, "{wav}" a real audio file.
CASES = [
    ("non-SQLite interview.db: list", "garbage db", ["participants", "list"], 1, "is damaged or is not a SQLite database"),
    ("non-SQLite interview.db: add", "garbage db", ["participants", "add"], 1, "is damaged or is not a SQLite database"),
    ("damaged interview.db", "damaged db", ["participants", "list"], 1, "is damaged or is not a SQLite database"),
    ("interview.db is a folder", "db is a folder", ["participants", "list"], 1, "is a folder, not the project database"),
    ("5000-digit code: add", "-", ["participants", "add", "--code", BIG], 1, "(5001 characters) is not a participant code"),
    ("5000-digit code: consent show", "-", ["consent", "show", BIG], 1, "(5001 characters) is not a participant code"),
    ("5000-digit code: consent record", "-", ["consent", "record", BIG, "--form-version", "ita-consent-1.1"], 1,
     "(5001 characters) is not a participant code"),
    ("5000-digit code: withdraw", "-", ["withdraw", BIG, "--yes"], 1, "(5001 characters) is not a participant code"),
    ("5000-digit code: import-audio", "-", ["import-audio", "{wav}", "--participant", BIG], 1,
     "(5001 characters) is not a participant code"),
    ("code with a name in it", "-", ["participants", "add", "--code", "Jane Doe"], 1, "'Jane Doe' is not a participant code"),
    ("keygen --out into a missing folder", "-", ["keygen", "--out", "{tmp}/missing/dir/study.key"], 1,
     "missing/dir does not exist; create it first"),
    ("keygen --out a folder", "-", ["keygen", "--out", "{tmp}"], 2, "is a directory"),
    ("import-audio --session 999", "-", ["import-audio", "{wav}", "--participant", "P01", "--session", "999"], 1,
     "session 999 does not exist"),
    ("import-audio of a folder", "-", ["import-audio", "{tmp}", "--participant", "P01"], 2, "is a directory"),
    ("demographics import of a folder", "-", ["demographics", "import", "{tmp}"], 2, "is a directory"),
    ("demographics import of a missing file", "-", ["demographics", "import", "{tmp}/none.csv"], 2, "does not exist"),
    ("transcribe an unknown recording", "-", ["transcribe", "--recording", "999"], 0, "recording 999: no such recording"),
    ("transcribe --recording not a number", "-", ["transcribe", "--recording", "one"], 2, "'one' is not a valid id"),
    ("clips of an unknown session", "-", ["clips", "999"], 1, "no session 999"),
    ("transcribe --beam-size 0", "-", ["transcribe", "{wav}", "--beam-size", "0"], 2, "0 is not in the range 1<=x<=64"),
    ("transcribe --batch-size huge", "-", ["transcribe", "{wav}", "--batch-size", "9" * 23], 2, "is not in the range"),
    ("clips of a 23-digit session", "-", ["clips", "9" * 23], 2, "is not an id; ids are whole numbers from 1"),
    ("transcribe a 23-digit recording", "-", ["transcribe", "--recording", "9" * 23], 2, "is not an id"),
    ("transcribe session 0", "-", ["transcribe", "--session", "0"], 2, "0 is not an id"),
    ("import-audio a 5000-digit session", "-", ["import-audio", "{wav}", "--participant", "P01", "--session", "9" * 5000],
     2, "(5000 characters) is not an id"),
    ("review signoff a negative id", "-", ["review", "signoff", "--", "-3", "--by", "MP"], 2, "-3 is not an id"),
    ("record with a 23-digit session", "-", ["record", "--participant", "P01", "--session", "9" * 23], 2, "is not an id"),
    ("consent for an unknown participant", "-", ["consent", "show", "P42"], 1, "P42"),
    ("withdraw an unknown participant", "-", ["withdraw", "P42", "--yes"], 1, "no participant P42"),
]


@pytest.mark.parametrize("case,setup,args,exit_code,message", CASES, ids=[c[0] for c in CASES])
def test_clear_message_never_a_traceback(project, tmp_path, case, setup, args, exit_code, message) -> None:
    SETUPS[setup](project)
    wav = make_wav(tmp_path / "take.wav")
    args = [a.replace("{tmp}", str(tmp_path)).replace("{wav}", str(wav)) for a in args]
    before = sorted(p.name for p in (project / "recordings").rglob("*")) if (project / "recordings").is_dir() else []
    assert_clear(run_cli(project, *args), exit_code, message)
    after = sorted(p.name for p in (project / "recordings").rglob("*")) if (project / "recordings").is_dir() else []
    assert after == before  # nothing left behind


def test_data_dir_that_is_a_file(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    assert_clear(run_cli(tmp_path / "notes.txt", "participants", "list"), 2, "is a file")


# -- demographics follow the same consent rule as the app (storage.permission) ---------------------

CSV_HEAD = "participant,age,gender,profession,years_experience,years_involuntary,special_education\n"


@pytest.mark.parametrize("rows,message", [
    (["P02,61,woman,psychiatrist,36,12,cbt"], "P02 declined (or withdrew) consent"),
    (["P01,46,woman,clinical_psychologist,18,7,cbt", "P02,61,woman,psychiatrist,36,12,cbt"],
     "P02 declined (or withdrew) consent"),
    (["P03,50,man,psychiatrist,20,5,"], "P03 withdrew"),
], ids=["declined participant", "declined among consenting", "withdrawn participant"])
def test_demographics_import_refused_whole_for_who_may_not_give_data(project, tmp_path, rows, message) -> None:
    csv = tmp_path / "answers.csv"
    csv.write_text(CSV_HEAD + "\n".join(rows) + "\n")
    assert_clear(run_cli(project, "demographics", "import", str(csv)), 1, message)
    db = sqlite3.connect(project / "interview.db")
    assert db.execute("SELECT COUNT(*) FROM demographic_values").fetchone()[0] == 0  # nothing, for anyone
    db.close()


def test_demographics_import_for_a_consenting_participant_still_works(project, tmp_path) -> None:
    csv = tmp_path / "answers.csv"
    csv.write_text(CSV_HEAD + "P01,46,woman,clinical_psychologist,18,7,cbt\n")
    assert_clear(run_cli(project, "demographics", "import", str(csv)), 0, "Imported demographics of 1 participant")


# -- a read-only project folder ---------------------------------------------------------------


@pytest.fixture
def read_only(project, tmp_path):
    """The project folder, read-only: a read-only bind mount as root (root ignores permissions)."""
    if os.geteuid() != 0:
        for p in [project, *project.rglob("*")]:
            p.chmod(0o555 if p.is_dir() else 0o444)
        yield project
        for p in [project, *project.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        return
    mount = tmp_path / "ro"
    mount.mkdir()
    ok = subprocess.run(["mount", "--bind", str(project), str(mount)], capture_output=True).returncode == 0
    if ok:
        ok = subprocess.run(["mount", "-o", "remount,ro,bind", str(mount)], capture_output=True).returncode == 0
        if not ok:
            subprocess.run(["umount", str(mount)])
    if not ok:
        pytest.skip("running as root without permission to mount: cannot make a folder read-only")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.parametrize("args", [["participants", "list"], ["participants", "add"], ["consent", "show", "P01"],
                                  ["import-audio", "{wav}", "--participant", "P01"]],
                         ids=["participants list", "participants add", "consent show", "import-audio"])
def test_read_only_project_folder(read_only, tmp_path, args) -> None:
    wav = make_wav(tmp_path / "take.wav")
    args = [a.replace("{wav}", str(wav)) for a in args]
    assert_clear(run_cli(read_only, *args), 1, "read-only")


# -- a full disk ------------------------------------------------------------------------------


def test_full_disk_database_write(project) -> None:
    db = sqlite3.connect(project / "interview.db")
    count = db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
    result = run_cli(project, "participants", "add", preexec=file_size_limit(4096))
    assert_clear(result, 1, "The disk is full (or the file size limit is reached)")
    assert db.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == count
    db.close()


def test_full_disk_keygen_leaves_no_half_key(tmp_path) -> None:
    result = run_cli(tmp_path / "p", "keygen", "--out", str(tmp_path / "study.key"), preexec=file_size_limit(10))
    assert_clear(result, 1, "No key was written")
    assert not (tmp_path / "study.key").exists()


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 1 MiB filesystem (tmpfs), where root may mount one."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root); RLIMIT_FSIZE cases cover a full disk")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_full_disk_for_real(tiny_disk, tmp_path) -> None:
    root = tiny_disk / "project"
    consent(root, "P01")
    big = make_wav(tmp_path / "long.wav", seconds=60)  # 1.9 MB: does not fit
    assert_clear(run_cli(root, "import-audio", str(big), "--participant", "P01"), 1, "No space left on device")
    assert not any(p.is_file() for p in (root / "recordings").rglob("*"))
    (tiny_disk / "filler").write_bytes(b"\0" * (shutil.disk_usage(tiny_disk).free - 4096))
    assert_clear(run_cli(root, "participants", "add"), 1, "The disk is full")


# -- the last resort --------------------------------------------------------------------------


def test_an_unexpected_error_is_a_short_message_and_a_log(tmp_path, monkeypatch) -> None:
    import click
    from click.testing import CliRunner

    from interview_tui.cli.errors import ProjectGroup

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)

    @click.group(cls=ProjectGroup)
    def group() -> None:
        pass

    @group.command()
    def boom() -> None:
        raise KeyError("a bug")

    result = CliRunner().invoke(group, ["boom"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "Unexpected error (KeyError" in result.output and "The full report is in" in result.output
    logs = list(tmp_path.glob("interview-tui-error-*.log"))
    assert len(logs) == 1 and "KeyError: 'a bug'" in logs[0].read_text()
    assert logs[0].stat().st_mode & 0o077 == 0  # private to the user
