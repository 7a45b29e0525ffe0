"""Every core for one file: the default on one file in pieces vs one process, vs noScribe/aTrain.

Each configuration runs as a whole process on the same WAV file (`transcribe_path`: decode,
model load, VAD, transcription, alignment and rendering), as a person running
`interview-tui transcribe FILE` would; wall time is measured around the process and CPU
time is the process's and its children's (the piece workers).  Runs are interleaved; the
fastest wall time of each counts.  The audio is the transcription benchmark's espeak-ng
interview script, so WERs are comparable with `benchmarks/results/transcription.md`.

The measured part (set-up, table) replaces the block between the `BEGIN`/`END` markers in
`--out` (default `benchmarks/results/parallel.md`), so the hand-written reading of the
numbers around it stays; `--out -` only prints.  `--alignments FILE` also writes each
configuration's word errors against the reference (what "where the WER difference comes from"
in the results is read from).

    python benchmarks/parallel_benchmark.py --minutes 10 --model base --repeats 1 --configs baseline,default-1,default-2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CONFIGS = {
    "baseline": "baseline: sequential beam=5, filler prompt (noScribe/aTrain), one process",
    "default-1": "default (sequential beam=2, context, filler prompt), one process (CTranslate2's threads)",
    "default-2": "default, 2 single-thread piece workers (parallel.py)",
    "greedy-1": "greedy (beam=1, the default until beam 2 was measured), one process",
    "greedy-2": "greedy (beam=1), 2 single-thread piece workers",
}
RESULTS = REPO / "benchmarks" / "results" / "parallel.md"
BEGIN = "<!-- parallel_benchmark.py writes from here -->"
END = "<!-- parallel_benchmark.py writes up to here -->"


def one(config: str, wav: str, model_name: str) -> None:
    """Child process: transcribe `wav` with one configuration, print the clean text as JSON."""
    from interview_tui.transcription.engine import SEQUENTIAL_BEAM5, TranscribeOptions
    from interview_tui.transcription.models import resolve_model
    from interview_tui.transcription.pipeline import transcribe_path
    from interview_tui.transcription.verbatim import render_segments

    greedy = TranscribeOptions(beam_size=1, best_of=1)
    opts = {"baseline": SEQUENTIAL_BEAM5.with_(workers=1), "default-1": TranscribeOptions(workers=1),
            "default-2": TranscribeOptions(workers=2), "greedy-1": greedy.with_(workers=1),
            "greedy-2": greedy.with_(workers=2)}[config].with_(language="en")
    model = resolve_model(model_name, language="en")
    t = transcribe_path(wav, model, opts)
    render_segments(t.segments, language="en", verbatim=False)
    print(json.dumps({"text": " ".join(s.text for s in t.segments)}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--model", default="base")
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--configs", default="baseline,default-1,default-2")
    ap.add_argument("--out", default=str(RESULTS), help="results file whose measured block to replace; - prints only")
    ap.add_argument("--alignments", type=Path, help="also write each configuration's word errors against the reference here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--wav", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        return one(args.one, args.wav, args.model)

    from benchmarks.transcription_benchmark import build_audio
    from interview_tui.transcription.engine import engine_version
    from tests.fixtures.speech import RATE, wer, write_wav

    audio, reference = build_audio(args.minutes)
    duration = len(audio) / RATE
    wav = Path(tempfile.mkdtemp()) / "interview.wav"
    write_wav(wav, audio)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    names = args.configs.split(",")
    walls: dict[str, list[float]] = {n: [] for n in names}
    cpus: dict[str, list[float]] = {n: [] for n in names}
    wers: dict[str, float] = {}
    texts: dict[str, str] = {}
    loads: list[float] = []
    for rep in range(args.repeats):
        for name in names:
            loads.append(os.getloadavg()[0])
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, __file__, "--one", name, "--wav", str(wav), "--model", args.model],
                                 env=env, capture_output=True, text=True, check=True)
            walls[name].append(time.perf_counter() - t0)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
            texts[name] = json.loads(out.stdout.strip().splitlines()[-1])["text"]
            wers[name] = wer(reference, texts[name])
            print(f"[{rep + 1}] {name}: {walls[name][-1]:.1f} s wall, {cpus[name][-1]:.1f} s CPU, "
                  f"WER {wers[name]:.4f}, load {loads[-1]:.1f}", flush=True)
    loads.append(os.getloadavg()[0])
    base = names[0]
    best = {n: min(walls[n]) for n in names}
    cpu = {n: min(cpus[n]) for n in names}
    lines = [
        f"Produced by `benchmarks/parallel_benchmark.py --minutes {args.minutes:g} --model {args.model}"
        f" --repeats {args.repeats} --configs {args.configs}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"- Audio: {duration / 60:.1f} min of espeak-ng English (the transcription benchmark's script), 16 kHz mono WAV",
        f"- Model: `{args.model}`, CPU int8, {engine_version()}; machine: {platform.machine()},"
        f" {os.cpu_count()} CPU cores ({_cpu_name()}), Python {platform.python_version()}",
        "- Each run is a whole process (`transcribe_path`: decode, model load, VAD, transcription, alignment,"
        " rendering); CPU = the process and its piece workers; runs interleaved, fastest wall counts",
        f"- 1-min load average seen at each run's start: {', '.join(f'{x:.1f}' for x in loads)}"
        " (other load on the machine stretches wall times; ratios from one interleaved session are the stable measure)",
        "",
        "| configuration | wall (s), best | wall, all runs | CPU (s) | real-time factor | speed vs baseline (wall)"
        " | speed vs baseline (CPU) | WER | WER diff (points) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in names:
        lines.append(
            f"| {CONFIGS[n]} | {best[n]:.1f} | {' / '.join(f'{w:.0f}' for w in walls[n])} | {cpu[n]:.1f} |"
            f" {best[n] / duration:.3f} | {best[base] / best[n]:.2f}x | {cpu[base] / cpu[n]:.2f}x |"
            f" {wers[n] * 100:.2f}% | {(wers[n] - wers[base]) * 100:+.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out != "-":
        write_block(Path(args.out), text)
    if args.alignments:
        args.alignments.write_text("".join(word_errors(CONFIGS[n], reference, texts[n]) for n in names))


def word_errors(label: str, reference: str, hypothesis: str) -> str:
    """Every difference between the hypothesis and the reference, word by word, with the words before it."""
    import jiwer

    from tests.fixtures.speech import normalize_for_wer

    out = jiwer.process_words(normalize_for_wer(reference), normalize_for_wer(hypothesis))
    ref, hyp = out.references[0], out.hypotheses[0]
    lines = [f"== {label}: {out.substitutions} substituted, {out.deletions} deleted, {out.insertions} inserted"
             f" of {len(ref)} reference words"]
    for c in out.alignments[0]:
        if c.type != "equal":
            before = " ".join(ref[max(0, c.ref_start_idx - 4):c.ref_start_idx])
            lines.append(f"  @{c.ref_start_idx:5d} {c.type:10s} [{' '.join(ref[c.ref_start_idx:c.ref_end_idx])}]"
                         f" -> [{' '.join(hyp[c.hyp_start_idx:c.hyp_end_idx])}]   after: ...{before}")
    return "\n".join(lines) + "\n\n"


def write_block(path: Path, block: str) -> None:
    """Put `block` between the markers in `path`, keeping the text around them (a new file: title, block)."""
    old = path.read_text() if path.exists() else "# One file on every core\n\n" + BEGIN + "\n" + END + "\n"
    head, sep, rest = old.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not (sep and sep2):
        raise SystemExit(f"{path} has no {BEGIN} ... {END} block to replace; use --out - or another file")
    path.write_text(f"{head}{BEGIN}\n{block}{END}{tail}")


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
