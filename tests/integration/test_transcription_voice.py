"""Voice activity on real (synthesised) speech: the regions bracket what was said."""

from __future__ import annotations

from tests.fixtures.speech import compose

from interview_tui.domain.transcript import Word
from interview_tui.transcription.voice import place_words, speech_regions


def test_speech_regions_bracket_each_utterance_and_a_stray_word_moves_to_its_speech() -> None:
    audio, timeline = compose([("Could you tell me about your work?", 6.0), ("He might even have been made to stay.", 1.0)])
    speech = speech_regions(audio)
    assert len(speech.regions) == 2
    for (start, end), said in zip(speech.regions, timeline):
        assert start <= said.start_s + 0.3 and end >= said.end_s - 0.3
    # A word placed in the six-second silence belongs to the second utterance.
    stray = Word(" He", timeline[0].end_s + 1.5, timeline[0].end_s + 1.8, 0.3)
    nxt = Word(" might", timeline[1].start_s + 0.3, timeline[1].start_s + 0.6, 0.9)
    moved = place_words([stray, nxt], speech)
    assert speech.regions[1][0] <= moved[0].start <= nxt.start
