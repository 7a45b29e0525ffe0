"""Live transcription for a project recording: set it up when recording starts, store it at the end.

The recorder's owner (`recorder.controller.RecordingController.run`, or a script) calls `start_live`
right after `ActiveRecording.start`, feeds it the overflow count while recording, and after
`ActiveRecording.finish` calls `store_live`, which waits for the rest, builds the transcript
on the stitched pieces exactly as `transcribe` would (speakers, guide questions, verbatim
marks) and stores it as the recording's next transcript version.  A project turns it off
with the setting `live_transcription = off`.
"""

from __future__ import annotations

from sqlite_utils import Database

from interview_tui.config import Project
from interview_tui.storage.recordings import get_setting
from interview_tui.transcription.engine import TranscribeOptions
from interview_tui.transcription.live import LiveTranscriber
from interview_tui.transcription.models import ModelError, normalize_language, resolve_model

SETTING = "live_transcription"
#: Pause live transcription while the 1-minute load average is above this (default: 1.5 per core; 0: never).
LOAD_LIMIT_SETTING = "live_transcription_load_limit"


def start_live(db: Database, project: Project, recording_id: int, participant_code: str) -> LiveTranscriber:
    """A running live transcriber for a recording that just started (state "off" with a reason if it cannot)."""
    from interview_tui.audio.recording import participant_study
    from interview_tui.storage.recordings import get_recording

    path = project.root / get_recording(db, recording_id).path
    study = participant_study(db, participant_code)
    language = normalize_language(study.language) if study is not None else None
    options = TranscribeOptions(language=language)
    if (get_setting(db, SETTING) or "on") == "off":
        return LiveTranscriber(path, None, options, off="turned off for this project (setting live_transcription)")
    try:
        model = resolve_model(None, language=language, study_model=study.model if study else None)
    except ModelError:
        model = None
    limit = get_setting(db, LOAD_LIMIT_SETTING)
    try:
        load_limit = float(limit) if limit else None
    except ValueError:
        load_limit = None  # a bad value must not stop the recording; the default applies
    live = LiveTranscriber(path, model, options, load_limit=load_limit)
    live.start()
    return live


def store_live(db: Database, project: Project, recording_id: int, live: LiveTranscriber) -> int | None:
    """After the recording finished: transcribe the rest, store the stitched transcript, return its id.

    None when live transcription was off (then `transcribe` does it afterwards, as before);
    the pieces are deleted only once the transcript is stored.
    """
    from interview_tui.transcription.audio_input import load_audio
    from interview_tui.transcription.batch import Settings, prepare_recording, store_recording
    from interview_tui.transcription.pipeline import build_transcript

    raw = live.finish()
    if raw is None:
        return None
    work = prepare_recording(db, project, recording_id, Settings(language=raw.language))
    options = work.options.with_(language=raw.language)
    transcript = build_transcript(raw, load_audio(work.audio_path), work.model, work.context, options)
    transcript.meta.options["live"] = True
    result = store_recording(db, project, work, transcript, Settings())
    live.discard()
    return result.transcript_id


def resume_live(db: Database, project: Project, recording_id: int) -> int | None:
    """A recording recovered after a crash: finish its live transcript from the stored pieces.

    Does nothing (None) when the recording has no live pieces, or already has a transcript.
    """
    from interview_tui.storage.recordings import get_recording
    from interview_tui.storage.transcripts import has_transcript
    from interview_tui.transcription.live import pieces_path

    row = get_recording(db, recording_id)
    path = project.root / row.path
    if not pieces_path(path).exists() or has_transcript(db, recording_id):
        return None
    from interview_tui.audio.recording import participant_study

    study = participant_study(db, row.participant_code) if row.participant_code else None
    language = normalize_language(study.language) if study is not None else None
    try:
        model = resolve_model(None, language=language, study_model=study.model if study else None)
    except ModelError:
        return None
    return store_live(db, project, recording_id, LiveTranscriber(path, model, TranscribeOptions(language=language)))
