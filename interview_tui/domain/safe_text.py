"""Free text that is safe to store, print on a terminal, and open in a spreadsheet.

Three guards, one per way text can do harm:

- `check_text` refuses control characters at input (names, places, notes, answers): NUL and
  ESC are not text, and ESC or C1 sequences stored in a name would later drive the terminal
  that prints it (clear the screen, retitle the window, fake output).
- `for_terminal` neutralises them on output for text stored before input was checked.
- `spreadsheet_cell` defuses formula injection in CSV/TSV exports (OWASP "CSV Injection"):
  a cell starting with `=`, `+`, `-`, `@`, tab or CR is run as a formula by Excel,
  LibreOffice and Google Sheets, so it gets a leading `'`, which they show as text.
  Numbers (`-3`, `+4.5`) are left as they are.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from typing import Any, Iterable, TextIO

#: Characters refused in one-line text: C0 controls (tab, line breaks and ESC included),
#: DEL, and C1 controls (U+0080-U+009F: U+009B is a one-character ESC [ to many terminals).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: In text that may span lines, tab and line breaks are text too.
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: What starts a formula (with the full-width forms spreadsheets also accept).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


class UnsafeTextError(ValueError):
    """Text holding a control character; the message names the field, the character and where."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _char_name(char: str) -> str:
    code = f"U+{ord(char):04X}"
    names = {"\x00": "NUL", "\x1b": "ESC", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN",
             "\x7f": "DEL", "\x9b": "CSI"}
    name = names.get(char) or unicodedata.name(char, "")
    return f"{code} {name}".strip()


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` cannot be stored (its first control character, named, and where), or None."""
    match = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    if match is None:
        return None
    allowed = "" if multiline else " here (this takes one line)"
    return (f"contains the control character {_char_name(match.group())} at character {match.start() + 1}, "
            f"which is not text{allowed}; remove it (it often comes from pasting terminal output)")


def check_text(text: str, field: str, *, multiline: bool = False) -> str:
    """`text` unchanged, or `UnsafeTextError` naming `field` when it holds a control character.

    One-line fields (names, places, answers) refuse tab and line breaks too;
    `multiline` fields (notes, memos, transcript text) keep them.
    """
    problem = text_problem(text, multiline=multiline)
    if problem is not None:
        raise UnsafeTextError(field, problem)
    return text


def for_terminal(text: Any, *, multiline: bool = False) -> str:
    """`text` with every control character shown as a visible escape (`\\x1b`), never sent raw.

    For printing stored text that may predate `check_text`; `multiline` keeps tab and
    line breaks as they are.
    """
    pattern = _CONTROL_MULTILINE if multiline else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def spreadsheet_cell(value: Any) -> Any:
    """`value` made safe as a CSV/TSV cell: text that a spreadsheet would run as a formula gets a
    leading `'`; numbers (also as text, like "-3" or "+4,5") and other values are unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START) or _NUMBER.match(value):
        return value
    return "'" + value


class SpreadsheetWriter:
    """`csv.writer` whose every cell goes through `spreadsheet_cell`: use it for every CSV/TSV export."""

    def __init__(self, out: TextIO, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


__all__ = [
    "FORMULA_START",
    "SpreadsheetWriter",
    "UnsafeTextError",
    "check_text",
    "for_terminal",
    "spreadsheet_cell",
    "text_problem",
]
