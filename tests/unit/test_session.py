"""The interview session core: state from events, the Interview driver, stored events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from interview_tui.domain.session import (
    Event,
    Interview,
    SessionState,
    budget_status,
    summarize,
    time_status,
)
from interview_tui.domain.study import Guide, Prompt, Question, Section
from interview_tui.domain.timecode import m_ss
from interview_tui.storage import sessions as store

T0 = datetime(2026, 1, 5, 9, 0, 0, tzinfo=timezone.utc)


def small_guide() -> Guide:
    rupture = Prompt(
        "q2.rupture", "Have you experienced alliance ruptures?",
        prompts=(Prompt("q2.rupture.yes", "How did you proceed?", condition="yes"),),
    )
    return Guide(
        title="Test guide",
        sections=(
            Section("intro", "Introduction", questions=(Question("q1", "What is it like?"),), time_budget_min=1),
            Section(
                "alliance", "Alliance",
                questions=(Question("q2", "How do you establish contact?", prompts=(rupture,)),),
                sections=(Section("goals", "Goals", questions=(Question("q3", "How do you find goals?"),)),),
                time_budget_min=10,
            ),
        ),
        closing=Question("close", "How could services improve?"),
    )


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class ListWriter:
    """An in-memory event writer (the storage writer is tested below with a real DB)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> Event:
        stored = Event(**{**event.__dict__, "seq": len(self.events) + 1})
        self.events.append(stored)
        return stored


def new_interview(**kw) -> tuple[Interview, FakeClock, ListWriter]:
    clock, writer = FakeClock(), ListWriter()
    interview = Interview(small_guide(), T0.isoformat(), writer, clock=clock, **kw)
    return interview, clock, writer


def test_start_reaches_first_question_and_is_idempotent() -> None:
    interview, _, writer = new_interview()
    interview.start()
    interview.start()
    assert [e.kind for e in writer.events] == ["session_started", "question_reached"]
    assert interview.state.current_id == "q1"
    assert interview.state.phase == "interview"


def test_out_of_order_walk_marks_probes_notes_and_time() -> None:
    interview, clock, writer = new_interview()
    interview.start()
    clock.advance(90)
    interview.go_to("q3")  # jump ahead: semi-structured
    clock.advance(30)
    interview.mark("covered")  # goes to the next open question, wrapping: q1
    assert interview.state.current_id == "q1"
    interview.go_to("q2")
    interview.open_probe("q2.rupture.yes")
    interview.note("  talks about restraint  ")
    interview.bookmark()
    clock.advance(60)
    interview.mark("skipped")
    state = interview.state
    assert state.covered == ["q3"]
    assert state.skipped == ["q2"]
    assert state.probes_for("q2") == ["q2.rupture.yes"]
    assert state.notes[0].text == "talks about restraint" and state.notes[0].question_id == "q2"
    assert state.bookmarks[0].session_offset_s == 120.0 and state.bookmarks[0].text is None
    assert state.question_seconds("q1", 180) == 90.0
    assert state.section_seconds("alliance", 180) == pytest.approx(30 + 60)  # q3 in sub-section + q2
    assert [e.seq for e in writer.events] == list(range(1, len(writer.events) + 1))


def test_replay_gives_the_same_state() -> None:
    interview, clock, writer = new_interview()
    interview.start()
    clock.advance(10)
    interview.step(+1)
    interview.open_probe("q2.rupture")
    interview.mark("covered")
    interview.note("n")
    replayed = SessionState.replay(small_guide(), writer.events)
    live = interview.state
    for attr in ("phase", "current_id", "visited", "marks", "probes", "question_time", "last_offset_s"):
        assert getattr(replayed, attr) == getattr(live, attr), attr
    resumed = Interview(small_guide(), T0.isoformat(), writer, writer.events, clock=clock)
    resumed.start()  # a resumed session does not start again
    assert resumed.state.current_id == live.current_id
    assert len(writer.events) == len(replayed.events)


def test_closing_final_prompt_and_summary() -> None:
    interview, clock, writer = new_interview()
    interview.start()
    interview.mark("covered")
    clock.advance(2700)
    interview.reach_closing()
    assert interview.state.phase == "closing"
    interview.final_prompt()
    assert writer.events[-1].text.startswith("Is there anything further")
    interview.note("nothing to add")
    interview.close()
    summary = summarize(interview.state)
    assert interview.state.phase == "closed"
    assert summary.duration_s == 2700
    assert summary.covered == ["q1"]
    assert summary.never_reached == ["q3"]
    assert summary.visited_unmarked == ["q2", "close"]
    assert [e.kind for e in writer.events][-4:] == ["closing_reached", "final_prompt", "note", "session_closed"]


def test_step_at_the_ends_and_unknown_ids() -> None:
    interview, _, writer = new_interview()
    interview.start()
    assert interview.step(-1) is None
    assert interview.go_to("q1") is None  # already current: no event
    with pytest.raises(KeyError):
        interview.go_to("nope")
    with pytest.raises(KeyError):
        interview.open_probe("q2.rupture")  # belongs to q2, current is q1
    assert len(writer.events) == 2


def test_recording_clock_stamps_events() -> None:
    running: list[tuple[int, float]] = []
    interview, clock, writer = new_interview(recording_clock=lambda: running[0] if running else None)
    interview.start()
    running.append((7, 12.3456))
    interview.bookmark("quote")
    assert writer.events[0].recording_id is None
    assert (writer.events[-1].recording_id, writer.events[-1].recording_offset_s) == (7, 12.346)


@pytest.mark.parametrize(
    ("elapsed_min", "expected"), [(10, "ok"), (45, "near"), (75, "near"), (75.1, "over")]
)
def test_time_status(elapsed_min: float, expected: str) -> None:
    assert time_status(elapsed_min * 60, 45 * 60, 75 * 60) == expected


@pytest.mark.parametrize(
    ("spent_s", "budget", "expected"), [(0, None, "ok"), (100, 5, "ok"), (250, 5, "near"), (301, 5, "over")]
)
def test_budget_status(spent_s: float, budget: float | None, expected: str) -> None:
    assert budget_status(spent_s, budget) == expected


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (61.9, "1:01"), (3725, "1:02:05")])
def test_m_ss(seconds: float, text: str) -> None:
    assert m_ss(seconds) == text


# -- storage -----------------------------------------------------------------------


@pytest.fixture
def session_id(db) -> int:
    # The participant and study rows are the records/study engineers' area; plain
    # inserts keep this test independent of their functions.
    db["studies"].insert(dict(id=1, slug="s", title="S", version="1", content_hash="h", content="x",
                              loaded_at=T0.isoformat()))
    db["participants"].insert(dict(id=1, code="P01", study_slug="s", created_at=T0.isoformat()))
    return store.open_session(db, participant_id=1, study_id=1, place="University", started_at=T0.isoformat())


def test_events_are_stored_in_order_and_replayed(db, session_id: int, project) -> None:
    clock = FakeClock()
    interview = Interview(small_guide(), T0.isoformat(), store.event_writer(db, session_id), clock=clock)
    interview.start()
    clock.advance(5)
    interview.go_to("q2")
    interview.open_probe("q2.rupture.yes")
    interview.note("ä note")
    # Read through a second connection: every event is committed already.
    from interview_tui.storage import open_db

    other = open_db(project.db_path)
    events = store.session_events(other, session_id)
    assert [(e.seq, e.kind, e.question_id) for e in events] == [
        (1, "session_started", None), (2, "question_reached", "q1"), (3, "question_reached", "q2"),
        (4, "probe_opened", "q2"), (5, "note", "q2"),
    ]
    assert events[2].at == (T0 + timedelta(seconds=5)).isoformat(timespec="microseconds")
    assert events[2].session_offset_s == 5.0 and events[4].text == "ä note"
    [row] = store.open_sessions(other)
    assert (row.participant_code, row.current_question_id, row.event_count) == ("P01", "q2", 5)
    resumed = SessionState.replay(small_guide(), events)
    assert resumed.current_id == "q2" and resumed.probes_for("q2") == ["q2.rupture.yes"]
    other.close()


def test_close_session_leaves_no_open_session(db, session_id: int) -> None:
    store.add_event(db, session_id, "session_started", session_offset_s=0)
    store.add_event(db, session_id, "pause", session_offset_s=3, recording_id=None)
    store.close_session(db, session_id)
    assert store.open_sessions(db) == []
    session = store.get_session(db, session_id)
    assert session.state == "closed" and session.ended_at
    assert [e.seq for e in store.session_events(db, session_id)] == [1, 2]
    assert store.participant_sessions(db, "P01")[0].id == session_id


def test_note_keeps_the_moment_it_was_begun() -> None:
    running = [(3, 40.0)]
    interview, clock, writer = new_interview(recording_clock=lambda: running[0])
    interview.start()
    clock.advance(100)
    begun = interview.stamp()
    clock.advance(25)  # typing the note
    running[0] = (3, 65.0)
    interview.note("said 'it is a paradox'", begun)
    assert (writer.events[-1].session_offset_s, writer.events[-1].recording_offset_s) == (100.0, 40.0)

