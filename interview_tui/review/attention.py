"""The "needs attention" queue: what a reviewer should listen to first, in time order.

- unsure: words the model gave a low probability (or marked `[word? 01:23]`), segments flagged unsure;
- inaudible / overlap: segments flagged so, or holding an `[inaudible ...]` marker;
- speaker: a speaker found by voice with low confidence (or a naming that needs a check);
- repeat: a phrase said three times in a row, or a segment repeating the one before (Whisper's
  typical hallucination loop);
- silence: text over audio that is quiet nearly all along (another hallucination sign);
- long: segments over a length limit (hard to check by ear; usually worth a split).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from interview_tui.review.text import normalize, word_tokens
from interview_tui.domain.transcript import Segment
from interview_tui.domain.timecode import mm_ss

KINDS = ("unsure", "inaudible", "overlap", "speaker", "repeat", "silence", "long")


@dataclass(frozen=True)
class AttentionSettings:
    """Thresholds of the queue."""

    unsure_probability: float = 0.4
    long_segment_s: float = 30.0
    #: a segment is "silent" when less than this share of its frames are louder than quiet.
    sound_share: float = 0.1
    repeat_times: int = 3
    max_phrase_words: int = 6


@dataclass(frozen=True)
class AttentionItem:
    """One thing to check: which segment, when, and why."""

    kind: str
    index: int
    start_s: float
    end_s: float
    reason: str

    def label(self) -> str:
        return f"{mm_ss(self.start_s)} {self.kind}: {self.reason}"


@dataclass
class Loudness:
    """Which fixed-length frames of a recording are quiet (see `quiet_frames`)."""

    quiet: np.ndarray
    frame_s: float = field(default=0.02)

    def sound_share(self, start: float, end: float) -> float | None:
        """The share of frames in [start, end] that are not quiet (None outside the audio)."""
        i, j = int(start / self.frame_s), int(np.ceil(end / self.frame_s))
        part = self.quiet[max(0, i):max(0, j)]
        return float(1 - part.mean()) if len(part) else None


def quiet_frames(frame_db: np.ndarray) -> np.ndarray:
    """Quiet frames from per-frame RMS in dB: 30 dB under loud speech, never below 6 dB over the floor.

    The same rule the transcription's pause marks use, so "quiet" means the same everywhere.
    """
    if not len(frame_db):
        return np.zeros(0, dtype=bool)
    floor, loud = np.percentile(frame_db, 10), np.percentile(frame_db, 95)
    return frame_db < max(floor + 6, loud - 30)


def _repeated_phrase(words: list[str], times: int, max_len: int) -> str | None:
    for n in range(1, max_len + 1):
        for i in range(0, len(words) - n * times + 1):
            phrase = words[i:i + n]
            if all(words[i + k * n:i + (k + 1) * n] == phrase for k in range(1, times)):
                return " ".join(phrase)
    return None


def build_queue(
    segments: Sequence[Segment],
    settings: AttentionSettings = AttentionSettings(),
    loudness: Loudness | None = None,
    cache: dict[int, tuple] | None = None,
) -> list[AttentionItem]:
    """Every attention item of a transcript, in time order.

    `cache` (a dict kept by the caller between calls) remembers each segment's items while the
    segment, its predecessor and the loudness are the same objects, so the queue of a long
    transcript is rebuilt after an edit by looking again only at what the edit changed.
    """
    items: list[AttentionItem] = []
    fresh: dict[int, tuple] = {}
    for i, seg in enumerate(segments):
        prev = segments[i - 1] if i else None
        hit = cache.get(id(seg)) if cache is not None else None
        if hit is not None and hit[0] is seg and hit[1] is prev and hit[2] is loudness and hit[3] == i:
            found = hit[4]
        else:
            found = _segment_items(i, seg, prev, settings, loudness)
        fresh[id(seg)] = (seg, prev, loudness, i, found)
        items += found
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    # A segment the reviewer confirmed keeps only its still-unsure words (e.g. words typed in later).
    items = [it for it in items if it.kind == "unsure" or "checked" not in segments[it.index].flags]
    items.sort(key=lambda it: (it.start_s, it.index))
    return items


def _plain(seg: Segment) -> list[str]:
    return [w for w in (normalize(t.word or "") for t in word_tokens(seg.text)) if w]


def _segment_items(
    i: int, seg: Segment, prev: Segment | None, settings: AttentionSettings, loudness: Loudness | None
) -> list[AttentionItem]:
    """The attention items of segment `i` (`prev` is the segment before it, for repeats)."""
    items: list[AttentionItem] = []
    previous = _plain(prev) if prev is not None else None
    toks = word_tokens(seg.text)
    unsure_words = [
        (w.word, w.start, w.end) for w in seg.words if w.probability < settings.unsure_probability
    ]
    marked = [t.word for t in toks if t.text.startswith("[")]
    for word, start, end in unsure_words:
        items.append(AttentionItem("unsure", i, start, end, f"the model was unsure of {word.strip()!r}"))
    if not unsure_words and (marked or "unsure" in seg.flags):
        items.append(AttentionItem("unsure", i, seg.start, seg.end,
                                   f"marked unsure: {', '.join(marked)}" if marked else "segment marked unsure"))
    if "inaudible" in seg.flags or "[inaudible" in seg.text:
        items.append(AttentionItem("inaudible", i, seg.start, seg.end, "inaudible passage"))
    if "overlap" in seg.flags:
        items.append(AttentionItem("overlap", i, seg.start, seg.end, "both speakers at once: check who says what"))
    if "speaker" in seg.flags:  # set when speakers were found by voice with low confidence
        items.append(AttentionItem("speaker", i, seg.start, seg.end, f"is this {seg.speaker}? the voice was unclear"))
    norm = _plain(seg)
    phrase = _repeated_phrase(norm, settings.repeat_times, settings.max_phrase_words)
    if phrase:
        items.append(AttentionItem("repeat", i, seg.start, seg.end,
                                   f"{phrase!r} {settings.repeat_times}+ times in a row (possible hallucination)"))
    elif previous and len(norm) >= 2 and norm == previous:
        items.append(AttentionItem("repeat", i, seg.start, seg.end, "repeats the segment before (possible hallucination)"))
    if loudness is not None and norm:
        share = loudness.sound_share(seg.start, seg.end)
        if share is not None and share < settings.sound_share:
            items.append(AttentionItem("silence", i, seg.start, seg.end,
                                       "text over near-silent audio (possible hallucination)"))
    if seg.end - seg.start > settings.long_segment_s:
        items.append(AttentionItem("long", i, seg.start, seg.end,
                                   f"{seg.end - seg.start:.0f} s long (over {settings.long_segment_s:.0f} s): consider a split"))
    return items


def next_item(
    items: Sequence[AttentionItem], current: AttentionItem | None = None, position_s: float = 0.0
) -> AttentionItem | None:
    """The item after `current` (when it is still in the queue), else the first at or after `position_s`; wraps."""
    if not items:
        return None
    if current is not None and current in items:
        return items[(list(items).index(current) + 1) % len(items)]
    return next((it for it in items if it.start_s >= position_s - 1e-6), items[0])
