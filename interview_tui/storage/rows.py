"""What the storage queries return: one small frozen dataclass per shape callers read.

Callers outside `storage/` read attributes, never column names, so a renamed or joined
column is a change in this module and in the query, checked by the type checker. A row is
built with `from_row`, which takes exactly the dataclass's fields from a query result and
fails loudly (KeyError) when a query stops selecting one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping, TypeVar

R = TypeVar("R")

_FIELDS: dict[type, tuple[str, ...]] = {}


def from_row(cls: type[R], row: Mapping[str, Any]) -> R:
    """An instance of the row dataclass `cls` from a query's column→value mapping (extra columns ignored)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    return cls(**{name: row[name] for name in names})


@dataclass(frozen=True)
class Participant:
    """A `participants` row: a code, never a name."""

    id: int
    code: str
    study_slug: str
    created_at: str
    withdrawn_at: str | None


@dataclass(frozen=True)
class Recording:
    """A `recordings` row with its participant's code; `path` is relative to the project folder."""

    id: int
    participant_id: int
    participant_code: str
    session_id: int | None
    path: str
    source: str
    state: str
    device: str | None
    sample_rate: int | None
    channels: int | None
    started_at: str
    ended_at: str | None
    duration_s: float | None
    sha256: str | None
    overflow_count: int | None
    compressed_path: str | None
    error: str | None


@dataclass(frozen=True)
class RecordingContext:
    """What transcribing or reviewing a recording needs besides the audio: its participant,
    session, interviewer (None without a session) and the study text the session ran on."""

    id: int
    path: str
    state: str
    channels: int | None
    started_at: str
    session_id: int | None
    source: str
    participant_code: str
    study_slug: str
    withdrawn_at: str | None
    interviewer_name: str | None
    interviewer_role: str | None
    study_content: str | None
    study_source: str | None


@dataclass(frozen=True)
class RecordingOverview:
    """One line of the transcription screen: a recording and its newest transcript version (0 = none)."""

    id: int
    participant_code: str
    session_id: int | None
    source: str
    state: str
    started_at: str
    duration_s: float | None
    channels: int | None
    versions: int


@dataclass(frozen=True)
class TranscribedRecording:
    """A participant's recording that has a transcript, with its newest version number."""

    id: int
    started_at: str
    duration_s: float | None
    path: str
    session_id: int | None
    versions: int


@dataclass(frozen=True)
class TranscriptRow:
    """A `transcripts` row (no segments, options decoded): a machine version or a review
    version with its parent.  Not `export.model.TranscriptVersion`, the provenance an export
    states, which `export.gather` builds from it."""

    id: int
    recording_id: int
    version: int
    kind: str
    parent_id: int | None
    language: str | None
    model: str | None
    model_sha256: str | None
    engine: str | None
    options: dict[str, Any]
    created_at: str
    duration_s: float | None
    reviewed_by: str | None
    reviewed_at: str | None


@dataclass(frozen=True)
class TranscriptListing(TranscriptRow):
    """A version as `list_transcripts` gives it: with its segment count."""

    segment_count: int


@dataclass(frozen=True)
class ReviewEdit:
    """One entry of a review version's edit log (details decoded)."""

    id: int
    transcript_id: int
    at: str
    kind: str
    details: dict[str, Any]


@dataclass(frozen=True)
class ReviewOverview:
    """Per transcribed recording: its newest machine version and newest review version (None
    fields when there is no review; `reviewed_at` None while a draft)."""

    recording_id: int
    participant_code: str
    session_id: int | None
    duration_s: float | None
    machine_id: int
    machine_version: int
    review_id: int | None
    review_version: int | None
    reviewed_by: str | None
    reviewed_at: str | None


@dataclass(frozen=True)
class SessionRow:
    """An interview session with its participant code, interviewer name, study and event count."""

    id: int
    participant_id: int
    participant_code: str
    interviewer_id: int | None
    interviewer: str | None
    study_id: int
    study_slug: str | None
    study_source: str | None
    place: str | None
    state: str
    started_at: str
    ended_at: str | None
    current_question_id: str | None
    event_count: int


@dataclass(frozen=True)
class SessionDefaults:
    """Interviewer name and place of the most recent session."""

    interviewer: str | None
    place: str | None


@dataclass(frozen=True)
class Interviewer:
    """An `interviewers` row."""

    id: int
    name: str
    role: str | None
    created_at: str


@dataclass(frozen=True)
class ConsentRecord:
    """A `consent_records` row with its participant's code and interviewer's name (items decoded)."""

    id: int
    participant_id: int
    participant_code: str
    study_id: int | None
    form_version: str
    form_title: str
    text: str
    text_hash: str
    decision: str
    items_given: list[str]
    items_declined: list[str]
    method: str
    interviewer_id: int | None
    interviewer: str | None
    recorded_at: str


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the hash-chained audit log (details decoded; None when it has none)."""

    id: int
    at: str
    actor: str | None
    action: str
    participant_code: str | None
    details: dict[str, Any] | None
    hash: str


@dataclass(frozen=True)
class RecruitmentContact:
    """One person invited, counted but never named: outcome and an optional decline reason."""

    id: int
    outcome: str
    reason: str | None
    contacted_on: str | None
    recorded_at: str


@dataclass(frozen=True)
class VoiceProfileInfo:
    """An interviewer who has a voice profile (the embedding itself stays in storage)."""

    name: str
    role: str | None
    encoder: str
    seconds: float
    created_at: str
