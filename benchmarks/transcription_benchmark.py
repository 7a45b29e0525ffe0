"""Transcription speed and accuracy: noScribe/aTrain's configuration vs ours, same model, same process.

Builds an interview-like English file from espeak-ng speech with known text and pauses
(`transcription_script.txt`, repeated to the wanted length), then transcribes it with

* the baseline: sequential `WhisperModel.transcribe`, beam 5 (best_of 5, temperature
  fallback, conditioning on previous text), Silero VAD, word timestamps - what noScribe
  and aTrain run;
* our candidates: `BatchedInferencePipeline` with different batch sizes and beams.

It reports wall time, real-time factor, speed ratio against the baseline, WER of each
(jiwer, on clean text: fillers, pause and review marks removed) and peak RSS during each
run (sampled from /proc, since CTranslate2 allocates outside Python's tracemalloc).

    python benchmarks/transcription_benchmark.py --minutes 10 --model base \
        --out benchmarks/results/transcription.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from interview_tui.transcription.engine import (  # noqa: E402
    SEQUENTIAL_BEAM5,
    TranscribeOptions,
    engine_version,
    load_model,
    transcribe_array,
)
from interview_tui.transcription.models import resolve_model  # noqa: E402
from interview_tui.transcription.verbatim import render_segments  # noqa: E402
from tests.fixtures.speech import RATE, read_script, synth, wer  # noqa: E402

SCRIPT = Path(__file__).with_name("transcription_script.txt")


def build_audio(minutes: float) -> tuple[np.ndarray, str]:
    """Repeat the script (questions in one voice, answers in another) until `minutes` long."""
    rows = read_script(SCRIPT)
    chunks, words, total = [np.zeros(RATE // 2, dtype="float32")], [], 0.5
    cache: dict[str, np.ndarray] = {}
    i = 0
    while total < minutes * 60:
        pause, text = rows[i % len(rows)]
        voice = "en-us" if text.endswith("?") else "en-gb"
        if text not in cache:
            cache[text] = synth(text, voice)
        audio = cache[text]
        chunks += [audio, np.zeros(int(pause * RATE), dtype="float32")]
        words.append(text)
        total += len(audio) / RATE + pause
        i += 1
    return np.concatenate(chunks), " ".join(words)


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Run:
    name: str
    options: TranscribeOptions
    seconds: float = 0.0
    wer: float = 0.0
    peak_rss_mb: float = 0.0
    segments: int = 0


def measure(model, audio: np.ndarray, reference: str, run: Run) -> Run:
    peak = [rss_mb()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    result = transcribe_array(model, audio, run.options)
    run.seconds = time.perf_counter() - t0
    stop.set()
    sampler.join()
    render_segments(result.segments, language="en", verbatim=False)
    run.wer = wer(reference, " ".join(s.text for s in result.segments))
    run.peak_rss_mb = peak[0]
    run.segments = len(result.segments)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--model", default="base")
    ap.add_argument("--candidates", default="b8-beam1,b8-beam2,b4-beam1,b16-beam1")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    model = resolve_model(args.model, language="en")
    audio, reference = build_audio(args.minutes)
    duration = len(audio) / RATE
    base = SEQUENTIAL_BEAM5.with_(language="en")
    runs = [Run("baseline: sequential beam 5 (noScribe/aTrain)", base)]
    for cand in filter(None, args.candidates.split(",")):
        bs, beam = cand.split("-")
        b, k = int(bs[1:]), int(beam[4:])
        runs.append(Run(f"batched batch_size={b} beam={k}", TranscribeOptions(language="en", batch_size=b, beam_size=k, best_of=k)))
    load_model(model, base)  # load once, outside the timings
    transcribe_array(model, audio[: RATE * 10], base)  # warm-up
    for run in runs:
        measure(model, audio, reference, run)
        print(f"{run.name}: {run.seconds:.1f} s, WER {run.wer:.3f}, peak RSS {run.peak_rss_mb:.0f} MB", flush=True)

    baseline = runs[0]
    lines = [
        "# Transcription benchmark",
        "",
        f"Produced by `benchmarks/transcription_benchmark.py --minutes {args.minutes:g} --model {args.model}`"
        f" on {time.strftime('%Y-%m-%d')}.",
        "",
        f"- Audio: {duration / 60:.1f} min of espeak-ng English (interview-like script, two voices, pauses 0.3-4 s), 16 kHz mono",
        f"- Model: `{model.name}` ({model.source}), CPU int8, {engine_version()}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}",
        "- All runs in one process, model loaded once, after a 10 s warm-up; peak RSS sampled every 50 ms",
        "  (process-wide ru_maxrss at the end: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)",
        "- WER: jiwer on lower-cased text without punctuation, fillers, pause or review marks",
        "",
        "| configuration | wall time (s) | real-time factor | speed vs baseline | WER | WER diff (points) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.seconds:.1f} | {run.seconds / duration:.3f} | "
            f"{baseline.seconds / run.seconds:.2f}x | {run.wer * 100:.1f}% | "
            f"{(run.wer - baseline.wer) * 100:+.1f} | {run.peak_rss_mb:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
