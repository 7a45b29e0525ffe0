"""Transcription with real Whisper models from PyPI on espeak-ng speech with known text.

Each model is loaded once per session (fixtures in tests/fixtures/speech.py); clips are
5-15 s so the whole module stays well under a minute on two cores.

WER bounds, and why:
* English, tiny.en: OpenAI report ~5.6 % on LibriSpeech test-clean for tiny.en; espeak-ng's
  formant voice is out of domain, and our clip has ~25 words, so one error is ~4 %.  A bound
  of 20 % allows four slips while any real fault (wrong language, wrong model, broken audio
  decoding, lost segments) gives 50 % or more.
* Norwegian, base: Whisper base is weak on Norwegian even for human speech (FLEURS WER is
  several tens of percent) and espeak-ng's Norwegian voice is far from human: across
  sentences, speeds and decoding settings we measured 44-90 % WER and 26-42 % CER, moving
  with tiny changes to the audio (a misheard syllable costs a whole word).  So the test is
  on characters and relative: CER <= 55 %, and at least 20 points better than the same
  model forced to transcribe the clip as English (the failure a wrong language code gives).
  Both runs decode greedily only (temperature 0): when a window fails Whisper's checks the
  fallback samples at random, which moved the CER by 0.1 between two runs on one machine.

Probabilities, unsure marks and word times differ a little between CPUs and thread counts, so
no test here names an unsure word: marks are checked against the model's own probabilities.
"""

from __future__ import annotations

import jiwer
import pytest

from interview_tui.transcription.engine import TranscribeOptions
from interview_tui.transcription.pipeline import AudioContext, transcribe_path
from interview_tui.domain.speakers import SpeakerLabels
from interview_tui.transcription.verbatim import render_segments
from tests.fixtures.speech import assert_marks_follow_probabilities, normalize_for_wer, wer

pytestmark = [pytest.mark.model, pytest.mark.slow]


def clean_text(transcript) -> str:
    segs = transcript.segments
    render_segments(segs, language=transcript.meta.language, verbatim=False)
    return " ".join(s.text for s in segs)


def test_english_clip_within_wer_bound(tiny_en, english_clip) -> None:
    t = transcribe_path(english_clip.path, tiny_en, TranscribeOptions(language="en"))
    verbatim = " ".join(s.text for s in t.segments)
    assert t.meta.language == "en" and t.meta.model == "tiny.en"
    assert t.meta.model_sha256 and len(t.meta.model_sha256) == 64
    assert t.meta.options["batched"] is False and t.meta.options["word_timestamps"] is True
    # The 1.5 s silence between the two sentences is marked as a pause in verbatim text.
    assert "(..)" in verbatim or "(2 s)" in verbatim, verbatim
    assert_marks_follow_probabilities(t.segments, t.meta.options["unsure_probability"])
    assert wer(english_clip.text, clean_text(t)) <= 0.20, clean_text(t)
    # Word timestamps: the second sentence starts after the pause, within half a second.
    second = english_clip.timeline[1].start_s
    starts = [w.start for s in t.segments for w in s.words if w.start > english_clip.timeline[0].end_s]
    assert starts and abs(starts[0] - second) < 0.5


def test_norwegian_clip_with_multilingual_base(base_model, norwegian_clip) -> None:
    from interview_tui.transcription.models import normalize_language

    def cer(t) -> float:
        return jiwer.cer(normalize_for_wer(norwegian_clip.text), normalize_for_wer(clean_text(t)))

    no_sampling = TranscribeOptions(temperature=(0.0,))  # no temperature fallback (see the module docstring)
    t = transcribe_path(norwegian_clip.path, base_model, no_sampling.with_(language=normalize_language("nb")))
    as_english = transcribe_path(norwegian_clip.path, base_model, no_sampling.with_(language="en"))
    assert t.meta.language == "no" and t.meta.model == "base"
    assert cer(t) <= 0.55, clean_text(t)
    assert cer(t) + 0.20 <= cer(as_english), (clean_text(t), clean_text(as_english))


def test_stereo_two_speakers_attributed_by_channel(tiny_en, stereo_clip) -> None:
    labels = SpeakerLabels("MP (interviewer)", "P01")
    t = transcribe_path(stereo_clip.path, tiny_en, TranscribeOptions(language="en"), AudioContext(labels=labels))
    left, right = stereo_clip.timeline
    by_speaker: dict[str, str] = {}
    for s in t.segments:
        by_speaker[s.speaker] = by_speaker.get(s.speaker, "") + " " + s.text
    assert set(by_speaker) == {"MP (interviewer)", "P01"}, by_speaker
    assert "trust" in normalize_for_wer(by_speaker["MP (interviewer)"])
    assert "honest" in normalize_for_wer(by_speaker["P01"])
    for s in t.segments:  # each speaker's segments lie within (about) their utterance
        utterance = left if s.speaker == "MP (interviewer)" else right
        assert utterance.start_s - 0.6 <= s.start and s.end <= utterance.end_s + 0.6, (s.speaker, s.start, s.end)
    assert not any("overlap" in s.flags for s in t.segments)
    assert_marks_follow_probabilities(t.segments, t.meta.options["unsure_probability"])


def test_mono_is_one_honestly_labelled_stream(tiny_en, english_clip) -> None:
    t = transcribe_path(english_clip.path, tiny_en, TranscribeOptions(language="en", verbatim=False))
    assert {s.speaker for s in t.segments} == {"Speaker (mono)"}
    assert t.meta.options["speakers"] == "mono" and t.meta.options["verbatim"] is False
