"""Messages posted upwards: by widgets to their screen, and by thread workers to the screen that
started them (attributes flow down, messages flow up; a worker never touches a widget).

A widget's own messages stay nested in the widget class (`GuideOutline.Highlighted`), Textual's
convention, so the handler name says which widget sent it. The ones here say what happened
whoever sent it (a question chosen in the outline, a probe from the question panel or a key),
or carry a thread worker's result back to its screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from interview_tui.diarization.attribute import WordSpeakers
    from interview_tui.review.attention import Loudness
    from interview_tui.storage.withdrawal import WithdrawalReport


# -- interview screen: the outline and the question panel -------------------------------------


@dataclass
class QuestionChosen(Message):
    """The interviewer picked a main question in the outline."""

    question_id: str


@dataclass
class ProbeChosen(Message):
    """The interviewer asked a follow-up or probe of the current question."""

    prompt_id: str


# -- start screen: the withdrawal worker --------------------------------------------------------


@dataclass
class WithdrawalFinished(Message):
    """A withdrawal finished in its worker: the report, or the error that stopped it (then report is None)."""

    code: str
    report: WithdrawalReport | None
    error: str | None


# -- transcription screen: the batch worker ----------------------------------------------------


@dataclass
class JobStarted(Message):
    """The worker began transcribing a recording; `remaining` are still queued after it."""

    recording_id: int
    label: str
    duration_s: float | None
    remaining: int


@dataclass
class JobProgress(Message):
    """Audio transcribed so far; a newer one replaces an undelivered one, so a busy UI draws only the latest."""

    recording_id: int
    done_s: float
    total_s: float
    elapsed_s: float

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, JobProgress) and message.recording_id == self.recording_id


@dataclass
class JobFinished(Message):
    """A recording is done: stored (ok) or failed, with the message to show."""

    recording_id: int
    ok: bool
    text: str


@dataclass
class QueueIdle(Message):
    """The worker emptied the queue, or stopped because it was cancelled."""

    cancelled: bool


@dataclass
class ModelsFound(Message):
    """The installed Whisper models (looked up off the UI thread), or why there are none."""

    names: list[str]
    problem: str | None


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


# -- the app: start-up recovery, and the recorder of a resumed interview --------------------------


class RecorderBack(Message):
    """A resumed interview's recorder is back, or will not be (it records again, was refused, or the
    interviewer declined): the app may now finish recovered live transcripts in the background."""


@dataclass
class Notice(Message):
    """Something a worker wants the interviewer to read, shown by the app wherever it is posted (a
    recording recovered at start-up, a live transcript finished, an archival copy that failed)."""

    text: str
    title: str
    failed: bool


@dataclass
class RecoveryDone(Message):
    """Start-up recovery is done; `recording_ids` have live pieces whose transcript may be finished."""

    recording_ids: list[int]
