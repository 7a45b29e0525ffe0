"""Saturation: new themes per interview, and the methods-section sentences about it.

The seed paper: "The sample size was decided based on the stability of
findings, reviewed after 6 and 8 participants. We stopped recruiting after 10
participants because we considered the last 2 interviews not to contribute
substantially new information."  The log records, after each interview, the
themes it added ([] for none) and whether it was a planned review point.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SaturationEntry:
    """One interview's entry: its number in interview order, the participant, the themes it added."""

    interview: int
    code: str
    new_themes: tuple[str, ...]
    review_point: bool = False
    note: str | None = None


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def no_new_streak(entries: list[SaturationEntry]) -> int:
    """How many of the last interviews in a row added no new themes."""
    streak = 0
    for entry in reversed(entries):
        if entry.new_themes:
            break
        streak += 1
    return streak


def saturation_text(entries: list[SaturationEntry]) -> str:
    """The saturation sentences for a methods section; '' when nothing was logged."""
    if not entries:
        return ""
    sentences = []
    reviews = [str(e.interview) for e in entries if e.review_point]
    if reviews:
        plural = "s" if reviews != ["1"] else ""
        sentences.append(
            f"The sample size was decided based on the stability of findings, reviewed after "
            f"{_join(reviews)} participant{plural}."
        )
    n, streak = len(entries), no_new_streak(entries)
    total = len({t.casefold() for e in entries for t in e.new_themes})
    of_n = f"of the {n} interviews" if n != 1 else "interview"
    if streak == n:
        sentences.append("No interview added new themes." if n > 1 else "The interview added no new themes.")
    elif streak == 0:
        sentences.append(f"The last {of_n} still added new themes." if n > 1 else "")
    elif streak == 1:
        sentences.append(f"The last {of_n} added no new themes.")
    else:
        sentences.append(f"The last {streak} {of_n} added no new themes.")
    if total:
        sentences.append(
            f"In all, {total} theme{'s' if total != 1 else ''} came up over {n} interview{'s' if n != 1 else ''}."
        )
    return " ".join(s for s in sentences if s)


def table_rows(entries: list[SaturationEntry]) -> list[tuple[str, str, bool]]:
    """(characteristic, value, is_sub_row): new themes per interview, with the running total."""
    if not entries:
        return []
    rows: list[tuple[str, str, bool]] = [("New themes per interview", "new (cumulative): themes", False)]
    seen: set[str] = set()
    for e in entries:
        seen.update(t.casefold() for t in e.new_themes)
        label = f"Interview {e.interview}" + (" (review point)" if e.review_point else "")
        themes = "; ".join(e.new_themes) if e.new_themes else "none"
        rows.append((label, f"{len(e.new_themes)} ({len(seen)}): {themes}", True))
    return rows
