"""Reviewing a real transcript (espeak-ng speech, tiny.en) with the keyboard, checked in the database.

Playback goes through the real output path: PortAudio -> PulseAudio's virtual sink, whose
monitor (`vmic`) is recorded while the segment plays and cross-correlated with the file.

The machine transcript's unsure marks and pause lengths differ a little between CPUs and thread
counts, so what the review must produce is derived from this run's machine text, exactly.
"""

from __future__ import annotations

import asyncio
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.review.text import word_tokens
from interview_tui.storage import open_db
from interview_tui.storage import reviews
from interview_tui.storage.transcripts import list_transcripts, load_transcript
from interview_tui.tui.screens.review import ReviewScreen
from interview_tui.tui.screens.start import StartScreen
from interview_tui.tui.screens.dialogs import CONTEXT
from interview_tui.tui.widgets.review_editor import SegmentEditor
from interview_tui.tui.widgets.review_segments import SegmentList
from tests.fixtures.review import INTERVIEW_QUESTIONS
from tests.fixtures.speech import INTERVIEW_PARTS, assert_marks_follow_probabilities, words_in_order
from tests.integration.test_playback import MIC_RATE, best_match, to_mic_rate

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.model, pytest.mark.audio]

SIZE = (120, 40)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


def put_cursor(screen: ReviewScreen, index: int) -> None:
    editor = screen.query_one(SegmentEditor)
    editor.move_cursor(editor.document.get_location_from_index(index))


async def split_before(pilot, screen: ReviewScreen, words: str) -> None:
    """Open the editor on the highlighted segment, put the cursor before `words`, split there (ctrl+n)."""
    await pilot.press("x")
    put_cursor(screen, screen.query_one(SegmentEditor).text.index(words))
    await pilot.press("ctrl+n")
    await pilot.pause()


def split_text(text: str, before: str) -> tuple[str, str]:
    """`text` cut before `before`, as a split at the cursor there leaves it."""
    at = text.index(before)
    return text[:at].strip(), text[at:].strip()


def expected_review(machine: list[str]) -> list[tuple[str, str]]:
    """The reviewed turns this test makes from the machine's two segments, marks and pauses as it wrote them."""
    first, second = machine
    question1, answer1 = split_text(first.replace(" ago.", " back.", 1), "I started")
    question2, answer2 = split_text(second, "It looks")
    return [("Interviewer", question1), ("P01", answer1),
            ("Interviewer", question2), ("P01", answer2.replace("honesty", "openness", 1))]


async def pick_new_speaker(pilot, name: str) -> None:
    await pilot.press("c")
    await pilot.pause()
    await pilot.press("end", "enter")  # "Another name…" is the last option
    await pilot.pause()
    await pilot.press("ctrl+u")
    await type_text(pilot, name)
    await pilot.press("enter")
    await pilot.pause()


async def test_review_a_real_transcript_with_the_keyboard(make_app, review_project, virtual_mic, tmp_path) -> None:
    import sounddevice as sd

    db_path = review_project.root / "interview.db"
    machine_before = _segments(db_path, review_project.machine_id)
    # What holds on any machine: one segment per question, the script's words in order, marks
    # exactly on the words the model was unsure of, pause marks at the silences between turns.
    machine = [s.text for s in machine_before]
    assert len(machine) == 2 and [s.question_id for s in machine_before] == list(INTERVIEW_QUESTIONS), machine
    assert words_in_order(" ".join(t for t, _ in INTERVIEW_PARTS[:2]), machine[0]), machine
    assert words_in_order(" ".join(t for t, _ in INTERVIEW_PARTS[2:]), machine[1]), machine
    assert_marks_follow_probabilities(machine_before, _threshold(db_path, review_project.machine_id))
    # The words this test edits, as it types them (tiny.en is sure of these: probability > 0.75).
    assert " ago." in machine[0] and "I started" in machine[0], machine
    assert "trust" in machine[1] and "It looks" in machine[1] and " honesty." in machine[1], machine
    expected = expected_review(machine)
    assert re.search(PAUSE + "$", expected[0][1]) and re.match(PAUSE, expected[2][1]), expected
    app = make_app(recorder=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        segments = screen.query_one(SegmentList)
        assert segments.option_count == 2 and segments.highlighted == 0

        # Play the first segment (ctrl+r = replay segment) while recording the sink's monitor.
        seg = screen.review.segments[0]
        frames: list[np.ndarray] = []
        with sd.InputStream(samplerate=MIC_RATE, channels=1, dtype="float32",
                            callback=lambda data, *_: frames.append(data[:, 0].copy())):
            await asyncio.sleep(0.3)
            await pilot.press("ctrl+r")
            await asyncio.sleep(seg.end - seg.start + 1.5)
        reference = to_mic_rate(screen.source.read(max(0.0, seg.start - 0.2), seg.end + 0.2), screen.source.samplerate)
        _lag, corr = best_match(np.concatenate(frames), reference)
        assert corr > 0.9, corr
        await pilot.pause()
        assert "heard 0%" not in str(screen.query_one("#review-status").render())

        # Fix a word: "ago" -> "back" (the cursor put after it; it may not be the last word on every machine).
        await pilot.press("e")
        put_cursor(screen, screen.query_one(SegmentEditor).text.index(" ago.") + len(" ago"))
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "back")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.review.segments[0].text == machine[0].replace(" ago.", " back.", 1)

        # Split the question from the answer; then a wrong split in the second turn, merged back and split right.
        await split_before(pilot, screen, "I started")
        assert [s.text for s in screen.review.segments][:2] == [text for _, text in expected[:2]]
        segments.highlighted = 2
        await split_before(pilot, screen, "trust")
        assert len(screen.review.segments) == 4
        segments.highlighted = 2
        await pilot.press("m")
        await pilot.pause()
        assert len(screen.review.segments) == 3
        await split_before(pilot, screen, "It looks")
        assert len(screen.review.segments) == 4

        # Speakers: the questions are the interviewer's; the mono label becomes the participant everywhere.
        segments.highlighted = 0
        await pick_new_speaker(pilot, "Interviewer")
        segments.highlighted = 2
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("enter")  # "Interviewer" is now the first choice
        await pilot.pause()
        segments.highlighted = 1
        await pilot.press("R")
        await pilot.pause()
        await pilot.press("enter")  # the highlighted segment's speaker comes first
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, "P01")
        await pilot.press("enter")
        await pilot.pause()
        assert [s.speaker for s in screen.review.segments] == ["Interviewer", "P01", "Interviewer", "P01"]

        # Find/replace with its preview.
        await pilot.press("f")
        await pilot.pause()
        await type_text(pilot, "honesty")
        await pilot.press("enter")
        await type_text(pilot, "openness")
        await pilot.pause()
        preview = str(app.screen.query_one("#replace-preview-text").render())
        answer = split_text(machine[1], "It looks")[1]
        at = answer.index(" honesty.") + 1
        assert f"{answer[max(0, at - CONTEXT):at]}honesty. → openness." in preview and "1 match(es) in 1 segment(s)" in \
            str(app.screen.query_one("#replace-summary").render())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen

        # What changed so far (d): the figures and every changed turn, machine words in place.
        await pilot.press("d")
        await pilot.pause()
        changes = str(app.screen.query_one("#text-dialog-text").render())
        assert "correction rate" in changes and "[-ago.-]{+back.+}" in changes and "[-honesty.-]{+openness.+}" in changes
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        # Sign off.
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("ctrl+u")
        await type_text(pilot, "MP")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.review.signed_off
        assert "project: 1 of 1 transcripts reviewed" in str(screen.query_one("#review-info").render())
        await pilot.press("escape")
        await pilot.pause()

    rows = _versions(db_path, review_project.recording_id)
    assert [(r.version, r.kind, r.parent_id, r.reviewed_by) for r in rows] == [
        (1, "machine", None, None), (2, "review", review_project.machine_id, "MP")]
    reviewed = _segments(db_path, rows[1].id)
    assert [(s.speaker, s.text) for s in reviewed] == expected
    assert [s.question_id for s in reviewed] == ["intro-describe", "intro-describe", "alliance-contact", "alliance-contact"]
    # Word times stayed with their words: every reviewed word that the machine had keeps its time.
    machine_words = {(w.word.strip(" .?,").lower(), round(w.start, 3)) for s in machine_before for w in s.words}
    for s in reviewed:
        assert len(s.words) == len(word_tokens(s.text))
        for w in s.words:
            if w.word.strip(" .?,").lower() not in ("back", "openness"):
                assert (w.word.strip(" .?,").lower(), round(w.start, 3)) in machine_words
    ago = next(w for s in machine_before for w in s.words if w.word.strip(" .") == "ago")
    back = next(w for w in reviewed[1].words if w.word.startswith("back"))
    assert (back.start, back.end) == (ago.start, ago.end)
    # The machine version is untouched.
    assert [(s.text, s.speaker) for s in _segments(db_path, review_project.machine_id)] == \
        [(s.text, s.speaker) for s in machine_before]
    db = open_db(db_path)
    kinds = [e.kind for e in reviews.edits(db, rows[1].id)]
    assert kinds == ["start", "text", "split", "split", "merge", "split", "speaker", "speaker", "rename", "replace", "signoff"]
    assert reviews.heard_spans(db, rows[1].id)
    db.close()

    # Exports after review hold the corrected text and name the version.
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["--data-dir", str(review_project.root), "export", "folder", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    manifest = json.loads(next(out.rglob("manifest.json")).read_text())
    text = "\n".join(p.read_text() for p in out.rglob("*.txt") if "maxqda" not in p.name and "nvivo" not in p.name)
    assert expected[3][1] in text and "honesty" not in text and expected[1][1] in text
    assert "reviewed version 2" in json.dumps(manifest) and "by MP" in json.dumps(manifest)
    assert "reviewed version 2" in text


#: A verbatim pause mark: (.), (..) or (N s).
PAUSE = r"\((?:\.+|\d+ s)\)"


def _threshold(db_path, transcript_id) -> float:
    db = open_db(db_path)
    try:
        return float(load_transcript(db, transcript_id).meta.options["unsure_probability"])
    finally:
        db.close()


def _versions(db_path, recording_id):
    db = open_db(db_path)
    try:
        return list_transcripts(db, recording_id)
    finally:
        db.close()


def _segments(db_path, transcript_id):
    db = open_db(db_path)
    try:
        return load_transcript(db, transcript_id).segments
    finally:
        db.close()
