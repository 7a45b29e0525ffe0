"""Find and replace across a transcript, planned first (the preview) and then applied."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from interview_tui.review.edits import EditError, set_text
from interview_tui.domain.transcript import Segment


@dataclass(frozen=True)
class Replacement:
    """One segment's text before and after, and how many matches it had."""

    index: int
    before: str
    after: str
    count: int


def _pattern(find: str, *, regex: bool, case: bool, whole_word: bool) -> re.Pattern[str]:
    if not find:
        raise EditError("type the text to find")
    body = find if regex else re.escape(find)
    if whole_word:
        body = rf"(?<!\w)(?:{body})(?!\w)"
    try:
        return re.compile(body, 0 if case else re.IGNORECASE)
    except re.error as exc:
        raise EditError(f"the search pattern is not a valid regular expression: {exc}") from exc


def plan_replace(
    segments: Sequence[Segment],
    find: str,
    replace: str,
    *,
    regex: bool = False,
    case: bool = False,
    whole_word: bool = True,
) -> list[Replacement]:
    """What replacing `find` by `replace` would change, segment by segment (nothing is changed)."""
    pattern = _pattern(find, regex=regex, case=case, whole_word=whole_word)

    def literal(match: re.Match[str]) -> str:
        # Ignoring case, a match at a sentence start keeps its capital ("the" -> "The ...").
        if not case and match.group(0)[:1].isupper() and replace[:1].islower():
            return replace[:1].upper() + replace[1:]
        return replace

    plan = []
    for i, seg in enumerate(segments):
        try:
            after, n = pattern.subn(replace if regex else literal, seg.text)
        except (re.error, IndexError) as exc:
            raise EditError(f"the replacement cannot be used with this pattern: {exc}") from exc
        if n and after != seg.text:
            plan.append(Replacement(i, seg.text, after, n))
    return plan


def apply_replace(segments: Sequence[Segment], plan: Sequence[Replacement]) -> list[Segment]:
    """The segments with a planned replacement applied (words keep their times where they match)."""
    out = list(segments)
    for r in plan:
        if out[r.index].text != r.before:
            raise EditError("the transcript changed since the preview; search again")
        if not r.after.strip():
            raise EditError(f"the replacement would leave segment {r.index + 1} empty; replace less")
        out = set_text(out, r.index, r.after)
    return out
