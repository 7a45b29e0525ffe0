"""Kill the real app (`kill -9`) mid-interview; starting it again resumes with every event kept.

The app runs as its own process in a pseudo-terminal (stdlib `pty`), driven
by key bytes, exactly as an interviewer's terminal would drive it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from interview_tui.domain.loader import default_study
from interview_tui.storage import open_db
from interview_tui.storage.consent import record_consent
from interview_tui.storage.participants import add_participant
from interview_tui.storage.sessions import open_sessions, session_events
from interview_tui.storage.studies import register_study

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


class TerminalApp:
    """`interview-tui` in a pseudo-terminal of 120x40: send keys, read what it draws."""

    def __init__(self, project: Path) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
        env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interview_tui", "--data-dir", str(project)],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        #: notified whenever output arrives (for callers that time what is drawn)
        self.arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.arrived:
                self.output += chunk
                self.arrived.notify_all()

    def text(self) -> str:
        """Everything drawn so far, escape sequences removed (words drawn in one run stay whole)."""
        return ANSI.sub(b"", bytes(self.output)).decode("utf-8", "replace")

    def wait_for_text(self, needle: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if self.proc.poll() is not None:
                raise AssertionError(f"the app exited ({self.proc.returncode}) before showing {needle!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; last output: {self.text()[-2000:]}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, key.encode())
            time.sleep(0.15)  # one key per frame, as a person types

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        try:
            os.close(self.master)
        except OSError:
            pass


def wait_for_events(db_path: Path, count: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while True:
        db = open_db(db_path)
        try:
            sessions = open_sessions(db)
            events = session_events(db, sessions[0].id) if sessions else []
        finally:
            db.close()
        if len(events) >= count:
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} stored events, have {[e.kind for e in events]}")
        time.sleep(0.1)


@pytest.fixture
def consented_project(project):
    """A project with P01 consented on the default study's form, and an interviewer."""
    db = open_db(project.db_path)
    study = default_study()
    study_id = register_study(db, study)
    add_participant(db, study.id)
    form = study.consent
    record_consent(db, "P01", form, given=[i.id for i in form.items], declined=[], decision="given",
                   method="app", study_id=study_id)
    db.close()
    return project


@pytest.mark.slow
def test_kill_9_mid_interview_then_resume_keeps_every_event(consented_project) -> None:
    project = consented_project
    app = TerminalApp(project.root)
    try:
        app.wait_for_text("Participants")
        # The empty interviewer field has the focus; Enter moves on to the place, picking one
        # (Enter, ↓, Enter) moves on to the participant list.
        app.keys("K", "N", "H", "\r", "\r", "\x1b[B", "\r")
        app.keys("i")
        app.wait_for_text("Wrap up")  # the interview screen's footer
        app.keys("1", "2", "n")  # two follow-ups, then the next question
        app.keys("a", *"kill-test note", "\r")
        app.keys("b")
        before = wait_for_events(project.db_path, 7)
        app.wait_for_text("kill-test note")  # shown on screen (it was stored first)
        app.kill9()
    finally:
        app.close()

    assert [(e.kind, e.question_id, e.prompt_id, e.text) for e in before] == [
        ("session_started", None, None, None),
        ("question_reached", "intro-describe", None, None),
        ("probe_opened", "intro-describe", "intro-executing", None),
        ("probe_opened", "intro-describe", "intro-differences", None),
        ("question_reached", "alliance-contact", None, None),
        ("note", "alliance-contact", None, "kill-test note"),
        ("bookmark", "alliance-contact", None, None),
    ]

    again = TerminalApp(project.root)
    try:
        again.wait_for_text("An interview was left open")
        again.keys("\r")  # resume
        again.wait_for_text("kill-test note")  # the activity list is rebuilt from the stored events
        again.keys("b")
        after = wait_for_events(project.db_path, len(before) + 2)
    finally:
        again.close()
    assert after[: len(before)] == before  # nothing lost, nothing changed
    # the resume is an event (the time the app was down is not interview time), then the bookmark
    assert after[len(before)].kind == "session_resumed"
    resumed = after[len(before) + 1]
    assert (resumed.kind, resumed.seq) == ("bookmark", len(before) + 2)
    assert resumed.question_id == before[-1].question_id  # resumed at the question it stopped on
    assert [e.kind for e in after].count("session_started") == 1


@pytest.mark.slow
@pytest.mark.audio
def test_kill_9_while_recording_then_resume_repairs_and_links_the_recording(virtual_mic, consented_project) -> None:
    """SIGKILL mid-recording: on the next start the offer resumes, the file is repaired and linked."""
    from interview_tui.storage.recordings import list_recordings

    project = consented_project
    app = TerminalApp(project.root)  # inherits the virtual microphone's environment
    try:
        app.wait_for_text("Participants")
        app.keys("K", "N", "H", "\r", "\r", "\x1b[B", "\r", "i")
        app.wait_for_text("Wrap up")
        app.keys(" ")
        app.wait_for_text("REC")
        time.sleep(3)  # some seconds of audio on disk
        app.keys("b")
        before = wait_for_events(project.db_path, 4)
        app.kill9()
    finally:
        app.close()
    assert [e.kind for e in before][-2:] == ["recording_started", "bookmark"]
    db = open_db(project.db_path)
    [recording] = list_recordings(db, "P01")
    db.close()
    assert recording.state == "recording"  # the process died with the file open

    again = TerminalApp(project.root)
    try:
        again.wait_for_text("An interview was left open")
        again.keys("\r")
        again.wait_for_text("Interrupted recording found")
        deadline = time.monotonic() + 30
        while True:
            db = open_db(project.db_path)
            recording = list_recordings(db, "P01")[0]
            [session] = open_sessions(db)
            db.close()
            if recording.state != "recording" or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        # the resume offers to record again at once; the crash and the resume are events
        again.wait_for_text("Start recording again now?")
        again.keys("y")
        after = wait_for_events(project.db_path, len(before) + 3)
    finally:
        again.close()
    assert [e.kind for e in after][len(before):len(before) + 3] == [
        "session_interrupted", "session_resumed", "recording_started"]
    assert after[len(before)].at >= before[-1].at  # the crash: when the recording was last written
    assert recording.state == "recovered" and recording.session_id == session.id
    # The bookmark was pressed about 3 s into the recording: the repaired file holds at least that.
    assert recording.duration_s >= before[-1].recording_offset_s
