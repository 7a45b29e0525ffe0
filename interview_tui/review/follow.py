"""Which segment the review list highlights while the audio plays (no UI: the screen asks it).

Times are on the transcript's timeline, which for an interview of several recordings is the
interview's own (`review.interview`), so following crosses from one recording into the next.
"""

from __future__ import annotations

from typing import Sequence

from interview_tui.domain.transcript import Segment

#: How far (s) the audio may stand outside the highlighted segment and still count as inside it.
NEAR_S = 0.5


def segment_at(segments: Sequence[Segment], t: float) -> int | None:
    """Index of the segment playing at `t` (the last one started at or before `t`)."""
    found = None
    for i, s in enumerate(segments):
        if s.start <= t + 1e-6:
            found = i
        else:
            break
    return found


class Follower:
    """The highlight's rule while audio plays.

    A jump (replay a segment, go to an item to check) pins the highlight to the segment jumped
    to: the lead-in played before it, and late position reports of the previous run, must not
    pull it back.  Once the audio reaches a later segment the pin is gone and the highlight
    follows the audio again.
    """

    def __init__(self) -> None:
        self.pinned: int | None = None

    def jumped_to(self, index: int | None) -> None:
        """The reviewer jumped to segment `index` (None: play on from where the audio is)."""
        self.pinned = index

    def highlight(self, segments: Sequence[Segment], t: float) -> int | None:
        """The segment to highlight for a position report at `t` while playing (None: leave it)."""
        index = segment_at(segments, t)
        if index is None or (self.pinned is not None and index < self.pinned):
            return None
        if self.pinned is not None and index > self.pinned:
            self.pinned = None
        return index

    @staticmethod
    def play_from(segments: Sequence[Segment], highlighted: int | None, position: float) -> float | None:
        """Where play starts: the highlighted segment when the reviewer moved away from where the
        audio stopped, else None (play on from the position)."""
        if highlighted is None or not 0 <= highlighted < len(segments):
            return None
        seg = segments[highlighted]
        if seg.start - NEAR_S <= position <= seg.end + NEAR_S:
            return None
        return seg.start
