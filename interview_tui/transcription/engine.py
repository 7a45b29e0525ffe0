"""The faster-whisper engine: one options dataclass, one loaded model, segments as they come.

Defaults were chosen by `benchmarks/transcription_benchmark.py` and
`benchmarks/parallel_benchmark.py` (results in `benchmarks/results/`).  On a 2-core CPU the
Whisper encoder costs the same in every configuration, so `BatchedInferencePipeline` only
saves decoding time, and it decodes each 30-s chunk without the previous text, which costs
accuracy.  The default is therefore sequential decoding with the previous text as context
and a beam of 2: greedy decoding (beam 1) commits to a wrong first token of a phrase
("the honesty mattered" -> "he wanted to matter") and cost about 1.2 WER points against
noScribe/aTrain's beam 5 on the benchmark file; a beam of 2 recovered most of that for 2-4 %
more CPU time in one process and about 20 % in single-thread pieces (`parallel.py`), while
beams of 3-5 cost more and gained little once the file is cut into pieces.  `FAST` (batched,
greedy) is for large backlogs.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Callable

import numpy as np

from interview_tui.transcription.audio_input import SAMPLE_RATE
from interview_tui.transcription.models import INSTALL_HINT, LocalModel, ModelError
from interview_tui.domain.transcript import Segment, Word

#: The model's CPU threads when the options leave them at 0: the same audio and model give
#: slightly different probabilities and word times with different thread counts and CPUs.
CPU_THREADS_ENV = "INTERVIEW_TUI_CPU_THREADS"

#: progress(done_s, total_s): seconds of audio transcribed so far.
ProgressCallback = Callable[[float, float], None]


class TranscriptionCancelled(Exception):
    """The cancel event was set; nothing partial is stored."""


@dataclass(frozen=True)
class TranscribeOptions:
    """Every knob of a transcription; stored as JSON with each transcript for provenance."""

    language: str | None = None  # faster-whisper code; None = detect
    #: BatchedInferencePipeline (True) or sequential WhisperModel.transcribe (False).
    batched: bool = False
    batch_size: int = 4
    #: 2, not greedy 1: see the module docstring (measured in benchmarks/results/parallel.md).
    beam_size: int = 2
    #: samples drawn when a window falls back to a temperature above 0
    best_of: int = 2
    #: fallback temperatures when a window fails the compression/log-prob checks (sequential only).
    temperature: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    condition_on_previous_text: bool = True
    vad_filter: bool = True
    vad_min_silence_ms: int = 500
    #: batched only: decode text tokens without timestamp tokens (Whisper's segment times).
    without_timestamps: bool = True
    word_timestamps: bool = True
    initial_prompt: str | None = None  # None = the verbatim filler prompt for the language
    hotwords: str | None = None
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0 = $INTERVIEW_TUI_CPU_THREADS, else CTranslate2's default
    #: single-thread processes for one long file (parallel.py); 0 = one per core, 1 = this process
    workers: int = 0
    # Rendering (see verbatim.py): kept here so the stored options say how text was made.
    verbatim: bool = True
    pause_short_s: float = 0.3
    pause_medium_s: float = 0.8
    pause_long_s: float = 2.0
    unsure_probability: float = 0.4

    def to_json_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["temperature"] = list(self.temperature)
        return d

    def with_(self, **changes: Any) -> "TranscribeOptions":
        return replace(self, **changes)


#: The noScribe/aTrain configuration, the benchmark's baseline.
SEQUENTIAL_BEAM5 = TranscribeOptions(beam_size=5, best_of=5)
#: Batched greedy decoding: fastest on CPU, somewhat less accurate (see the benchmark).
FAST = TranscribeOptions(batched=True, batch_size=4, beam_size=1, best_of=1, temperature=(0.0,),
                         condition_on_previous_text=False)


@dataclass
class RawResult:
    """What the model said, before verbatim rendering, speakers and alignment."""

    segments: list[Segment]
    language: str
    language_probability: float
    duration_s: float
    options: TranscribeOptions
    info: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=2)
def _load(path: str, compute_type: str, cpu_threads: int) -> Any:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(
            path,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            local_files_only=True,
        )
    except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError for broken files
        raise ModelError(
            f"Cannot load the Whisper model in {path}: {exc}. The model files are broken or "
            f"incomplete. {INSTALL_HINT}"
        ) from exc


def with_thread_count(options: TranscribeOptions) -> TranscribeOptions:
    """`options` with `cpu_threads` from $INTERVIEW_TUI_CPU_THREADS when they leave it at 0."""
    raw = os.environ.get(CPU_THREADS_ENV, "").strip()
    if options.cpu_threads or not raw:
        return options
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ModelError(f"{CPU_THREADS_ENV}={raw!r} is not a number of threads: set it to a whole "
                         f"number of 1 or more (e.g. {CPU_THREADS_ENV}=2), or unset it for the default.")
    return options.with_(cpu_threads=int(raw))


def load_model(model: LocalModel, options: TranscribeOptions = TranscribeOptions()) -> Any:
    """The faster-whisper `WhisperModel` for `model` (cached: loading takes seconds)."""
    options = with_thread_count(options)
    return _load(str(model.path), options.compute_type, options.cpu_threads)


def engine_version() -> str:
    from faster_whisper.version import __version__

    return f"faster-whisper {__version__}"


def transcribe_array(
    model: LocalModel,
    audio: np.ndarray,
    options: TranscribeOptions,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> RawResult:
    """Transcribe 16 kHz mono float audio; calls `on_progress` after every segment.

    Raises TranscriptionCancelled as soon as `cancel` is set (checked between segments).
    """
    from faster_whisper import BatchedInferencePipeline

    from interview_tui.transcription.verbatim import filler_prompt

    options = with_thread_count(options)  # the result records the threads it ran with
    whisper = load_model(model, options)
    prompt = options.initial_prompt
    if prompt is None and options.verbatim:
        prompt = filler_prompt(options.language)
    kwargs: dict[str, Any] = dict(
        language=options.language,
        beam_size=options.beam_size,
        best_of=options.best_of,
        temperature=list(options.temperature),
        condition_on_previous_text=options.condition_on_previous_text,
        vad_filter=options.vad_filter,
        vad_parameters={"min_silence_duration_ms": options.vad_min_silence_ms},
        word_timestamps=options.word_timestamps,
        initial_prompt=prompt or None,
        hotwords=options.hotwords,
    )
    if options.batched:
        pipeline = BatchedInferencePipeline(whisper)
        segments_iter, info = pipeline.transcribe(
            audio, batch_size=options.batch_size, without_timestamps=options.without_timestamps, **kwargs
        )
    else:
        segments_iter, info = whisper.transcribe(audio, **kwargs)
    total = len(audio) / SAMPLE_RATE
    segments: list[Segment] = []
    for seg in segments_iter:
        if cancel is not None and cancel.is_set():
            raise TranscriptionCancelled()
        words = [
            Word(w.word, float(w.start), float(w.end), float(w.probability)) for w in (seg.words or [])
        ]
        confidence = float(np.mean([w.probability for w in words])) if words else None
        segments.append(Segment(float(seg.start), float(seg.end), seg.text.strip(), words, confidence=confidence))
        if on_progress is not None:
            on_progress(min(float(seg.end), total), total)
    if cancel is not None and cancel.is_set():
        raise TranscriptionCancelled()
    if on_progress is not None:
        on_progress(total, total)
    return RawResult(
        segments=segments,
        language=info.language,
        language_probability=float(info.language_probability),
        duration_s=total,
        options=options,
        info={"duration_after_vad": float(getattr(info, "duration_after_vad", total))},
    )
