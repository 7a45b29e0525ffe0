"""The speaker plan of a project recording: names and interview-timeline cues from the database."""

from __future__ import annotations

from sqlite_utils import Database

from interview_tui.diarization.attribute import SpeakerPlan
from interview_tui.diarization.naming import CUE_KINDS
from interview_tui.domain.speakers import labels_for
from interview_tui.domain.timeline import event_offsets
from interview_tui.storage.rows import RecordingContext
from interview_tui.storage.sessions import session_events
from interview_tui.storage.transcripts import recording_context


def interviewer_label(row: RecordingContext) -> str | None:
    """The interviewer as transcripts name them: `MP (interviewer)`, or the name alone."""
    name = row.interviewer_name
    if name and row.interviewer_role:
        return f"{name} ({row.interviewer_role})"
    return name


def plan_for_recording(db: Database, recording_id: int, n_speakers: int = 2) -> SpeakerPlan | None:
    """Who speaks on recording `recording_id` and when its interviewer acted (None: no such recording)."""
    row = recording_context(db, recording_id)
    if row is None:
        return None
    labels = labels_for(interviewer_label(row), row.participant_code)
    cues: tuple[float, ...] = ()
    if row.session_id is not None:
        events = session_events(db, row.session_id)
        cues = tuple(t for t, _ in event_offsets(events, recording_id, row.started_at, CUE_KINDS))
    return SpeakerPlan(n_speakers, labels.left, labels.right, cues, _profile(db, row))


def _profile(db: Database, row: RecordingContext):
    """The session interviewer's voice profile for the installed encoder, if they made one."""
    from interview_tui.diarization.encoder import PRETRAINED_SHA256
    from interview_tui.storage.interviewers import get_interviewer
    from interview_tui.storage.voice_profiles import get_profile

    person = get_interviewer(db, row.interviewer_name) if row.interviewer_name else None
    return get_profile(db, person.id, PRETRAINED_SHA256) if person else None
