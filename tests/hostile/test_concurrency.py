"""Hostile concurrency: a REAL second process holds the project database's write lock while app
sessions, CLI batches and exports write.  Each must wait its turn and succeed, or, past the busy
timeout, say clearly that another program holds the database (never `database is locked` at once)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.hostile import CLI, assert_clear, consent, make_wav, run_cli

HOLD_S = 3.0

HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO settings (key, value) VALUES ('holder', 'x')"
                 " ON CONFLICT(key) DO UPDATE SET value = 'y'")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
""")

# What one app window writes in an interview: a session and its events (storage.sessions).
APP_SESSION = textwrap.dedent("""
    import sys
    from interview_tui.storage import open_db
    from interview_tui.storage.sessions import add_event, close_session, open_session
    db = open_db(sys.argv[1])
    pid = db.execute("SELECT id FROM participants WHERE code = 'P01'").fetchone()[0]
    study = db.execute("SELECT MAX(id) FROM studies").fetchone()[0]
    sid = open_session(db, participant_id=pid, study_id=study)
    for n in range(5):
        add_event(db, sid, "note", text=f"note {n}", session_offset_s=float(n))
    close_session(db, sid)
    print("session", sid)
""")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template") / "project"
    consent(root, "P01")
    return root


@pytest.fixture
def project(template, tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(template, root)
    return root


def hold_lock(project: Path, seconds: float) -> subprocess.Popen[str]:
    """A second process holding the write lock for `seconds`; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(project / "interview.db"), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def writer(project: Path, kind: str, tmp_path: Path) -> list[str]:
    """The command line of one writer of each kind."""
    if kind == "app session":
        return [sys.executable, "-c", APP_SESSION, str(project / "interview.db")]
    base = [*CLI, "--data-dir", str(project)]
    if kind == "cli participants add":
        return [*base, "participants", "add"]
    if kind == "cli consent record":
        return [*base, "consent", "record", "P01", "--form-version", "ita-consent-1.1", "--item",
                "voluntary_participation", "--item", "audio_recording", "--item", "data_processing"]
    if kind == "cli import-audio":
        return [*base, "import-audio", str(make_wav(tmp_path / "take.wav")), "--participant", "P01"]
    if kind == "cli interviewers add":
        return [*base, "interviewers", "add", "MP"]
    if kind == "export qdpx":
        return [*base, "export", "qdpx", str(tmp_path / "out.qdpx")]
    raise AssertionError(kind)


KINDS = ["app session", "cli participants add", "cli consent record", "cli import-audio",
         "cli interviewers add", "export qdpx"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_writer_waits_for_the_lock_and_succeeds(project, tmp_path, kind) -> None:
    holder = hold_lock(project, HOLD_S)
    started = time.monotonic()
    result = subprocess.run(writer(project, kind, tmp_path), capture_output=True, text=True, timeout=120)
    holder.wait(timeout=30)
    assert "Traceback" not in result.stderr and result.returncode == 0, result.stderr
    assert holder.returncode == 0


def test_two_app_sessions_a_cli_batch_and_an_export_at_once(project, tmp_path) -> None:
    holder = hold_lock(project, HOLD_S)
    kinds = ["app session", "app session", "cli import-audio", "cli participants add", "export qdpx"]
    for n in range(len(kinds)):
        (tmp_path / str(n)).mkdir()
    procs = [subprocess.Popen(writer(project, k, tmp_path / str(n)) if k != "cli import-audio"
                              else writer(project, k, tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for n, k in enumerate(kinds)]
    results = [(p.wait(timeout=180), p.communicate()[1]) for p in procs]
    holder.wait(timeout=30)
    for kind, (code, err) in zip(kinds, results):
        assert code == 0 and "Traceback" not in err, f"{kind}: {err}"
    db = sqlite3.connect(project / "interview.db")
    assert db.execute("SELECT COUNT(*) FROM sessions WHERE state = 'closed'").fetchone()[0] == 2
    assert db.execute("SELECT COUNT(*) FROM session_events").fetchone()[0] == 10
    assert db.execute("SELECT COUNT(*) FROM participants").fetchone()[0] == 2
    db.close()


@pytest.mark.parametrize("args,before", [
    (["participants", "add"], "SELECT COUNT(*) FROM participants"),
    (["interviewers", "add", "MP"], "SELECT COUNT(*) FROM interviewers"),
], ids=["participants add", "interviewers add"])
def test_past_the_timeout_it_says_another_program_holds_the_database(project, args, before) -> None:
    db = sqlite3.connect(project / "interview.db")
    count = db.execute(before).fetchone()[0]
    holder = hold_lock(project, 8)
    result = run_cli(project, *args, env={"INTERVIEW_TUI_BUSY_TIMEOUT": "1"})
    holder.wait(timeout=30)
    assert_clear(result, 1, "Another program is writing to the project database")
    assert db.execute(before).fetchone()[0] == count  # nothing half-written
    db.close()


def test_read_then_write_waits_instead_of_failing_at_once(project) -> None:
    """A deferred transaction that reads first cannot wait for the lock; ours take it up front."""
    from interview_tui.storage import open_db

    db = open_db(project / "interview.db", timeout_s=20)
    released = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(project / "interview.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO settings (key, value) VALUES ('other', '1')")
        time.sleep(1.5)
        other.execute("COMMIT")
        other.close()
        released.set()

    with db.atomic():
        db.execute("SELECT COUNT(*) FROM participants").fetchone()
    thread = threading.Thread(target=hold)
    thread.start()
    time.sleep(0.3)
    with db.atomic():  # waits for the other writer, then reads and writes
        n = db.execute("SELECT COUNT(*) FROM settings").fetchone()[0]
        db.execute("INSERT INTO settings (key, value) VALUES ('mine', ?)", [str(n)])
    thread.join()
    assert released.is_set()
    assert db.execute("SELECT value FROM settings WHERE key = 'mine'").fetchone()[0] == str(n)
    db.close()


def test_programs_opening_a_new_project_at_once_migrate_it_once(tmp_path) -> None:
    root = tmp_path / "new-project"
    procs = [subprocess.Popen([*CLI, "--data-dir", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for args in (["participants", "list"], ["participants", "add"], ["interviewers", "add", "MP"],
                          ["participants", "list"], ["consent", "counts"])]
    for p in procs:
        code = p.wait(timeout=120)
        err = p.communicate()[1]
        assert code == 0 and "Traceback" not in err, err
    db = sqlite3.connect(root / "interview.db")
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))
    db.close()
