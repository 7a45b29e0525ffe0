"""`interview-tui guide`: check study files and show their outline."""

from __future__ import annotations

from pathlib import Path

import click

from interview_tui.cli import main
from interview_tui.cli.common import load_cli_study
from interview_tui.domain.loader import format_outline, validate_study_file


@main.group()
def guide() -> None:
    """Check study files (guide, consent form, demographic form) and show their outline.

    The file format is described in guides/README.md.
    """


@guide.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Check study files; print every problem as FILE:LINE:COL: message (at key.path).

    Prints one OK line per valid file.  Warnings are shown but do not fail a
    file unless --strict is given.  Exits with status 0 only when every file
    is valid, 1 otherwise.
    """
    failed = 0
    for path in paths:
        issues = validate_study_file(path)
        for issue in issues:
            click.echo(str(issue))
        errors = sum(1 for i in issues if i.is_error)
        warnings = len(issues) - errors
        if errors or (strict and warnings):
            failed += 1
            click.echo(f"{path}: INVALID ({errors} error(s), {warnings} warning(s))")
        else:
            click.echo(f"{path}: OK" + (f" ({warnings} warning(s))" if warnings else ""))
    if failed:
        raise SystemExit(1)


@guide.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def show(path: Path | None) -> None:
    """Print the outline of a study: sections, questions, follow-ups, probes, budgets, forms.

    Without PATH, shows the shipped default study.
    """
    click.echo(format_outline(load_cli_study(path)), nl=False)
