"""The transcription queue opened from the start screen is one screen for the whole run: going back keeps its work."""

import pytest
from interview_tui.tui.screens.start import StartScreen
from interview_tui.tui.screens.transcription import TranscriptionScreen
pytestmark = pytest.mark.anyio

async def test_transcription_screen_survives_going_back(project, make_app):
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#participants").focus()
        await pilot.press("t")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, TranscriptionScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("t")
        await pilot.pause()
        assert app.screen is first
