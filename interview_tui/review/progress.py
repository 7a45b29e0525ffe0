"""How much of a recording's audio the reviewer has heard: the union of played spans."""

from __future__ import annotations

from typing import Iterable


def merge_spans(spans: Iterable[tuple[float, float]], gap_s: float = 0.0) -> list[tuple[float, float]]:
    """Overlapping (or closer than `gap_s`) spans joined, sorted; empty and reversed spans dropped."""
    out: list[tuple[float, float]] = []
    for a, b in sorted((a, b) for a, b in spans if b > a):
        if out and a <= out[-1][1] + gap_s:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def heard_seconds(spans: Iterable[tuple[float, float]], duration_s: float | None = None) -> float:
    """Seconds covered by the spans (clipped to [0, duration])."""
    total = 0.0
    for a, b in merge_spans(spans):
        if duration_s is not None:
            a, b = max(0.0, a), min(duration_s, b)
        total += max(0.0, b - a)
    return total


def heard_share(spans: Iterable[tuple[float, float]], duration_s: float | None) -> float:
    """Share (0..1) of the recording heard; 0 when the duration is unknown."""
    if not duration_s:
        return 0.0
    return min(1.0, heard_seconds(spans, duration_s) / duration_s)


def furthest(spans: Iterable[tuple[float, float]]) -> float:
    """The furthest point heard (where to continue)."""
    return max((b for _, b in spans), default=0.0)
