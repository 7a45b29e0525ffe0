"""After a crash: the app recovers the interrupted recording once at start-up, and finishes its live
transcript only after the interviewer has answered whether to record again (the recorder first)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from interview_tui.audio.wavfile import CrashSafeWavWriter
from interview_tui.storage import open_db
from interview_tui.storage import recordings as store
from interview_tui.storage import transcripts
from interview_tui.storage.sessions import add_event, open_session
from interview_tui.transcription.live import pieces_path
from interview_tui.tui.messages import Notice
from interview_tui.tui.screens.dialogs import ConfirmDialog, ResumeDialog
from interview_tui.tui.screens.interview import InterviewScreen
from tests.fixtures.audio import enroll
from tests.fixtures.speech import INTERVIEW_PARTS, RATE, compose, wer
from tests.fixtures.tui import T0
from tests.tui.test_recorder_panel import SIZE, _until

pytestmark = [pytest.mark.anyio, pytest.mark.model, pytest.mark.slow]


def _crashed_interview(project) -> int:
    """An open session whose recording was cut off by a crash, with its first live piece stored."""
    speech, _ = compose(INTERVIEW_PARTS)
    db = open_db(project.db_path)
    try:
        enroll(db)
        participant = store.participant_row(db, "P01")
        study_id = db.execute("SELECT id FROM studies").fetchone()[0]
        at = T0.isoformat(timespec="microseconds")
        session_id = open_session(db, participant_id=participant.id, study_id=study_id, started_at=at)
        rel = f"recordings/P01/P01-S{session_id}-20260302T093000Z.wav"
        (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
        writer = CrashSafeWavWriter(project.root / rel, RATE, 1)
        writer.write((np.clip(speech, -1, 1) * 32767).astype("<i2").tobytes())
        writer.close()
        rid = store.start_recording(db, participant_code="P01", path=rel, session_id=session_id,
                                    sample_rate=RATE, channels=1, started_at=at)
        add_event(db, session_id, "session_started", session_offset_s=0.0, at=at)
        add_event(db, session_id, "question_reached", question_id="intro-describe", session_offset_s=0.0, at=at)
        add_event(db, session_id, "recording_started", session_offset_s=0.0, recording_id=rid,
                  recording_offset_s=0.0, at=at)
        pieces_path(project.root / rel).write_text(
            json.dumps({"start": 0.0, "end": 1.0, "language": "en", "segments": []}) + "\n")
        return rid
    finally:
        db.close()


async def test_live_transcript_of_a_recovered_recording_waits_for_the_recorder(make_app, project, tiny_en):
    rid = _crashed_interview(project)
    notices: list[Notice] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=lambda m: isinstance(m, Notice) and notices.append(m)) as pilot:
        await _until(pilot, lambda: notices)  # recovered at start-up, while the resume dialog is up
        assert [n.title for n in notices] == ["Interrupted recording found"]
        await _until(pilot, lambda: isinstance(app.screen, ResumeDialog))
        assert not app.live_resume.started
        await pilot.press("enter")  # resume the interview
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Start recording again now?" in app.screen.question
        await pilot.pause(0.5)
        assert not app.live_resume.started  # the recorder comes first
        await pilot.press("n")  # not now
        await _until(pilot, lambda: isinstance(app.screen, InterviewScreen))
        assert app.live_resume.started
        await _until(pilot, lambda: len(notices) == 2, timeout=120)
    assert notices[1].title == "Live transcript resumed" and not notices[1].failed, notices[1].text
    db = open_db(project.db_path)
    try:
        assert store.get_recording(db, rid).state == "recovered"
        transcript = transcripts.load_transcript(db, transcripts.list_transcripts(db, rid)[-1].id)
    finally:
        db.close()
    assert transcript.meta.options["live"] is True
    assert wer(" ".join(t for t, _ in INTERVIEW_PARTS), " ".join(s.text for s in transcript.segments)) <= 0.35
