"""Timestamps in the forms the QDA tools read.

All round to tenths of a second, the finest MAXQDA's `#hh:mm:ss-d#` form
carries, so every text export states the same times.
"""

from __future__ import annotations


def _tenths(seconds: float) -> int:
    # Half-up on tenths; guards against 1.25 -> 1.2 float surprises by going through round(x, 6).
    return int(round(round(seconds, 6) * 10 + 1e-9))


def split(seconds: float) -> tuple[int, int, int, int]:
    """(hours, minutes, seconds, tenths) of a non-negative time."""
    t = _tenths(max(0.0, seconds))
    tenths = t % 10
    s = t // 10
    return s // 3600, (s // 60) % 60, s % 60, tenths


def maxqda(seconds: float) -> str:
    """`#hh:mm:ss-d#`, MAXQDA's timestamp form (d = tenths)."""
    h, m, s, d = split(seconds)
    return f"#{h:02d}:{m:02d}:{s:02d}-{d}#"


def clock(seconds: float) -> str:
    """`hh:mm:ss.d`, used by the NVivo forms and the Word transcript."""
    h, m, s, d = split(seconds)
    return f"{h:02d}:{m:02d}:{s:02d}.{d}"


def hms(seconds: float) -> str:
    """`h:mm:ss` without fractions, for durations in headers."""
    h, m, s, _ = split(round(seconds))
    return f"{h}:{m:02d}:{s:02d}"


def rounded(seconds: float) -> float:
    """The time as the text exports state it (tenths of a second)."""
    return _tenths(max(0.0, seconds)) / 10
