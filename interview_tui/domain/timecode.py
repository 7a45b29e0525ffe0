"""Every way the app writes a time, one named function per shape.

The QDA forms (`maxqda`, `hh_mm_ss_d`) round to tenths of a second, the finest MAXQDA's
`#hh:mm:ss-d#` form carries, so every text export states the same times.  The names say
the shape, because the same word (a "clock") meant different shapes in different places.
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


def hh_mm_ss_d(seconds: float) -> str:
    """`hh:mm:ss.d`, used by the NVivo forms and the Word transcript."""
    h, m, s, d = split(seconds)
    return f"{h:02d}:{m:02d}:{s:02d}.{d}"


def h_mm_ss(seconds: float) -> str:
    """`h:mm:ss` rounded to the second, for durations in headers."""
    h, m, s, _ = split(round(seconds))
    return f"{h}:{m:02d}:{s:02d}"


def hh_mm_ss(seconds: float) -> str:
    """`hh:mm:ss` (whole seconds, cut not rounded), the turn stamps of transcript files."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def m_ss(seconds: float) -> str:
    """`m:ss`, or `h:mm:ss` past an hour (whole seconds, never negative): elapsed and remaining time."""
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def mm_ss(seconds: float) -> str:
    """`mm:ss`, or `h:mm:ss` past an hour (whole seconds): fixed width, so lists of times line up."""
    text = m_ss(seconds)
    return text.rjust(5, "0") if len(text) < 5 else text


def _millis(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_time(seconds: float) -> str:
    """`hh:mm:ss,mmm`, an SRT cue time."""
    return _millis(seconds, ",")


def vtt_time(seconds: float) -> str:
    """`hh:mm:ss.mmm`, a WebVTT cue time."""
    return _millis(seconds, ".")


def rounded(seconds: float) -> float:
    """The time as the text exports state it (tenths of a second)."""
    return _tenths(max(0.0, seconds)) / 10
