"""Who speaks in an interview transcript: the two people's labels, and the marks for the unsure cases.

A stereo recording with one microphone per speaker names each channel's speaker; a mono one is
labelled as one stream until voices are told apart.
"""

from __future__ import annotations

from dataclasses import dataclass

MONO_LABEL = "Speaker (mono)"
OVERLAP_FLAG = "overlap"


@dataclass(frozen=True)
class SpeakerLabels:
    """Who is on which channel."""

    left: str = "Speaker A (left)"
    right: str = "Speaker B (right)"

    @property
    def overlap(self) -> str:
        return f"{self.left} + {self.right}"


def labels_for(
    interviewer: str | None,
    participant: str | None,
    *,
    interviewer_channel: str = "left",
) -> SpeakerLabels:
    """Labels for a project recording: the interviewer's name/role and the participant's code."""
    iv = interviewer or "Interviewer"
    pt = participant or "Participant"
    return SpeakerLabels(iv, pt) if interviewer_channel == "left" else SpeakerLabels(pt, iv)
