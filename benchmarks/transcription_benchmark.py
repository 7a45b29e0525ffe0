"""Transcription speed and accuracy: noScribe/aTrain's configuration vs ours, same model, same process.

Builds an interview-like English file from espeak-ng speech with known text and pauses
(`transcription_script.txt`, repeated to the wanted length), then transcribes it with

* the baseline: sequential `WhisperModel.transcribe`, beam 5 (best_of 5, temperature
  fallback, conditioning on previous text), Silero VAD, word timestamps - what noScribe
  and aTrain run;
* our candidates: `BatchedInferencePipeline` with different batch sizes and beams.

It reports wall time, CPU time, real-time factor, speed ratio against the baseline, WER of
each (jiwer, on clean text: fillers, pause and review marks removed; common English
contractions expanded) and peak RSS during each run (sampled from /proc, since CTranslate2
allocates outside Python's tracemalloc).  Runs are interleaved and repeated (`--repeats`);
the fastest wall time of each configuration counts, so that other load on a shared machine
inflates the numbers less.

Candidates are named like `b4-beam5` (batched, batch size 4, beam 5) or `seq-beam1`
(sequential with context and temperature fallback, greedy), with optional `-noprompt`
(no verbatim filler prompt) and `-tN` (N CPU threads).

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
    FAST,
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
    seconds: float = float("inf")
    cpu_seconds: float = float("inf")
    wer: float = 0.0
    peak_rss_mb: float = 0.0
    segments: int = 0
    walls: list[float] | None = None


def parse_candidate(spec: str) -> Run:
    """`b4-beam5[-noprompt][-tN]` -> a batched configuration."""
    opts = TranscribeOptions(language="en")
    for part in spec.split("-"):
        if part.startswith("beam"):
            k = int(part[4:])
            opts = opts.with_(beam_size=k, best_of=k)
        elif part.startswith("b"):
            opts = FAST.with_(language="en", batch_size=int(part[1:]), beam_size=opts.beam_size,
                              best_of=opts.best_of, initial_prompt=opts.initial_prompt, cpu_threads=opts.cpu_threads)
        elif part == "noprompt":
            opts = opts.with_(initial_prompt="")
        elif part.startswith("t"):
            opts = opts.with_(cpu_threads=int(part[1:]))
        elif part == "seq":  # the default: sequential, previous text as context, temperature fallback
            opts = opts.with_(batched=False, condition_on_previous_text=True,
                              temperature=SEQUENTIAL_BEAM5.temperature)
    prompt = "no filler prompt" if opts.initial_prompt == "" else "filler prompt"
    kind = "sequential" if not opts.batched else f"batched batch_size={opts.batch_size}"
    threads = f", {opts.cpu_threads} threads" if opts.cpu_threads else ""
    return Run(f"{kind} beam={opts.beam_size}, {prompt}{threads}", opts)


def measure(model, audio: np.ndarray, reference: str, run: Run) -> Run:
    peak = [rss_mb()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, c0 = time.perf_counter(), time.process_time()
    result = transcribe_array(model, audio, run.options)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    stop.set()
    sampler.join()
    run.walls = (run.walls or []) + [wall]
    run.seconds, run.cpu_seconds = min(run.seconds, wall), min(run.cpu_seconds, cpu)
    render_segments(result.segments, language="en", verbatim=False)
    run.wer = wer(reference, " ".join(s.text for s in result.segments))
    run.peak_rss_mb = max(run.peak_rss_mb, peak[0])
    run.segments = len(result.segments)
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--model", default="base")
    ap.add_argument("--candidates", default="seq-beam1,b4-beam1,b4-beam5-noprompt,b4-beam1-noprompt")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    model = resolve_model(args.model, language="en")
    audio, reference = build_audio(args.minutes)
    duration = len(audio) / RATE
    base = SEQUENTIAL_BEAM5.with_(language="en")
    runs = [Run("baseline: sequential beam=5, filler prompt (noScribe/aTrain)", base)]
    runs += [parse_candidate(c) for c in args.candidates.split(",") if c]
    load_model(model, base)  # load once, outside the timings
    transcribe_array(model, audio[: RATE * 10], base)  # warm-up
    load_before = os.getloadavg()[0]
    for rep in range(args.repeats):
        for run in runs:
            measure(model, audio, reference, run)
            print(f"[{rep + 1}] {run.name}: {run.walls[-1]:.1f} s, WER {run.wer:.4f}, "
                  f"peak RSS {run.peak_rss_mb:.0f} MB", flush=True)

    baseline = runs[0]
    lines = [
        "# Transcription benchmark",
        "",
        f"Produced by `benchmarks/transcription_benchmark.py --minutes {args.minutes:g} --model {args.model}"
        f" --repeats {args.repeats} --candidates {args.candidates}`"
        f" on {time.strftime('%Y-%m-%d')}.",
        "",
        f"- Audio: {duration / 60:.1f} min of espeak-ng English (interview-like script, two voices, pauses 0.3-4 s), 16 kHz mono",
        f"- Model: `{model.name}` ({model.source}), CPU int8, {engine_version()}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}",
        f"- All runs in one process, model loaded once, after a 10 s warm-up; {args.repeats} interleaved repeats,"
        " fastest wall time counts; peak RSS sampled every 50 ms",
        "  (process-wide ru_maxrss at the end: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)",
        f"- Machine load (1-min load average) before the runs: {load_before:.1f}; after: {os.getloadavg()[0]:.1f}"
        " (other processes shared the cores, so ratios are more telling than absolute times)",
        "- WER: jiwer on lower-cased text without punctuation, fillers, pause or review marks,"
        " common English contractions expanded",
        "- Every configuration: Silero VAD, word timestamps, CPU int8; 'filler prompt' is the verbatim"
        " prompt (noScribe-style) that makes Whisper keep um/uh",
        "",
        "| configuration | wall (s), best | wall, all runs | CPU (s) | real-time factor | speed vs baseline (wall) |"
        " speed vs baseline (CPU) | WER | WER diff (points) | peak RSS (MB) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.name} | {run.seconds:.1f} | {' / '.join(f'{w:.0f}' for w in run.walls or [])} |"
            f" {run.cpu_seconds:.1f} | {run.seconds / duration:.3f} | "
            f"{baseline.seconds / run.seconds:.2f}x | {baseline.cpu_seconds / run.cpu_seconds:.2f}x | {run.wer * 100:.2f}% | "
            f"{(run.wer - baseline.wer) * 100:+.2f} | {run.peak_rss_mb:.0f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
