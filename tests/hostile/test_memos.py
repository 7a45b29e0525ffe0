"""Hostile input to memos and the journal, through the real CLI on a real project."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.storage import open_db
from interview_tui.storage.memos import journal, participant_memos


@pytest.fixture
def root(tmp_path: Path) -> Path:
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "participants", "add"])
    assert result.exit_code == 0, result.output
    return tmp_path


def _run(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(root), *args], input=input)


# (arguments, stdin, exit code, what the message must say, memos of P01 / journal entries afterwards)
CASES = [
    (["memo", "add", "P01", "Rapport good."], None, 0, "Saved a memo on P01", 1, 0),
    (["memo", "add", "p001", "lower case, leading zeros"], None, 0, "Saved a memo on P01", 1, 0),
    (["memo", "add", "P01", "   "], None, 1, "empty", 0, 0),
    (["memo", "add", "P01", "-"], "", 1, "empty", 0, 0),
    (["memo", "add", "P01", "-"], "from stdin\r\nwith CRLF\r\n", 0, "Saved", 1, 0),
    (["memo", "add", "P01", "a\x00b"], None, 1, "NUL", 0, 0),
    (["memo", "add", "P01", "x" * 100_001], None, 1, "limit is 100000", 0, 0),
    (["memo", "add", "P99", "who?"], None, 1, "no participant P99", 0, 0),
    (["memo", "add", "x y", "bad code"], None, 1, "not a participant code", 0, 0),
    (["memo", "add", "9" * 5000, "huge code"], None, 1, "Error", 0, 0),
    (["memo", "add", "P01", "\x1b[2J\x1b]0;pwned\x07cleared?"], None, 0, "Saved", 1, 0),
    (["memo", "list", "P01"], None, 0, "No memos on P01", 0, 0),
    (["journal", "add", "Week one: my assumptions."], None, 0, "Saved a journal entry", 0, 1),
    (["journal", "add", "--title", "  ", "untitled gets a time title"], None, 0, "Saved", 0, 1),
    (["journal", "add", "\n\n"], None, 1, "empty", 0, 0),
    (["journal", "list"], None, 0, "The journal is empty", 0, 0),
]


@pytest.mark.parametrize("args, stdin, code, message, n_memos, n_journal", CASES,
                         ids=[f"{i}-{' '.join(c[0])[:30]}" for i, c in enumerate(CASES)])
def test_memo_input(root: Path, args, stdin, code, message, n_memos, n_journal) -> None:
    result = _run(root, *args, input=stdin)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    db = open_db(root / "interview.db")
    assert len(participant_memos(db, "P01")) == n_memos and len(journal(db)) == n_journal


def test_listing_never_replays_terminal_escapes(root: Path) -> None:
    assert _run(root, "memo", "add", "P01", "\x1b[2J\x1b]0;pwned\x07 cleared?").exit_code == 0
    out = _run(root, "memo", "list", "P01").output
    assert "\x1b" not in out and "\x07" not in out and "cleared?" in out


def test_a_withdrawn_participant_takes_no_memo(root: Path) -> None:
    from interview_tui.storage.participants import withdraw_participant

    db = open_db(root / "interview.db")
    withdraw_participant(db, "P01")
    result = _run(root, "memo", "add", "P01", "after withdrawal")
    assert result.exit_code == 1 and "withdrew" in result.output
