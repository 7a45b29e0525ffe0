"""CLI: `consent record|show|counts` (paper consent is stored like consent in the app)."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, pass_db, render_table, study_option
from interview_tui.cli.common import load_cli_study
from interview_tui.domain.consent import ConsentError
from interview_tui.domain.participant_codes import ParticipantError


@main.group()
def consent() -> None:
    """Record and review informed consent (e.g. consent given on paper)."""


@consent.command("record")
@click.argument("code")
@click.option("--form-version", required=True, help="Version printed on the consent form the participant signed.")
@click.option("--item", "items", multiple=True, help="Id of an item the participant agreed to (repeat for each).")
@click.option("--declined", is_flag=True, help="The participant declined to take part.")
@click.option("--interviewer", help="Name of the interviewer who collected the form (see `interviewers list`).")
@study_option
@pass_db
def consent_record(
    db, code: str, form_version: str, items: tuple[str, ...], declined: bool, interviewer: str | None,
    study_path: str | None,
) -> None:
    """Record consent given on paper for participant CODE.

    Items not listed with --item count as declined.
    """
    from interview_tui.storage.consent import record_consent
    from interview_tui.storage.interviewers import get_interviewer
    from interview_tui.storage.participants import require_participant
    from interview_tui.storage.studies import register_study

    study = load_cli_study(study_path)
    form = study.consent
    if form_version != form.version:
        raise click.ClickException(
            f"the study {study.id} uses consent form version {form.version}, not {form_version}; "
            "check the version printed on the paper form, or pass the study file it belongs to with --study"
        )
    if declined and items:
        raise click.ClickException("--declined records a refusal to take part; leave out --item")
    with as_click_error(ParticipantError):
        require_participant(db, code)
    interviewer_id = None
    if interviewer:
        row = get_interviewer(db, interviewer)
        if row is None:
            raise click.ClickException(
                f"no interviewer called {interviewer!r}; add them first (interview-tui interviewers add "
                f"{interviewer!r}) or check `interview-tui interviewers list`"
            )
        interviewer_id = row.id
    try:
        record_consent(
            db,
            code,
            form,
            given=list(items),
            declined=[],
            decision="declined" if declined else "given",
            method="paper",
            interviewer_id=interviewer_id,
            study_id=register_study(db, study),
            actor=interviewer,
        )
    except ConsentError as err:
        hint = (
            "list every item the participant ticked with --item; if they did not agree to a required item, "
            "record the refusal with --declined"
        )
        raise click.ClickException("consent not recorded:\n  " + "\n  ".join(err.errors) + "\n" + hint) from None
    except ParticipantError as err:
        raise click.ClickException(str(err)) from None
    from interview_tui.storage.consent import consent_on_file

    record = consent_on_file(db, code, form.version)
    assert record is not None
    given = ", ".join(record.items_given) or "none"
    refused = ", ".join(record.items_declined) or "none"
    click.echo(
        f"Recorded paper consent for {record.participant_code} (form {form.version}): {record.decision}; "
        f"items given: {given}; declined: {refused}."
    )


@consent.command("show")
@click.argument("code")
@pass_db
def consent_show(db, code: str) -> None:
    """Show every consent record of participant CODE, oldest first."""
    from interview_tui.storage.consent import consent_history
    from interview_tui.storage.participants import require_participant

    with as_click_error(ParticipantError):
        participant = require_participant(db, code)
    records = consent_history(db, participant.code)
    if not records:
        click.echo(f"No consent recorded for {participant.code}.")
        return
    rows = [
        [r.recorded_at[:19].replace("T", " "), r.form_version, r.decision, r.method,
         ", ".join(r.items_given) or "-", r.interviewer or "-"]
        for r in records
    ]
    click.echo(f"Consent records of {participant.code}, oldest first:")
    click.echo(render_table(["Recorded (UTC)", "Form", "Decision", "Method", "Items given", "Interviewer"], rows))


@consent.command("counts")
@pass_db
def consent_counts(db) -> None:
    """Recruitment numbers (contacted, declined, included) for a methods section."""
    from interview_tui.storage.consent import recruitment_counts, recruitment_sentence

    counts = recruitment_counts(db)
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if counts["contacted"]:
        click.echo(recruitment_sentence(counts))
