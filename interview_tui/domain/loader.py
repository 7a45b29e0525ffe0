"""Loading and checking study files (see `guides/README.md` for the format).

`load_study` returns a `Study` or raises `StudyFileError` listing every
problem found, each printed as `FILE:LINE:COL: what is wrong (at key.path)`.
YAML is parsed safely into a node tree (no Python objects are built from the
file) so each problem can point at its line.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from pathlib import Path

import yaml
from yaml.reader import ReaderError

from interview_tui.domain.outline import format_outline
from interview_tui.domain.study import Study
from interview_tui.domain.study_reader import read_study
from interview_tui.domain.yaml_reader import AliasError, Issues, StudyIssue, compose
from interview_tui.fileio import InputFileError, read_input_file

#: The largest study file read: 40 times the shipped one (12 KB).  Parsing costs seconds per
#: megabyte (a 50 MB file took half a minute and a gigabyte), so a file this large is the wrong one.
MAX_STUDY_BYTES = 512 << 10

__all__ = [
    "MAX_STUDY_BYTES",
    "StudyFileError",
    "StudyIssue",
    "default_study",
    "format_outline",
    "load_study",
    "parse_study",
    "validate_study_file",
]


class StudyFileError(ValueError):
    """A study file that cannot be used; `.issues` holds every problem (errors and warnings)."""

    def __init__(self, path: str | os.PathLike[str], issues: list[StudyIssue]) -> None:
        self.path = str(path)
        self.issues = issues
        errors = [i for i in issues if i.is_error]
        lines = "\n".join(str(i) for i in issues)
        super().__init__(f"{self.path}: {len(errors)} error(s) in study file\n{lines}")


# What a YAML parser complaint usually means for someone editing a study file by hand:
# (substring of the parser's problem, plain explanation replacing its jargon, what to do).
_SYNTAX_HINTS: tuple[tuple[str, str, str], ...] = (
    ("mapping values are not allowed", "unexpected ':' here",
     "check this line's indentation, and put text containing ': ' in quotes"),
    ("could not find expected ':'", "a line that should be 'key: value' has no ':'",
     "add the colon, or close the quote opened above"),
    ("expected <block end>", "this line's indentation does not fit the lines above it",
     "line it up with its siblings (same number of spaces)"),
    ("did not find expected key", "this line's indentation does not fit the keys above it",
     "line it up with its siblings (same number of spaces)"),
    ("did not find expected '-' indicator", "list items do not line up",
     "start every '- ' item of one list in the same column"),
    ("found unexpected end of stream", "the file ends inside a quoted text or bracket",
     "close the quote or bracket that was opened"),
    ("found undefined alias", "'*' starts an alias in YAML", "put text starting with '*' in quotes"),
    ("cannot start any token", "a character that cannot start a value",
     "put text starting with this character in quotes"),
    ("expected ',' or '}'", "a { } mapping is broken",
     "inside { } write text containing ?, :, [ ] or { } in quotes"),
    ("expected ',' or ']'", "a [ ] list is broken",
     "inside [ ] write text containing ?, :, [ ] or { } in quotes"),
)


def _syntax_issue(issues: Issues, err: yaml.YAMLError) -> None:
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err)
    context = getattr(err, "context", None)
    context_mark = getattr(err, "context_mark", None)
    plain, todo = next(((p, t) for key, p, t in _SYNTAX_HINTS if key in problem), (problem, ""))
    message = f"YAML syntax error: {plain}"
    if context and context_mark is not None:
        message += f" (in the part that starts on line {context_mark.line + 1})"
    if todo:
        message += f"; {todo}"
    issues.add(mark, message)


def _tab_issues(issues: Issues, text: str) -> set[int]:
    """Report every line indented with a tab (YAML allows only spaces); returns their line numbers."""
    lines: set[int] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        indent = re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
        if "\t" in indent and line.strip():
            issues.add(
                (number, indent.index("\t") + 1),
                "tab character in the indentation: YAML indents with spaces only; replace the tab with spaces",
            )
            lines.add(number)
    return lines


def parse_study(data: bytes, source: str | os.PathLike[str]) -> tuple[Study | None, list[StudyIssue]]:
    """Check a study file's bytes; the Study (None when there are errors) and every issue in file order."""
    issues = Issues(str(source))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        issues.add((line, 1), "the file is not UTF-8 text; save it as UTF-8")
        return None, issues.sorted()
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        root = compose(text)
    except AliasError as err:
        issues.add(err.problem_mark, err.problem)
        return None, issues.sorted()
    except ReaderError as err:
        # The reader reports a character offset, not a line: say where it is.
        before = text[: err.position]
        line, col = before.count("\n") + 1, err.position - (before.rfind("\n") + 1) + 1
        issues.add((line, col), f"a control character (U+{err.character:04X}) that a study file cannot hold; "
                                "remove it (a file with many is damaged or not a text file)")
        return None, issues.sorted()
    except yaml.YAMLError as err:
        tab_lines = _tab_issues(issues, text)
        mark = getattr(err, "problem_mark", None)
        if mark is None or mark.line + 1 not in tab_lines:
            _syntax_issue(issues, err)
        return None, issues.sorted()
    if root is None:
        issues.add((1, 1), "the file is empty; start from guides/involuntary-treatment-alliance.yaml")
        return None, issues.sorted()
    study = read_study(issues, root)
    study = replace(
        study,
        source=Path(source),
        content_hash=hashlib.sha256(data).hexdigest(),
    )
    return (None if issues.errors else study), issues.sorted()


def _read(path: Path) -> tuple[bytes | None, list[StudyIssue]]:
    try:
        return read_input_file(path, MAX_STUDY_BYTES, "a study file (.yaml)"), []
    except InputFileError as err:
        return None, [StudyIssue(str(path), err.line, 1 if err.line else 0, err.message)]
    except OSError as err:
        reason = err.strerror or str(err)
        return None, [StudyIssue(str(path), 0, 0, f"cannot read the study file: {reason}")]


def validate_study_file(path: str | os.PathLike[str]) -> list[StudyIssue]:
    """Every problem in a study file (errors and warnings), in file order; [] when it is clean."""
    data, issues = _read(Path(path))
    if data is None:
        return issues
    return parse_study(data, path)[1]


def load_study(path: str | os.PathLike[str]) -> Study:
    """Load a study file; raises `StudyFileError` listing every problem when it has errors.

    Warnings alone do not stop loading; `validate_study_file` shows them.
    """
    data, issues = _read(Path(path))
    if data is None:
        raise StudyFileError(path, issues)
    study, issues = parse_study(data, path)
    if study is None:
        raise StudyFileError(path, issues)
    return study


def default_study() -> Study:
    """The shipped default study (the seed paper's Appendix guide)."""
    from interview_tui.config import DEFAULT_STUDY_FILE

    return load_study(DEFAULT_STUDY_FILE)
