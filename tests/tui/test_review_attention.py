"""The attention queue from the keyboard: jump to an unsure word (it plays, and the editor selects it),
fix it by typing, confirm a repeat as heard, drop a marker where the audio is, change speed."""

from __future__ import annotations

import pytest

from interview_tui.storage import open_db
from interview_tui.storage.transcripts import list_transcripts, load_transcript
from interview_tui.tui.screens.review import ReviewScreen
from interview_tui.tui.widgets.review_segments import SegmentList

pytestmark = [pytest.mark.anyio, pytest.mark.audio, pytest.mark.slow]


async def test_attention_items_from_the_keyboard(make_app, attention_project, virtual_mic, project) -> None:
    app = make_app(recorder=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#participants").focus()
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert [(i.kind, i.index) for i in screen.attention] == [("unsure", 1), ("repeat", 2)]

        await pilot.press("n")  # the unsure word: highlighted, and it plays
        await pilot.pause()
        assert screen.query_one(SegmentList).highlighted == 1 and screen.player.playing
        await pilot.press("e")  # the editor opens with "[ears? 00:0N]" selected: typing replaces it
        await pilot.press("y", "e", "a", "r", "s", "ctrl+s")
        await pilot.pause()
        assert screen.review.segments[1].text == "I started as a nurse many years ago."
        assert [i.kind for i in screen.attention] == ["repeat"]

        await pilot.press("n")  # the repeat: heard, and it was really said (k = OK as it is)
        await pilot.pause()
        assert screen.query_one(SegmentList).highlighted == 2
        await pilot.press("k")
        await pilot.pause()
        assert screen.attention == []
        assert "0 to check" in str(screen.query_one("#review-info").render())

        screen.query_one(SegmentList).highlighted = 3
        await pilot.press("i")  # marker at the end of a segment that is not playing
        await pilot.pause()
        await pilot.press("end", "up", "enter")  # laughter (the one before the timestamp)
        await pilot.pause()
        assert screen.review.segments[3].text == "It looks like trust and honesty. [laughter]"

        screen.player.pause()  # the repeat may still be playing
        await pilot.press("s")
        assert screen.player.speed == 0.75
        await pilot.press("space")
        await pilot.pause()
        assert screen.player.playing
        await pilot.press("space")
        await pilot.pause()
        assert not screen.player.playing
        at = screen.player.position
        await pilot.press("right")  # with the list focused, ←/→ step through the audio
        assert screen.player.position == pytest.approx(at + 3.0)
        await pilot.press("left", "left")
        assert screen.player.position == pytest.approx(max(0.0, at - 3.0))
        await pilot.press("escape")

    db = open_db(project.db_path)
    rows = list_transcripts(db, attention_project)
    draft = load_transcript(db, rows[-1].id).segments
    db.close()
    assert rows[-1].kind == "review" and rows[-1].reviewed_at is None
    years = draft[1].words[6]
    assert (years.word, years.probability) == ("years", 1.0)
    assert "checked" in draft[2].flags and draft[2].words[0].probability == 1.0
