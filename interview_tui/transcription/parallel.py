"""Every core for one file: cut the audio at silences, transcribe the pieces side by side.

On a CPU, Whisper's decoding runs token by token and uses a second core poorly; two
single-thread processes, each with its own stretch of the file, use both cores fully
(`benchmarks/results/parallel.md`).  The audio is cut in the middle of the silence (Silero
VAD, as the engine uses) nearest to equal shares of speech, so no word is split.  Each
piece keeps the previous text as context inside itself and starts from the same prompt as
the whole file would; its segment and word times are shifted by the piece's start, so
the stitched result reads like one sequential run, and alignment, speakers and rendering
run on it unchanged.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import Any

import numpy as np

from interview_tui.transcription.audio_input import SAMPLE_RATE
from interview_tui.transcription.engine import (
    ProgressCallback,
    RawResult,
    TranscribeOptions,
    TranscriptionCancelled,
    transcribe_array,
)
from interview_tui.transcription.models import LocalModel
from interview_tui.domain.transcript import Segment, Word

#: Below this much audio per piece, starting worker processes (a model load each) costs more than it saves.
MIN_PIECE_S = 60.0
#: Automatic worker count never exceeds this: every piece boundary loses a little context.
MAX_AUTO_WORKERS = 4


def worker_count(options: TranscribeOptions, duration_s: float) -> int:
    """How many single-thread processes to use for one file (1 = transcribe in this process)."""
    if options.batched or options.cpu_threads:  # batched decodes in parallel itself; explicit threads win
        return 1
    if multiprocessing.current_process().daemon:  # daemonic processes (e.g. some pool workers) cannot fork
        return 1
    wanted = options.workers or min(os.cpu_count() or 1, MAX_AUTO_WORKERS)
    return max(1, min(wanted, int(duration_s // MIN_PIECE_S)))


def choose_cuts(speech: list[tuple[float, float]], duration_s: float, pieces: int) -> list[float]:
    """Cut times (seconds) splitting the speech into `pieces` roughly equal shares.

    `speech` holds sorted (start, end) spans of speech.  Each cut lies in the middle of a
    silence between two spans, the one nearest to where the wanted share of speech ends;
    fewer cuts come back when there are not enough silences.
    """
    # (cut time, seconds of speech before it) for every silence between two spans
    gaps: list[tuple[float, float]] = []
    spoken = 0.0
    for (start, end), (next_start, _) in zip(speech, speech[1:]):
        spoken += end - start
        gaps.append(((end + next_start) / 2, spoken))
    total = spoken + (speech[-1][1] - speech[-1][0] if speech else 0.0)
    cuts: list[float] = []
    for k in range(1, pieces):
        later = [g for g in gaps if (not cuts or g[0] > cuts[-1]) and 0 < g[0] < duration_s]
        if not later:
            break
        cuts.append(min(later, key=lambda g: abs(g[1] - total * k / pieces))[0])
    return cuts


def piece_options(options: TranscribeOptions) -> TranscribeOptions:
    """What each piece's worker runs: the file's own decoding settings (beam, context, prompt,
    fallback), on one thread and without splitting further."""
    return options.with_(cpu_threads=1, workers=1)


def speech_spans(audio: np.ndarray, options: TranscribeOptions) -> list[tuple[float, float]]:
    """Speech (start, end) in seconds, found by the same Silero VAD settings the engine uses."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    found = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=options.vad_min_silence_ms))
    return [(c["start"] / SAMPLE_RATE, c["end"] / SAMPLE_RATE) for c in found]


def shift(segments: list[Segment], offset: float) -> list[Segment]:
    """Segments moved `offset` seconds later on the timeline (words too)."""
    return [
        replace(s, start=s.start + offset, end=s.end + offset,
                words=[Word(w.word, w.start + offset, w.end + offset, w.probability) for w in s.words])
        for s in segments
    ]


# -- worker processes ----------------------------------------------------------------------


def spawn_context() -> Any:
    """The "spawn" multiprocessing context, usable inside a Textual app too.

    Textual replaces `sys.stderr` with an object without a file descriptor, and
    multiprocessing's resource tracker (started with the first Queue or pool) passes
    `sys.stderr.fileno()` to its process, which then fails ("bad value(s) in fds_to_keep").
    """
    from multiprocessing import resource_tracker

    try:
        ok = sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        ok = False
    saved = sys.stderr
    if not ok:
        sys.stderr = open(os.devnull, "w")
    try:
        resource_tracker.ensure_running()
    finally:
        if not ok:
            sys.stderr.close()
            sys.stderr = saved
    return multiprocessing.get_context("spawn")  # fork is unsafe with the caller's threads


def quiet_stdio() -> None:
    """In a worker: send stdout/stderr to /dev/null (they are the terminal the TUI draws on)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)

def die_with_parent() -> None:
    """In a worker process: end at once when the process that started it dies, even by `kill -9`.

    Otherwise a killed app leaves its worker transcribing on, orphaned, until the piece in hand
    is done (or for good, if it waits on the app).  On Linux the kernel sends SIGKILL
    (PR_SET_PDEATHSIG; it fires when the *thread* that started the process ends, so the
    starter must be a thread that outlives it, as the recorder's worker, `finish` and a pool's
    caller are); elsewhere, and for a parent that died before the signal was armed, a thread
    watches `os.getppid()`.
    """
    started_by = multiprocessing.parent_process()  # its pid, even if it is already gone
    parent = started_by.pid if started_by is not None and started_by.pid else os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    if os.getppid() != parent:  # died before the signal was armed
        os._exit(0)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_progress: Any = None
_cancel: Any = None


def _init_worker(progress: Any, cancel: Any) -> None:
    global _progress, _cancel
    _progress, _cancel = progress, cancel
    die_with_parent()
    quiet_stdio()


def _transcribe_piece(index: int, model: LocalModel, audio: np.ndarray, options: TranscribeOptions) -> RawResult:
    def report(done: float, _total: float) -> None:
        if _progress is not None:
            _progress.put((index, done))

    return transcribe_array(model, audio, options, on_progress=report, cancel=_cancel)


def transcribe_pieces(
    model: LocalModel,
    audio: np.ndarray,
    options: TranscribeOptions,
    *,
    workers: int,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> RawResult:
    """Transcribe `audio` in up to `workers` pieces cut at silences, in single-thread processes."""
    total = len(audio) / SAMPLE_RATE
    cuts = choose_cuts(speech_spans(audio, options), total, workers)
    bounds = [0] + [round(c * SAMPLE_RATE) for c in cuts] + [len(audio)]
    opts = piece_options(options)
    ctx = spawn_context()
    progress, stop = ctx.Queue(), ctx.Event()
    done = [0.0] * (len(bounds) - 1)

    def drain() -> None:
        try:
            while True:
                i, seconds = progress.get_nowait()
                done[i] = seconds
        except queue.Empty:
            pass
        if on_progress is not None:
            on_progress(min(sum(done), total), total)

    with ProcessPoolExecutor(len(bounds) - 1, mp_context=ctx, initializer=_init_worker,
                             initargs=(progress, stop)) as pool:
        futures: list[Future] = [
            pool.submit(_transcribe_piece, i, model, audio[a:b], opts)
            for i, (a, b) in enumerate(zip(bounds, bounds[1:]))
        ]
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            drain()
            if cancel is not None and cancel.is_set():
                stop.set()
                for f in futures:
                    f.cancel()
                raise TranscriptionCancelled()
        results: list[RawResult] = [f.result() for f in futures]
    segments: list[Segment] = []
    for (a, _), raw in zip(zip(bounds, bounds[1:]), results):
        segments += shift(raw.segments, a / SAMPLE_RATE)
    if on_progress is not None:
        on_progress(total, total)
    first = results[0]
    return RawResult(
        segments=segments,
        language=first.language,
        language_probability=first.language_probability,
        duration_s=total,
        options=options,
        info={
            "duration_after_vad": sum(r.info.get("duration_after_vad", 0.0) for r in results),
            "pieces": [round(a / SAMPLE_RATE, 3) for a in bounds[:-1]],
        },
    )


def transcribe_file_array(
    model: LocalModel,
    audio: np.ndarray,
    options: TranscribeOptions,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> RawResult:
    """`transcribe_array`, on every core when the file is long enough to gain from it."""
    workers = worker_count(options, len(audio) / SAMPLE_RATE)
    if workers <= 1:
        return transcribe_array(model, audio, options, on_progress=on_progress, cancel=cancel)
    return transcribe_pieces(model, audio, options, workers=workers, on_progress=on_progress, cancel=cancel)
