"""Snapshots of the consent, demographics and interview screens at 80x24 and 120x40.

Times come from a fixed clock so the pictures are the same on every run.
Update with `pytest tests/tui/test_snapshots.py --snapshot-update`, after
looking at the new SVGs.
"""

from __future__ import annotations

import pytest

from interview_tui.domain.loader import default_study
from interview_tui.domain.session import Interview
from interview_tui.storage import open_db
from interview_tui.storage import sessions as store
from interview_tui.storage.consent import record_consent
from interview_tui.storage.participants import add_participant
from interview_tui.storage.studies import register_study
from interview_tui.tui.screens.dialogs import ResumeDialog
from tests.fixtures.tui import T0, ManualClock

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def seed(project, *, consented: bool = False, interview: bool = False) -> None:
    """P01 (and its consent and an interview in progress when asked), written before the app starts."""
    db = open_db(project.db_path)
    study = default_study()
    study_id = register_study(db, study)
    participant = add_participant(db, study.id)
    if consented:
        form = study.consent
        record_consent(db, "P01", form, given=[i.id for i in form.items], declined=[], decision="given",
                       method="app", study_id=study_id)
    if interview:
        session_id = store.open_session(db, participant_id=participant.id, study_id=study_id,
                                        place="University of Bergen", started_at=T0.isoformat())
        clock = ManualClock()
        run = Interview(study.guide, T0.isoformat(), store.event_writer(db, session_id), clock=clock)
        run.start()
        clock.advance(240)
        run.open_probe("intro-executing")
        run.mark("covered")
        clock.advance(900)  # covering the first question went on to the contact question
        run.open_probe("bond-rupture-solve")  # a sub-theme follow-up of the contact question
        run.note("describes a restraint episode")
        run.bookmark()
        clock.advance(1140)  # the app ran to 38 minutes (a later bookmark), then stopped
        run.bookmark("quotable")
    db.close()


async def from_the_list(pilot) -> None:
    """Move from the empty interviewer field (a first run's focus) to the participant list."""
    pilot.app.screen.query_one("#participants").focus()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_consent_screen(snap_compare, make_app, project, size) -> None:
    seed(project)

    async def consent(pilot) -> None:
        await from_the_list(pilot)
        await pilot.press("c")

    assert snap_compare(make_app(), run_before=consent, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_demographics_screen_with_an_invalid_age(snap_compare, make_app, project, size) -> None:
    seed(project)

    async def fill(pilot) -> None:
        await from_the_list(pilot)
        await pilot.press("d")
        await pilot.pause()
        pilot.app.screen.query_one("#f-age").focus()
        await pilot.press("1", "5", "0")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=fill, terminal_size=size)


async def resume(pilot) -> None:
    """Take the resume offer once it is on screen (a key pressed before it would go to the start screen)."""
    for _ in range(200):
        if isinstance(pilot.app.screen, ResumeDialog):
            break
        await pilot.pause(0.05)
    assert isinstance(pilot.app.screen, ResumeDialog)
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_interview_screen_resumed(snap_compare, make_app, project, clock, size) -> None:
    seed(project, consented=True, interview=True)
    # Resumed at once (no downtime) 38 minutes in, 27 of them on "Therapeutic bond" (budget 18 min):
    # shown as over.
    clock.advance(38 * 60)
    assert snap_compare(make_app(recorder=False), run_before=resume, terminal_size=size)


def test_interview_screen_light_theme(snap_compare, make_app, project, clock) -> None:
    seed(project, consented=True, interview=True)
    clock.advance(38 * 60)

    async def light(pilot) -> None:
        await resume(pilot)
        await pilot.press("ctrl+t")  # the light/dark switch
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=light, terminal_size=(120, 40))
