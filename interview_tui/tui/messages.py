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
