"""The post-interview memo after the summary (saved, or skipped with Escape), and the project journal
from any screen (ctrl+n); both land in the database."""

from __future__ import annotations

import pytest
from textual.widgets import Static, TextArea

from interview_tui.storage import open_db
from interview_tui.storage.memos import journal, participant_memos
from interview_tui.tui.screens.memo import MEMO_TEMPLATE, JournalScreen, MemoScreen
from interview_tui.tui.screens.session_view import SessionViewScreen
from interview_tui.tui.screens.start import StartScreen
from tests.tui.test_screens import enrol, on_start

pytestmark = pytest.mark.anyio


async def _close_interview(pilot) -> None:
    await on_start(pilot)
    await pilot.press("i")
    await pilot.pause()
    await pilot.press("e", "e", "e", "y")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SessionViewScreen)
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(pilot.app.screen, MemoScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_memo_after_the_summary_is_saved(make_app, project, size) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=size) as pilot:
        await _close_interview(pilot)
        screen = app.screen
        area = screen.query_one("#memo-text", TextArea)
        assert area.text == MEMO_TEMPLATE and area.has_focus
        await pilot.press("ctrl+s")  # the untouched template is not a memo
        await pilot.pause()
        assert app.screen is screen and "Nothing written yet" in str(screen.query_one("#memo-error", Static).render())
        await pilot.press(*"staff room")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
    db = open_db(project.db_path)
    [memo] = participant_memos(db, "P01")
    db.close()
    assert memo.text.startswith("Setting: staff room") and memo.author == "MP" and memo.session_id


async def test_memo_can_be_skipped(make_app, project) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _close_interview(pilot)
        await pilot.press(*"half a thought", "escape")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
    db = open_db(project.db_path)
    assert participant_memos(db, "P01") == []
    db.close()


async def test_journal_from_the_start_screen(make_app, project) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_start(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        await pilot.press(*"I expected more resistance.", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
    db = open_db(project.db_path)
    [entry] = journal(db)
    db.close()
    assert entry.text == "I expected more resistance." and entry.author == "MP"
