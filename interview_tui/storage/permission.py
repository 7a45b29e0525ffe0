"""May we collect or process this participant's data? One rule for the app, the CLI and batches.

Every writer of participant data (demographic answers, interview sessions,
microphone recordings, imported audio, transcription) asks `require_permission`
first, so the rules cannot drift apart:

- an unknown participant, or one who withdrew, gets nothing more stored;
- one whose latest consent decision is 'declined' gets nothing more stored
  (a later 'declined' is consent withdrawn: it turns every item off);
- an interview needs consent 'given' on the study's current consent form version;
- audio (recording, import, transcription) needs the study's audio-recording
  consent item in the latest decision, and new audio is refused after the
  study's end date;
- demographic answers need no consent record yet (the form is often filled in
  first), only that the participant has not declined.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlite_utils import Database

from interview_tui.domain.participant_codes import ParticipantError, normalize_code
from interview_tui.domain.study import Study
from interview_tui.storage.consent import latest_consent
from interview_tui.storage.participants import get_participant
from interview_tui.storage.rows import Participant
from interview_tui.storage.studies import load_registered_study

Purpose = Literal["demographics", "interview", "recording", "import", "transcription"]
Reason = Literal["unknown", "withdrawn", "declined", "no_consent", "no_audio_consent", "ended", "no_study"]

_WHAT: dict[str, str] = {
    "demographics": "no demographic answers are stored",
    "interview": "no interview is started",
    "recording": "nothing is recorded",
    "import": "no audio is imported",
    "transcription": "the audio is not transcribed",
}


class NotPermitted(ParticipantError):
    """The participant's status or consent does not allow this; the message says why and what to do."""

    def __init__(self, code: str, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason


def refusal(db: Database, code: str, purpose: Purpose, study: Study | None = None) -> NotPermitted | None:
    """Why `purpose` is not allowed for participant `code` (None when it is).

    `study` is the study to judge by (default: the participant's registered study).
    """
    canonical = normalize_code(code)  # ParticipantError for a malformed code
    what = _WHAT[purpose]
    row = get_participant(db, canonical)
    if row is None:
        return NotPermitted(canonical, "unknown", f"no participant {canonical}; add them first "
                            f"(interview-tui participants add --code {canonical})")
    if row.withdrawn_at:
        return NotPermitted(canonical, "withdrawn", f"{canonical} withdrew from the study on "
                            f"{row.withdrawn_at[:10]}; {what}.")
    record = latest_consent(db, canonical)
    audio = purpose in ("recording", "import", "transcription")
    verb = {"recording": "Not recording", "import": "Not imported"}.get(purpose, "Not transcribed")
    if record is not None and record.decision == "declined" and audio:
        return NotPermitted(canonical, "declined", f"{verb}: {canonical} has not given consent to audio "
                            f"recording (consent item {_audio_item(db, row, study)!r}): their latest consent "
                            f"decision ({record.recorded_at[:10]}) is 'declined'. Record a new consent "
                            "decision first if they changed their mind.")
    if record is not None and record.decision == "declined":
        return NotPermitted(canonical, "declined", f"{canonical} declined (or withdrew) consent on "
                            f"{record.recorded_at[:10]}; {what}. Record a new consent decision first "
                            "if they changed their mind.")
    if purpose == "demographics":
        return None
    if study is None:
        study = load_registered_study(db, row.study_slug)
    if study is None:
        return NotPermitted(canonical, "no_study", f"The study {row.study_slug!r} of {canonical} is not in "
                            "this project's database, so consent cannot be checked; open it once in the app "
                            f"or pass --study. {what[0].upper()}{what[1:]}.")
    if purpose == "interview":
        on_form = latest_consent(db, canonical, study.consent.version)
        if on_form is None or on_form.decision != "given":
            return NotPermitted(canonical, "no_consent", f"{canonical} has no consent on form "
                                f"{study.consent.version}; {what}. Take consent first (consent screen or "
                                "`interview-tui consent record`).")
        return None
    if purpose in ("recording", "import") and study.end_date is not None and date.today() > study.end_date:
        return NotPermitted(canonical, "ended", f"The study ended on {study.end_date.isoformat()}; "
                            f"{what} after that.")
    item = study.consent.recording_item
    if item is None:
        return NotPermitted(canonical, "no_audio_consent", "The study's consent form names no item that "
                            "permits audio recording (consent.recording_item), so audio consent cannot be "
                            f"checked; {what}. Add it to the study file.")
    if record is None:
        return NotPermitted(canonical, "no_consent", f"{canonical} has no consent on file; {what}. "
                            "Take consent first (consent screen or `interview-tui consent record`).")
    if item not in record.items_given:
        return NotPermitted(canonical, "no_audio_consent", f"{verb}: {canonical} has not given consent to audio "
                            f"recording (consent item {item!r}). Take consent first (consent screen "
                            "or `interview-tui consent record`), or take notes instead.")
    return None


def _audio_item(db: Database, row: Participant, study: Study | None) -> str | None:
    if study is None:
        study = load_registered_study(db, row.study_slug)
    return study.consent.recording_item if study is not None else None


def require_permission(db: Database, code: str, purpose: Purpose, study: Study | None = None) -> Participant:
    """The participant when `purpose` is allowed; raises `NotPermitted` (or `ParticipantError`
    for a malformed code) saying why not and what to do."""
    refused = refusal(db, code, purpose, study)
    if refused is not None:
        raise refused
    row = get_participant(db, code)
    assert row is not None
    return row


__all__ = ["NotPermitted", "Purpose", "ParticipantError", "refusal", "require_permission"]
