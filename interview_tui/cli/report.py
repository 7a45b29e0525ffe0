"""`interview-tui report methods`: the participants paragraph and table for a methods section."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import force_option, get_project, pass_db, study_option, text_output_options, write_cli_text
from interview_tui.cli.export import resolve_study


@main.group()
def report() -> None:
    """Reports for writing up the study (withdrawn participants never included)."""


@report.command("methods")
@text_output_options("text and markdown: paragraph and table; csv: one row per figure, unrounded.")
@study_option
@force_option
@pass_db
def report_methods(db, fmt: str, out: str | None, study_path: str | None, force: bool) -> None:
    """Recruitment, sample (n, counts, range/M/SD), interview dates, durations and interviewers."""
    from interview_tui.export.gather import gather_project, methods_from
    from interview_tui.export.log import log_export
    from interview_tui.export.methods import render

    study = resolve_study(db, study_path)
    project = gather_project(db, get_project().root, study)
    methods = methods_from(db, study, project)
    if methods.summary.n == 0:
        raise click.ClickException(
            f"no participant of study '{study.id}' has consent on file yet; nothing to report"
        )
    text = render(methods, fmt)
    if out is None:
        click.echo(text, nl=False)
        log_export(db, f"methods-{fmt}", None, project)
        return
    written = write_cli_text(out, text, force=force)
    click.echo(f"Wrote {written.target}")
    # Logged with its checksum so that a later withdrawal finds (and removes) exactly this file.
    log_export(db, f"methods-{fmt}", written.target, project, files=written.files, root=get_project().root)
