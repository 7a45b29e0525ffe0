"""Segment text as tokens, and word timestamps carried over when the text changes.

A segment's `text` is what exports show; its `words` carry the audio times.  The text holds
word tokens plus marks that are not words: verbatim pause marks `(.)` `(..)` `(3 s)`, review
markers `[laughter]` `[inaudible 01:23]`, and the transcription's unsure marks
`[word? 01:23]`, which *are* the word `word`.  After every review edit a segment keeps one
Word per word token, in order (`align_words`), so split points and playback positions map
between text and audio exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from interview_tui.domain.transcript import Word

#: Probability given to a word the reviewer typed or confirmed: a person heard it.
REVIEWED_PROBABILITY = 1.0

_TOKEN = re.compile(r"\[[^\]]*\]|\((?:\.+|\d+(?:\.\d+)? s)\)|\S+")
_PAUSE = re.compile(r"\((?:\.+|\d+(?:\.\d+)? s)\)")
_UNSURE = re.compile(r"^\[(.+?)\? \d+:\d\d(?::\d\d)?\]$")
_PUNCT = ".,;:!?\"'()[]«»“”‘’…-–—"


@dataclass(frozen=True)
class Token:
    """One token of a segment's text: its characters, span, and the word it stands for (None for marks)."""

    text: str
    start: int
    end: int
    word: str | None


def tokens(text: str) -> list[Token]:
    """The text's tokens in order; marks have `word` None, unsure marks have their inner word."""
    out = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if raw.startswith("["):
            unsure = _UNSURE.match(raw)
            word = unsure.group(1) if unsure else None
        elif _PAUSE.fullmatch(raw):
            word = None
        else:
            word = raw
        out.append(Token(raw, m.start(), m.end(), word))
    return out


def word_tokens(text: str) -> list[Token]:
    """Only the tokens that are words."""
    return [t for t in tokens(text) if t.word is not None]


def normalize(word: str) -> str:
    """A word for comparison: lower case without surrounding punctuation."""
    return word.strip().strip(_PUNCT).lower()


def plain_text(text: str) -> str:
    """The words of a text without any marks (unsure marks keep their word)."""
    return " ".join(t.word for t in word_tokens(text) if t.word)


def align_words(old: list[Word], text: str, *, span: tuple[float, float] | None = None) -> list[Word]:
    """One Word per word token of `text`, keeping the times of the `old` words they match.

    Unchanged words keep their times and probability.  Replaced words take the times of
    the words they replace (one to one, or spread evenly over the replaced stretch); new
    words are placed in the gap where they were inserted.  Words the reviewer typed get
    `REVIEWED_PROBABILITY`.  `span` (segment start, end) bounds words inserted at the edges.
    """
    new = [t.word or "" for t in word_tokens(text)]
    lo = span[0] if span else (old[0].start if old else 0.0)
    hi = span[1] if span else (old[-1].end if old else lo)
    matcher = SequenceMatcher(None, [normalize(w.word) for w in old], [normalize(w) for w in new], autojunk=False)
    out: list[Word] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [Word(new[j1 + k], old[i1 + k].start, old[i1 + k].end, old[i1 + k].probability) for k in range(i2 - i1)]
        elif op == "replace" and i2 - i1 == j2 - j1:
            out += [Word(new[j1 + k], old[i1 + k].start, old[i1 + k].end, REVIEWED_PROBABILITY) for k in range(i2 - i1)]
        elif op in ("replace", "insert"):
            if op == "replace":
                t0, t1 = old[i1].start, old[i2 - 1].end
            else:  # between the previous kept word and the next old word
                t0 = out[-1].end if out else lo
                t1 = old[i1].start if i1 < len(old) else hi
                t1 = max(t0, t1)
            step = (t1 - t0) / (j2 - j1)
            out += [Word(new[j1 + k], t0 + k * step, t0 + (k + 1) * step, REVIEWED_PROBABILITY) for k in range(j2 - j1)]
        # "delete": the reviewer removed those words; their times go with them.
    return out


def snap_to_boundary(text: str, pos: int) -> int:
    """`pos` moved to the end of the token it falls inside (so an insertion never breaks a word)."""
    pos = max(0, min(len(text), pos))
    for t in tokens(text):
        if t.start < pos < t.end:
            return t.end
    return pos


def tidy(text: str) -> str:
    """Single spaces, no leading or trailing space."""
    return " ".join(text.split())
