"""Machine text against reviewed text: what changed, and how much (a figure for the methods section).

The correction rate is the word error rate of the machine transcript measured against the
reviewed one (jiwer), over plain words: lower case, no punctuation, no pause or review marks.
Speaker corrections are counted separately, per reviewed word, by which machine segment held
that moment of the audio; a label renamed throughout counts as no correction.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from interview_tui.review.text import normalize, word_tokens
from interview_tui.domain.transcript import Segment
from interview_tui.domain.timecode import mm_ss


@dataclass(frozen=True)
class Correction:
    """How much review changed: word counts and operations, and speaker changes."""

    machine_words: int
    reviewed_words: int
    hits: int
    substitutions: int
    deletions: int
    insertions: int
    speaker_changed_words: int

    @property
    def corrected_words(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def rate(self) -> float:
        """Word error rate of the machine text against the reviewed text (0 = nothing corrected)."""
        return self.corrected_words / self.reviewed_words if self.reviewed_words else 0.0

    def summary(self) -> str:
        return (
            f"correction rate {self.rate:.1%} (WER of the machine text against the reviewed text): "
            f"{self.substitutions} substituted, {self.deletions} missing from the machine text, "
            f"{self.insertions} removed by review; {self.reviewed_words} reviewed words; "
            f"{self.speaker_changed_words} words attributed to another speaker"
        )


def plain_words(segments: Sequence[Segment]) -> list[str]:
    """All words of a transcript for comparison (see the module docstring)."""
    out = []
    for s in segments:
        out += [w for w in (normalize(t.word or "") for t in word_tokens(s.text)) if w]
    return out


class _SpeakerTimeline:
    """The machine segments' speakers by time, for O(log n) lookups (a long interview has ~14,000 words)."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self.segments = sorted(segments, key=lambda s: s.start)
        self.starts = [s.start for s in self.segments]

    def at(self, t: float) -> str | None:
        i = bisect.bisect_right(self.starts, t + 1e-6) - 1
        # Segments can overlap a little: the latest one started that still runs at t, else none.
        while i >= 0:
            s = self.segments[i]
            if s.end + 1e-6 >= t:
                return s.speaker or ""
            if s.start < t - 60:  # nothing that long: stop looking back
                return None
            i -= 1
        return None


def compare(machine: Sequence[Segment], reviewed: Sequence[Segment]) -> Correction:
    """Word and speaker corrections between two versions of one transcript."""
    import jiwer

    ref, hyp = plain_words(reviewed), plain_words(machine)
    if ref and hyp:
        out = jiwer.process_words(" ".join(ref), " ".join(hyp))
        hits, subs, dels, ins = out.hits, out.substitutions, out.deletions, out.insertions
    else:  # jiwer refuses empty references; everything is inserted or deleted
        hits, subs, dels, ins = 0, 0, len(ref), len(hyp)
    # Renaming a label ("Speaker A (left)" -> "Interviewer") is not a correction; re-attributing words is.
    # So each machine label maps to the reviewed label most of its words got, and words that got
    # another label than their machine label's are counted.
    pairs: list[tuple[str, str]] = []
    timeline = _SpeakerTimeline(machine)
    for seg in reviewed:
        for w in seg.words:
            before = timeline.at((w.start + w.end) / 2)
            if before is not None:
                pairs.append((before or "", seg.speaker or ""))
    counts: dict[str, Counter[str]] = {}
    for before, after in pairs:
        counts.setdefault(before, Counter())[after] += 1
    usual = {before: c.most_common(1)[0][0] for before, c in counts.items()}
    changed = sum(1 for before, after in pairs if after != usual[before])
    return Correction(len(hyp), len(ref), hits, subs, dels, ins, changed)


def diff_lines(machine: Sequence[Segment], reviewed: Sequence[Segment]) -> list[str]:
    """One line per reviewed segment whose words differ from what the machine heard at that time.

    Words are compared as in the correction rate (plain, lower case); the line shows the
    reviewed text's words with the machine's in place, git-style: `[-machine-]{+reviewed+}`.
    """
    heard = sorted(((w.start + w.end) / 2, w.word.strip()) for seg in machine for w in seg.words)
    mids = [m for m, _ in heard]
    out = []
    for seg in reviewed:
        lo, hi = bisect.bisect_left(mids, seg.start - 1e-6), bisect.bisect_right(mids, seg.end + 1e-6)
        before = [w for _, w in heard[lo:hi] if normalize(w)]
        after = [t.word or "" for t in word_tokens(seg.text) if normalize(t.word or "")]
        ops = difflib.SequenceMatcher(None, [normalize(w) for w in before], [normalize(w) for w in after],
                                      autojunk=False).get_opcodes()
        if all(op == "equal" for op, *_ in ops):
            continue
        parts = []
        for op, i1, i2, j1, j2 in ops:
            if op == "equal":
                parts += after[j1:j2]
            else:
                removed = "[-" + " ".join(before[i1:i2]) + "-]" if i2 > i1 else ""
                added = "{+" + " ".join(after[j1:j2]) + "+}" if j2 > j1 else ""
                parts.append(removed + added)
        out.append(f"[{mm_ss(seg.start)}] {seg.speaker or '-'}: {' '.join(parts)}")
    return out
