"""`interview-tui guide`: check study files and show their outline."""

from __future__ import annotations

from pathlib import Path

import click

from interview_tui.cli import main
from interview_tui.cli.common import load_cli_study
from interview_tui.config import GUIDES_DIR
from interview_tui.domain.loader import format_outline, validate_study_file


@main.group()
def guide() -> None:
    """Check study files (guide, consent form, demographic form) and show their outline.

    The file format is described in guides/README.md.
    """


def shipped_studies() -> list[str]:
    """The names of the study files that ship with interview-tui."""
    return sorted(p.stem for p in GUIDES_DIR.glob("*.yaml"))


def resolve_study(path: Path) -> Path:
    """A study file path, or the shipped study of that name (`involuntary-treatment-alliance`),
    so the command works from a project folder and not only in a clone of the repository."""
    if path.exists():
        return path
    shipped = GUIDES_DIR / (path.name if path.suffix in (".yaml", ".yml") else f"{path.name}.yaml")
    return shipped if shipped.is_file() else path


@guide.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
def validate(paths: tuple[Path, ...], strict: bool) -> None:
    """Check study files; print every problem as FILE:LINE:COL: message (at key.path).

    PATHS are study files, or the names of shipped studies (e.g.
    involuntary-treatment-alliance).  Prints one OK line per valid file.
    Warnings are shown but do not fail a file unless --strict is given.
    Exits with status 0 only when every file is valid, 1 otherwise.
    """
    failed = 0
    for given in paths:
        path = resolve_study(given)
        issues = validate_study_file(path)
        if not path.exists():
            click.echo(f"{path}: no such file; the shipped studies are: {', '.join(shipped_studies())}")
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

    PATH is a study file or the name of a shipped study; without it, the shipped default study.
    """
    click.echo(format_outline(load_cli_study(resolve_study(path) if path else None)), nl=False)
