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


    from interview_tui.diarization.attribute import WordSpeakers
    from interview_tui.review.attention import Loudness
    from interview_tui.storage.withdrawal import WithdrawalReport


# -- interview screen: the outline and the question panel -------------------------------------
