"""An interviewer's voice profile from their turns in a transcript (their consent, their data).

Made only for interviewers, from segments already attributed to them; participants never
get one.  The profile names the interviewer's voice in recordings without an interview
timeline (imported files).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from interview_tui.diarization.encoder import SpeakerEncoder, load_encoder
from interview_tui.diarization.turns import chunk_words, embed_chunks
from interview_tui.domain.transcript import Segment, Word

MIN_SECONDS = 10.0  # less of their voice than this makes a weak profile


class ProfileError(Exception):
    """No profile can be made; the message says why."""


def profile_from_segments(
    audio: np.ndarray, segments: Sequence[Segment], speaker: str, encoder: SpeakerEncoder | None = None
) -> tuple[np.ndarray, float]:
    """The mean voice embedding of `speaker`'s segments and the seconds it rests on."""
    words: list[Word] = []
    for s in segments:
        if s.speaker == speaker:
            words.extend(s.words or [Word(s.text, s.start, s.end, 1.0)])
    chunks = chunk_words(words)
    seconds = sum(c.duration for c in chunks)
    if seconds < MIN_SECONDS:
        raise ProfileError(f"only {seconds:.0f} s of {speaker} in this transcript; at least {MIN_SECONDS:.0f} s "
                           "are needed (check the speakers first)")
    embed_chunks(audio, chunks, encoder or load_encoder())
    weights = np.array([c.duration for c in chunks if c.embedding is not None])
    embs = np.stack([c.embedding for c in chunks if c.embedding is not None])
    mean = (weights[:, None] * embs).sum(0)
    return (mean / np.linalg.norm(mean)).astype(np.float32), seconds
