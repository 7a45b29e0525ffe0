"""Speakers found by voice applied to review segments; swapping; the attention queue."""

from __future__ import annotations

import pytest

from interview_tui.diarization.naming import describe, is_question
from interview_tui.review.attention import build_queue, AttentionSettings
from interview_tui.review.edits import EditError, apply_speakers, confirm, swap_speakers
from interview_tui.domain.transcript import Segment, Word


def seg(text: str, start: float = 0.0, speaker: str = "Speaker (mono)") -> Segment:
    words = [Word(" " + w, start + i, start + i + 0.8, 0.9) for i, w in enumerate(text.split())]
    return Segment(start, words[-1].end, text, words, speaker)


@pytest.mark.parametrize(
    "names, unsure, expected",
    [
        (["I", "I", "I", "I"], [False, False, True, False], [("I", "How long have you", True)]),
        (["I", "I", "P", "P"], [False] * 4, [("I", "How long", False), ("P", "have you", False)]),
        (["I", "P", "I", "P"], [False, True, False, False],
         [("I", "How", False), ("P", "long", True), ("I", "have", False), ("P", "you", False)]),
    ],
)
def test_a_segment_is_split_where_the_voice_changes(names, unsure, expected):
    out = apply_speakers([seg("How long have you")], names, unsure, "speaker")
    assert [(s.speaker, s.text, "speaker" in s.flags) for s in out] == expected
    assert all(len(s.words) == len(s.text.split()) and s.words[0].start == s.start for s in out)


def test_segments_without_words_count_as_one_and_old_flags_are_replaced():
    plain = Segment(0.0, 2.0, "Yes.", [], "Speaker (mono)", flags=["speaker"])
    out = apply_speakers([plain, seg("I see", 3.0)], ["P", "I", "I"], [False, True, False], "speaker")
    assert [(s.speaker, s.flags) for s in out] == [("P", []), ("I", ["speaker"])]


def test_swap_exchanges_two_speakers_everywhere():
    segs = [seg("Hi", 0, "MP"), seg("Hello", 2, "P01"), seg("Mm", 4, "MP"), seg("Aside", 6, "Speaker 3")]
    out, count = swap_speakers(segs, "MP", "P01")
    assert [s.speaker for s in out] == ["P01", "MP", "P01", "Speaker 3"] and count == 3
    assert [s.speaker for s in segs] == ["MP", "P01", "MP", "Speaker 3"]  # the input is left alone


@pytest.mark.parametrize("a, b, message", [("MP", "MP", "two different"), ("X", "Y", "no segment")])
def test_swap_refuses_what_it_cannot_do(a, b, message):
    with pytest.raises(EditError, match=message):
        swap_speakers([seg("Hi", 0, "MP")], a, b)


def test_unsure_speakers_join_the_attention_queue_until_confirmed():
    s = seg("Yes", 0, "MP")
    s.flags.append("speaker")
    items = build_queue([s], AttentionSettings(), None, {})
    assert [i.kind for i in items] == ["speaker"] and "MP" in items[0].reason
    assert build_queue(confirm([s], 0), AttentionSettings(), None, {}) == []


@pytest.mark.parametrize(
    "text, question",
    [(" How long have you worked here?", True), (" What was that like", True), (" Could you say more?", True),
     (" I worked there for years.", False), (" Yes.", False), (" Whatever happens, I stay.", False)],
)
def test_questions_are_recognised(text, question):
    assert is_question(text) is question


@pytest.mark.parametrize(
    "prov, words",
    [({"method": "timeline", "share_after_cues": 0.9, "agreeing_cues": 4, "cues": 4, "confident": True}, "timeline"),
     ({"method": "questions", "question_share": 0.8, "confident": False}, "please check"),
     ({"method": "swapped"}, "swapped")],
)
def test_provenance_is_described_for_people(prov, words):
    assert words in describe(prov)
