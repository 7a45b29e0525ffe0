"""One definition of interview duration: first question reached to end, minus downtime."""

from __future__ import annotations

from datetime import timedelta

from interview_tui.domain.session import Event, Interview, downtime_s, interview_duration_s, summarize
from tests.unit.test_session import T0, FakeClock, ListWriter, small_guide


def E(kind: str, off: float, qid: str | None = None) -> Event:
    return Event(kind, (T0 + timedelta(seconds=off)).isoformat(), off, question_id=qid)


def test_the_clock_starts_at_the_first_question_not_at_consent() -> None:
    # consent at 0, demographics filled for 95 s, then the interview
    events = [E("session_started", 95.0), E("question_reached", 95.0, "q1"), E("question_reached", 150.0, "q2"),
              E("session_closed", 203.2)]
    assert interview_duration_s(events) == 108.2


def test_downtime_between_a_crash_and_the_resume_is_not_interview_time() -> None:
    events = [E("question_reached", 10.0, "q1"), E("bookmark", 40.0), E("session_interrupted", 50.0),
              E("session_resumed", 170.0), E("question_reached", 180.0, "q2"), E("session_closed", 230.0)]
    assert downtime_s(events) == 120.0
    assert interview_duration_s(events) == 230.0 - 10.0 - 120.0


def test_no_question_reached_has_no_duration_and_an_open_session_runs_to_now() -> None:
    assert interview_duration_s([E("session_started", 5.0)]) is None
    assert interview_duration_s([E("question_reached", 5.0, "q1")], now_offset_s=65.0) == 60.0


def test_resume_records_the_crash_and_the_resume_and_summary_clock_and_question_time_agree() -> None:
    clock, writer = FakeClock(), ListWriter()
    clock.advance(60)  # consent and demographics before the interview starts
    interview = Interview(small_guide(), T0.isoformat(), writer, clock=clock)
    interview.start()
    clock.advance(30)
    interview.bookmark()
    clock.advance(600)  # the app crashed 10 s after the bookmark; restarted 10 min later
    resumed = Interview(small_guide(), T0.isoformat(), writer, writer.events, clock=clock)
    resumed.resume(last_alive=T0 + timedelta(seconds=100))
    assert [e.kind for e in writer.events][-2:] == ["session_interrupted", "session_resumed"]
    assert writer.events[-1].text == "after 9:50 down"
    clock.advance(20)
    assert resumed.interview_s() == 30 + 10 + 20
    resumed.close()
    assert summarize(resumed.state).duration_s == 60
    assert resumed.state.question_seconds("q1", 0) == 60


def test_resume_of_a_fresh_or_closed_session_writes_nothing() -> None:
    clock, writer = FakeClock(), ListWriter()
    interview = Interview(small_guide(), T0.isoformat(), writer, clock=clock)
    assert interview.resume() is None
    interview.start()
    interview.close()
    assert interview.resume() is None and writer.events[-1].kind == "session_closed"
