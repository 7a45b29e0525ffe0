"""Who said what: DER, words to the right speaker, naming, and cost against transcription.

Builds two-speaker interviews from distinct real voices (festival's `slt`, `kal` and `ked`
voices, made from recordings of three people; espeak-ng's male and female variants as the
easy case) with questions, long answers, backchannels ("Mm.", "Yes."), pauses and the
events a session stores (question reached, probe opened, closing reached).  Each is
transcribed with Whisper exactly as the app does, then speakers are found from the real
word timestamps, in the same process, and timed against the transcription.

* DER: pyannote.metrics' DiarizationErrorRate (optimal voice-to-reference mapping), with no
  collar and with the usual 0.25 s collar; the hypothesis is the runs of words per speaker,
  broken at pauses of 1.5 s or more (where the app starts a new segment).
* words right: the share of Whisper's words whose *name* (interviewer / participant, as the
  naming chose it) is the speaker of the reference turn at the word's middle.  Stricter
  than DER: a wrong naming makes every word wrong.
* naming: with the session's events (timeline) and without (who asks questions).
* cost: speaker time / transcription time, both wall and CPU, in the same process.

    python benchmarks/speakers_benchmark.py --model base --repeat 2 --out benchmarks/results/speakers.md
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interview_tui.diarization.attribute import SpeakerPlan, word_speakers  # noqa: E402
from interview_tui.diarization.encoder import load_encoder  # noqa: E402
from interview_tui.transcription.engine import TranscribeOptions, load_model, transcribe_array  # noqa: E402
from interview_tui.transcription.models import resolve_model  # noqa: E402
from interview_tui.transcription.pipeline import SPLIT_PAUSE_S  # noqa: E402
from interview_tui.domain.transcript import Segment  # noqa: E402
from tests.fixtures.voices import SCRIPT, build_interview  # noqa: E402

PAIRS = [("slt", "kal"), ("kal", "slt"), ("slt", "ked"), ("ked", "slt"), ("kal", "ked"), ("ked", "kal"),
         ("espeak-m", "espeak-f")]
NAMES = {"I": "Interviewer", "P": "P01"}


def der(turns, runs, words) -> tuple[float, float, float]:
    """DER without and with a 0.25 s collar, and without collar over the turns Whisper transcribed."""
    from pyannote.core import Annotation, Timeline
    from pyannote.core import Segment as PSeg
    from pyannote.metrics.diarization import DiarizationErrorRate

    ref, hyp = Annotation(), Annotation()
    for t in turns:
        ref[PSeg(t.start_s, t.end_s)] = t.speaker
    for a, b, name in runs:
        if b > a:
            hyp[PSeg(a, b)] = name
    mids = [(w.start + w.end) / 2 for w in words]
    heard = Timeline([PSeg(t.start_s, t.end_s) for t in turns if any(t.start_s <= m <= t.end_s for m in mids)])
    return (float(DiarizationErrorRate(collar=0.0)(ref, hyp)),
            float(DiarizationErrorRate(collar=0.25)(ref, hyp)),
            float(DiarizationErrorRate(collar=0.0)(ref, hyp, uem=heard.support())))


def noisy(audio, snr_db: float):
    """`audio` with white noise at `snr_db` below the speech's power (a noisy room, a far recorder)."""
    import numpy as np

    speech = np.mean(audio[np.abs(audio) > 0.01] ** 2)
    noise = np.random.RandomState(0).randn(len(audio)).astype(np.float32)
    return audio + noise * np.float32(np.sqrt(speech / 10 ** (snr_db / 10)))


def truth_of(turns, t: float) -> str:
    return min(turns, key=lambda tr: 0 if tr.start_s <= t <= tr.end_s else min(abs(t - tr.start_s), abs(t - tr.end_s))).speaker


def runs_of(words, names, gap_s: float = SPLIT_PAUSE_S):
    """Who speaks when, from the words: runs of one speaker, broken where the app starts a new segment.

    Not at every gap between words: Whisper's word times leave gaps inside fluent speech.
    """
    runs: list[list] = []
    for w, n in zip(words, names):
        if runs and runs[-1][2] == n and w.start - runs[-1][1] < gap_s:
            runs[-1][1] = w.end
        else:
            runs.append([w.start, w.end, n])
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="base")
    ap.add_argument("--repeat", type=int, default=2, help="times the interview script is spoken per interview")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--snr", type=float, help="add white noise at this signal-to-noise ratio (dB)")
    ap.add_argument("--append", action="store_true", help="add this run's table to --out instead of replacing it")
    args = ap.parse_args()

    model = resolve_model(args.model, language="en")
    load_model(model)
    encoder = load_encoder()
    options = TranscribeOptions(language="en")
    rows = []
    for iv, pt in PAIRS:
        itv = build_interview(iv, pt, SCRIPT * args.repeat)
        if args.snr is not None:
            itv.audio = noisy(itv.audio, args.snr)
        w0, c0 = time.perf_counter(), time.process_time()
        raw = transcribe_array(model, itv.audio, options)
        t_wall, t_cpu = time.perf_counter() - w0, time.process_time() - c0
        words = [w for s in raw.segments for w in s.words]
        seg = [Segment(s.start, s.end, s.text, s.words) for s in raw.segments]
        cues = tuple(t for _, t in itv.events)
        w0, c0 = time.perf_counter(), time.process_time()
        ws = word_speakers(itv.audio, seg, SpeakerPlan(2, NAMES["I"], NAMES["P"], cues), encoder)
        s_wall, s_cpu = time.perf_counter() - w0, time.process_time() - c0
        plain = word_speakers(itv.audio, seg, SpeakerPlan(2, NAMES["I"], NAMES["P"]), encoder)
        truth = [truth_of(itv.turns, (w.start + w.end) / 2) for w in words]
        right = sum(NAMES[t] == n for t, n in zip(truth, ws.names)) / len(words)
        right_plain = sum(NAMES[t] == n for t, n in zip(truth, plain.names)) / len(words)
        d0, d25, dheard = der([tr.__class__(NAMES[tr.speaker], tr.text, tr.start_s, tr.end_s) for tr in itv.turns],
                              runs_of(words, ws.names), words)
        named = right > 0.5  # a swapped naming makes most words wrong
        rows.append(dict(pair=f"{iv} / {pt}", dur=itv.duration_s, words=len(words), right=right, der0=d0, der25=d25, dheard=dheard,
                         named=named, named_plain=right_plain > 0.5, right_plain=right_plain,
                         unsure=sum(ws.unsure), ratio_wall=s_wall / t_wall, ratio_cpu=s_cpu / t_cpu,
                         t_wall=t_wall, s_wall=s_wall, method=ws.provenance["method"]))
        r = rows[-1]
        print(f"{r['pair']:<22} {r['dur']:5.0f}s words {r['words']:4d} right {right:.3f} DER {d0:.3f}/{d25:.3f} "
              f"named {named} (no events: {r['named_plain']}, {right_plain:.3f}) cost {r['ratio_wall']:.3f} wall "
              f"{r['ratio_cpu']:.3f} cpu", flush=True)
    if args.out:
        write(args, rows)


def write(args, rows) -> None:
    load = os.getloadavg()
    lines = [
        "# Speakers on mono interviews: benchmark",
        "",
        f"`python benchmarks/speakers_benchmark.py --model {args.model} --repeat {args.repeat}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}. Load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.",
        "",
        "**The machine is shared by 8 engineers working at once (2 cores):** absolute times are",
        "inflated and noisy; the cost is therefore given as a ratio, speaker time over transcription time",
        "measured in the same process one right after the other.",
        "",
        "Each interview: the script in `tests/fixtures/voices.py` spoken "
        f"{args.repeat}x by two voices (questions, long answers, backchannels, 0.4-1.2 s pauses), with a",
        "session's question/probe/closing events; Whisper `" + args.model + "` (the app's default options)",
        "gives the words; speakers are found from them as in the app.",
        "",
        "| interviewer / participant | length | words | words right | DER | DER (0.25 s collar) | DER (transcribed turns) | named (events) | named (no events) | words right (no events) | unsure words | Whisper wall | speakers wall | cost wall | cost CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['pair']} | {r['dur']:.0f} s | {r['words']} | {r['right']:.1%} | {r['der0']:.1%} | {r['der25']:.1%} | {r['dheard']:.1%} | "
            f"{'yes' if r['named'] else 'NO'} | {'yes' if r['named_plain'] else 'NO'} | {r['right_plain']:.1%} | "
            f"{r['unsure']} | {r['t_wall']:.1f} s | {r['s_wall']:.2f} s | {r['ratio_wall']:.1%} | {r['ratio_cpu']:.1%} |"
        )
    n = len(rows)
    mean = lambda k: sum(r[k] for r in rows) / n  # noqa: E731
    lines += [
        f"| **mean** | | | **{mean('right'):.1%}** | **{mean('der0'):.1%}** | **{mean('der25'):.1%}** | **{mean('dheard'):.1%}** | "
        f"{sum(r['named'] for r in rows)}/{n} | {sum(r['named_plain'] for r in rows)}/{n} | {mean('right_plain'):.1%} | | | | "
        f"**{mean('ratio_wall'):.1%}** | **{mean('ratio_cpu'):.1%}** |",
        "",
        "Targets (issue): at least 95% of words to the right speaker, DER at most 10% on two-speaker",
        "interviews, the interviewer named correctly in every interview with events, speakers at most",
        "15% of transcription time on 2 cores.",
        "",
        "DER is measured against the reference turns' exact audio spans, while the hypothesis comes",
        "from Whisper's word timestamps, which miss the reference edges by a few hundred milliseconds:",
        "the uncollared DER counts that as missed or false-alarm speech, the collared figure forgives",
        "0.25 s around each reference boundary. Where Whisper leaves out a whole turn (it happens with",
        "the `ked` voice), that turn counts as missed speech although no speaker decision was made on it.",
        "\"DER (transcribed turns)\" scores only inside the reference turns that hold at least one",
        "transcribed word (no collar): it leaves out turns Whisper dropped and anything in the pauses",
        "between turns, so it is mostly the speaker confusion itself.",
    ]
    if args.append and args.out.is_file():
        table = lines[lines.index("") + 1:]
        head = [f"## With white noise at {args.snr:g} dB SNR" if args.snr is not None else "## Again", "",
                f"`python benchmarks/speakers_benchmark.py --model {args.model} --repeat {args.repeat}"
                + (f" --snr {args.snr:g}" if args.snr is not None else "") + " --append`, same machine and load "
                f"notes; load average at the end {load[0]:.1f}.", ""]
        body = [ln for ln in table if ln.startswith("|")]
        args.out.write_text(args.out.read_text() + "\n" + "\n".join(head + body) + "\n")
    else:
        args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
