"""The export model: everything an export writes, gathered once from the database.

Every writer (REFI-QDA, MAXQDA, NVivo, Word, methods report, per-participant
folder) works on these plain dataclasses only, so each writer can be tested
from a hand-built model and never touches SQL.  Withdrawn participants are
never in a model: `gather.py` leaves them out before any writer sees them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, Union

from interview_tui.domain.session import Event
from interview_tui.domain.transcript import Segment

DemographicPython = Union[int, float, str, bool, date, tuple[str, ...], None]


@dataclass(frozen=True)
class TranscriptVersion:
    """Which transcript version an export used; every export states it."""

    transcript_id: int
    version: int
    kind: Literal["machine", "review"]
    created_at: str = ""
    model: str | None = None
    engine: str | None = None
    language: str | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    #: True: verbatim text (fillers, pauses), False: clean read; None when not recorded.
    verbatim: bool | None = None
    model_sha256: str | None = None
    #: the transcription options as stored (JSON text, so the model stays hashable).
    options_json: str = "{}"

    @property
    def label(self) -> str:
        """A one-line description, e.g. 'reviewed version 3 (reviewed 2026-01-02 by MP)'."""
        if self.kind == "review" and self.reviewed_at:
            who = f" by {self.reviewed_by}" if self.reviewed_by else ""
            return f"reviewed version {self.version} (reviewed {self.reviewed_at[:10]}{who})"
        bits = [b for b in (self.engine, f"model {self.model}" if self.model else None) if b]
        detail = f" ({', '.join(bits)})" if bits else ""
        return f"machine version {self.version}{detail}, not reviewed"


@dataclass(frozen=True)
class TranscriptPart:
    """One recording of a multi-recording interview transcript (its provenance)."""

    recording_id: int
    version: TranscriptVersion
    offset_s: float
    audio_sha256: str | None = None
    #: the audio file's name, its length and when it was started (for the headers that name each one)
    file_name: str = ""
    duration_s: float | None = None
    started_at: str | None = None


@dataclass(frozen=True)
class ExportTranscript:
    """The chosen version of one interview's transcript, with its (first) recording's audio."""

    recording_id: int
    version: TranscriptVersion
    #: times in seconds on the transcript's timeline; only start, end, text, speaker and
    #: question are exported (gather leaves the words out).
    segments: tuple[Segment, ...]
    #: absolute path of the audio file, None when the file is gone.
    audio_path: Path | None = None
    audio_sha256: str | None = None
    duration_s: float | None = None
    #: when the audio file was made or imported (an imported file's is the import time).
    recorded_at: str | None = None
    #: when the interview session the recording belongs to started: the interview date.
    session_started_at: str | None = None
    #: an interview that took several recordings is one transcript: each recording's id, the
    #: version used and where it starts on the transcript's timeline (empty for one recording)
    parts: tuple["TranscriptPart", ...] = ()

    @property
    def recording_ids(self) -> tuple[int, ...]:
        """Every recording this transcript was made from, in order."""
        return tuple(p.recording_id for p in self.parts) or (self.recording_id,)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Speaker labels in order of first appearance."""
        seen: dict[str, None] = {}
        for seg in self.segments:
            seen.setdefault(seg.speaker_label, None)
        return tuple(seen)


@dataclass(frozen=True)
class ExportMark:
    """An interviewer note or bookmark made during the interview."""

    kind: Literal["note", "bookmark"]
    text: str
    at: str
    session_offset_s: float
    question_id: str | None = None
    recording_id: int | None = None
    recording_offset_s: float | None = None


@dataclass(frozen=True)
class ExportSession:
    """One interview session with its interviewer, duration and events."""

    id: int
    started_at: str
    ended_at: str | None
    interviewer: str | None = None
    place: str | None = None
    #: the interview's length (`domain.session.interview_duration_s`: first question to end, less
    #: downtime); without question events, its recordings' total, else the session's clock time.
    duration_s: float | None = None
    events: tuple[Event, ...] = ()
    marks: tuple[ExportMark, ...] = ()
    #: time per section and question against the budgets, talk time (`domain.figures.Figures.as_dict`).
    figures: dict[str, Any] | None = None


@dataclass(frozen=True)
class DemographicValue:
    """A participant's answer to one demographic field, typed."""

    field_id: str
    label: str
    type: str
    value: DemographicPython
    prefer_not_to_say: bool = False

    @property
    def display(self) -> str:
        """The value as text (choices by id, lists joined with '; ')."""
        if self.prefer_not_to_say:
            return "prefer not to say"
        if self.value is None:
            return ""
        if isinstance(self.value, tuple):
            return "; ".join(self.value)
        if isinstance(self.value, date):
            return self.value.isoformat()
        return str(self.value)


@dataclass(frozen=True)
class ConsentSummary:
    """The participant's latest consent decision: version and items, never names."""

    form_version: str
    form_title: str
    decision: Literal["given", "declined"]
    items_given: tuple[str, ...]
    items_declined: tuple[str, ...]
    method: str
    recorded_at: str
    text_hash: str
    interviewer: str | None = None


@dataclass(frozen=True)
class ExportMemo:
    """A post-interview memo (one participant) or a project journal entry, as written."""

    title: str
    text: str
    created_at: str
    author: str | None = None


@dataclass(frozen=True)
class ExportParticipant:
    """One participant who has not withdrawn, with everything exports need."""

    code: str
    created_at: str = ""
    demographics: tuple[DemographicValue, ...] = ()
    consent: ConsentSummary | None = None
    sessions: tuple[ExportSession, ...] = ()
    transcripts: tuple[ExportTranscript, ...] = ()
    #: post-interview memos, oldest first.
    memos: tuple[ExportMemo, ...] = ()

    @property
    def marks(self) -> tuple[ExportMark, ...]:
        return tuple(m for s in self.sessions for m in s.marks)

    @property
    def interviewers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for s in self.sessions:
            if s.interviewer:
                seen.setdefault(s.interviewer, None)
        return tuple(seen)

    @property
    def interview_duration_s(self) -> float | None:
        """Total interview length over all sessions (None when no session has one)."""
        known = [s.duration_s for s in self.sessions if s.duration_s is not None]
        return sum(known) if known else None

    @property
    def interview_date(self) -> str | None:
        return self.sessions[0].started_at[:10] if self.sessions else None

    def demographic(self, field_id: str) -> DemographicValue | None:
        for v in self.demographics:
            if v.field_id == field_id:
                return v
        return None


@dataclass(frozen=True)
class GuideCode:
    """A guide section or question, exported as a code (sections hold their questions)."""

    id: str
    name: str
    kind: Literal["section", "question", "prompt"]
    description: str | None = None
    children: tuple["GuideCode", ...] = ()

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class DemographicVariable:
    """A demographic field as a typed project variable."""

    field_id: str
    label: str
    type: str
    unit: str | None = None
    #: choice labels of a choice field, in form order.
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportProject:
    """A whole study's export: participants (withdrawn ones excluded), guide codes, variables."""

    study_slug: str
    study_title: str
    study_version: str
    generated_at: str
    participants: tuple[ExportParticipant, ...] = ()
    guide_codes: tuple[GuideCode, ...] = ()
    variables: tuple[DemographicVariable, ...] = ()
    #: question id -> question text, for headings.
    questions: dict[str, str] = field(default_factory=dict)
    #: (code, reason) of participants left out for lack of consent (withdrawn ones are not listed).
    skipped: tuple[tuple[str, str], ...] = ()
    #: the project's reflexive journal, oldest first.
    journal: tuple[ExportMemo, ...] = ()
    #: the project's random identifier: GUIDs derive from it, so they differ between projects.
    project_uuid: str = ""

    def all_codes(self) -> list[GuideCode]:
        return [c for top in self.guide_codes for c in top.walk()]

    def participant(self, code: str) -> ExportParticipant:
        for p in self.participants:
            if p.code == code:
                return p
        raise KeyError(code)
