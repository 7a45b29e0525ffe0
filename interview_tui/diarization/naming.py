"""Which voice is whose: the interview timeline first, then who asks the questions.

When the interviewer presses a key to move to a question, open a probe or read the closing
prompt, they are nearly always about to speak.  The voice that holds the most speech just
after those moments is the interviewer's: evidence, not a guess.  A file without events
(an imported dictaphone recording) is named by who asks: the voice with the larger share
of questions.  Either way the choice and its evidence are recorded as provenance, so review
and export can say how names were chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from interview_tui.diarization.turns import Chunk

#: Event kinds at which the interviewer is usually about to speak.
CUE_KINDS = ("question_reached", "probe_opened", "closing_reached", "final_prompt")
CUE_BEFORE_S = 0.5  # the key is often pressed while already starting to speak
CUE_AFTER_S = 3.0
PROFILE_MATCH = 0.7  # cosine to the interviewer's profile: same voice (different voices measured 0.58-0.78)  # a question takes a few seconds; the answer comes after
_QUESTION_START = re.compile(
    r"^\W*(how|what|why|when|where|who|which|could|can|would|will|do|does|did|is|are|was|were|"
    r"have|has|tell me|and how|and what|so how|so what)\b",
    re.IGNORECASE,
)


@dataclass
class Naming:
    """Voice index -> name, and how it was decided."""

    names: dict[int, str]
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def confident(self) -> bool:
        return bool(self.provenance.get("confident"))


def _speech_in(chunks: Sequence[Chunk], voice: int, a: float, b: float) -> float:
    return sum(max(0.0, min(c.end, b) - max(c.start, a)) for c in chunks if c.speaker == voice)


def is_question(text: str) -> bool:
    """A chunk that reads like a question (a question mark or a question word first)."""
    return text.rstrip().endswith("?") or bool(_QUESTION_START.match(text))


def _by_timeline(chunks: Sequence[Chunk], voices: list[int], cues: list[float]) -> tuple[int, dict[str, Any]] | None:
    shares: dict[int, list[float]] = {v: [] for v in voices}
    for t in cues:
        per = {v: _speech_in(chunks, v, t - CUE_BEFORE_S, t + CUE_AFTER_S) for v in voices}
        total = sum(per.values())
        if total > 0:
            for v in voices:
                shares[v].append(per[v] / total)
    used = len(next(iter(shares.values()), []))
    if not used:
        return None
    mean = {v: sum(s) / used for v, s in shares.items()}
    ranked = sorted(voices, key=lambda v: mean[v], reverse=True)
    best = ranked[0]
    agreeing = sum(1 for i in range(used) if max(voices, key=lambda v: shares[v][i]) == best)
    runner = mean[ranked[1]] if len(ranked) > 1 else 0.0
    return best, {
        "method": "timeline",
        "cues": used,
        "agreeing_cues": agreeing,
        "share_after_cues": round(mean[best], 3),
        "confident": mean[best] - runner >= 0.2 and agreeing * 2 > used,
    }


def _by_questions(chunks: Sequence[Chunk], voices: list[int]) -> tuple[int, dict[str, Any]]:
    ratio = {}
    for v in voices:
        mine = [c for c in chunks if c.speaker == v]
        ratio[v] = sum(is_question(c.text) for c in mine) / len(mine) if mine else 0.0
    talk = {v: sum(c.duration for c in chunks if c.speaker == v) for v in voices}
    ranked = sorted(voices, key=lambda v: (ratio[v], -talk[v]), reverse=True)
    best = ranked[0]
    runner = ratio[ranked[1]] if len(ranked) > 1 else 0.0
    return best, {
        "method": "questions",
        "question_share": round(ratio[best], 3),
        "other_question_share": round(runner, 3),
        "confident": ratio[best] - runner >= 0.2,
    }


def _by_profile(centroids: np.ndarray, profile: np.ndarray) -> tuple[int, dict[str, Any]]:
    sims = centroids @ profile
    order = np.argsort(sims)[::-1]
    best, runner = float(sims[order[0]]), float(sims[order[1]]) if len(order) > 1 else 0.0
    return int(order[0]), {
        "method": "profile",
        "similarity": round(best, 3),
        "other_similarity": round(runner, 3),
        "confident": best >= PROFILE_MATCH and best - runner >= 0.1,
    }


def name_voices(
    chunks: Sequence[Chunk],
    n_voices: int,
    *,
    interviewer: str,
    participant: str,
    cues: Iterable[float] = (),
    centroids: np.ndarray | None = None,
    profile: np.ndarray | None = None,
) -> Naming:
    """Names for voices 0..n-1: the interviewer, the participant, then "Speaker 3", ...

    Evidence in order: the interview timeline, the interviewer's voice profile, who asks questions.
    """
    voices = list(range(n_voices))
    if not voices:
        return Naming({}, {"method": "none"})
    cues = sorted(cues)
    decided = _by_timeline(chunks, voices, cues) if cues and len(voices) > 1 else None
    if decided is None and profile is not None and centroids is not None and len(centroids) == n_voices > 1:
        decided = _by_profile(centroids, profile)
    if decided is None:
        decided = _by_questions(chunks, voices)
    iv, prov = decided
    talk = {v: sum(c.duration for c in chunks if c.speaker == v) for v in voices if v != iv}
    rest = sorted(talk, key=lambda v: talk[v], reverse=True)
    names = {iv: interviewer}
    if rest:
        names[rest[0]] = participant  # the other person who talks most is the interviewee
        for k, v in enumerate(rest[1:], start=3):
            names[v] = f"Speaker {k}"
    return Naming(names, prov)


def describe(provenance: dict[str, Any]) -> str:
    """One line for review and export: how the speaker names were chosen."""
    method = provenance.get("method")
    sure = "" if provenance.get("confident") else " (uncertain: please check)"
    if method == "timeline":
        return (f"Interviewer found from the interview timeline: their voice held "
                f"{provenance.get('share_after_cues', 0):.0%} of the speech after "
                f"{provenance.get('agreeing_cues')}/{provenance.get('cues')} question/probe moments{sure}")
    if method == "questions":
        return (f"No interview timeline: the interviewer is the voice that asks the questions "
                f"({provenance.get('question_share', 0):.0%} of its turns are questions){sure}")
    if method == "profile":
        return (f"No interview timeline: the interviewer is the voice closest to their voice profile "
                f"(similarity {provenance.get('similarity', 0):.2f}){sure}")
    if method == "swapped":
        return "Speakers swapped by the reviewer"
    return "Speaker names not chosen automatically"
