"""The saturation screen: from the start screen, record which new themes an interview raised."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Static

from interview_tui.storage import open_db
from interview_tui.storage.saturation import saturation_log
from interview_tui.tui.screens.saturation import SaturationScreen, split_themes
from interview_tui.tui.screens.start import StartScreen
from tests.tui.test_screens import SIZE, enrol, on_start


@pytest.mark.parametrize(
    ("typed", "themes"),
    [("trust;  coercion as care ; trust", ["trust", "coercion as care"]), (" ; ;", []), ("", []),
     ("«tillit»", ["«tillit»"])],
)
def test_split_themes(typed: str, themes: list[str]) -> None:
    assert split_themes(typed) == themes


@pytest.mark.anyio
async def test_record_new_themes_then_none(make_app, project) -> None:
    enrol(project)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await on_start(pilot)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SaturationScreen)
        await pilot.press("ctrl+s")  # neither themes nor "none": refused, said why
        await pilot.pause()
        assert app.screen is screen
        assert "tick 'No new themes'" in str(screen.query_one("#saturation-error", Static).render())
        screen.query_one("#themes", Input).value = "trust; coercion as care"
        screen.query_one("#review", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        # Again for the same participant: the entry is shown and replaced.
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert screen.query_one("#themes", Input).value == "trust; coercion as care"
        assert "Interview 1 (P01): trust; coercion as care · review point" in str(
            screen.query_one("#saturation-log", Static).render())
        screen.query_one("#themes", Input).value = ""
        screen.query_one("#no-new", Checkbox).value = True
        await pilot.press("ctrl+s")
        await pilot.pause()
    db = open_db(project.db_path)
    try:
        [entry] = saturation_log(db)
        assert (entry.code, entry.new_themes, entry.review_point) == ("P01", (), True)
    finally:
        db.close()
