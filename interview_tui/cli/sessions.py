"""CLI: `sessions add|list`, for interviews held without the app (on paper, another recorder)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, load_cli_study, pass_db, render_table, study_option
from interview_tui.domain.participant_codes import ParticipantError


@main.group()
def sessions() -> None:
    """Interview sessions: when, how long, by whom and where."""


def _start(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date or time written as YYYY-MM-DD or YYYY-MM-DDTHH:MM",
                                 param_hint="--started") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


@sessions.command("add")
@click.argument("code")
@click.option("--started", required=True, metavar="YYYY-MM-DD[THH:MM]", help="When the interview started.")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True, max=24 * 60), required=True,
              help="How long it lasted.")
@click.option("--interviewer", required=True, help="Who interviewed (see `interviewers list`).")
@click.option("--place", help="Where it was held (one of the study's places, when it lists any).")
@study_option
@pass_db
def sessions_add(db, code: str, started: str, minutes: float, interviewer: str, place: str | None,
                 study_path: str | None) -> None:
    """Record a closed interview session of participant CODE held without the app."""
    from interview_tui.storage.consent import latest_consent
    from interview_tui.storage.interviewers import get_interviewer
    from interview_tui.storage.participants import require_participant
    from interview_tui.storage.sessions import close_session, open_session
    from interview_tui.storage.studies import register_study

    if not math.isfinite(minutes):  # click's FloatRange lets "nan" through
        raise click.BadParameter(f"{minutes!r} is not a length in minutes", param_hint="--minutes")
    study = load_cli_study(study_path)
    when = _start(started)
    with as_click_error(ParticipantError):
        participant = require_participant(db, code)
    consent = latest_consent(db, participant.code)
    if consent is None or consent.decision != "given":
        raise click.ClickException(
            f"{participant.code} has no consent given on file; record it first (interview-tui consent record)"
        )
    row = get_interviewer(db, interviewer)
    if row is None:
        raise click.ClickException(f"no interviewer called {interviewer!r}; add them first "
                                   f"(interview-tui interviewers add {interviewer!r})")
    if place is not None:
        place = " ".join(place.split())
        if study.places and place not in study.places:
            listed = ", ".join(repr(p) for p in study.places)
            raise click.ClickException(f"{place!r} is not one of the study's places: {listed}")
    sid = open_session(db, participant_id=participant.id, study_id=register_study(db, study),
                       interviewer_id=row.id, place=place or None, started_at=when.isoformat())
    close_session(db, sid, ended_at=(when + timedelta(minutes=minutes)).isoformat())
    click.echo(f"Added session {sid}: {participant.code}, {when.date()}, {minutes:g} min, "
               f"{row.name}, {place or 'place not recorded'}.")


@sessions.command("list")
@pass_db
def sessions_list(db) -> None:
    """List every session of participants still in the study."""
    from interview_tui.storage.sessions import active_sessions

    rows = active_sessions(db)
    if not rows:
        click.echo("No sessions yet.")
        return
    click.echo(render_table(
        ["Session", "Code", "Started", "Interviewer", "Place", "State"],
        [[str(r.id), r.participant_code, r.started_at[:16].replace("T", " "), r.interviewer or "-",
          r.place or "-", r.state] for r in rows],
    ))
