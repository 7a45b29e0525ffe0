"""The transcript data that flows from the engine to storage and export."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


#: Shown where a segment has no speaker label (Whisper alone does not diarise).
UNKNOWN_SPEAKER = "Speaker"


@dataclass
class Word:
    """One recognised word with its time span and the model's probability."""

    word: str
    start: float
    end: float
    probability: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Word":
        return cls(str(d["word"]), float(d["start"]), float(d["end"]), float(d["probability"]))


@dataclass
class Segment:
    """A stretch of transcript: one speaker, one guide question, rendered text plus its words.

    `text` is the rendered (verbatim or clean) text; `words` keep the model's raw output so
    that text can be re-rendered without transcribing again.
    """

    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    speaker: str | None = None
    question_id: str | None = None
    confidence: float | None = None  # mean word probability
    flags: list[str] = field(default_factory=list)  # e.g. "unsure", "overlap"

    @property
    def speaker_label(self) -> str:
        """The speaker as transcripts and exports name them: `UNKNOWN_SPEAKER` when nobody was attributed."""
        return self.speaker or UNKNOWN_SPEAKER


@dataclass
class TranscriptMeta:
    """Provenance of one transcript (what the database's `transcripts` row holds)."""

    model: str
    model_sha256: str | None
    engine: str
    language: str | None
    options: dict[str, Any]
    duration_s: float | None = None
    source: str | None = None  # file name or "recording N"
    version: int | None = None
    transcript_id: int | None = None
    recording_id: int | None = None
    participant_code: str | None = None


@dataclass
class Transcript:
    """Segments plus provenance, and the guide's question texts for question-by-question output."""

    meta: TranscriptMeta
    segments: list[Segment]
    #: question_id -> question text, in guide order (may be empty).
    questions: dict[str, str] = field(default_factory=dict)
