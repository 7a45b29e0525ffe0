"""One audio file to one Transcript: decode, transcribe, attribute speakers, align, render.

The model's segments are re-cut from its words so that every stored segment has one
speaker and one guide question, and long batched chunks (up to 30 s) become readable
utterances: a new segment starts at a speaker or question change, after a long pause, or
at a sentence end once a segment is long.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from interview_tui.diarization.attribute import SpeakerPlan, attribute_mono
from interview_tui.domain.timeline import QuestionTimeline
from interview_tui.transcription.audio_input import AudioInput, load_audio
from interview_tui.transcription.engine import (
    ProgressCallback,
    RawResult,
    TranscribeOptions,
    engine_version,
)
from interview_tui.transcription.models import LocalModel, sha256_file
from interview_tui.transcription.parallel import transcribe_file_array
from interview_tui.transcription.pauses import SilenceMap
from interview_tui.transcription.speakers import ChannelEnergy, speaker_at
from interview_tui.domain.speakers import MONO_LABEL, OVERLAP_FLAG, SpeakerLabels
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word
from interview_tui.transcription.verbatim import join_attached, render_segments
from interview_tui.transcription.voice import place_segment_words, speech_regions

SPLIT_PAUSE_S = 1.5
SOFT_MAX_S = 12.0
HARD_MAX_S = 30.0


@dataclass
class AudioContext:
    """What is known about a recording beyond its audio."""

    labels: SpeakerLabels = field(default_factory=SpeakerLabels)
    timeline: QuestionTimeline = field(default_factory=QuestionTimeline)
    questions: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    participant_code: str | None = None
    #: who speaks on a mono recording (None: one unnamed stream); stereo uses channels instead.
    speakers: SpeakerPlan | None = None


def _key_for(audio: AudioInput, ctx: AudioContext):
    energy = ChannelEnergy(audio.channels[0], audio.channels[1]) if audio.stereo else None

    def key(start: float, end: float) -> tuple[str, bool, str | None]:
        question = ctx.timeline.at(start) if ctx.timeline else None
        if energy is None:
            return MONO_LABEL, False, question
        speaker, overlap = speaker_at(energy, ctx.labels, start, end)
        return speaker, overlap, question

    return key


def regroup(raw_segments: list[Segment], audio: AudioInput, ctx: AudioContext) -> list[Segment]:
    """Re-cut the model's segments so that each has one speaker and one question."""
    key = _key_for(audio, ctx)
    out: list[Segment] = []
    current: list[Word] = []
    current_key = None

    def flush() -> None:
        if current:
            speaker, overlap, question = current_key  # type: ignore[misc]
            out.append(
                Segment(current[0].start, current[-1].end, "", list(current), speaker, question,
                        flags=[OVERLAP_FLAG] if overlap else [])
            )
            current.clear()

    for seg in raw_segments:
        if not seg.words:  # word timestamps off: keep the model's segment whole
            if not seg.text.strip():
                continue
            flush()
            speaker, overlap, question = key(seg.start, seg.end)
            out.append(Segment(seg.start, seg.end, seg.text, [], speaker, question,
                               flags=[OVERLAP_FLAG] if overlap else []))
            continue
        for w in seg.words:
            k = key(w.start, w.end)
            if current:
                length = w.end - current[0].start
                sentence_end = current[-1].word.rstrip().endswith((".", "?", "!"))
                if (
                    k != current_key
                    or w.start - current[-1].end >= SPLIT_PAUSE_S
                    or (length > SOFT_MAX_S and sentence_end)
                    or length > HARD_MAX_S
                ):
                    flush()
            current.append(w)
            current_key = k
    flush()
    for s in out:
        if s.words:
            s.confidence = sum(w.probability for w in s.words) / len(s.words)
    return out


def build_transcript(
    raw: RawResult, audio: AudioInput, model: LocalModel, ctx: AudioContext, options: TranscribeOptions
) -> Transcript:
    """Speakers, questions and verbatim/clean text for a raw model result.

    Word times are first checked against the audio's speech, so that questions, segment
    cuts and pauses all follow where each word was really spoken.
    """
    for seg in raw.segments:
        seg.words = join_attached(seg.words)
    place_segment_words(raw.segments, speech_regions(audio.mono))
    segments = regroup(raw.segments, audio, ctx)
    attribution = None
    if not audio.stereo and ctx.speakers is not None:
        segments, attribution = attribute_mono(segments, audio.mono, ctx.speakers)
    render_segments(
        segments,
        language=raw.language,
        verbatim=options.verbatim,
        silence=SilenceMap(audio.mono).longest,
        pause_short_s=options.pause_short_s,
        pause_medium_s=options.pause_medium_s,
        pause_long_s=options.pause_long_s,
        unsure_probability=options.unsure_probability,
    )
    model_bin = model.path / "model.bin"
    stored_options = raw.options.to_json_dict()  # as run: with the thread count actually used
    stored_options.update(
        detected_language=raw.language,
        language_probability=round(raw.language_probability, 4),
        channels=len(audio.channels),
        speakers=("stereo-energy" if audio.stereo else "voice" if attribution and attribution.get("speakers") else "mono"),
        model_path=str(model.path),
        model_source=model.source,
    )
    if attribution is not None:
        stored_options["speaker_attribution"] = attribution
    meta = TranscriptMeta(
        model=model.name,
        model_sha256=sha256_file(model_bin) if model_bin.is_file() else None,
        engine=engine_version(),
        language=raw.language,
        options=stored_options,
        duration_s=raw.duration_s,
        source=ctx.source or str(audio.path),
        participant_code=ctx.participant_code,
    )
    used = {s.question_id for s in segments if s.question_id}
    questions = {qid: text for qid, text in ctx.questions.items() if qid in used} if ctx.questions else {}
    return Transcript(meta, segments, questions)


def transcribe_path(
    path,
    model: LocalModel,
    options: TranscribeOptions,
    ctx: AudioContext | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> Transcript:
    """Decode and transcribe one audio file (raises AudioInputError, ModelError, TranscriptionCancelled)."""
    audio = load_audio(path)
    ctx = ctx or AudioContext(source=str(path))
    raw = transcribe_file_array(model, audio.mono, options, on_progress=on_progress, cancel=cancel)
    return build_transcript(raw, audio, model, ctx, options)
