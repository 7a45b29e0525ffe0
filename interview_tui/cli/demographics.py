"""CLI: `demographics import|summary` (paper forms typed into a spreadsheet; methods-section text)."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import (
    force_option, get_project, load_cli_study, pass_db, study_option, text_output_options, write_cli_text,
)
from interview_tui.domain.participant_codes import ParticipantError


@main.group()
def demographics() -> None:
    """Import participants' demographic answers and summarize them for a methods section."""


@demographics.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--add-missing", is_flag=True, help="Add participants whose codes are not registered yet.")
@study_option
@pass_db
def demographics_import(db, file: str, add_missing: bool, study_path: str | None) -> None:
    """Import answers from FILE.csv: a 'participant' column plus one column per field id.

    Nothing is imported when any cell is invalid; every problem is listed as
    FILE: row N, column C: reason.  Empty cells leave saved answers untouched.
    """
    from interview_tui.domain.demographics_csv import read_demographics_csv
    from interview_tui.storage.demographics import import_demographics
    from interview_tui.storage.participants import get_participant
    from interview_tui.storage.studies import register_study

    study = load_cli_study(study_path)
    rows, errors = read_demographics_csv(file, study.demographics)
    # Unknown codes are listed with the cell errors, so one pass over the file finds everything.
    unknown = [] if add_missing else [r for r in rows if get_participant(db, r.code) is None]
    if unknown:
        errors.append(
            f"{file}: row{'s' if len(unknown) > 1 else ''} {', '.join(str(r.row) for r in unknown)}, column "
            f"participant: unknown participant(s) {', '.join(r.code for r in unknown)}; add them first "
            "(interview-tui participants add --code CODE) or import with --add-missing"
        )
    if errors:
        raise click.ClickException(
            f"{len(errors)} problem(s) in {file}; nothing was imported:\n" + "\n".join(errors)
            + "\nFix these and import the file again."
        )
    if not rows:
        raise click.ClickException(f"{file} has no participant rows; nothing was imported")
    register_study(db, study)
    try:
        counts = import_demographics(db, rows, study_slug=study.id, add_missing=add_missing)
    except ParticipantError as err:
        raise click.ClickException(f"{err}; nothing was imported") from None
    added = f"; added {counts['added']} new participant(s)" if counts["added"] else ""
    click.echo(f"Imported demographics of {counts['participants']} participant(s) ({counts['values']} values{added}).")


@demographics.command("summary")
@text_output_options("text and markdown: a methods paragraph and a table; csv: one row per statistic.")
@study_option
@force_option
@pass_db
def demographics_summary(db, fmt: str, out: str | None, study_path: str | None, force: bool) -> None:
    """Summarize the sample (n, counts, range, M, SD) with a methods-section paragraph."""
    from interview_tui.domain.demographics import summarize
    from interview_tui.domain.demographics_report import render
    from interview_tui.storage.demographics import all_demographics

    study = load_cli_study(study_path)
    answers = all_demographics(db)
    with_answers = [a for a in answers.values() if a]
    if not with_answers:
        raise click.ClickException(
            "no demographic answers yet; import them with: interview-tui demographics import FILE.csv"
        )
    skipped = len(answers) - len(with_answers)
    if skipped:
        click.echo(f"Note: {skipped} participant(s) without any answers are left out.", err=True)
    text = render(summarize(study.demographics, with_answers), fmt)
    if not out:
        click.echo(text, nl=False)
        return
    from interview_tui.export.log import log_export

    written = write_cli_text(out, text, force=force)
    # A summary holds participants' answers: logged like an export, so a withdrawal finds and removes it.
    codes = [code for code, values in answers.items() if values]
    log_export(db, f"demographics-{fmt}", written.target, None, files=written.files, root=get_project().root,
               codes=codes)
    click.echo(f"Wrote {written.target}")
