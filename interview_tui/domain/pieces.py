"""Several recordings laid one after another on an interview's timeline: which one plays at a
moment, and which stretch of each a span of the timeline covers.

A piece is heard from its offset until it ends or the next piece starts, whichever comes first
(a later recording never starts before the previous one ended on the wall clock, but taking out
the time the app was down can pull it a little earlier; the later one wins, so no moment is
played twice).  Between pieces there is silence: the gap the transcript marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class Piece:
    """One recording on the timeline: where it starts and how long its audio is."""

    offset_s: float
    duration_s: float


def heard_end(pieces: Sequence[Piece], k: int) -> float:
    """Where piece `k` stops being heard on the timeline (its end, or the next piece's start)."""
    end = pieces[k].offset_s + max(0.0, pieces[k].duration_s)
    if k + 1 < len(pieces):
        end = min(end, pieces[k + 1].offset_s)
    return max(pieces[k].offset_s, end)


def timeline_end(pieces: Sequence[Piece]) -> float:
    return heard_end(pieces, len(pieces) - 1) if pieces else 0.0


def piece_at(pieces: Sequence[Piece], t: float) -> int | None:
    """The piece heard at timeline time `t`; None before the first, in a gap, or after the end."""
    for k, p in enumerate(pieces):
        if p.offset_s <= t < heard_end(pieces, k):
            return k
    return None


def to_local(pieces: Sequence[Piece], t: float) -> tuple[int, float]:
    """Timeline time `t` as (piece, seconds into that recording): in a gap, the next piece's start."""
    for k, p in enumerate(pieces):
        if t < heard_end(pieces, k) or k == len(pieces) - 1:
            return k, min(max(0.0, t - p.offset_s), p.duration_s)
    raise ValueError("no pieces")


def to_timeline(pieces: Sequence[Piece], k: int, local_s: float) -> float:
    """Seconds into recording `k` as timeline time."""
    return pieces[k].offset_s + local_s


def spans_in(pieces: Sequence[Piece], start: float, end: float) -> list[tuple[int, float, float]]:
    """The stretches of each recording that timeline span [start, end) covers: (piece, local a, local b)."""
    out = []
    for k, p in enumerate(pieces):
        a, b = max(start, p.offset_s), min(end, heard_end(pieces, k))
        if b > a:
            out.append((k, a - p.offset_s, b - p.offset_s))
    return out
