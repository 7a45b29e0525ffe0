"""Pseudonymous participant codes: P01 ... P99, then P100, P101, ..."""

from __future__ import annotations

import re

# At most nine digits: a longer number is a typo (and int() refuses thousands of digits).
_CODE = re.compile(r"^[Pp]\s*0*(\d{1,9})$")


class ParticipantError(ValueError):
    """A participant code that cannot be used (bad format, duplicate, unknown, withdrawn)."""


def normalize_code(raw: str) -> str:
    """The canonical form of a participant code: `p7`, `P7` and `P07` all give `P07`.

    Raises `ParticipantError` for anything that is not P followed by a number from 1.
    """
    match = _CODE.match((raw or "").strip())
    if not match or int(match.group(1)) == 0:
        if len(raw or "") > 40:
            raise ParticipantError(
                f"{raw[:12]!r}… ({len(raw)} characters) is not a participant code; codes are P followed "
                "by a number of at most nine digits, e.g. P01, P12, P100"
            )
        raise ParticipantError(
            f"{raw!r} is not a participant code; codes are P followed by a number, e.g. P01, P12, P100"
        )
    return f"P{int(match.group(1)):02d}"


def code_number(code: str) -> int:
    """The number of a code (0 for something that is not a code), for sorting P9 before P10."""
    match = _CODE.match(code)
    return int(match.group(1)) if match else 0


def format_code(number: int) -> str:
    """The code for a number: 7 -> P07, 100 -> P100."""
    return f"P{number:02d}"
