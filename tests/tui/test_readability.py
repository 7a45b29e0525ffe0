"""What an interviewer sees at 80x24: nothing cut, one key map, times on one base."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.widgets import OptionList, Static

from interview_tui.tui.screens import consent, demographics, interview, review, session_view, start, transcription
from interview_tui.tui.screens.interview import InterviewScreen
from tests.tui.test_screens import enrol, on_start

pytestmark = pytest.mark.anyio

SCREENS = [start.StartScreen, consent.ConsentScreen, demographics.DemographicsScreen, interview.InterviewScreen,
           session_view.SessionViewScreen, transcription.TranscriptionScreen, review.ReviewScreen]


def keys_of(screen: type) -> dict[str, str]:
    out = {}
    for b in screen.BINDINGS:
        assert isinstance(b, Binding)
        for key in b.key.split(","):
            out[key] = b.action
    return out


# Keys that must mean the same wherever they are bound (r was Review on the start screen and
# Record on the interview screen); `space` is the audio's start/pause (record, or play in review).
SAME_EVERYWHERE = {
    "r": {"review"},
    "space": {"record", "play_pause"},
    "escape": {"back", "leave", "app.quit"},
    "ctrl+s": {"save", "give"},
}


@pytest.mark.parametrize("key, meanings", SAME_EVERYWHERE.items())
def test_a_key_means_one_thing_across_screens(key, meanings) -> None:
    used = {screen.__name__: keys_of(screen)[key] for screen in SCREENS if key in keys_of(screen)}
    assert used, f"{key} is bound nowhere"
    assert set(used.values()) <= meanings, used



async def test_follow_ups_keep_their_indent_after_going_back(make_app, project) -> None:
    # After n (a question without follow-ups) and p, the second line of a follow-up started at
    # the left edge: the list was wrapped while hidden.
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_start(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InterviewScreen)

        def prompts() -> list[list[str]]:
            options = app.screen.query_one("#prompts", OptionList)
            return [str(options.get_option_at_index(i).prompt).split("\n") for i in range(options.option_count)]

        def continuation_lines() -> list[str]:
            return [line for lines in prompts() for line in lines[1:]]

        def texts() -> list[str]:
            return [" ".join(line.strip() for line in lines) for lines in prompts()]

        before = texts()
        assert continuation_lines() and all(line.startswith("    ") for line in continuation_lines())
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        await pilot.pause()
        # The same follow-ups, every continuation line under the text (the panel may be a scrollbar
        # wider or narrower than at first, so the wrap points themselves may move).
        assert texts() == before
        assert continuation_lines() and all(line.startswith("    ") for line in continuation_lines())


async def test_the_outline_shows_the_highlighted_question_in_full_while_picking(make_app, project) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_start(pilot)
        await pilot.press("i")
        await pilot.pause()
        full = app.screen.query_one("#outline-full", Static)
        assert not full.display or not full.region.height  # hidden while not picking
        await pilot.press("g", "down", "down", "down", "down")
        await pilot.pause()
        assert full.region.height > 1
        guide = app.ctx.study.guide
        texts = [" ".join(q.text.split()) for q in guide.questions()]
        assert str(full.render()) in texts and len(str(full.render())) > 26  # longer than the outline's rows
        await pilot.press("escape")


async def test_the_bookmark_toast_uses_the_export_time_base(make_app, project, clock) -> None:
    enrol(project)
    app = make_app(recorder=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_start(pilot)
        await pilot.press("i")
        await pilot.pause()
        clock.advance(113)
        await pilot.press("b")
        await pilot.pause()
        toasts = [n.message for n in app._notifications]
        assert "Bookmark at 1:53 interview time (nothing is recording)" in toasts


def test_bookmark_toast_on_the_recording_timeline() -> None:
    from interview_tui.domain.session import Event
    from interview_tui.tui.screens.interview import bookmark_toast

    event = Event("bookmark", "2026-03-02T09:31:53Z", 113.0, recording_id=1, recording_offset_s=28.14)
    assert bookmark_toast(event) == "Bookmark at 00:00:28.1 in the recording"
