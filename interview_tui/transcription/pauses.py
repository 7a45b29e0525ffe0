"""Measuring silences in the audio itself.

Whisper's word timestamps (cross-attention + DTW) stretch words over the silence that
follows them, so the gap between two words' timestamps understates a pause.  We therefore
measure the longest run of quiet frames between the start of a word and the end of the next
that has sound on both sides (speech of the first word before it, of the second after it).
"Quiet" is relative to the recording: 30 dB under its loud speech, but never below 6 dB over
its noise floor, so room noise in a real recording still counts as silence.
"""

from __future__ import annotations

import numpy as np

from interview_tui.transcription.audio_input import SAMPLE_RATE


class SilenceMap:
    """Which 20-ms frames of a recording are quiet, for `longest(t0, t1)` queries."""

    def __init__(self, mono: np.ndarray, frame_s: float = 0.02) -> None:
        self.frame_s = frame_s
        frame = max(1, int(frame_s * SAMPLE_RATE))
        n = len(mono) // frame
        if n == 0:
            self.quiet = np.zeros(0, dtype=bool)
            return
        rms = np.sqrt((mono[: n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(1) + 1e-12)
        db = 20 * np.log10(rms)
        floor, loud = np.percentile(db, 10), np.percentile(db, 95)
        self.quiet = db < max(floor + 6, loud - 30)

    def longest(self, t0: float, t1: float) -> float:
        """The longest quiet stretch (seconds) inside [t0, t1] with sound before and after it."""
        i, j = max(0, int(t0 / self.frame_s)), min(len(self.quiet), int(np.ceil(t1 / self.frame_s)))
        best = run = 0
        heard = False  # only silences after some sound count: a leading one belongs to an earlier gap
        for q in self.quiet[i:j]:
            if q:
                run += 1
            else:
                if heard:
                    best = max(best, run)
                heard, run = True, 0
        return best * self.frame_s
