"""Messages the widgets post upwards (attributes flow down, messages flow up)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class QuestionChosen(Message):
    """The interviewer picked a main question in the outline."""

    question_id: str


@dataclass
class ProbeChosen(Message):
    """The interviewer asked a follow-up or probe of the current question."""

    prompt_id: str


class RecorderBack(Message):
    """A resumed interview's recorder is back, or will not be (it records again, was refused, or the
    interviewer declined): the app may now finish recovered live transcripts in the background."""


@dataclass
class Notice(Message):
    """Something a start-up worker wants the interviewer to read (a recording recovered, a live transcript finished)."""

    text: str
    title: str
    failed: bool


@dataclass
class RecoveryDone(Message):
    """Start-up recovery is done; `recording_ids` have live pieces whose transcript may be finished."""

    recording_ids: list[int]
