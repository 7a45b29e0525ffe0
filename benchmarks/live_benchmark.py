"""Live transcription during a recorded interview: overflows, recorder CPU, time from the end to the transcript.

One process runs the recording benchmark's busy headless Textual app with the real
`RecorderPanel` (so live transcription starts exactly as in the interview screen), records
the transcription benchmark's espeak-ng interview script played into the virtual PulseAudio
microphone (tests/fixtures/audio.py) in real time, stops, and measures how long it takes
until the stitched live transcript is stored.  Then, optionally, the same recording is
transcribed post hoc (`transcribe_path`, the default) for the WER and time to compare.

    python benchmarks/live_benchmark.py --minutes 10 --out benchmarks/results/live.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.recording_benchmark import BusyApp, measure  # noqa: E402
from benchmarks.transcription_benchmark import build_audio  # noqa: E402
from interview_tui.audio.devices import refresh_devices  # noqa: E402
from interview_tui.config import Project  # noqa: E402
from interview_tui.storage import open_db  # noqa: E402
from interview_tui.storage.recordings import set_setting  # noqa: E402
from interview_tui.tui.widgets.recorder import RecorderPanel  # noqa: E402
from tests.fixtures.audio import RATE, VirtualMic, enroll, write_wav  # noqa: E402
from tests.fixtures.speech import wer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--baseline", type=float, default=30.0, help="seconds of the busy app alone first")
    ap.add_argument("--load-limit", default="0", help="project setting live_transcription_load_limit")
    ap.add_argument("--no-posthoc", action="store_true")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()

    speech, reference = build_audio(args.minutes)
    # 16 kHz float -> the virtual mic's 48 kHz int16 (linear interpolation; Whisper low-passes to 16 kHz again)
    n = len(speech) * RATE // 16000
    source = (np.interp(np.linspace(0, len(speech) - 1, n), np.arange(len(speech)), speech) * 32767
              ).astype(np.int16)
    base = Path(tempfile.mkdtemp(prefix="livebench-"))
    (base / "pulse").mkdir()
    mic = VirtualMic(base / "pulse").start()
    refresh_devices()
    project = Project(base / "project").ensure()
    db = open_db(project.db_path)
    enroll(db)
    set_setting(db, "live_transcription_load_limit", args.load_limit)
    source_path = write_wav(base / "source.wav", source)
    phases, state, states = [], {}, []

    def run(app: BusyApp) -> None:
        try:
            phases_run(app)
        except BaseException:
            import traceback

            state["error"] = traceback.format_exc()
            print(state["error"], file=sys.stderr, flush=True)
            app.call_from_thread(app.exit)

    def phases_run(app: BusyApp) -> None:
        panel = app.query_one(RecorderPanel)
        time.sleep(2.0)
        phases.append(measure(app, "baseline (UI busy, recorder idle)", args.baseline))
        app.call_from_thread(panel.start_recording)
        while panel.recording_clock() is None:
            time.sleep(0.01)
        player = mic.play(source_path)
        t0 = time.monotonic()
        while panel.live is None:
            if time.monotonic() - t0 > 60:
                raise RuntimeError(f"live transcription did not start: {panel._live_text!r}")
            time.sleep(0.1)
        poll_end = t0 + len(source) / RATE
        rec = {"phase": None}

        def sample() -> None:  # the live state once every 5 s while recording
            while time.monotonic() < poll_end:
                s = panel.live.status()
                states.append((time.monotonic() - t0, s.state, s.recorded_s - s.done_s, s.pieces))
                time.sleep(5)

        import threading

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rec["phase"] = measure(app, "recording + live transcription (UI busy)", len(source) / RATE - 1)
        phases.append(rec["phase"])
        player.wait()
        time.sleep(0.5)
        last = panel.live.status()
        state["backlog_s"], state["pieces_at_end"] = last.recorded_s - last.done_s, last.pieces
        t_end = time.monotonic()
        app.call_from_thread(panel.stop_recording)
        while panel.state != "stopped":
            time.sleep(0.05)
        state["stopped_s"] = time.monotonic() - t_end
        while not any(k in panel._live_text for k in ("ready", "failed", "run transcribe")):
            time.sleep(0.1)
        state["ready_s"] = time.monotonic() - t_end
        state["live_text"] = panel._live_text
        state["summary"] = panel.summary
        app.call_from_thread(app.exit)

    app = BusyApp(project, db, run)
    try:
        app.run(headless=True, size=(120, 40))
    finally:
        mic.stop()
    if "error" in state:
        sys.exit(state["error"])
    summary = state["summary"]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = children.ru_utime + children.ru_stime
    from interview_tui.storage import transcripts as store
    from interview_tui.transcription.verbatim import render_segments

    db2 = open_db(project.db_path)
    transcript = store.load_transcript(db2, store.list_transcripts(db2, summary.recording_id)[-1]["id"])
    render_segments(transcript.segments, language="en", verbatim=False)
    live_wer = wer(reference, " ".join(s.text for s in transcript.segments))
    post = None
    if not args.no_posthoc:
        from interview_tui.transcription.engine import TranscribeOptions
        from interview_tui.transcription.models import resolve_model
        from interview_tui.transcription.pipeline import transcribe_path

        model = resolve_model(transcript.meta.model, language="en")
        t0 = time.monotonic()
        t = transcribe_path(summary.path, model, TranscribeOptions(language="en"))
        post_s = time.monotonic() - t0
        render_segments(t.segments, language="en", verbatim=False)
        post = (post_s, wer(reference, " ".join(s.text for s in t.segments)))
    report(args, phases, state, states, summary, transcript, live_wer, post, child_cpu)


def report(args, phases, state, states, summary, transcript, live_wer, post, child_cpu) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    base, rec = phases
    minutes = summary.duration_s / 60
    share = rec.cpu_pct - base.cpu_pct
    lines = [
        "# Live transcription benchmark",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/live_benchmark.py --minutes {args.minutes:g}"
        f" --load-limit {args.load_limit}` on {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "",
        f"A {minutes:.1f}-minute espeak-ng interview (the transcription benchmark's script) played in real time into"
        " the virtual PulseAudio microphone and recorded by the real `RecorderPanel` (48 kHz mono) inside a headless"
        " Textual app redrawing every 20 ms, with live transcription on (model"
        f" `{transcript.meta.model}`, project setting live_transcription_load_limit={args.load_limit}).",
        "",
        "| measure | value |",
        "|---|---:|",
        f"| input overflows | {summary.overflow_count} |",
        f"| app process CPU, % of one core: baseline (busy UI) / while recording + live | {base.cpu_pct:.1f} / {rec.cpu_pct:.1f} |",
        f"| recorder's share in the app process (recording − baseline; the live process is separate) | {share:.1f} % |",
        f"| load average (1 min) at the end of baseline / recording | {base.load:.1f} / {rec.load:.1f} |",
        f"| live pieces stored while recording / audio not yet transcribed at the end | {state['pieces_at_end']} / {state['backlog_s']:.0f} s |",
        f"| child processes' CPU (live process, finishing workers, paplay) | {child_cpu:.0f} s ({child_cpu / minutes:.1f} s per recorded minute) |",
        f"| \"stop\" to recording saved | {state['stopped_s']:.1f} s |",
        f"| **\"stop\" to the final transcript stored** | **{state['ready_s']:.1f} s** |",
        f"| WER of the stored live transcript | {live_wer * 100:.2f} % |",
    ]
    if post:
        lines += [f"| post-hoc `transcribe` of the same recording: time / WER | {post[0]:.1f} s / {post[1] * 100:.2f} % |",
                  f"| WER difference live − post hoc | {(live_wer - post[1]) * 100:+.2f} points |"]
    lines += ["", "Live state while recording (every 5 s: seconds into the recording, state, seconds behind, pieces):", ""]
    lines += ["    " + ", ".join(f"{t:.0f}s {s} {b:.0f}/{p}" for t, s, b, p in states[i:i + 6])
              for i in range(0, len(states), 6)]
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
