"""CLI: `participants add|list` and `interviewers add|list` (usable without the app)."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, load_cli_study, pass_db, render_table, study_option
from interview_tui.domain.participant_codes import ParticipantError


@main.group()
def participants() -> None:
    """Add and list participants (pseudonymous codes P01, P02, ...)."""


@participants.command("add")
@click.option("--code", help="Participant code, e.g. P07 (default: the next free code).")
@study_option
@pass_db
def participants_add(db, code: str | None, study_path: str | None) -> None:
    """Add a participant under a pseudonymous code."""
    from interview_tui.storage.participants import add_participant
    from interview_tui.storage.studies import register_study

    study = load_cli_study(study_path)
    register_study(db, study)
    with as_click_error(ParticipantError):
        row = add_participant(db, study.id, code)
    click.echo(f"Added {row.code} to study {study.id}.")


def _yes(flag: bool) -> str:
    return "yes" if flag else "-"


@participants.command("list")
@click.option("--all", "include_withdrawn", is_flag=True, help="Include participants who withdrew.")
@study_option
@pass_db
def participants_list(db, include_withdrawn: bool, study_path: str | None) -> None:
    """List participants with consent, demographics, interview, recording and transcript status."""
    from interview_tui.storage.roster import list_participants

    study = load_cli_study(study_path)
    statuses = list_participants(db, study, include_withdrawn=include_withdrawn)
    if not statuses:
        click.echo("No participants yet; add one with: interview-tui participants add")
        return
    headers = ["Code", "Consent", "Demographics", "Interviewed", "Recorded", "Transcribed"]
    if include_withdrawn:
        headers.append("Withdrawn")
    rows = []
    for s in statuses:
        row = [s.code, s.consent, _yes(s.demographics_done), _yes(s.interviewed), _yes(s.recorded), _yes(s.transcribed)]
        if include_withdrawn:
            row.append(s.withdrawn_at[:10] if s.withdrawn_at else "-")
        rows.append(row)
    click.echo(render_table(headers, rows))


@main.group()
def interviewers() -> None:
    """Add and list interviewers (the researchers running interviews)."""


@interviewers.command("add")
@click.argument("name")
@click.option("--role", help="Role, e.g. 'master student' or 'supervisor'.")
@pass_db
def interviewers_add(db, name: str, role: str | None) -> None:
    """Add an interviewer by name or initials."""
    from interview_tui.storage.interviewers import get_interviewer, get_or_add_interviewer

    existed = get_interviewer(db, name) is not None
    with as_click_error(ValueError):
        get_or_add_interviewer(db, name, role)
    click.echo(f"{'Already registered' if existed else 'Added'}: {' '.join(name.split())}")


@interviewers.command("list")
@pass_db
def interviewers_list(db) -> None:
    """List interviewers."""
    from interview_tui.domain.safe_text import for_terminal
    from interview_tui.storage.interviewers import list_interviewers

    # Names stored before input was checked may hold escape sequences: never send them raw.
    rows = [[for_terminal(r.name), for_terminal(r.role or "-"), r.created_at[:10]] for r in list_interviewers(db)]
    if not rows:
        click.echo("No interviewers yet; add one with: interview-tui interviewers add NAME")
        return
    click.echo(render_table(["Name", "Role", "Added"], rows))
