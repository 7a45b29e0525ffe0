"""`interview-tui memo ...` and `interview-tui journal ...`: post-interview memos and the project journal."""

from __future__ import annotations

import sys

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, normalized_code, pass_db


def _text(text: str | None, what: str) -> str:
    """TEXT, standard input for '-', else what the user writes in their editor."""
    if text == "-":
        return sys.stdin.read()
    if text is not None:
        return text
    written = click.edit(f"\n# Write the {what} above. Lines starting with '#' are dropped.\n")
    if written is None:
        raise click.ClickException(f"nothing saved: the editor closed without a {what}")
    return "\n".join(line for line in written.splitlines() if not line.startswith("#"))


@main.group()
def memo() -> None:
    """Post-interview memos: a contact summary per participant (setting, rapport, themes, what to ask next)."""


@memo.command("add")
@click.argument("code")
@click.argument("text", required=False)
@click.option("--title", help="A title (default: 'CODE post-interview memo').")
@click.option("--author", help="Who wrote it (interviewer's name or initials).")
@pass_db
def memo_add(db, code: str, text: str | None, title: str | None, author: str | None) -> None:
    """Save a memo on participant CODE. TEXT: the memo (omit it to write it in your editor, '-' for stdin)."""
    from interview_tui.storage.memos import MemoError, add_memo

    with as_click_error(MemoError):
        add_memo(db, code, _text(text, "memo"), title=title, author=author)
    click.echo(f"Saved a memo on {normalized_code(code)}.")


@memo.command("list")
@click.argument("code")
@pass_db
def memo_list(db, code: str) -> None:
    """Show participant CODE's memos, oldest first."""
    from interview_tui.storage.memos import participant_memos

    code = normalized_code(code)
    _print(participant_memos(db, code), f"No memos on {code}; add one with: interview-tui memo add {code}")


@main.group()
def journal() -> None:
    """The project's reflexive journal: notes on the research as it goes (no participant data)."""


@journal.command("add")
@click.argument("text", required=False)
@click.option("--title", help="A title (default: 'Journal' and the time).")
@click.option("--author", help="Who wrote it (researcher's name or initials).")
@pass_db
def journal_add(db, text: str | None, title: str | None, author: str | None) -> None:
    """Add a journal entry. TEXT: the entry (omit it to write it in your editor, '-' for stdin)."""
    from interview_tui.storage.memos import MemoError, add_journal_entry

    with as_click_error(MemoError):
        add_journal_entry(db, _text(text, "journal entry"), title=title, author=author)
    click.echo("Saved a journal entry.")


@journal.command("list")
@pass_db
def journal_list(db) -> None:
    """Show the project journal, oldest first."""
    from interview_tui.storage.memos import journal as entries

    _print(entries(db), "The journal is empty; add an entry with: interview-tui journal add")


def _print(entries, empty: str) -> None:
    if not entries:
        click.echo(empty)
        return
    for m in entries:
        who = f" - {_plain(m.author)}" if m.author else ""
        click.echo(click.style(f"{_plain(m.title)} ({m.created_at[:16].replace('T', ' ')} UTC{who})", bold=True))
        click.echo(_plain(m.text, keep_newlines=True))
        click.echo()


def _plain(text: str, *, keep_newlines: bool = False) -> str:
    """Text without control characters, so a stored escape sequence cannot drive the terminal."""
    return "".join(ch for ch in text if ch.isprintable() or (keep_newlines and ch == "\n") or ch == "\t")
