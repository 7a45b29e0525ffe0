"""`interview-tui report methods`: the participants paragraph and table for a methods section."""

from __future__ import annotations

from pathlib import Path

import click

from interview_tui.cli import main
from interview_tui.cli.common import get_project, pass_db, study_option
from interview_tui.cli.export import AUDIT_ACTION, resolve_study


@main.group()
def report() -> None:
    """Reports for writing up the study (withdrawn participants never included)."""


@report.command("methods")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "markdown", "csv"]), default="text", show_default=True,
    help="text and markdown: paragraph and table; csv: one row per figure, unrounded.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of the terminal.")
@study_option
@pass_db
def report_methods(db, fmt: str, out: str | None, study_path: str | None) -> None:
    """Recruitment, sample (n, counts, range/M/SD), interview dates, durations and interviewers."""
    from interview_tui.export.gather import gather_methods
    from interview_tui.export.methods import render
    from interview_tui.storage import audit

    study = resolve_study(db, study_path)
    methods = gather_methods(db, get_project().root, study)
    if methods.summary.n == 0:
        raise click.ClickException(
            f"no participant of study '{study.id}' has consent on file yet; nothing to report"
        )
    text = render(methods, fmt)
    if out:
        target = Path(out).expanduser().resolve()
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as err:
            raise click.ClickException(f"cannot write {target}: {err.strerror or err}") from None
        click.echo(f"Wrote {target}")
    else:
        click.echo(text, nl=False)
    audit.log(db, AUDIT_ACTION, details={"format": f"methods-{fmt}", "out": str(Path(out).resolve()) if out else None,
                                         "participants": methods.summary.n})
