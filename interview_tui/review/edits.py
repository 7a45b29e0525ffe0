"""Review edits on a transcript's segments: each returns a new segment list and leaves its input alone.

Every edit keeps the invariant of `text.align_words`: one Word per word token of a segment's
text, so word times stay with the words that carry them through any number of edits.
Edits that cannot be done raise `EditError` with what to do instead.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from interview_tui.review.text import (
    REVIEWED_PROBABILITY,
    align_words,
    snap_to_boundary,
    tidy,
    tokens,
    word_tokens,
)
from interview_tui.domain.transcript import Segment, Word
from interview_tui.domain.timecode import mm_ss

#: Markers a reviewer can insert: key -> (label, text; `{t}` is the time mm:ss).
MARKERS: dict[str, tuple[str, str]] = {
    "pause": ("pause", "(..)"),
    "inaudible": ("inaudible", "[inaudible {t}]"),
    "overlap": ("overlapping speech", "[overlap]"),
    "laughter": ("laughter", "[laughter]"),
    "time": ("timestamp", "[{t}]"),
}


#: Segment flag set by `confirm`: a person listened and found the segment right.
CHECKED = "checked"


class EditError(ValueError):
    """An edit that cannot be made; the message says why and what to do."""


def copy_segment(seg: Segment, **changes) -> Segment:
    """A deep enough copy of `seg` (own word and flag lists) with `changes` applied."""
    fresh = dataclasses.replace(seg, words=[dataclasses.replace(w) for w in seg.words], flags=list(seg.flags))
    return dataclasses.replace(fresh, **changes) if changes else fresh


def normalized(segments: Sequence[Segment]) -> list[Segment]:
    """Copies whose words match their text one to one (machine text may lack some words, e.g. clean mode)."""
    return [copy_segment(s, words=align_words(s.words, s.text, span=(s.start, s.end))) for s in segments]


def _check(segments: Sequence[Segment], index: int) -> None:
    if not 0 <= index < len(segments):
        raise EditError(f"no segment {index + 1}: the transcript has {len(segments)} segments")


def _confidence(words: list[Word]) -> float | None:
    return sum(w.probability for w in words) / len(words) if words else None


def _with_text(seg: Segment, text: str) -> Segment:
    text = tidy(text)
    words = align_words(seg.words, text, span=(seg.start, seg.end))
    flags = list(seg.flags)
    if "unsure" in flags and not any(t.text.startswith("[") for t in word_tokens(text)):
        flags.remove("unsure")  # the flag stood for the `[word? mm:ss]` marks, and the reviewer resolved them all
    return copy_segment(seg, text=text, words=words, confidence=_confidence(words), flags=flags)


def set_text(segments: Sequence[Segment], index: int, text: str) -> list[Segment]:
    """Segment `index` with new text; words keep their times where they still match."""
    _check(segments, index)
    if not tidy(text):
        raise EditError("the new text is empty; to drop a segment's words, merge it into its neighbour instead")
    out = list(segments)
    out[index] = _with_text(segments[index], text)
    return out


def confirm(segments: Sequence[Segment], index: int) -> list[Segment]:
    """The reviewer heard segment `index` and it is right: unsure marks lose their brackets, words count as
    reviewed, and the segment is flagged CHECKED (the attention queue leaves its repeat/silence/length
    warnings out from then on)."""
    _check(segments, index)
    seg = segments[index]
    text = tidy(" ".join(t.word if t.word is not None else t.text for t in tokens(seg.text)))
    words = [dataclasses.replace(w, probability=REVIEWED_PROBABILITY) for w in align_words(seg.words, text, span=(seg.start, seg.end))]
    out = list(segments)
    flags = [f for f in seg.flags if f not in ("unsure", "speaker", CHECKED)] + [CHECKED]
    out[index] = copy_segment(seg, text=text, words=words, confidence=_confidence(words), flags=flags)
    return out


def split(segments: Sequence[Segment], index: int, pos: int) -> list[Segment]:
    """Split segment `index` at character `pos` of its text; each part keeps its own words and times."""
    _check(segments, index)
    seg = _with_text(segments[index], segments[index].text)  # words match tokens from here on
    text = seg.text
    pos = max(0, min(len(text), pos))
    left_text, right_text = text[:pos].strip(), text[pos:].strip()
    if not left_text or not right_text:
        raise EditError("put the cursor inside the text (not at its start or end) to split there")
    toks = word_tokens(text)
    left_words: list[Word] = []
    right_words: list[Word] = []
    for tok, word in zip(toks, seg.words):
        if tok.end <= pos:
            left_words.append(word)
        elif tok.start >= pos:
            right_words.append(word)
        else:  # the cursor is inside this word: each part gets its share of the word's time
            cut = word.start + (word.end - word.start) * (pos - tok.start) / (tok.end - tok.start)
            left_words.append(Word(text[tok.start:pos], word.start, cut, word.probability))
            right_words.append(Word(text[pos:tok.end], cut, word.end, word.probability))
    if left_words and right_words:
        boundary_left, boundary_right = left_words[-1].end, right_words[0].start
    else:  # no word times on one side: cut the segment's time by the share of characters
        boundary_left = boundary_right = seg.start + (seg.end - seg.start) * pos / max(1, len(text))
    left = copy_segment(seg, text=left_text, end=max(seg.start, boundary_left), words=left_words,
                        confidence=_confidence(left_words))
    right = copy_segment(seg, text=right_text, start=min(seg.end, boundary_right), words=right_words,
                         confidence=_confidence(right_words))
    left.words = align_words(left.words, left.text, span=(left.start, left.end))
    right.words = align_words(right.words, right.text, span=(right.start, right.end))
    out = list(segments)
    out[index:index + 1] = [left, right]
    return out


def merge_next(segments: Sequence[Segment], index: int) -> list[Segment]:
    """Segment `index` joined with the one after it (same speaker only)."""
    _check(segments, index)
    if index + 1 >= len(segments):
        raise EditError("this is the last segment: there is no next segment to merge with")
    a, b = segments[index], segments[index + 1]
    if (a.speaker or "") != (b.speaker or ""):
        raise EditError(
            f"the next segment is {b.speaker or 'no speaker'}, this one {a.speaker or 'no speaker'}: "
            "change one speaker first (c), then merge"
        )
    words = [dataclasses.replace(w) for w in a.words + b.words]
    merged = copy_segment(
        a, text=tidy(a.text + " " + b.text), end=max(a.end, b.end), words=words, confidence=_confidence(words),
        flags=list(dict.fromkeys(a.flags + b.flags)),
    )
    out = list(segments)
    out[index:index + 2] = [merged]
    return out


def set_speaker(segments: Sequence[Segment], index: int, speaker: str) -> list[Segment]:
    """Segment `index` attributed to `speaker`."""
    _check(segments, index)
    name = tidy(speaker)
    if not name:
        raise EditError("the speaker name is empty; type a name, a role or a participant code")
    out = list(segments)
    out[index] = copy_segment(segments[index], speaker=name)
    return out


def rename_speaker(segments: Sequence[Segment], old: str, new: str) -> tuple[list[Segment], int]:
    """Every segment of speaker `old` attributed to `new`; returns the segments and how many changed."""
    name = tidy(new)
    if not name:
        raise EditError("the new speaker name is empty; type a name, a role or a participant code")
    count = 0
    out = []
    for s in segments:
        if (s.speaker or "") == old:
            out.append(copy_segment(s, speaker=name))
            count += 1
        else:
            out.append(s)
    if not count:
        raise EditError(f"no segment has the speaker {old!r}")
    return out, count


def marker_text(kind: str, at_s: float) -> str:
    """The text of marker `kind` (see MARKERS) at time `at_s`."""
    if kind not in MARKERS:
        raise EditError(f"unknown marker {kind!r}; use one of: {', '.join(MARKERS)}")
    return MARKERS[kind][1].format(t=mm_ss(at_s))


def insert_marker(segments: Sequence[Segment], index: int, pos: int, kind: str, at_s: float | None = None) -> list[Segment]:
    """Marker `kind` inserted into segment `index`'s text at character `pos` (moved out of any word)."""
    _check(segments, index)
    seg = segments[index]
    pos = snap_to_boundary(seg.text, pos)
    mark = marker_text(kind, seg.start if at_s is None else at_s)
    return set_text(segments, index, f"{seg.text[:pos]} {mark} {seg.text[pos:]}")


def speakers(segments: Sequence[Segment]) -> list[str]:
    """Speaker labels in order of first appearance."""
    return list(dict.fromkeys(s.speaker for s in segments if s.speaker))


def swap_speakers(segments: Sequence[Segment], a: str, b: str) -> tuple[list[Segment], int]:
    """Every turn of `a` given to `b` and every turn of `b` to `a`; returns the segments and how many changed."""
    if a == b:
        raise EditError("pick two different speakers to swap")
    swapped = {a: b, b: a}
    out = [copy_segment(s, speaker=swapped[s.speaker]) if s.speaker in swapped else s for s in segments]
    count = sum(1 for s in segments if s.speaker in swapped)
    if not count:
        raise EditError(f"no segment has the speaker {a!r} or {b!r}")
    return out, count


def apply_speakers(
    segments: Sequence[Segment], names: Sequence[str], unsure: Sequence[bool], flag: str
) -> list[Segment]:
    """Speakers found by voice applied word by word: a segment is split where the voice changes.

    `names`/`unsure` hold one entry per word (one per segment without words).  Unsure parts
    get `flag`, so they join the attention queue; the old flag is dropped where it no longer holds.
    """
    out: list[Segment] = []
    k = 0
    for seg in segments:
        n = len(seg.words) or 1
        seg_names, seg_unsure = list(names[k:k + n]), list(unsure[k:k + n])
        k += n
        toks = word_tokens(seg.text)
        cuts = [i for i in range(1, n) if seg_names[i] != seg_names[i - 1]]
        if cuts and len(toks) != n:  # words and text disagree: keep the segment whole, majority speaker
            seg_names = [max(set(seg_names), key=seg_names.count)] * n
            cuts = []
        parts = [seg]
        for i in reversed(cuts):
            parts[0:1] = split([parts[0]], 0, toks[i].start)
        bounds = [0] + cuts + [n]
        for j, part in enumerate(parts):
            flags = [f for f in part.flags if f != flag]
            if any(seg_unsure[bounds[j]:bounds[j + 1]]):
                flags.append(flag)
            out.append(copy_segment(part, speaker=seg_names[bounds[j]], flags=flags))
    return out


def the_two_speakers(names: list[str]) -> tuple[str, str]:
    """The two speakers a swap without names means: a transcript's only two, or an error saying which to name."""
    if len(names) != 2:
        raise EditError(f"the transcript has {len(names)} speakers ({', '.join(names) or 'none'}); "
                        "say which two to swap")
    return names[0], names[1]
