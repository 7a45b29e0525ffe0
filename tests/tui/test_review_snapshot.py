"""Snapshots of the review screen at 80x24 and 120x40: segments with time, speaker and flags, the
highlighted current segment, the player line, the footer.  A hand-made transcript over real
speech, so nothing depends on a model.  Update with `--snapshot-update` after looking at the SVGs."""

from __future__ import annotations

import pytest

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_review_screen(snap_compare, make_app, attention_project, size) -> None:
    async def open_review(pilot) -> None:
        pilot.app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()  # the loudness scan, so its flags are drawn
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=open_review, terminal_size=size)


def test_review_editor(snap_compare, make_app, attention_project) -> None:
    async def edit(pilot) -> None:
        pilot.app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press("down", "e")
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=edit, terminal_size=(120, 40))


@pytest.mark.parametrize("size", SIZES)
def test_review_screen_of_an_interview_of_two_recordings(snap_compare, make_app, two_recordings, size) -> None:
    """One transcript: the second recording's segments after the marked boundary, on the interview's clock."""
    async def open_review(pilot) -> None:
        pilot.app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(make_app(recorder=False), run_before=open_review, terminal_size=size)
