"""Speakers from the review screen: v finds them by voice (real voices, real encoder), w swaps them."""

from __future__ import annotations

import pytest

from interview_tui.tui.screens.review import ReviewScreen

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def mono_review_project(project, two_voice_interview, speaker_encoder) -> int:
    """The two-voice interview as P01's mono recording with MP, its events, and a one-stream machine transcript."""
    from interview_tui.storage import open_db
    from interview_tui.storage.interviewers import get_or_add_interviewer
    from interview_tui.storage.participants import get_participant
    from interview_tui.storage.recordings import finish_recording, start_recording
    from interview_tui.storage.sessions import add_event, close_session, open_session
    from interview_tui.storage.transcripts import save_transcript
    from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
    from tests.fixtures.audio import enroll
    from tests.fixtures.voices import script_words

    itv = two_voice_interview
    db = open_db(project.db_path)
    study = enroll(db)
    from interview_tui.storage.studies import register_study

    session_id = open_session(db, participant_id=get_participant(db, "P01").id, study_id=register_study(db, study),
                              interviewer_id=get_or_add_interviewer(db, "MP", "interviewer"))
    rel = "recordings/P01/P01-S1.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    itv.write(project.root / rel)
    rid = start_recording(db, participant_code="P01", path=rel, session_id=session_id, sample_rate=16000, channels=1)
    finish_recording(db, rid, duration_s=itv.duration_s, sha256="0" * 64)
    for (kind, t), q in zip(itv.events, study.guide.questions()):
        add_event(db, session_id, kind, question_id=q.id, session_offset_s=t, recording_id=rid, recording_offset_s=t)
    close_session(db, session_id)
    words, _ = script_words(itv)
    segments = [Segment(w.start, w.end, w.word.strip(), [w], "Speaker (mono)") for w in words]
    save_transcript(db, rid, Transcript(TranscriptMeta("tiny.en", None, "faster-whisper", "en", {}), segments))
    db.close()
    return rid


async def test_find_then_swap_speakers_from_the_keyboard(make_app, mono_review_project) -> None:
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.review.speakers() == ["Speaker (mono)"]

        await pilot.press("v")  # nothing named yet: no question, the worker starts at once
        await app.workers.wait_for_complete()
        await pilot.pause()
        segs = screen.review.segments
        assert set(screen.review.speakers()) == {"MP (interviewer)", "P01"}
        assert segs[0].speaker == "MP (interviewer)" and segs[-1].speaker == "P01"

        await pilot.press("w")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.review.segments[0].speaker == "P01" and screen.review.segments[-1].speaker == "MP (interviewer)"

        await pilot.press("v")  # named now: it asks before replacing them; n keeps the swap
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert screen.review.segments[0].speaker == "P01"
