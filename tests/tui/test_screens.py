"""Screens beyond the main walk: consent on file, new form version, editing demographics,
leaving and resuming, the read-only session view, a broken study file."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select, Static

from interview_tui.config import DEFAULT_STUDY_FILE
from interview_tui.domain.loader import default_study
from interview_tui.storage import open_db
from interview_tui.storage.consent import record_consent
from interview_tui.storage.demographics import get_demographics, save_demographics
from interview_tui.storage.participants import add_participant
from interview_tui.storage.sessions import open_sessions, participant_sessions, session_events
from interview_tui.storage.studies import register_study
from interview_tui.tui.context import app_context
from interview_tui.tui.screens.consent import ConsentScreen
from interview_tui.tui.screens.dialogs import ResumeDialog
from interview_tui.tui.screens.demographics import DemographicsScreen
from interview_tui.tui.screens.interview import InterviewScreen
from interview_tui.tui.screens.session_view import SessionViewScreen
from interview_tui.tui.screens.start import StartScreen, StudyErrorScreen

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


def enrol(project, *, consent: bool = True) -> None:
    db = open_db(project.db_path)
    study = default_study()
    study_id = register_study(db, study)
    add_participant(db, study.id)
    if consent:
        form = study.consent
        record_consent(db, "P01", form, given=[i.id for i in form.items], declined=[], decision="given",
                       method="app", study_id=study_id)
    db.close()


async def on_start(pilot, interviewer: str = "MP") -> StartScreen:
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StartScreen)
    screen.query_one("#interviewer", Input).value = interviewer
    if pilot.app.ctx.study.places:  # a new session needs the place when the study lists places
        screen.query_one("#place", Select).value = pilot.app.ctx.study.places[0]
    screen.query_one("#participants").focus()
    return screen


async def test_consent_on_file_is_shown_not_asked_again(make_app, project) -> None:
    enrol(project)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsentScreen)
        assert "Consent on file" in str(screen.query_one("#consent-status", Static).render())
        assert all(box.disabled for box in screen.query(".consent-item Checkbox").results(Checkbox))
        await pilot.press("escape")
        await pilot.press("i")  # straight into the interview: no second consent
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
    db = open_db(project.db_path)
    assert db["consent_records"].count == 1
    db.close()


async def test_a_new_consent_form_version_asks_again(make_app, project, tmp_path: Path) -> None:
    enrol(project)
    text = DEFAULT_STUDY_FILE.read_text(encoding="utf-8")
    assert "version: ita-consent-1.1" in text
    changed = tmp_path / "study-v2.yaml"
    changed.write_text(text.replace("version: ita-consent-1.1", "version: ita-consent-2.0"), encoding="utf-8")
    app = make_app(study_path=changed)
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsentScreen)
        assert not screen.query_one("#item-voluntary_participation", Checkbox).disabled
        assert "Consent on file" not in str(screen.query_one("#consent-status", Static).render())


async def test_demographics_are_shown_again_for_editing(make_app, project) -> None:
    enrol(project)
    db = open_db(project.db_path)
    save_demographics(db, "P01", {"age": "51", "profession": "clinical_psychologist"}, prefer_not={"gender"},
                      form=default_study().demographics)
    db.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DemographicsScreen)
        assert screen.query_one("#f-age", Input).value == "51"
        assert screen.query_one("#f-profession", Select).value == "clinical_psychologist"
        assert screen.query_one("#pn-gender", Checkbox).value is True
        assert screen.query_one("#f-gender", Select).disabled
        screen.query_one("#f-years_experience", Input).focus()
        await pilot.press("x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen  # refused: the field and the reason are shown
        assert "Years of experience in your field: 'x' is not a number" in str(
            screen.query_one("#err-years_experience", Static).render())
        await pilot.press("backspace", "2", "0", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
    db = open_db(project.db_path)
    answers = get_demographics(db, "P01")
    db.close()
    assert answers["age"] == 51 and answers["years_experience"] == 20.0
    assert answers["gender"].name == "PREFER_NOT"


async def test_leaving_keeps_the_session_open_and_i_resumes_it(make_app, project, clock) -> None:
    enrol(project)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("n", "b")
        await pilot.press("escape", "y")  # leave, confirmed
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        clock.advance(120)
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, InterviewScreen)
        assert screen.interview.state.current_id == "alliance-contact"
        # 'Go to' starts at the current question, also in a resumed session: ↑↑ passes the
        # "Establishing working alliance" heading and lands on the first question.
        await pilot.press("g", "up", "up", "enter")
        await pilot.pause()
        assert screen.interview.state.current_id == app.ctx.study.guide.sections[0].questions[0].id
    db = open_db(project.db_path)
    [session] = open_sessions(db)
    kinds = [e.kind for e in session_events(db, session.id)]
    db.close()
    # coming back to the open session is a resume: the time away is not interview time
    assert kinds == ["session_started", "question_reached", "question_reached", "bookmark", "session_resumed",
                     "question_reached"]


async def test_closed_session_is_viewable_read_only(make_app, project) -> None:
    enrol(project)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("a", *"short one", "enter", "e", "e", "e", "y")
        await pilot.pause()
        await pilot.press("escape", "escape")  # leave the summary, skip the post-interview memo
        await pilot.press("v")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SessionViewScreen)
        text = str(screen.query_one("#summary-text", Static).render())
        assert "read-only" in text and "state: closed" in text and "Note: short one" in text
        assert "Audio: no recording in this session" in text
        await pilot.press("e", "c", "a")  # interview keys do nothing here
        await pilot.pause()
        assert app.screen is screen
    db = open_db(project.db_path)
    [session] = participant_sessions(db, "P01")
    kinds = [e.kind for e in session_events(db, session.id)]
    db.close()
    assert session.state == "closed"
    assert kinds[-3:] == ["closing_reached", "final_prompt", "session_closed"]


async def test_a_broken_study_file_says_where(make_app, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    app = make_app(study_path=broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StudyErrorScreen)
        assert f"{broken}:" in str(app.screen.query_one("#study-error-text", Static).render())
        with pytest.raises(RuntimeError, match="the project is not open"):  # no screen of the project can show
            app_context(app.screen)


async def test_screens_read_the_app_s_own_context(make_app, project) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await on_start(pilot)
        assert screen.ctx is app.ctx is app_context(screen.query_one("#participants"))
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen) and app.screen.ctx is app.ctx


@pytest.mark.parametrize("guide", sorted((DEFAULT_STUDY_FILE.parent).glob("*.yaml")), ids=lambda p: p.stem)
async def test_every_shipped_study_runs_start_to_summary(make_app, guide: Path, project) -> None:
    """Each shipped study: demographics form renders, every question can be walked, the summary shows."""
    app = make_app(study_path=guide, recorder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_start(pilot)
        await pilot.press("a", "d")
        await pilot.pause()
        assert isinstance(app.screen, DemographicsScreen)
        await pilot.press("escape")
        await pilot.press("i")
        await pilot.pause()
        consent = app.screen
        assert isinstance(consent, ConsentScreen)
        for item in app.ctx.study.consent.items:
            consent.query_one(f"#item-{item.id}", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        interview = app.screen
        assert isinstance(interview, InterviewScreen)
        questions = app.ctx.study.guide.questions()
        for _ in questions:
            await pilot.press("c")
        assert interview.interview.state.covered == [q.id for q in questions]
        await pilot.press("e", "e", "y")
        await pilot.pause()
        assert isinstance(app.screen, SessionViewScreen)
        assert f"{len(questions)} covered · 0 skipped · 0 never reached" in str(
            app.screen.query_one("#summary-text", Static).render())


async def test_resume_uses_the_study_the_session_began_with(make_app, project) -> None:
    other = DEFAULT_STUDY_FILE.parent / "peer-support-workers-nb.yaml"
    app = make_app(study_path=other, recorder=False)
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("a", "i")
        await pilot.pause()
        for item in app.ctx.study.consent.items:
            app.screen.query_one(f"#item-{item.id}", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("n")
        started_on = app.screen.interview.state.current_id
    again = make_app(recorder=False)  # the default study this time
    async with again.run_test(size=SIZE) as pilot:
        for _ in range(200):  # the resume offer comes after the first refresh: answer it once it is there
            if isinstance(again.screen, ResumeDialog):
                break
            await pilot.pause(0.05)
        assert isinstance(again.screen, ResumeDialog)
        await pilot.press("enter")
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, InterviewScreen)
        assert screen.study.id == "erfaringskonsulenter" != again.ctx.study.id
        assert screen.interview.state.current_id == started_on


async def test_a_first_run_types_into_the_interviewer_field_then_the_list_keys_work(make_app, project) -> None:
    app = make_app(recorder=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        box = screen.query_one("#interviewer", Input)
        assert box.has_focus  # the first field on screen, and empty
        await pilot.press("K", "a", "r", "i", "enter")
        assert box.value == "Kari"  # 'a' and 'i' were typed, not taken as keys
        assert screen.query_one("#place", Select).has_focus  # no place yet: on to it
        await pilot.press("escape", "enter", "down", "enter")
        assert screen.query_one("#place", Select).value == app.ctx.study.places[0]
        assert screen.query_one("#participants").has_focus
        await pilot.press("a", "a")
        await pilot.pause()
        assert screen.selected_code() == "P02"
    again = make_app(recorder=False)  # the interviewer is remembered: the list and its keys come first
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.screen.query_one("#participants").has_focus


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_refused_consent_shows_the_missing_item(make_app, project, size) -> None:
    """The refusal message is longer than the hint: the item it focuses must still be in view after."""
    enrol(project, consent=False)
    app = make_app(recorder=False)
    async with app.run_test(size=size) as pilot:
        await on_start(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConsentScreen)
        screen.query_one("#item-voluntary_participation").focus()
        await pilot.press("space", "ctrl+s")
        await pilot.pause()
        missing = screen.query_one("#item-audio_recording")
        assert missing.has_focus
        assert screen.query_one("#consent-body").region.contains_region(missing.parent.region)


async def test_a_new_interview_needs_the_place(make_app, project) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#interviewer", Input).value = "MP"
        screen.query_one("#participants").focus()
        await pilot.press("i")
        await pilot.pause()
        assert app.screen is screen  # refused: the place is stored with the session for good
        assert screen.query_one("#place", Select).has_focus
        await pilot.press("enter", "down", "enter", "i")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)
    db = open_db(project.db_path)
    [session] = participant_sessions(db, "P01")
    db.close()
    assert session.place == default_study().places[0]
