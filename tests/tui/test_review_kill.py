"""Kill the real app (SIGKILL) in the middle of a review: every edit made before is in the database,
and opening the review again resumes the same draft with them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from interview_tui.storage import open_db
from interview_tui.storage import reviews
from interview_tui.storage.transcripts import list_transcripts, load_transcript
from tests.tui.test_kill_resume import TerminalApp

pytestmark = [pytest.mark.slow, pytest.mark.model]


def wait_for_edits(db_path: Path, recording_id: int, kinds: list[str], timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        db = open_db(db_path)
        try:
            latest = reviews.latest_version(db, recording_id)
            found = reviews.edits(db, latest.id) if latest and latest.kind == "review" else []
        finally:
            db.close()
        if [e.kind for e in found] == kinds:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected edits {kinds}, have {[e.kind for e in found]}")
        time.sleep(0.1)


def test_sigkill_during_review_loses_no_saved_edit(review_project) -> None:
    db_path = review_project.root / "interview.db"
    db = open_db(db_path)
    machine_text = [s.text for s in load_transcript(db, review_project.machine_id).segments]
    db.close()
    # The keys below replace "honesty" in segment 2; its unsure marks and pauses differ by CPU, these
    # words do not (on some CPUs the model adds a word in the closing silence, so count from the end).
    assert len(machine_text) == 2 and " trust and honesty." in machine_text[1], machine_text
    after_honesty = machine_text[1].index(" trust and honesty.") + len(" trust and honesty")
    edited = machine_text[1][:after_honesty - len("honesty")] + "openness" + machine_text[1][after_honesty:]
    app = TerminalApp(review_project.root)
    try:
        app.wait_for_text("Participants")
        app.keys("r")
        app.wait_for_text("edits are saved at once")
        app.keys("c")
        app.wait_for_text("Another name")
        app.keys("\r")  # the first suggestion: Interviewer
        app.keys("k")  # segment 1 is right as it is; moves to segment 2
        app.keys("e")
        app.wait_for_text("ctrl+s save")  # the editor is open (and focused)
        app.keys(*["\x1b[D"] * (len(machine_text[1]) - after_honesty), *["\x7f"] * 7)  # left to "honesty", delete it
        app.keys(*"openness", "\x13")  # ctrl+s saves
        edits = wait_for_edits(db_path, review_project.recording_id, ["start", "speaker", "confirm", "text"])
        app.kill9()
    finally:
        app.close()

    db = open_db(db_path)
    rows = list_transcripts(db, review_project.recording_id)
    assert [(r.kind, r.parent_id, r.reviewed_at) for r in rows] == [
        ("machine", None, None), ("review", review_project.machine_id, None)]
    draft = load_transcript(db, rows[1].id).segments
    machine = load_transcript(db, review_project.machine_id).segments
    db.close()
    assert draft[0].speaker == "Interviewer" and machine[0].speaker == "Speaker (mono)"
    assert draft[1].text == edited and machine[1].text == machine_text[1]
    assert edits[-1].details["after"] == edited

    again = TerminalApp(review_project.root)
    try:
        again.wait_for_text("Participants")
        again.keys("r")
        again.wait_for_text("review draft v2")  # the same draft, resumed
        again.wait_for_text("trust and openness.")
    finally:
        again.close()
