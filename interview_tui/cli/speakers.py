"""CLI: `speakers find|swap` — who said what on a transcribed mono recording."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import get_project, pass_db


@main.group()
def speakers() -> None:
    """Speaker turns by voice on mono recordings (transcription finds them by default; see README)."""


def _open(db, recording_id: int):
    from interview_tui.review.session import ReviewError, ReviewSession

    try:
        return ReviewSession.open(db, recording_id)
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from exc


@speakers.command("find")
@click.argument("recording_id", type=int)
@click.option("--speakers", "n_speakers", type=click.IntRange(1, 8), default=2, show_default=True,
              help="How many people speak (an interpreter or a relative makes 3).")
@pass_db
def speakers_find(db, recording_id: int, n_speakers: int) -> None:
    """Find who says what in RECORDING_ID's transcript by voice, as one review edit (undo: swap or edit)."""
    from interview_tui.diarization.plan import SpeakersError, find_speakers, plan_for_recording
    from interview_tui.review.edits import EditError
    from interview_tui.storage.reviews import ReviewStateError

    session = _open(db, recording_id)
    plan = plan_for_recording(db, recording_id, n_speakers)
    if plan is None or not session.audio_relpath:
        raise click.ClickException(f"recording {recording_id} does not exist")
    try:
        ws = find_speakers(get_project().root / session.audio_relpath, session.segments, plan)
        count = session.apply_speakers(ws.names, ws.unsure, ws.provenance)
    except (SpeakersError, EditError, ReviewStateError) as exc:
        raise click.ClickException(f"recording {recording_id}: {exc}") from exc
    names = ", ".join(ws.provenance.get("names", []))
    click.echo(f"Recording {recording_id}: {count} segments, speakers {names}; {ws.provenance['unsure_words']} "
               f"words to check.\n{ws.provenance['summary']}.")


@speakers.command("swap")
@click.argument("recording_id", type=int)
@click.argument("names", nargs=-1)
@pass_db
def speakers_swap(db, recording_id: int, names: tuple[str, ...]) -> None:
    """Swap two speakers in the whole transcript of RECORDING_ID (NAMES: the two, if it has more than two)."""
    from interview_tui.review.edits import EditError
    from interview_tui.storage.reviews import ReviewStateError

    if len(names) not in (0, 2):
        raise click.UsageError("Give no names (the transcript's two speakers) or exactly two names.")
    session = _open(db, recording_id)
    try:
        count = session.swap_speakers(*names) if names else session.swap_speakers()
    except (EditError, ReviewStateError) as exc:
        raise click.ClickException(f"recording {recording_id}: {exc}") from exc
    click.echo(f"Swapped {' and '.join(names or session.speakers())} in {count} segments.")
