"""An interview that took two recordings is reviewed as one transcript in the review screen: one
document on the interview's timeline with the boundary marked, each edit saved into its own
recording's review version, one sign-off, and playback that goes on from one file into the next."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from interview_tui.audio.playback import AudioSource
from interview_tui.domain.timecode import mm_ss
from interview_tui.storage import open_db
from interview_tui.storage import reviews
from interview_tui.storage.transcripts import list_transcripts, load_transcript
from interview_tui.tui.screens.review import ReviewScreen
from interview_tui.tui.widgets.review_editor import SegmentEditor
from interview_tui.tui.widgets.review_segments import SegmentList
from tests.fixtures.review import TwoRecordings

pytestmark = [pytest.mark.anyio, pytest.mark.audio, pytest.mark.slow]


async def wait_for(pilot, condition, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.1)):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("timed out")


def versions(project, recording_id: int) -> list:
    db = open_db(project.db_path)
    try:
        return [(r.kind, r.reviewed_by, load_transcript(db, r.id).segments,
                 reviews.heard_spans(db, r.id)) for r in list_transcripts(db, recording_id)]
    finally:
        db.close()


async def test_two_recordings_are_reviewed_signed_and_played_as_one_transcript(
        make_app, two_recordings: TwoRecordings, virtual_mic, project) -> None:
    rec = two_recordings
    off = rec.offset_s
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#participants").focus()
        await pilot.press("r")  # one interview: no question which recording
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        review = screen.review
        assert review is not None and review.recording_ids == [rec.first, rec.second]
        assert f"recordings {rec.first}, {rec.second} (one interview)" in screen.sub_title
        second = versions(project, rec.second)[0][2]

        # One document in the interview's order, the second recording moved by its offset, the gap marked.
        trust = second[1].words[3]
        assert [s.text for s in review.segments] == [
            "How did you come to work in psychiatric care?", "I started as a nurse many years ago.",
            "[recording resumed after 3 s]", "What does a good alliance look like?",
            f"It looks like [trust? {mm_ss(int(trust.start) + off)}] and honesty."]
        assert [s.start for s in review.segments][2:] == pytest.approx(
            [off, second[0].start + off, second[1].start + off])
        listed = screen.query_one(SegmentList)
        assert listed.option_count == 5
        mark = str(listed.get_option_at_index(2).prompt)
        # the mark opens the second question's stretch (the question heading comes before it)
        assert mark.startswith("Q: ") and mark.endswith("[recording resumed after 3 s]")
        assert "Q: " not in str(listed.get_option_at_index(3).prompt)
        # The attention queue: the unsure word of the second recording, at its place in the interview.
        assert [(i.kind, i.index, round(i.start_s, 2)) for i in screen.attention] == [
            ("unsure", 4, round(trust.start + off, 2))]

        # What plays at a moment of the interview is that moment of its recording's file.
        b = AudioSource(project.root / "recordings/P01/P01-S1-b.wav")
        try:
            heard = screen.source.read(second[0].start + off, second[0].end + off)
            own = b.read(second[0].start, second[0].end)
        finally:
            b.close()
        assert len(heard) == len(own) and np.allclose(heard, own, atol=1e-6) and np.abs(own).max() > 0.05
        assert not screen.source.read(rec.cut_s + 0.5, off - 0.5).any()  # the gap is silence

        # The boundary is no text: the editor does not open on it.
        listed.highlighted = 2
        await pilot.press("e")
        await pilot.pause()
        assert screen.editing is None and not screen.query_one("#review-editor").display

        # An edit of the second recording's answer: "honesty" -> "openness".
        listed.highlighted = 4
        await pilot.press("e")
        await pilot.pause()
        editor = screen.query_one(SegmentEditor)
        assert editor.text == review.segments[4].text
        editor.move_cursor(editor.document.end)
        await pilot.press(*["backspace"] * len("honesty."), *"openness", "full_stop", "ctrl+s")
        await pilot.pause()
        assert review.segments[4].text.endswith("and openness.")

        # Play from the first recording's answer (space on a segment away from the audio): the
        # highlight follows the audio through the gap into the second recording's question.
        await pilot.press("escape") if screen.editing is not None else None
        listed.highlighted = 1
        await pilot.press("space")
        await pilot.pause()
        assert screen.player.playing
        await wait_for(pilot, lambda: screen.player.position > second[0].start + off + 0.5, timeout=25)
        assert listed.highlighted == 3
        await pilot.press("space")  # pause
        await wait_for(pilot, lambda: not screen.player.playing)

        # Replay a segment of the second recording: it plays at its place on the interview's timeline.
        listed.highlighted = 3
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: screen.player.position > second[0].start + off)
        assert second[0].start + off - 0.3 <= screen.player.position <= second[0].end + off + 0.3
        assert listed.highlighted == 3
        await wait_for(pilot, lambda: not screen.player.playing)

        # Stepping (paused) moves on the interview's clock, through the gap into the second recording.
        screen.player.seek(rec.cut_s - 1.0)
        await pilot.press("right")
        assert screen.player.position == pytest.approx(rec.cut_s + 2.0) and listed.highlighted == 1  # in the gap
        await pilot.press("right", "right")
        assert screen.player.position == pytest.approx(rec.cut_s + 8.0)
        assert listed.highlighted == review.segment_at(rec.cut_s + 8.0) >= 3
        await pilot.press("left", "left", "left", "left")
        assert screen.player.position == pytest.approx(rec.cut_s - 4.0)
        assert listed.highlighted == review.segment_at(rec.cut_s - 4.0) < 2  # back in the first recording

        # One sign-off for the whole interview.
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("ctrl+u", "M", "P", "enter")
        await pilot.pause()
        assert review.signed_off
        assert "project: 1 of 1 transcripts reviewed" in str(screen.query_one("#review-info").render())
        await pilot.press("escape")
        await pilot.pause()

    first_versions, second_versions = versions(project, rec.first), versions(project, rec.second)
    # Each recording got its own review version, signed off by MP.
    assert [(k, by) for k, by, _, _ in first_versions] == [("machine", None), ("review", "MP")]
    assert [(k, by) for k, by, _, _ in second_versions] == [("machine", None), ("review", "MP")]
    # The edit went into the second recording, its mark back on that recording's own clock.
    assert [s.text for s in first_versions[1][2]] == [s.text for s in first_versions[0][2]]
    assert second_versions[1][2][1].text == f"It looks like [trust? 00:{int(trust.start):02d}] and openness."
    assert second_versions[1][2][1].start == pytest.approx(second[1].start)
    # What was heard is stored with each recording, on its own clock.
    first_heard, second_heard = first_versions[1][3], second_versions[1][3]
    assert first_heard and second_heard
    assert all(0.0 <= a < b <= rec.cut_s + 0.01 for a, b in first_heard)
    assert all(0.0 <= a < b <= second[1].end + 1.0 for a, b in second_heard)
    assert min(a for a, _ in second_heard) < second[0].start  # from the start of the second file on


async def test_review_asks_which_interview_and_an_interview_is_one_choice(make_app, two_recordings: TwoRecordings,
                                                                           interview_clip, project) -> None:
    """Another transcribed recording of P01 outside that interview (an imported file): two choices,
    the interview of two recordings being one of them."""
    import shutil

    from interview_tui.domain.transcript import Transcript, TranscriptMeta
    from interview_tui.storage.recordings import finish_recording, start_recording
    from interview_tui.storage.transcripts import save_transcript
    from interview_tui.tui.screens.dialogs import PickDialog
    from textual.widgets import OptionList
    from tests.fixtures.review import spoken

    db = open_db(project.db_path)
    rel = "recordings/P01/imported.wav"
    shutil.copy(interview_clip.path, project.root / rel)
    other = start_recording(db, participant_code="P01", path=rel, started_at="2026-03-03T09:00:00+00:00")
    finish_recording(db, other, duration_s=12.0, sha256="1" * 64)
    save_transcript(db, other, Transcript(TranscriptMeta("tiny.en", None, "faster-whisper", "en", {}),
                                          [spoken(1.0, 3.0, "Another talk.", "P01")]))
    db.close()
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PickDialog) and dialog.title_text == "Review which interview of P01?"
        labels = [str(dialog.query_one(OptionList).get_option_at_index(i).prompt) for i in range(2)]
        assert labels[0].startswith("interview 2026-03-02 10:00 UTC · recordings "
                                    f"{two_recordings.first}, {two_recordings.second} (one transcript)")
        assert labels[1].startswith(f"recording {other} · 2026-03-03 09:00 UTC · 00:12 · 1 version(s)")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review.recording_ids == [two_recordings.first, two_recordings.second]
        await pilot.press("escape", "r", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.review.recording_ids == [other]
        assert [s.text for s in app.screen.review.segments] == ["Another talk."]


async def test_the_session_view_opens_its_interview_for_review(make_app, two_recordings: TwoRecordings,
                                                               project) -> None:
    """`r` on a session's summary reviews that interview's one transcript (both recordings); a
    session without a transcript says what to do and stays put."""
    from interview_tui.tui.screens.session_view import SessionViewScreen

    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(SessionViewScreen(two_recordings.session_id))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review.recording_ids == [two_recordings.first, two_recordings.second]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionViewScreen)

    from interview_tui.storage import sessions as store
    from interview_tui.storage.participants import get_participant

    db = open_db(project.db_path)
    empty = store.open_session(db, participant_id=get_participant(db, "P01").id,
                               study_id=store.get_session(db, two_recordings.session_id).study_id,
                               started_at="2026-03-04T09:00:00.000000+00:00")
    db.close()
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(SessionViewScreen(empty))
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, SessionViewScreen)
        assert any("no transcript yet" in str(n.message) for n in app._notifications)
