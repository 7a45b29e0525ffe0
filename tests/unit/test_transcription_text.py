"""Pure parts of transcription: verbatim rendering, language codes, question timelines, channel energy."""

from __future__ import annotations

import numpy as np
import pytest

from interview_tui.domain.timeline import QuestionTimeline, timeline_from_events
from interview_tui.transcription.models import normalize_language
from interview_tui.transcription.pauses import SilenceMap
from interview_tui.domain.speakers import SpeakerLabels
from interview_tui.transcription.speakers import ChannelEnergy, speaker_at
from interview_tui.domain.transcript import Segment, Word
from interview_tui.domain.timecode import mm_ss
from interview_tui.transcription.verbatim import pause_mark, render_segments, render_words, strip_marks


def W(word: str, start: float, end: float, p: float = 0.9) -> Word:
    return Word(word, start, end, p)


@pytest.mark.parametrize(
    ("gap", "mark"),
    [(0.1, None), (0.3, "(.)"), (0.79, "(.)"), (0.8, "(..)"), (1.99, "(..)"), (2.0, "(2 s)"), (3.4, "(3 s)"), (12.6, "(13 s)")],
)
def test_pause_marks_by_length(gap: float, mark: str | None) -> None:
    assert pause_mark(gap, 0.3, 0.8, 2.0) == mark


def test_verbatim_keeps_fillers_marks_pauses_and_unsure_words() -> None:
    words = [W(" Um,", 0.0, 0.3), W(" I", 0.35, 0.4), W(" think", 1.5, 1.8, 0.2), W(" so.", 5.0, 5.3)]
    text, unsure = render_words(words, verbatim=True, language="en")
    assert text == "Um, I (..) [think? 00:01] (3 s) so."
    assert unsure


def test_clean_drops_fillers_pauses_and_marks_and_recapitalises() -> None:
    words = [W(" Um,", 0.0, 0.3), W(" so", 0.35, 0.4), W(" we", 1.5, 1.8, 0.2), W(" uh.", 5.0, 5.3), W(" Yes.", 6.0, 6.2)]
    text, _ = render_words(words, verbatim=False, language="en")
    assert text == "So we. Yes."


def test_norwegian_fillers_removed_in_clean_mode() -> None:
    words = [W(" Altså,", 0.0, 0.3), W(" eh,", 0.4, 0.5), W(" det", 0.6, 0.7), W(" var", 0.8, 0.9), W(" fint.", 1.0, 1.2)]
    assert render_words(words, verbatim=False, language="no")[0] == "Det var fint."
    assert render_words(words, verbatim=True, language="no")[0] == "Altså, eh, det var fint."


def test_silence_measured_in_audio_overrides_stretched_word_timestamps() -> None:
    rate = 16000
    audio = np.zeros(rate * 4, dtype="float32")
    audio[: rate] = 0.3 * np.sin(np.arange(rate) * 0.2)  # speech 0-1 s
    audio[3 * rate :] = 0.3 * np.sin(np.arange(rate) * 0.2)  # speech 3-4 s
    silence = SilenceMap(audio)
    assert silence.longest(0.5, 3.5) == pytest.approx(2.0, abs=0.05)
    assert silence.longest(1.5, 3.5) == 0.0  # no sound before the silence inside the window
    # Whisper stretched the first word to 2.8 s: the timestamp gap says 0.2 s, the audio says 2 s.
    words = [W(" yes", 0.0, 2.8), W(" no", 3.0, 4.0)]
    assert render_words(words, silence=silence.longest)[0] == "yes (2 s) no"


def test_pause_before_a_segment_comes_from_the_previous_segment() -> None:
    segs = [Segment(0, 1, "", [W(" Hello.", 0.0, 1.0)]), Segment(4, 5, "", [W(" Hi.", 4.0, 5.0)])]
    render_segments(segs, language="en", verbatim=True)
    assert [s.text for s in segs] == ["Hello.", "(3 s) Hi."]


def test_strip_marks_keeps_unsure_words() -> None:
    assert strip_marks("Um, I (..) [think? 00:01] (3 s) so.") == "Um, I think so."
    assert mm_ss(3725) == "1:02:05"


@pytest.mark.parametrize(
    ("given", "whisper"),
    [("nb", "no"), ("nn", "no"), ("no", "no"), ("NB", "no"), ("nb-NO", "no"), ("en-GB", "en"), ("en", "en"),
     ("auto", None), (None, None), ("sv", "sv")],
)
def test_language_codes(given: str | None, whisper: str | None) -> None:
    assert normalize_language(given) == whisper


class Ev:
    def __init__(self, kind: str, qid: str | None, off: float | None, rec: int | None = 1, at: str = "2026-01-01T10:00:00+00:00"):
        self.kind, self.question_id, self.recording_offset_s, self.recording_id, self.at = kind, qid, off, rec, at


def test_question_timeline_from_events() -> None:
    events = [
        Ev("session_started", None, None),
        Ev("question_reached", "q1", 0.0),
        Ev("note", "q1", 5.0),
        Ev("question_reached", "q2", 30.0),
        Ev("closing_reached", "closing", 90.0),
        Ev("question_reached", "qX", 10.0, rec=2),  # another recording, no start time known: ignored
    ]
    tl = timeline_from_events(events, recording_id=1, lead_s=0.5)
    assert tl.marks == ((0.0, "q1"), (30.0, "q2"), (90.0, "closing"))
    assert [tl.at(t) for t in (0, 29.0, 29.6, 60, 120)] == ["q1", "q1", "q2", "q2", "closing"]
    assert QuestionTimeline().at(5) is None


def test_question_reached_before_the_recording_started_uses_the_wall_clock() -> None:
    events = [
        Ev("question_reached", "q1", None, rec=None, at="2026-01-01T10:00:00+00:00"),
        Ev("question_reached", "q2", None, rec=None, at="2026-01-01T10:02:00+00:00"),
    ]
    tl = timeline_from_events(events, recording_id=7, recording_started_at="2026-01-01T10:01:00+00:00")
    assert tl.marks == ((0.0, "q1"), (60.0, "q2"))


def test_channel_energy_picks_the_louder_microphone_and_flags_overlap() -> None:
    rate = 16000
    rng = np.random.default_rng(1)
    left = np.zeros(rate * 3, dtype="float32")
    right = np.zeros(rate * 3, dtype="float32")
    left[:rate] = rng.normal(0, 0.3, rate)
    right[:rate] = 0.05 * left[:rate]  # bleed
    right[rate : 2 * rate] = rng.normal(0, 0.3, rate)
    left[2 * rate :] = rng.normal(0, 0.3, rate)
    right[2 * rate :] = rng.normal(0, 0.3, rate)  # both at once
    energy = ChannelEnergy(left, right)
    labels = SpeakerLabels("MP (interviewer)", "P01")
    assert speaker_at(energy, labels, 0.1, 0.9) == ("MP (interviewer)", False)
    assert speaker_at(energy, labels, 1.1, 1.9) == ("P01", False)
    assert speaker_at(energy, labels, 2.1, 2.9) == ("MP (interviewer) + P01", True)

