"""The demographics form's error path: where the cursor is, and what the status line says."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from interview_tui.storage import open_db
from interview_tui.storage.demographics import get_demographics
from interview_tui.tui.screens.demographics import DemographicsScreen
from interview_tui.tui.screens.start import StartScreen
from tests.tui.test_screens import enrol, on_start

pytestmark = pytest.mark.anyio


def status(screen: DemographicsScreen) -> str:
    return str(screen.query_one("#demographics-status", Static).render())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_refused_save_says_where_the_cursor_went_and_clears_once_fixed(make_app, project, size) -> None:
    # The defect: `8,5` typed into Age, saved, the cursor jumped silently back to Age while the
    # interviewer believed it was in "Years working…"; `Not saved. Fix: …` stayed after the fix.
    enrol(project)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await on_start(pilot)
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DemographicsScreen)
        screen.query_one("#f-age", Input).focus()
        await pilot.press("8", ",", "5")
        screen.query_one("#f-years_experience", Input).focus()
        await pilot.press("x")
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert app.screen is screen
        assert app.focused is screen.query_one("#f-age", Input)
        assert status(screen) == ("Not saved. Fix: Age, Years of experience in your field. "
                                  "The cursor is now in Age.")
        assert screen.query_one("#row-age").has_class("-invalid")

        await pilot.press("backspace", "backspace", "backspace", "4", "5")
        await pilot.pause()
        assert status(screen) == "Not saved. Fix: Years of experience in your field"
        assert not screen.query_one("#row-age").has_class("-invalid")

        screen.query_one("#f-years_experience", Input).focus()
        await pilot.press("backspace", "2", "0")
        await pilot.pause()
        assert status(screen) == "✓ Every field is valid now. Press ctrl+s to save."

        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
    db = open_db(project.db_path)
    answers = get_demographics(db, "P01")
    db.close()
    assert answers["age"] == 45 and answers["years_experience"] == 20.0
