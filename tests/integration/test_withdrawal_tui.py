"""Withdrawal from the app: w on the start screen asks first, then erases in a worker."""

from __future__ import annotations

import pytest

from interview_tui.storage import audit, open_db
from interview_tui.tui.screens.dialogs import ConfirmDialog
from interview_tui.tui.screens.start import StartScreen
from tests.fixtures.audio import enroll

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("no_network")]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_w_asks_then_withdraws_and_erases(project, db, make_app) -> None:
    enroll(db, "P01")
    enroll(db, "P02")
    db.close()
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        app.screen.query_one("#participants").focus()  # a first run focuses the empty name field
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "P01 withdraws" in str(app.screen.question)
        await pilot.press("n")  # declined: nothing happens
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        check = open_db(project.db_path)
        assert check.execute("SELECT COUNT(*) FROM consent_records").fetchone()[0] == 2
        check.close()
        await pilot.press("w", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#participants")
        assert [str(k.value) for k in table.rows] == ["P02"]
    check = open_db(project.db_path)
    assert check.execute("SELECT code FROM participants WHERE withdrawn_at IS NOT NULL").fetchall() == [("P01",)]
    assert check.execute("SELECT COUNT(*) FROM consent_records").fetchone()[0] == 1
    [entry] = audit.entries(check, action="withdrawn")
    assert entry.participant_code == "P01"
    check.close()
