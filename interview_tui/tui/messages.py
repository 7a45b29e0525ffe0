"""Messages the widgets post upwards (attributes flow down, messages flow up)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from interview_tui.diarization.attribute import WordSpeakers
    from interview_tui.review.attention import Loudness


@dataclass
class QuestionChosen(Message):
    """The interviewer picked a main question in the outline."""

    question_id: str


@dataclass
class ProbeChosen(Message):
    """The interviewer asked a follow-up or probe of the current question."""

    prompt_id: str


# -- the review screen: its player and workers report on their own threads ----------------------


@dataclass
class PlayerPosition(Message):
    """Where the audio being heard is, on the transcript's timeline (s)."""

    seconds: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PlayerPosition)  # only the newest position matters


@dataclass
class PlayerHeard(Message):
    """A span of the timeline was played to the end of a chunk (stored as heard)."""

    start_s: float
    end_s: float


@dataclass
class PlayerState(Message):
    """Playback started or stopped (with the reason when it failed)."""

    playing: bool
    error: str | None


@dataclass
class LoudnessReady(Message):
    """Levels of each recording of the transcript, in order (None where it could not be read)."""

    loudness: list[Loudness | None]


@dataclass
class SpeakersFound(Message):
    """Speakers found by voice in recording `part` of the transcript (or why not)."""

    part: int
    found: WordSpeakers | None
    error: str | None = None
