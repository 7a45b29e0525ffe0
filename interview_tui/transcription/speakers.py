"""Speaker turns from a stereo recording with one microphone per speaker.

Each lapel/table microphone hears its own speaker loudest; the other speaker bleeds in
much quieter.  So for every word we compare the two channels' energy over the word's span:
a clear winner (by `dominance_db`) is that channel's speaker, otherwise both were talking
(or neither mic clearly caught it) and the word is marked as overlap.  A mono recording has
no such information and is labelled as one stream, honestly.
"""

from __future__ import annotations

import numpy as np

from interview_tui.domain.speakers import SpeakerLabels
from interview_tui.transcription.audio_input import SAMPLE_RATE


class ChannelEnergy:
    """Per-frame energy of two channels, to ask "who was louder between t0 and t1?"."""

    def __init__(self, left: np.ndarray, right: np.ndarray, frame_s: float = 0.02) -> None:
        self.frame = max(1, int(frame_s * SAMPLE_RATE))
        n = min(len(left), len(right)) // self.frame
        shape = (n, self.frame)
        # Cumulative sums make any word span's energy an O(1) lookup.
        self._cl = np.concatenate([[0.0], np.cumsum((left[: n * self.frame].reshape(shape) ** 2).sum(1))])
        self._cr = np.concatenate([[0.0], np.cumsum((right[: n * self.frame].reshape(shape) ** 2).sum(1))])

    def ratio_db(self, start: float, end: float) -> float:
        """Left-to-right energy ratio in dB over [start, end] (positive: left louder)."""
        n = len(self._cl) - 1
        i = min(n, max(0, int(start * SAMPLE_RATE / self.frame)))
        j = min(n, max(i + 1, int(np.ceil(end * SAMPLE_RATE / self.frame))))
        i = min(i, j - 1) if j > 0 else 0
        el = self._cl[j] - self._cl[i]
        er = self._cr[j] - self._cr[i]
        return float(10 * np.log10((el + 1e-10) / (er + 1e-10)))


def speaker_at(energy: ChannelEnergy, labels: SpeakerLabels, start: float, end: float, dominance_db: float = 6.0) -> tuple[str, bool]:
    """The speaker of the span [start, end], and whether it is an overlap."""
    r = energy.ratio_db(start, end)
    if r >= dominance_db:
        return labels.left, False
    if r <= -dominance_db:
        return labels.right, False
    return labels.overlap, True
