"""Signal levels for the level meter: peak and RMS in dBFS."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

#: What silence reads as (dBFS of a single LSB is about -90; digital zero would be -inf).
FLOOR_DBFS = -120.0
#: Peaks at or above this count as clipping.
CLIP_DBFS = -0.1
#: Below this peak level a block counts as "no signal".
SILENCE_DBFS = -60.0

_FULL_SCALE = 32768.0


@dataclass(frozen=True)
class Level:
    """Peak and RMS of one block, per channel, in dBFS (0 = full scale)."""

    peak_dbfs: tuple[float, ...]
    rms_dbfs: tuple[float, ...]
    #: position on the recording's timeline at the end of the block, seconds.
    at_s: float = 0.0

    @property
    def peak(self) -> float:
        return max(self.peak_dbfs)

    @property
    def rms(self) -> float:
        return max(self.rms_dbfs)

    @property
    def clipping(self) -> bool:
        return self.peak >= CLIP_DBFS

    @property
    def silent(self) -> bool:
        return self.peak < SILENCE_DBFS


def to_dbfs(value: float) -> float:
    """Linear amplitude (1.0 = full scale) to dBFS, floored at `FLOOR_DBFS`."""
    if value <= 0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * math.log10(value))


def measure(block: np.ndarray, at_s: float = 0.0) -> Level:
    """Levels of an int16 block shaped (frames, channels)."""
    samples = block.astype(np.float32) / _FULL_SCALE
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.shape[0] == 0:
        floor = (FLOOR_DBFS,) * samples.shape[1]
        return Level(floor, floor, at_s)
    peaks = np.abs(samples).max(axis=0)
    rms = np.sqrt(np.mean(np.square(samples), axis=0))
    return Level(
        tuple(to_dbfs(float(p)) for p in peaks),
        tuple(to_dbfs(float(r)) for r in rms),
        at_s,
    )


class LevelThrottle:
    """Merges levels (max per channel) and lets one through every `interval_s`.

    A UI redraws the meter at that rate instead of once per audio block, and
    still sees every peak: a clip in a block that was not drawn is in the next
    merged level.
    """

    def __init__(self, interval_s: float = 0.08, clock: Callable[[], float] | None = None) -> None:
        import time

        self.interval_s = interval_s
        self._clock = clock or time.monotonic
        self._pending: Level | None = None
        self._last = float("-inf")

    def push(self, level: Level) -> Level | None:
        """Add one block's level; returns the merged level when it is time to show one."""
        p = self._pending
        if p is not None:
            level = Level(
                tuple(max(a, b) for a, b in zip(p.peak_dbfs, level.peak_dbfs)),
                tuple(max(a, b) for a, b in zip(p.rms_dbfs, level.rms_dbfs)),
                level.at_s,
            )
        now = self._clock()
        if now - self._last >= self.interval_s:
            self._pending, self._last = None, now
            return level
        self._pending = level
        return None
