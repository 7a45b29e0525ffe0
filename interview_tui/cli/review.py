"""CLI: `review list|diff|signoff` — transcript review status, machine-vs-reviewed diff, sign-off."""

from __future__ import annotations

import json

import click

from interview_tui.cli import main
from interview_tui.cli.common import ROW_ID, as_click_error, one_line_text, open_review_session, pass_db


@main.group()
def review() -> None:
    """Transcript review: status per transcript, what review changed, sign-off (edit in the app: r)."""


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per transcript, plus the project summary.")
@pass_db
def review_list(db, as_json: bool) -> None:
    """Every transcribed recording: review state, audio heard, edits and correction rate."""
    from interview_tui.review.status import project_line, review_statuses
    from interview_tui.domain.timecode import mm_ss

    statuses = review_statuses(db)
    if as_json:
        click.echo(json.dumps({"transcripts": [s.as_dict() for s in statuses], "summary": project_line(statuses)},
                              indent=2, ensure_ascii=False))
        return
    if not statuses:
        click.echo("No transcripts yet. Transcribe recordings first: interview-tui transcribe --all")
        return
    click.echo(f"{'rec':>4}  {'code':<6} {'length':>8}  {'version':<10} {'heard':>6} {'edits':>5} {'corr.':>6}  state")
    for s in statuses:
        version = f"m{s.machine_version}" + (f" → r{s.review_version}" if s.review_version else "")
        rate = f"{s.correction.rate:.1%}" if s.correction else "-"
        click.echo(f"{s.recording_id:>4}  {s.participant_code:<6} {mm_ss(s.duration_s or 0):>8}  {version:<10} "
                   f"{s.heard:>6.0%} {s.edits:>5} {rate:>6}  {s.state}")
    click.echo(project_line(statuses))


def _open_interview(db, session_id: int):
    from interview_tui.review.interview import InterviewReview
    from interview_tui.review.session import ReviewError

    with as_click_error(ReviewError):
        return InterviewReview.open(db, session_id)


def _recording_or_session(recording_id: int | None, session_id: int | None) -> None:
    if (recording_id is None) == (session_id is None):
        raise click.UsageError("give a RECORDING_ID or --session S (a whole interview, all its recordings)")


@review.command("diff")
@click.argument("recording_id", type=ROW_ID, required=False)
@click.option("--session", "session_id", type=ROW_ID, help="The whole interview: all its recordings as one transcript.")
@click.option("--summary", is_flag=True, help="Only the figures, not the changed turns.")
@pass_db
def review_diff(db, recording_id: int | None, session_id: int | None, summary: bool) -> None:
    """Machine text against the newest review of RECORDING_ID: changed turns and the correction rate."""
    from interview_tui.review.diff import diff_lines

    _recording_or_session(recording_id, session_id)
    if session_id is not None:
        interview = _open_interview(db, session_id)
        click.echo(f"session {session_id}: " + "; ".join(interview.version_labels()))
        click.echo(interview.correction().summary())
        if not summary:
            for line in interview.diff_lines():
                click.echo(line)
        return
    assert recording_id is not None
    session = open_review_session(db, recording_id)
    if session.draft_id is None and session.source.kind == "machine":
        raise click.ClickException(f"recording {recording_id} has no review yet; open it in the app (r on the start screen)")
    click.echo(f"recording {recording_id} ({session.participant_code}): {session.version_label}")
    click.echo(session.correction().summary())
    if not summary:
        for line in diff_lines(session.machine, session.segments):
            click.echo(line)


@review.command("signoff")
@click.argument("recording_id", type=ROW_ID, required=False)
@click.option("--session", "session_id", type=ROW_ID, help="The whole interview: sign off all its recordings together.")
@click.option("--by", "reviewed_by", required=True, callback=one_line_text("--by"),
              help="Who reviewed the transcript (name or initials).")
@click.option("--as-is", is_flag=True, help="Sign off even when nothing was edited (the machine text was checked and is right).")
@pass_db
def review_signoff(db, recording_id: int | None, session_id: int | None, reviewed_by: str, as_is: bool) -> None:
    """Mark the review of RECORDING_ID (or of a whole interview) as done; exports then use this version."""
    from interview_tui.storage.reviews import ReviewStateError

    _recording_or_session(recording_id, session_id)
    if session_id is not None:
        interview = _open_interview(db, session_id)
        if not as_is and any(r.draft_id is None for _, r in interview.parts):
            raise click.ClickException(
                f"session {session_id}: not every recording has a review draft ("
                + "; ".join(interview.version_labels()) + "). Review it, or pass --as-is if you checked the text")
        with as_click_error(ReviewStateError):
            interview.sign_off(reviewed_by)
        click.echo(f"Signed off: session {session_id}, recordings {', '.join(map(str, interview.recording_ids))}.")
        click.echo(interview.correction().summary())
        return
    assert recording_id is not None
    session = open_review_session(db, recording_id)
    if session.draft_id is None and session.source.reviewed_at and not as_is:
        raise click.ClickException(
            f"recording {recording_id} is already signed off ({session.version_label}); nothing to do"
        )
    if session.draft_id is None and not as_is:
        raise click.ClickException(
            f"recording {recording_id} has no review draft (nothing was edited). Review it in the app (r), "
            "or pass --as-is if you checked the machine text against the audio and it needs no change"
        )
    with as_click_error(ReviewStateError):
        at = session.sign_off(reviewed_by)
    click.echo(f"Signed off: recording {recording_id}, {session.version_label}, at {at}.")
    click.echo(session.correction().summary())
