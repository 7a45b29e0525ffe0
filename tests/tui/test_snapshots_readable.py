"""Snapshots of every screen an interviewer meets, at 80x24 and 120x40, in colour and with NO_COLOR.

Each picture was looked at before it was accepted: nothing cut, ticks and budget states readable
without colour (✓ boxes, `near`/`OVER`, `!`/`‼`, █/░ bars). Update with
`pytest tests/tui/test_snapshots_readable.py --snapshot-update`, after looking at the new SVGs.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, ProgressBar

from interview_tui.domain.loader import default_study
from interview_tui.domain.session import Interview
from interview_tui.storage import open_db
from interview_tui.storage import sessions as store
from interview_tui.storage.interviewers import get_or_add_interviewer
from interview_tui.storage.participants import get_participant
from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.storage.studies import register_study
from interview_tui.storage.transcripts import save_transcript
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from interview_tui.tui.screens.session_view import SessionViewScreen
from interview_tui.tui.screens.transcription import TranscriptionScreen
from interview_tui.tui.widgets.figures import SectionChart, TalkChart
from tests.fixtures.tui import T0, ManualClock
from tests.tui.test_snapshots import from_the_list, resume, seed

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
COLOURS = [pytest.param(False, id="colour"), pytest.param(True, id="no_color")]


@pytest.fixture(params=COLOURS)
def no_color(request, monkeypatch) -> bool:
    """NO_COLOR set (or not) before the app is made: Textual reads it once, at start."""
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    return request.param


def closed_session(project) -> None:
    """P01's finished interview with a stereo-style transcript (speakers named), for the summary."""
    seed(project, consented=True)
    db = open_db(project.db_path)
    study = default_study()
    study_id = register_study(db, study)
    participant = get_participant(db, "P01")
    interviewer = get_or_add_interviewer(db, "MP")
    session_id = store.open_session(db, participant_id=participant.id, study_id=study_id,
                                    interviewer_id=interviewer, place="University of Bergen",
                                    started_at=T0.isoformat())
    clock = ManualClock()
    run = Interview(study.guide, T0.isoformat(), store.event_writer(db, session_id), clock=clock)
    run.start()
    clock.advance(6 * 60)
    run.mark("covered")  # on to the alliance theme's contact question
    clock.advance(55 * 60)  # 55 of the theme's 50 minutes: over
    run.mark("covered")
    clock.advance(9 * 60)
    run.bookmark()
    run.reach_closing()
    clock.advance(3 * 60)
    run.final_prompt()
    run.close()
    store.close_session(db, session_id)
    rid = start_recording(db, participant_code="P01", path="recordings/P01/P01-S1.wav", session_id=session_id)
    finish_recording(db, rid, duration_s=2580.0, sha256="0" * 64)
    meta = TranscriptMeta("base", None, "faster-whisper 1.2.1", "en", {}, duration_s=2580.0)
    segments = [Segment(0.0, 300.0, "…", speaker="MP"), Segment(300.0, 1800.0, "…", speaker="P01"),
                Segment(1800.0, 1900.0, "…", speaker="MP + P01"), Segment(1900.0, 2580.0, "…", speaker="P01")]
    save_transcript(db, rid, Transcript(meta, segments))
    db.close()


@pytest.mark.parametrize("size", SIZES)
def test_start_screen(snap_compare, make_app, project, no_color, size) -> None:
    seed(project, consented=True)
    assert snap_compare(make_app(), run_before=from_the_list, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_consent_items_ticked_and_not(snap_compare, make_app, project, no_color, size) -> None:
    seed(project)

    async def tick_two(pilot) -> None:
        await from_the_list(pilot)
        await pilot.press("c")
        await pilot.pause()
        for box in ("#item-voluntary_participation", "#item-data_processing"):
            pilot.app.screen.query_one(box).focus()
            await pilot.press("space")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=tick_two, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_demographics_after_a_refused_save(snap_compare, make_app, project, no_color, size) -> None:
    seed(project)

    async def refuse(pilot) -> None:
        await from_the_list(pilot)
        await pilot.press("d")
        await pilot.pause()
        pilot.app.screen.query_one("#f-age", Input).focus()
        await pilot.press("8", ",", "5")
        pilot.app.screen.query_one("#f-years_experience", Input).focus()
        await pilot.press("1", "2", "ctrl+s")
        await pilot.pause()
        pilot.app.focused.cursor_blink = False  # a steady cursor: the blink made the picture depend on timing
        await pilot.pause()

    assert snap_compare(make_app(), run_before=refuse, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_interview_resumed(snap_compare, make_app, project, clock, no_color, size) -> None:
    seed(project, consented=True, interview=True)
    clock.advance(38 * 60)  # 27 minutes on "Therapeutic bond" (budget 18): over
    assert snap_compare(make_app(recorder=False), run_before=resume, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_interview_go_to_shows_the_full_question(snap_compare, make_app, project, clock, no_color, size) -> None:
    seed(project, consented=True, interview=True)
    clock.advance(38 * 60)

    async def pick(pilot) -> None:
        await resume(pilot)
        await pilot.press("g", "down", "down", "down")
        await pilot.pause()
        pilot.app.clear_notifications()  # the "Pick a question" toast times out; the picture should not depend on it
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=pick, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_note_dialog(snap_compare, make_app, project, clock, no_color, size) -> None:
    seed(project, consented=True, interview=True)

    async def note(pilot) -> None:
        await resume(pilot)
        await pilot.press("a", "o", "k")
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=note, terminal_size=size)


async def _view(pilot) -> None:
    await from_the_list(pilot)
    await pilot.press("v")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SessionViewScreen)


@pytest.mark.parametrize("size", SIZES)
def test_session_view_summary(snap_compare, make_app, project, no_color, size) -> None:
    closed_session(project)
    assert snap_compare(make_app(), run_before=_view, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_session_view_time_chart(snap_compare, make_app, project, no_color, size) -> None:
    closed_session(project)

    async def charts(pilot) -> None:
        await _view(pilot)
        await pilot.pause()  # every chart laid out, so the scroll target stays put
        pilot.app.screen.query_one("#summary").scroll_to_widget(
            pilot.app.screen.query_one(SectionChart), animate=False, top=True, immediate=True)
        await pilot.pause()

    assert snap_compare(make_app(), run_before=charts, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_session_view_talk_time(snap_compare, make_app, project, no_color, size) -> None:
    closed_session(project)

    async def talk(pilot) -> None:
        await _view(pilot)
        await pilot.pause()  # every chart laid out, so the scroll target stays put
        pilot.app.screen.query_one("#summary").scroll_to_widget(
            pilot.app.screen.query_one(TalkChart), animate=False, top=True, immediate=True)
        await pilot.pause()

    assert snap_compare(make_app(), run_before=talk, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_transcription_screen_running(snap_compare, make_app, project, no_color, size) -> None:
    closed_session(project)

    async def running(pilot) -> None:
        await from_the_list(pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the model list
        screen = pilot.app.screen
        assert isinstance(screen, TranscriptionScreen)
        screen._set_status(1, "running")  # what a running job shows (was cut to "runnin")
        # a determinate bar: the idle one pulses with the clock, and the picture would differ run to run
        screen.query_one(ProgressBar).update(total=100, progress=40)
        await pilot.pause()

    assert snap_compare(make_app(), run_before=running, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_review_screen_without_colour(snap_compare, make_app, attention_project, monkeypatch, size) -> None:
    # The colour pictures are in test_review_snapshot.py; flags carry `!` and their names.
    monkeypatch.setenv("NO_COLOR", "1")

    async def open_review(pilot) -> None:
        pilot.app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the loudness scan, so its flags are drawn
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=open_review, terminal_size=size)
