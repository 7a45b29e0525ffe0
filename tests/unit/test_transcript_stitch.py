"""One interview, one transcript: recordings laid on the interview's timeline with the gaps marked."""

from __future__ import annotations

import pytest

from interview_tui.domain.session import Event
from interview_tui.storage.rows import Recording
from interview_tui.transcription.stitch import Part, gap_text, plan_parts, shift_marks, stitch
from interview_tui.domain.transcript import Segment, Word

S0 = "2026-01-05T09:00:00+00:00"


def rec(rid: int, started: str, duration: float) -> Recording:
    return Recording(id=rid, participant_id=1, participant_code="P01", session_id=1, path=f"r{rid}.wav",
                     source="microphone", state="complete", device=None, sample_rate=16000, channels=1,
                     started_at=f"2026-01-05T{started}+00:00", ended_at=None, duration_s=duration, sha256=None,
                     overflow_count=0, compressed_path=None, error=None)


def E(kind: str, off: float) -> Event:
    return Event(kind, "", off)


@pytest.mark.parametrize(("seconds", "text"), [(40.4, "[recording resumed after 40 s]"),
                                               (130, "[recording resumed after 2 min]")])
def test_gap_text(seconds: float, text: str) -> None:
    assert gap_text(seconds) == text


def test_a_crash_and_resume_places_the_second_recording_after_the_first_less_the_downtime() -> None:
    # recording 1 from 09:01:00 for 100 s; crash at 09:02:40; resumed at 09:04:40; recording 2 at 09:04:50
    events = [E("question_reached", 60.0), E("session_interrupted", 160.0), E("session_resumed", 280.0),
              E("recording_started", 290.0)]
    parts = plan_parts([rec(2, "09:04:50", 30.0), rec(1, "09:01:00", 100.0)], events, S0)
    assert parts == [Part(1, 0.0, None), Part(2, 230.0 - 120.0, 130.0)]
    # without events, the wall clock alone
    assert plan_parts([rec(1, "09:01:00", 100.0), rec(2, "09:04:50", 30.0)])[1].offset_s == 230.0


def test_stitch_shifts_segments_words_and_marks_and_marks_the_gap_under_the_next_question() -> None:
    first = [Segment(1.0, 3.0, "It was [hard? 00:02] then.", [Word(" It", 1.0, 1.5, 0.9)], "P01", "q1")]
    second = [Segment(0.5, 2.0, "And [inaudible 00:01] later.", [Word(" And", 0.5, 0.9, 0.9)], "P01", "q1"),
              Segment(2.5, 4.0, "Next.", [], "P01", "q2")]
    out = stitch([(Part(1, 0.0), first), (Part(2, 110.0, 130.0), second)])
    assert [(s.start, s.text, s.question_id) for s in out] == [
        (1.0, "It was [hard? 00:02] then.", "q1"),
        (110.0, "[recording resumed after 2 min]", "q1"),
        (110.5, "And [inaudible 01:51] later.", "q1"),
        (112.5, "Next.", "q2"),
    ]
    assert out[2].words[0].start == 110.5 and second[0].words[0].start == 0.5  # copies, inputs untouched


def test_shift_marks_keeps_pause_marks_and_handles_hours() -> None:
    assert shift_marks("a (3 s) [b? 59:59] [00:10]", 2.0) == "a (3 s) [b? 1:00:01] [00:12]"


def test_marks_shown_on_the_interview_clock_are_stored_on_the_recording_clock_without_drifting() -> None:
    from interview_tui.transcription.stitch import unshift_marks

    stored = "It looks like [trust? 00:05] and [inaudible 00:07] honesty."
    shown = shift_marks(stored, 11.5)  # 16.5 and 18.5 shown in whole seconds
    # moving the shown marks back by the offset alone would land a second early
    assert shift_marks(shown, -11.5) != stored
    assert unshift_marks(shown.replace("honesty", "openness"), 11.5, stored) == stored.replace("honesty", "openness")
    # a mark the reviewer added on the interview's clock is moved onto the recording's
    assert unshift_marks(shown + " [laughter 00:20]", 11.5, stored) == stored + " [laughter 00:08]"
    assert unshift_marks("[laughter 00:03]", 11.5) == "[laughter 00:00]"  # never before the recording
    assert unshift_marks(stored, 0.0, "") == stored
