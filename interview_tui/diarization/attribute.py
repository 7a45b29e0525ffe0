"""Speaker names for the words of a mono transcript: the one entry point the pipeline calls."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from interview_tui.diarization.encoder import SpeakerEncoder, load_encoder
from interview_tui.diarization.naming import describe, name_voices
from interview_tui.diarization.turns import diarize
from interview_tui.domain.transcript import Segment, Word

#: Segment flag for a speaker decision the reviewer should check (joins the attention queue).
SPEAKER_FLAG = "speaker"


@dataclass(frozen=True)
class SpeakerPlan:
    """What is known before listening: how many people, who they are, when the interviewer acted."""

    n_speakers: int = 2
    interviewer: str = "Interviewer"
    participant: str = "Participant"
    #: recording offsets (s) of question/probe/closing events; empty for an imported file.
    cues: tuple[float, ...] = ()
    #: the interviewer's voice profile (their own, optional), made with the same encoder.
    profile: np.ndarray | None = field(default=None, compare=False)


@dataclass
class WordSpeakers:
    """A name and an unsure mark for each word, plus how the names were chosen."""

    names: list[str]
    unsure: list[bool]
    provenance: dict[str, Any] = field(default_factory=dict)


def _units(segments: Sequence[Segment]) -> list[Word]:
    """Every word; a segment without word times counts as one word spanning it."""
    out: list[Word] = []
    for s in segments:
        out.extend(s.words if s.words else [Word(s.text, s.start, s.end, 1.0)])
    return out


def word_speakers(
    audio: np.ndarray, segments: Sequence[Segment], plan: SpeakerPlan, encoder: SpeakerEncoder | None = None
) -> WordSpeakers:
    """Who said each word of `segments` (in `_units` order), from the 16 kHz mono `audio`."""
    words = _units(segments)
    if not words:
        return WordSpeakers([], [], {"method": "none"})
    enc = encoder or load_encoder()
    d = diarize(audio, words, enc, plan.n_speakers)
    if d.n_speakers < 2:
        return WordSpeakers([], [], {"method": "one-voice", "encoder": enc.name,
                                     "summary": "Only one voice was heard: the transcript stays one stream"})
    naming = name_voices(d.chunks, d.n_speakers, interviewer=plan.interviewer, participant=plan.participant,
                         cues=plan.cues, centroids=d.centroids, profile=plan.profile)
    per_word = d.word_speakers(len(words))
    names = [naming.names.get(v, plan.participant) for v, _, _ in per_word]
    unsure = [u for _, _, u in per_word]
    if not naming.confident:  # every decision rests on an uncertain naming: ask for a check at the start
        unsure[0] = True
    prov = dict(naming.provenance)
    prov.update(
        encoder=enc.name,
        encoder_sha256=enc.sha256,
        speakers=d.n_speakers,  # names stay in the segments only: anonymising them leaves nothing behind
        unsure_words=sum(unsure),
        summary=describe(naming.provenance),
    )
    return WordSpeakers(names, unsure, prov)


def split_by_speaker(segments: Sequence[Segment], ws: WordSpeakers) -> list[Segment]:
    """Machine segments cut at every word where the voice changes, named and flagged.

    Text is left for the renderer (the pipeline renders after this step).
    """
    out: list[Segment] = []
    k = 0
    for seg in segments:
        if not seg.words:
            out.append(dataclasses.replace(seg, speaker=ws.names[k],
                                           flags=seg.flags + ([SPEAKER_FLAG] if ws.unsure[k] else [])))
            k += 1
            continue
        run: list[Word] = []
        run_name, run_unsure = None, False
        for w in seg.words:
            name, unsure = ws.names[k], ws.unsure[k]
            k += 1
            if run and name != run_name:
                out.append(_part(seg, run, run_name, run_unsure))
                run, run_unsure = [], False
            run.append(w)
            run_name, run_unsure = name, run_unsure or unsure
        if run:
            out.append(_part(seg, run, run_name, run_unsure))
    return out


def _part(seg: Segment, words: list[Word], speaker: str | None, unsure: bool) -> Segment:
    flags = list(seg.flags) + ([SPEAKER_FLAG] if unsure else [])
    return dataclasses.replace(
        seg, start=words[0].start, end=words[-1].end, words=list(words), speaker=speaker, flags=flags,
        confidence=sum(w.probability for w in words) / len(words),
    )


def attribute_mono(
    segments: list[Segment], audio: np.ndarray, plan: SpeakerPlan, encoder: SpeakerEncoder | None = None
) -> tuple[list[Segment], dict[str, Any]]:
    """Machine segments with speakers from voice, and the provenance to store with the transcript.

    Without the encoder weights the segments stay one unnamed stream and the provenance says
    why, so transcription itself never fails for want of speakers.
    """
    from interview_tui.diarization.encoder import EncoderError

    try:
        ws = word_speakers(audio, segments, plan, encoder)
    except EncoderError as exc:
        return segments, {"method": "unavailable", "reason": str(exc)}
    if not ws.names:
        return segments, ws.provenance
    return split_by_speaker(segments, ws), ws.provenance
