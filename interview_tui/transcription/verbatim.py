"""Verbatim text for thematic analysis, or clean readable text, from the model's words.

Verbatim (the default) keeps filler words, marks pauses by length from the word timestamps
- `(.)` short, `(..)` medium, `(3 s)` long - and marks words the model was unsure of for
review as `[word? 01:23]` (the time lets the researcher find it in the audio).  Clean mode
drops all three.  Whisper tends to tidy fillers away; like noScribe we prompt it with a
filler-laden sentence in the interview's language so that it keeps them.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from interview_tui.domain.timecode import mm_ss
from interview_tui.domain.transcript import Segment, Word

FILLERS: dict[str, tuple[str, ...]] = {
    "en": ("um", "uh", "hmm", "er", "eh", "ah", "mm", "erm", "uhm", "hm"),
    "no": ("eh", "ehm", "hm", "hmm", "altså", "æh", "øh", "mm"),
}
PROMPTS: dict[str, str] = {
    "en": "Um, uh, hmm, er, eh. So, um, I think, uh, that was, hmm, yes.",
    "no": "Eh, ehm, hm, altså. Ja, eh, jeg tenker, ehm, at det var, altså, sånn.",
}
_TRAILING = ".?!,;:"


def filler_prompt(language: str | None) -> str | None:
    """The prompt that makes Whisper keep fillers in `language` (None when we have none)."""
    return PROMPTS.get(language or "")


def fillers_for(language: str | None) -> tuple[str, ...]:
    """Filler words of `language` (English's when unknown, since Whisper often uses them)."""
    return FILLERS.get(language or "", FILLERS["en"])


def pause_mark(gap: float, short: float, medium: float, long: float) -> str | None:
    """`(.)`, `(..)` or `(N s)` for a silence of `gap` seconds; None when too short to mark."""
    if gap >= long:
        return f"({round(gap):d} s)"
    if gap >= medium:
        return "(..)"
    if gap >= short:
        return "(.)"
    return None


def _bare(token: str) -> str:
    return token.strip().strip(_TRAILING + "\"'()").lower()


def _attached(raw: str) -> bool:
    """Whether Whisper wrote this word without a space before it (`-hearted` in `cold-hearted`)."""
    return bool(raw) and not raw[0].isspace()


def join_attached(words: list[Word]) -> list[Word]:
    """Words with each piece Whisper wrote without a space joined to the word before it.

    faster-whisper starts a new word at a punctuation token, so `cold-hearted` arrives as
    ` cold` + `-hearted`.  Joined, text and words stay one to one (what review relies on).
    Only pieces after a space-led word are joined: in languages written without spaces
    every word lacks one, and those stay separate words.
    """
    out: list[Word] = []
    for w in words:
        prev = out[-1] if out else None
        if prev is not None and _attached(w.word) and not _attached(prev.word):
            out[-1] = Word(prev.word + w.word, prev.start, max(prev.end, w.end), min(prev.probability, w.probability))
        else:
            out.append(Word(w.word, w.start, w.end, w.probability))
    return out


def render_words(
    words: list[Word],
    *,
    verbatim: bool = True,
    language: str | None = None,
    pause_short_s: float = 0.3,
    pause_medium_s: float = 0.8,
    pause_long_s: float = 2.0,
    unsure_probability: float = 0.4,
    previous: Word | None = None,
    silence: Callable[[float, float], float] | None = None,
) -> tuple[str, bool]:
    """Text for one segment's words, and whether any word was marked unsure.

    `previous` (last word of the previous segment) lets a pause before the first word show;
    `silence(t0, t1)` (the longest silence measured in the audio between two times) corrects
    word timestamps that run into the pause.
    """
    parts: list[str] = []
    #: the last part is a plain word, so a piece Whisper attached to it joins it without a space
    plain_before = False
    unsure = False
    fillers = set(fillers_for(language))
    capitalise_next = False
    last = previous

    def add(part: str, *, plain: bool, attached: bool = False) -> None:
        nonlocal plain_before
        if attached and plain and plain_before:
            parts[-1] += part
        else:
            parts.append(part)
        plain_before = plain

    for w in words:
        token = w.word.strip()
        if not token:
            continue
        if verbatim:
            if last is not None:
                gap = w.start - last.end
                if silence is not None:
                    gap = max(gap, silence(last.start, w.end))
                mark = pause_mark(gap, pause_short_s, pause_medium_s, pause_long_s)
                if mark:
                    add(mark, plain=False)
            if w.probability < unsure_probability:
                unsure = True
                add(f"[{token}? {mm_ss(w.start)}]", plain=False)
            else:
                add(token, plain=True, attached=_attached(w.word))
        elif _bare(token) in fillers:
            # Keep sentence-final punctuation the filler carried; capitalise after a dropped opener.
            if token[-1] in ".?!" and parts and parts[-1][-1] not in _TRAILING:
                parts[-1] += token[-1]
            if token[:1].isupper() and not parts:
                capitalise_next = True
            plain_before = False
        else:
            if capitalise_next:
                token = token[:1].upper() + token[1:]
                capitalise_next = False
            add(token, plain=True, attached=_attached(w.word))
        last = w
    return " ".join(parts), unsure


def render_segments(
    segments: Iterable[Segment],
    *,
    language: str | None,
    verbatim: bool,
    silence: Callable[[float, float], float] | None = None,
    **knobs: float,
) -> None:
    """Set `text`, and the `unsure` flag, on every segment from its words (in place)."""
    previous: Word | None = None
    for seg in segments:
        if seg.words:
            text, unsure = render_words(
                seg.words, verbatim=verbatim, language=language, previous=previous, silence=silence, **knobs
            )
            seg.text = text
            if unsure and "unsure" not in seg.flags:
                seg.flags.append("unsure")
            previous = seg.words[-1]
        else:
            previous = None


def strip_marks(text: str) -> str:
    """Text without pause and review marks (review marks keep their word)."""
    text = re.sub(r"\[([^\]]*?)\? \d+:\d\d(?::\d\d)?\]", r"\1", text)
    text = re.sub(r"\((?:\.+|\d+(?:\.\d)? s)\)", " ", text)
    return " ".join(text.split())
