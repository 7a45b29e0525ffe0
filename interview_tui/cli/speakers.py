"""CLI: `speakers find|swap` — who said what on a transcribed mono recording."""

from __future__ import annotations

import click

from interview_tui.cli import main
from interview_tui.cli.common import get_project, open_review_session, pass_db


@main.group()
def speakers() -> None:
    """Speaker turns by voice on mono recordings (transcription finds them by default; see README)."""


@speakers.command("find")
@click.argument("recording_id", type=int)
@click.option("--speakers", "n_speakers", type=click.IntRange(2, 8), default=2, show_default=True,
              help="How many people speak (an interpreter or a relative makes 3).")
@pass_db
def speakers_find(db, recording_id: int, n_speakers: int) -> None:
    """Find who says what in RECORDING_ID's transcript by voice, as one review edit (undo: swap or edit)."""
    from interview_tui.diarization.plan import plan_for_recording
    from interview_tui.review.edits import EditError
    from interview_tui.storage.reviews import ReviewStateError
    from interview_tui.transcription.diarize import SpeakersError, find_speakers

    session = open_review_session(db, recording_id)
    plan = plan_for_recording(db, recording_id, n_speakers)
    if plan is None or not session.audio_relpath:
        raise click.ClickException(f"recording {recording_id} does not exist")
    try:
        ws = find_speakers(get_project().root / session.audio_relpath, session.segments, plan)
        count = session.apply_speakers(ws.names, ws.unsure, ws.provenance)
    except (SpeakersError, EditError, ReviewStateError) as exc:
        raise click.ClickException(f"recording {recording_id}: {exc}") from exc
    names = ", ".join(session.speakers())
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
    session = open_review_session(db, recording_id)
    try:
        count = session.swap_speakers(*names) if names else session.swap_speakers()
    except (EditError, ReviewStateError) as exc:
        raise click.ClickException(f"recording {recording_id}: {exc}") from exc
    click.echo(f"Swapped {' and '.join(names or session.speakers())} in {count} segments.")


@speakers.group("profile")
def profile() -> None:
    """Interviewers' optional voice profiles (names their turns in recordings without a timeline)."""


@profile.command("save")
@click.argument("recording_id", type=int)
@pass_db
def profile_save(db, recording_id: int) -> None:
    """Make the voice profile of RECORDING_ID's interviewer from their turns (check the speakers first).

    Only for interviewers, with their agreement: a voice profile is biometric data. It is
    deleted with `speakers profile delete NAME`, and with the interviewer.
    """
    from interview_tui.diarization.encoder import EncoderError, load_encoder
    from interview_tui.diarization.plan import interviewer_label
    from interview_tui.diarization.profile import ProfileError
    from interview_tui.storage.interviewers import get_interviewer
    from interview_tui.storage.transcripts import recording_context
    from interview_tui.storage.voice_profiles import save_profile
    from interview_tui.transcription.diarize import profile_from_recording

    row = recording_context(db, recording_id)
    if row is None:
        raise click.ClickException(f"recording {recording_id} does not exist")
    person = get_interviewer(db, row.interviewer_name) if row.interviewer_name else None
    if person is None:
        raise click.ClickException(f"recording {recording_id} has no session interviewer to make a profile of")
    session = open_review_session(db, recording_id)
    label = interviewer_label(row)
    try:
        encoder = load_encoder()
        vector, seconds = profile_from_recording(get_project().root / row.path, session.segments, label)
    except (ProfileError, EncoderError) as exc:
        raise click.ClickException(f"recording {recording_id}: {exc}") from exc
    save_profile(db, person.id, encoder.name, encoder.sha256, vector, seconds)
    click.echo(f"Saved a voice profile of {person.name} from {seconds:.0f} s of their speech.")


@profile.command("delete")
@click.argument("name")
@pass_db
def profile_delete(db, name: str) -> None:
    """Delete interviewer NAME's voice profile."""
    from interview_tui.storage.interviewers import get_interviewer
    from interview_tui.storage.voice_profiles import delete_profile

    person = get_interviewer(db, name)
    if person is None:
        raise click.ClickException(f"no interviewer called {name!r} (see: interview-tui speakers profile list)")
    click.echo(f"Deleted {person.name}'s voice profile." if delete_profile(db, person.id)
               else f"{person.name} has no voice profile.")


@profile.command("list")
@pass_db
def profile_list(db) -> None:
    """Interviewers who have a voice profile."""
    from interview_tui.storage.voice_profiles import list_profiles

    rows = list_profiles(db)
    if not rows:
        click.echo("No voice profiles.")
    for r in rows:
        click.echo(f"{r.name}: {r.seconds:.0f} s of speech, {r.encoder}, made {r.created_at}")
