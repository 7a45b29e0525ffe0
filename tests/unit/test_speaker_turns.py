"""Chunking, smoothing and naming on hand-made chunks (no audio, no model)."""

from __future__ import annotations

import pytest

from interview_tui.diarization.naming import name_voices
from interview_tui.diarization.turns import Chunk, chunk_words, smooth
from interview_tui.domain.transcript import Word


def w(text: str, start: float, end: float) -> Word:
    return Word(" " + text, start, end, 0.9)


@pytest.mark.parametrize(
    "words, expected",
    [
        ([w("so", 0, 0.2), w("how", 0.25, 0.4), w("are", 0.45, 0.6)], [(0, 2)]),  # fluent speech: one chunk
        ([w("yes", 0, 0.3), w("well", 0.8, 1.0)], [(0, 0), (1, 1)]),  # a pause
        ([w("here?", 0, 0.3), w("Well", 0.35, 0.6)], [(0, 0), (1, 1)]),  # a sentence end, no pause
        ([w(f"w{i}", i * 0.5, i * 0.5 + 0.4) for i in range(16)], [(0, 11), (12, 15)]),  # over 6 s
    ],
    ids=["fluent", "pause", "sentence-end", "long"],
)
def test_words_are_chunked_where_a_turn_can_change(words, expected):
    assert [(c.first, c.last) for c in chunk_words(words)] == expected


def chunk(start: float, end: float, speaker: int, margin: float = 0.3, text: str = " words") -> Chunk:
    return Chunk(0, 0, start, end, text, speaker=speaker, margin=margin)


@pytest.mark.parametrize(
    "middle, flipped",
    [
        (chunk(5.0, 5.4, 0, margin=0.02), True),  # a short, unclear "mm": takes the surrounding turn
        (chunk(5.0, 5.4, 0, margin=0.3), False),  # short but clearly the other voice: a real backchannel
        (chunk(5.0, 7.0, 0, margin=0.02), False),  # long enough to stand on its own
    ],
)
def test_backchannels_do_not_flip_turns_unless_clear(middle, flipped):
    chunks = [chunk(0, 4.8, 1), middle, chunk(5.6, 12, 1)]
    smooth(chunks)
    assert (chunks[1].speaker == 1) is flipped and chunks[1].smoothed is flipped


def test_the_timeline_names_the_voice_that_speaks_at_the_cues_even_if_it_speaks_less():
    chunks = [chunk(0, 3, 1, text=" Tell me about your work."), chunk(3.5, 30, 0, text=" I work on a ward."),
              chunk(31, 33, 1, text=" I see."), chunk(33.5, 60, 0, text=" What matters is trust?")]
    n = name_voices(chunks, 2, interviewer="MP", participant="P01", cues=[0.2, 31.0])
    assert n.names == {1: "MP", 0: "P01"} and n.provenance["method"] == "timeline" and n.confident


def test_without_events_the_voice_that_asks_is_the_interviewer():
    chunks = [chunk(0, 3, 0, text=" How did you start?"), chunk(3.5, 20, 1, text=" As a nurse."),
              chunk(21, 23, 0, text=" And what was that like?"), chunk(23.5, 40, 1, text=" Hard at first.")]
    n = name_voices(chunks, 2, interviewer="MP", participant="P01")
    assert n.names == {0: "MP", 1: "P01"} and n.provenance["method"] == "questions" and n.confident
