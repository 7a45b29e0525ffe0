"""Word times checked against where the audio has speech.

Whisper's word timestamps (and faster-whisper's mapping of them back from VAD chunks) can put
the first word after a long silence seconds before it was spoken, at the end of the previous
speech: `[He? 00:58] (12 s) might even have been made`.  Such a word would then fall under
the wrong question and the pause would be marked after it.  faster-whisper's Silero VAD
(`get_speech_timestamps`) says where speech is; a word that starts in a long silence is moved
to the start of the speech that follows, where the rest of its utterance is.  Only silences of
at least `LONG_SILENCE_S` count: in a shorter gap (a soft word the VAD missed) the model's
time stands.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from interview_tui.transcription.audio_input import SAMPLE_RATE
from interview_tui.domain.transcript import Segment, Word

#: A word starting this close to a speech region still belongs to it (VAD edges are soft).
TOLERANCE_S = 0.5
#: Only words in silences at least this long are moved: in a shorter one (a soft word the VAD
#: missed, a breath) the model's time is as good as any.
LONG_SILENCE_S = 2.0


@dataclass(frozen=True)
class SpeechRegions:
    """Stretches of speech as sorted, non-overlapping (start_s, end_s) pairs."""

    regions: tuple[tuple[float, float], ...] = ()

    def in_speech(self, t: float, tolerance_s: float = TOLERANCE_S) -> bool:
        i = bisect.bisect_right([r[0] for r in self.regions], t + tolerance_s) - 1
        return i >= 0 and t <= self.regions[i][1] + tolerance_s

    def next_start(self, t: float) -> float | None:
        """The start of the first region beginning after `t` (None when speech never resumes)."""
        starts = [r[0] for r in self.regions]
        i = bisect.bisect_right(starts, t)
        return starts[i] if i < len(starts) else None

    def silence_around(self, t: float) -> float:
        """Length of the silence `t` lies in (from the previous region's end, or 0, to the next start)."""
        starts = [r[0] for r in self.regions]
        i = bisect.bisect_right(starts, t)
        before = self.regions[i - 1][1] if i > 0 else 0.0
        return (starts[i] if i < len(starts) else float("inf")) - before


def speech_regions(mono: np.ndarray, *, min_silence_ms: int = 1000, pad_ms: int = 200) -> SpeechRegions:
    """Where `mono` (16 kHz float32) has speech, by faster-whisper's Silero VAD."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(mono) == 0:
        return SpeechRegions()
    found = get_speech_timestamps(
        np.ascontiguousarray(mono, dtype=np.float32),
        VadOptions(min_silence_duration_ms=min_silence_ms, speech_pad_ms=pad_ms),
        sampling_rate=SAMPLE_RATE,
    )
    return SpeechRegions(tuple((r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in found))


def place_words(words: Sequence[Word], speech: SpeechRegions, tolerance_s: float = TOLERANCE_S) -> list[Word]:
    """Copies of `words` in which a run of words starting in silence moves to the next speech.

    The moved words share the stretch from that speech's start to the next word that was
    already in speech, keeping their order (and their lengths where they fit).
    """
    out = [replace(w) for w in words]
    if not speech.regions:
        return out
    i = 0
    while i < len(out):
        w = out[i]
        in_long_silence = (not speech.in_speech(w.start, tolerance_s)
                           and speech.silence_around(w.start) >= LONG_SILENCE_S)
        target = speech.next_start(w.start) if in_long_silence else None
        if target is None:
            i += 1
            continue
        j = i  # the run of words in the same silence (before `target`, out of speech)
        while j < len(out) and out[j].start < target and not speech.in_speech(out[j].start, tolerance_s):
            j += 1
        limit = out[j].start if j < len(out) else target + sum(x.end - x.start for x in out[i:j])
        limit = max(limit, target)
        step = max(0.0, limit - target) / (j - i)
        for k in range(i, j):
            start = target + (k - i) * step
            out[k] = replace(out[k], start=start, end=start + min(out[k].end - out[k].start, step))
        i = j
    return out


def place_segment_words(segments: Sequence[Segment], speech: SpeechRegions) -> None:
    """`place_words` over all segments' words in order (in place); segment spans follow their words."""
    flat = [w for s in segments for w in s.words]
    placed = iter(place_words(flat, speech))
    for s in segments:
        if s.words:
            s.words = [next(placed) for _ in s.words]
            s.start, s.end = s.words[0].start, s.words[-1].end
