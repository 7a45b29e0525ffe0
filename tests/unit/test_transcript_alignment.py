"""Every word under the question current when it was spoken: word-level assignment, final prompt,
word times checked against voice activity, words joined as Whisper joined them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interview_tui.domain.study import FINAL_PROMPT_ID
from interview_tui.domain.timeline import timeline_from_events
from interview_tui.transcription.audio_input import AudioInput
from interview_tui.transcription.pipeline import AudioContext, regroup
from interview_tui.domain.transcript import Segment, Word


def W(word: str, start: float, end: float, p: float = 0.9) -> Word:
    return Word(word, start, end, p)


class Ev:
    def __init__(self, kind: str, qid: str | None, off: float | None, rec: int | None = 1):
        self.kind, self.question_id, self.recording_offset_s, self.recording_id = kind, qid, off, rec
        self.at = "2026-01-01T10:00:00+00:00"


def _mono(seconds: float = 60.0) -> AudioInput:
    mono = np.zeros(int(seconds * 16000), dtype="float32")
    return AudioInput(Path("x.wav"), mono, [mono])


def _assign(events: list[Ev], raw: list[Segment]) -> list[tuple[str | None, str]]:
    ctx = AudioContext(timeline=timeline_from_events(events, recording_id=1, lead_s=0.5))
    return [(s.question_id, " ".join(w.word.strip() for w in s.words)) for s in regroup(raw, _mono(), ctx)]


def test_a_segment_spanning_a_question_change_is_cut_at_the_change() -> None:
    # Whisper heard one segment 3-9 s; the interviewer moved to q2 at 6.0 s (mid-segment).
    raw = [Segment(3.0, 9.0, "", [W(" it", 3.0, 3.4), W(" was", 3.5, 4.0), W(" hard.", 4.1, 5.0),
                                  W(" And", 6.2, 6.5), W(" then", 6.6, 7.0), W(" better.", 7.1, 9.0)])]
    events = [Ev("question_reached", "q1", 0.0), Ev("question_reached", "q2", 6.0)]
    assert _assign(events, raw) == [("q1", "it was hard."), ("q2", "And then better.")]


def test_closing_question_and_final_prompt_each_get_their_own_answer() -> None:
    # The case: closing question at 0:14, final prompt at 0:21, one segment 0:15-0:27.
    raw = [Segment(15.0, 27.0, "", [W(" I", 15.0, 15.3), W(" liked", 15.4, 16.0), W(" it.", 16.1, 17.0),
                                    W(" No,", 21.8, 22.3), W(" nothing", 22.4, 23.0), W(" more.", 23.1, 27.0)])]
    events = [Ev("question_reached", "q3", 2.0), Ev("closing_reached", "closing", 14.0),
              Ev("final_prompt", None, 21.0)]
    assert _assign(events, raw) == [("closing", "I liked it."), (FINAL_PROMPT_ID, "No, nothing more.")]


def test_going_back_after_the_final_prompt_is_a_question_change_again() -> None:
    events = [Ev("closing_reached", "closing", 0.0), Ev("final_prompt", None, 5.0), Ev("question_reached", "q1", 9.0)]
    tl = timeline_from_events(events, recording_id=1, lead_s=0.0)
    assert [tl.at(t) for t in (1, 6, 10)] == ["closing", FINAL_PROMPT_ID, "q1"]


def test_answer_headings_end_with_the_final_prompt(default_study) -> None:
    guide = default_study.guide
    headings = guide.answer_headings()
    assert list(headings)[-2:] == [guide.closing.id, FINAL_PROMPT_ID]
    assert headings[FINAL_PROMPT_ID] == guide.final_prompt


# -- word times near long silences ----------------------------------------------------------

from interview_tui.transcription.verbatim import render_segments  # noqa: E402
from interview_tui.transcription.voice import SpeechRegions, place_segment_words, place_words  # noqa: E402

SPEECH = SpeechRegions(((0.0, 40.0), (55.8, 70.0), (71.8, 75.0)))


@pytest.mark.parametrize(
    ("words", "starts"),
    [
        # `[He? 00:39]` belonged to the speech at 0:56: it moves there, before "might".
        ([W(" He", 45.0, 45.3, 0.2), W(" might", 56.4, 56.8)], [55.8, 56.4]),
        # a run of words in the silence shares the stretch up to the first word in speech
        ([W(" He", 44.0, 44.2), W(" said", 44.3, 44.5), W(" it", 56.6, 56.8)], [55.8, 56.2, 56.6]),
        # words in speech, or just past its end (soft VAD edges), stay where they are
        ([W(" so.", 40.3, 40.9), W(" Yes", 56.0, 56.3)], [40.3, 56.0]),
        # trailing words after the last speech have nowhere to go: unchanged
        ([W(" bye", 80.0, 80.5)], [80.0]),
        # a short silence (a soft word the VAD missed): the model's time stays
        ([W(" um", 71.0, 71.3), W(" yes", 72.5, 72.8)], [71.0, 72.5]),
    ],
)
def test_a_word_starting_in_silence_moves_to_the_speech_that_follows(words: list[Word], starts: list[float]) -> None:
    assert [round(w.start, 3) for w in place_words(words, SPEECH)] == starts


def test_no_speech_found_changes_nothing() -> None:
    words = [W(" a", 1.0, 2.0), W(" b", 9.0, 9.5)]
    assert place_words(words, SpeechRegions()) == words


def test_moved_word_lands_under_the_question_current_when_spoken_and_pause_is_marked_before_it() -> None:
    # The issue's `[He? 00:58] (12 s) might even have been made`: the question changed at 1:05.
    speech = SpeechRegions(((40.0, 58.0), (70.0, 80.0)))
    raw = [Segment(50.0, 75.0, "", [W(" it", 57.0, 57.5), W(" He", 58.9, 59.1, 0.2), W(" might", 70.3, 70.6),
                                    W(" even", 70.7, 71.0)])]
    place_segment_words(raw, speech)
    events = [Ev("question_reached", "q1", 0.0), Ev("question_reached", "q2", 65.0)]
    ctx = AudioContext(timeline=timeline_from_events(events, recording_id=1, lead_s=0.5))
    segs = regroup(raw, _mono(90), ctx)
    render_segments(segs, language="en", verbatim=True)
    assert [(s.question_id, s.text) for s in segs] == [("q1", "it"), ("q2", "(12 s) [He? 01:10] might even")]


# -- words joined as Whisper joined them ------------------------------------------------------

from interview_tui.transcription.verbatim import join_attached, render_words  # noqa: E402


@pytest.mark.parametrize(
    ("words", "verbatim", "text"),
    [
        ([W(" so", 0.0, 0.2), W(" cold", 0.3, 0.5), W("-hearted.", 0.5, 0.9)], True, "so cold-hearted."),
        ([W(" so", 0.0, 0.2), W(" ill", 0.3, 0.5), W("-disposed", 0.5, 0.9)], False, "so ill-disposed"),
        ([W(" a", 0.0, 0.2), W(" 2", 0.3, 0.4), W("%", 0.4, 0.5), W(" rise", 0.6, 0.9)], True, "a 2% rise"),
        # a pause or an unsure mark between the pieces keeps them apart
        ([W(" cold", 0.0, 0.2), W("-hearted", 1.5, 1.9)], True, "cold (..) -hearted"),
        ([W(" cold", 0.0, 0.2), W("-hearted", 0.2, 0.4, 0.1)], True, "cold [-hearted? 00:00]"),
        # languages written without spaces: every word lacks one, and stays as written
        ([W("我", 0.0, 0.2), W("们", 0.2, 0.3), W("好", 0.3, 0.4)], True, "我们好"),
    ],
)
def test_words_are_joined_as_whisper_joined_them(words: list[Word], verbatim: bool, text: str) -> None:
    assert render_words(words, verbatim=verbatim, language="en")[0] == text


def test_attached_pieces_become_one_word_so_text_and_words_stay_one_to_one() -> None:
    joined = join_attached([W(" so", 0.0, 0.2), W(" cold", 0.3, 0.5, 0.9), W("-hearted.", 0.5, 0.9, 0.7)])
    assert [(w.word, w.start, w.end, w.probability) for w in joined] == [
        (" so", 0.0, 0.2, 0.9), (" cold-hearted.", 0.3, 0.9, 0.7)]
    assert [w.word for w in join_attached([W("我", 1.0, 1.1), W("们", 1.1, 1.2)])] == ["我", "们"]


def test_correcting_a_hyphenated_word_counts_as_one_correction() -> None:
    from interview_tui.review.diff import compare, diff_lines
    from interview_tui.review.edits import normalized

    words = join_attached([W(" They", 0.0, 0.3), W(" were", 0.4, 0.6), W(" cold", 0.7, 0.9), W("-hearted.", 0.9, 1.4)])
    machine = [Segment(0.0, 1.4, "", words, "P01", "q1")]
    render_segments(machine, language="en", verbatim=True)
    assert machine[0].text == "They were cold-hearted."
    reviewed = normalized(machine)
    # one Word per token: review keeps the model's times and probabilities
    assert [(w.word, w.start, w.probability) for w in reviewed[0].words] == [
        (w.word.strip(), w.start, w.probability) for w in words]
    reviewed[0].text = "They were warm-hearted."
    correction = compare(machine, reviewed)
    assert (correction.substitutions, correction.deletions, correction.insertions) == (1, 0, 0)
    assert diff_lines(machine, normalized(reviewed)) == ["[00:00] P01: They were [-cold-hearted.-]{+warm-hearted.+}"]
