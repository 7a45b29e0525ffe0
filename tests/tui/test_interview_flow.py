"""A whole interview on the default study, driven by keys, checked in the database afterwards."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Input, Select, SelectionList, Static

from interview_tui.storage import open_db
from interview_tui.storage.sessions import session_events
from interview_tui.tui.screens.consent import ConsentScreen
from interview_tui.tui.screens.demographics import DemographicsScreen
from interview_tui.tui.screens.interview import InterviewScreen
from interview_tui.tui.screens.session_view import SessionViewScreen
from interview_tui.tui.screens.start import StartScreen

pytestmark = pytest.mark.anyio

SIZE = (120, 40)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


async def choose(pilot, select_id: str, downs: int) -> None:
    """Open a Select with Enter and pick the option `downs` rows below the blank prompt."""
    pilot.app.screen.query_one(select_id, Select).focus()
    await pilot.press("enter", *["down"] * downs, "enter")


async def tick(pilot, box_id: str) -> None:
    """Tick a checkbox the keyboard way: focus it (scrolls it into view), press space."""
    pilot.app.screen.query_one(box_id).focus()
    await pilot.press("space")


async def start_on_start_screen(pilot) -> None:
    await pilot.pause()
    assert isinstance(pilot.app.screen, StartScreen)


async def fill_demographics(pilot) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, DemographicsScreen)
    await choose(pilot, "#f-gender", 1)  # Woman
    screen.query_one("#f-age", Input).focus()
    await type_text(pilot, "150")
    await pilot.press("ctrl+s")
    await pilot.pause()
    # Refused, with the field and the reason; nothing saved.
    error = str(screen.query_one("#err-age", Static).render())
    assert "Age" in error and "above the maximum 100 years" in error
    assert pilot.app.screen is screen
    screen.query_one("#f-age", Input).value = ""
    screen.query_one("#f-age", Input).focus()
    await type_text(pilot, "44")
    await choose(pilot, "#f-profession", 2)  # Psychiatrist
    screen.query_one("#f-years_experience", Input).focus()
    await type_text(pilot, "12,5")
    screen.query_one("#f-years_involuntary", Input).focus()
    await type_text(pilot, "8")
    screen.query_one("#f-special_education", SelectionList).focus()
    await pilot.press("space")  # highlighted first: cognitive behavioural therapy
    await pilot.press("ctrl+s")
    await pilot.pause()


@pytest.mark.slow
async def test_whole_interview_is_stored_exactly(make_app, clock, project) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_on_start_screen(pilot)
        screen = app.screen
        # A first run starts in the empty interviewer field: typing goes there, Enter moves on to
        # the place, picking one moves on to the participant list, where the keys work.
        assert screen.query_one("#interviewer", Input).has_focus
        await type_text(pilot, "MP")
        await pilot.press("enter")
        assert screen.query_one("#place", Select).has_focus
        await pilot.press("enter", "down", "down", "enter")  # University of Bergen
        assert screen.query_one("#participants").has_focus
        await pilot.press("a")

        await pilot.press("d")
        await pilot.pause()
        await fill_demographics(pilot)
        assert isinstance(app.screen, StartScreen)

        await pilot.press("i")
        await pilot.pause()
        consent = app.screen
        assert isinstance(consent, ConsentScreen)
        for box in ("#item-voluntary_participation", "#item-audio_recording", "#item-data_processing",
                    "#item-anonymised_quotations"):
            await tick(pilot, box)
        await pilot.press("ctrl+s")
        await pilot.pause()

        interview = app.screen
        assert isinstance(interview, InterviewScreen)
        await pilot.press("1")  # follow-up 1 of the first question
        clock.advance(300)
        await pilot.press("c")  # covered: goes on to the next open question, the contact question
        clock.advance(60)
        assert interview.interview.state.current_id == "alliance-contact"
        # The sub-themes' follow-ups belong to the contact question, as in the paper: 1 is the heading
        # "Therapeutic bond", 9 the conditional probe "If yes: How did you proceed to solve this rupture?".
        await pilot.press("9")
        clock.advance(42)
        await pilot.press("a")
        await type_text(pilot, "hesitates before answering")
        await pilot.press("enter")
        await pilot.press("b")
        clock.advance(100)
        await pilot.press("s")  # skipped: on to the next open question
        clock.advance(30)
        # Out of order: back to the first question in the outline.
        await pilot.press("g", *["up"] * 4, "enter")
        await pilot.pause()
        assert interview.interview.state.current_id == "intro-describe"
        await pilot.press("e")  # to the closing question
        await pilot.press("c")
        await pilot.press("e")  # the final prompt
        await pilot.press("a")
        await type_text(pilot, "nothing to add")
        await pilot.press("enter")
        clock.advance(10)
        await pilot.press("e", "y")  # end, confirmed
        await pilot.pause()
        assert isinstance(app.screen, SessionViewScreen)
        summary = str(app.screen.query_one("#summary-text", Static).render())
        assert "Interview closed" in summary and "Duration 9:02" in summary
        assert "2 covered · 1 skipped · 0 never reached" in summary

    db = open_db(project.db_path)
    try:
        assert [r["code"] for r in db["participants"].rows] == ["P01"]
        [consent_row] = list(db["consent_records"].rows)
        assert consent_row["decision"] == "given" and consent_row["method"] == "app"
        assert json.loads(consent_row["items_given"]) == [
            "voluntary_participation", "audio_recording", "data_processing", "anonymised_quotations"]
        assert json.loads(consent_row["items_declined"]) == ["follow_up_contact"]
        values = {r["field_id"]: json.loads(r["value"]) for r in db["demographic_values"].rows}
        assert values == {"gender": "woman", "age": 44, "profession": "psychiatrist", "years_experience": 12.5,
                          "years_involuntary": 8.0, "special_education": ["cbt"]}
        [session] = list(db["sessions"].rows)
        assert (session["state"], session["place"]) == ("closed", "University of Bergen")
        assert db["interviewers"].get(session["interviewer_id"])["name"] == "MP"
        events = session_events(db, session["id"])
        assert [(e.kind, e.question_id, e.prompt_id, e.text) for e in events] == [
            ("session_started", None, None, None),
            ("question_reached", "intro-describe", None, None),
            ("probe_opened", "intro-describe", "intro-executing", None),
            ("covered", "intro-describe", None, None),
            ("question_reached", "alliance-contact", None, None),
            ("probe_opened", "alliance-contact", "bond-rupture-solve", None),
            ("note", "alliance-contact", None, "hesitates before answering"),
            ("bookmark", "alliance-contact", None, None),
            ("skipped", "alliance-contact", None, None),
            ("closing_reached", "conclusion", None, None),
            ("question_reached", "intro-describe", None, None),
            ("closing_reached", "conclusion", None, None),
            ("covered", "conclusion", None, None),
            ("final_prompt", None, None, "Is there anything further you would like to add that we did not cover?"),
            ("note", "conclusion", None, "nothing to add"),
            ("session_closed", None, None, None),
        ]
        assert [e.session_offset_s for e in events] == [0, 0, 0, 300, 300, 360, 402, 402, 502, 502, 532, 532,
                                                        532, 532, 532, 542]
        assert events[0].at == session["started_at"] == "2026-03-02T09:30:00.000000+00:00"
        assert all(e.recording_id is None for e in events)  # no recorder in this test
    finally:
        db.close()


async def test_refusing_a_required_item_blocks_the_interview(make_app, project) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_on_start_screen(pilot)
        app.screen.query_one("#interviewer", Input).value = "KNH"
        app.screen.query_one("#place", Select).value = "University of Bergen"
        app.screen.query_one("#participants").focus()
        await pilot.press("a", "i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsentScreen)
        await tick(pilot, "#item-voluntary_participation")
        await tick(pilot, "#item-data_processing")  # audio recording (required) left unticked
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        status = str(screen.query_one("#consent-status", Static).render())
        assert "Required item 2 not ticked" in status and "cannot start" in status
        assert screen.query_one("#item-audio_recording").has_focus
        # The message follows the ticks: ticked, it says so; unticked again, it names the item again.
        await pilot.press("space")
        assert "Every required item is ticked" in str(screen.query_one("#consent-status", Static).render())
        await pilot.press("space")
        assert "Required item 2 not ticked" in str(screen.query_one("#consent-status", Static).render())
        # The participant declines: recorded as declined, and no interview starts.
        await pilot.press("ctrl+d", "y")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
    db = open_db(project.db_path)
    try:
        [row] = list(db["consent_records"].rows)
        assert row["decision"] == "declined"
        assert json.loads(row["items_given"]) == ["voluntary_participation", "data_processing"]
        assert list(db["sessions"].rows) == []
    finally:
        db.close()


@pytest.mark.audio
async def test_ending_while_recording_says_so_and_the_summary_shows_the_audio(virtual_mic, make_app, project):
    """End mid-recording: the dialog warns, the recording is finished and linked, the summary shows it."""
    import time

    from interview_tui.storage.recordings import list_recordings
    from interview_tui.tui.screens.dialogs import ConfirmDialog
    from interview_tui.tui.widgets.recorder import RecorderPanel
    from tests.fixtures.audio import enroll

    db = open_db(project.db_path)
    enroll(db)
    db.close()

    async def until(pilot, condition, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            await pilot.pause(0.05)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_on_start_screen(pilot)
        app.screen.query_one("#interviewer", Input).value = "MP"
        app.screen.query_one("#place", Select).value = "University of Bergen"
        app.screen.query_one("#participants").focus()
        await pilot.press("i")
        await pilot.pause()
        panel = app.screen.query_one(RecorderPanel)
        panel.device = "pulse"
        await pilot.press("space")
        await until(pilot, lambda: panel.state == "recording")
        await until(pilot, lambda: panel.recording_clock()[1] > 1.0)
        await pilot.press("e", "e", "e")  # to the closing question, the final prompt, end
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        # 3 main questions (the sub-themes are the contact question's follow-ups), less 2 visited
        assert "1 question never reached" in dialog.question
        assert "The recording stops and is saved" in dialog.question
        await pilot.press("y")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, SessionViewScreen)

        def summary() -> str:
            return str(view.query_one("#summary-text", Static).render())

        await until(pilot, lambda: "being finished" not in summary())
        assert "Audio 0:0" in summary() and "recordings/P01/P01-S1-" in summary()

    db = open_db(project.db_path)
    try:
        [recording] = list_recordings(db, "P01")
        [session] = list(db["sessions"].rows)
        assert (recording.state, recording.session_id) == ("complete", session["id"])
        kinds = [e.kind for e in session_events(db, session["id"])]
        assert kinds[-2:] == ["recording_stopped", "session_closed"]
    finally:
        db.close()


@pytest.mark.audio
@pytest.mark.parametrize("how", ["leave", "quit"])
async def test_leaving_or_quitting_while_recording_finishes_the_file(virtual_mic, make_app, project, how):
    """Escape → Leave, or ctrl+q, mid-recording: no crash, the stop is logged, the file is finished."""
    import time

    from interview_tui.storage.recordings import list_recordings
    from interview_tui.tui.widgets.recorder import RecorderPanel
    from tests.fixtures.audio import enroll

    db = open_db(project.db_path)
    enroll(db)
    db.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_on_start_screen(pilot)
        app.screen.query_one("#interviewer", Input).value = "MP"
        app.screen.query_one("#place", Select).value = "University of Bergen"
        app.screen.query_one("#participants").focus()
        await pilot.press("i")
        await pilot.pause()
        panel = app.screen.query_one(RecorderPanel)
        panel.device = "pulse"
        await pilot.press("space")
        deadline = time.monotonic() + 15
        while panel.recording_clock() is None or panel.recording_clock()[1] < 1.0:
            assert time.monotonic() < deadline, "the recording never started"
            await pilot.pause(0.05)
        if how == "leave":
            await pilot.press("escape", "y")
            await pilot.pause()
            assert isinstance(app.screen, StartScreen)
        else:
            await pilot.press("ctrl+q")
    db = open_db(project.db_path)
    try:
        [recording] = list_recordings(db, "P01")
        assert recording.state == "complete" and recording.duration_s > 1.0
        [session] = list(db["sessions"].rows)
        assert session["state"] == "open"  # left, not ended: it can be resumed
        kinds = [e.kind for e in session_events(db, session["id"])]
        assert kinds[-2:] == ["recording_started", "recording_stopped"]
    finally:
        db.close()
