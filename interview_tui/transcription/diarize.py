"""Speakers by voice for a recording file: decoded here, where audio files are read, then told apart
by `diarization` (which works on samples and never opens a file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from interview_tui.diarization.attribute import SpeakerPlan, WordSpeakers, word_speakers
from interview_tui.diarization.encoder import EncoderError
from interview_tui.diarization.profile import ProfileError, profile_from_segments
from interview_tui.domain.transcript import Segment
from interview_tui.transcription.audio_input import AudioInputError, load_audio


class SpeakersError(Exception):
    """Speakers cannot be found for this transcript; the message says why and what to do."""


def find_speakers(audio_path: Path, segments: Sequence[Segment], plan: SpeakerPlan) -> WordSpeakers:
    """Speakers by voice for the words of `segments` (slow: run it off the UI thread)."""
    try:
        audio = load_audio(audio_path)
    except AudioInputError as exc:
        raise SpeakersError(str(exc)) from exc
    if audio.stereo:
        raise SpeakersError("this recording is stereo (one microphone per speaker): its speakers come from "
                            "the channels when it is transcribed")
    try:
        ws = word_speakers(audio.mono, segments, plan)
    except EncoderError as exc:
        raise SpeakersError(str(exc)) from exc
    if not ws.names:
        raise SpeakersError(ws.provenance.get("summary") or "the transcript has no words to attribute")
    return ws


def profile_from_recording(audio_path: Path, segments: Sequence[Segment], speaker: str) -> tuple[np.ndarray, float]:
    """`profile_from_segments` over a recording file (raises ProfileError, EncoderError)."""
    try:
        audio = load_audio(audio_path)
    except AudioInputError as exc:
        raise ProfileError(str(exc)) from exc
    return profile_from_segments(audio.mono, segments, speaker)
