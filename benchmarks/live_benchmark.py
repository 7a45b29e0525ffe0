"""Live transcription during a recorded interview: overflows, recorder CPU, time from the end to the transcript.

One process runs the recording benchmark's busy headless Textual app with the real
`RecorderPanel` (so live transcription starts exactly as in the interview screen), records
the transcription benchmark's espeak-ng interview script played into the virtual PulseAudio
microphone (tests/fixtures/audio.py) in real time, stops, and measures how long it takes
until the stitched live transcript is stored.  Then, optionally, the same recording is
transcribed post hoc (`transcribe_path`, the default) for the WER and time to compare.

    python benchmarks/live_benchmark.py --minutes 10 --out benchmarks/results/live.md

`--latency` measures instead how fast the interview screen answers a key while recording,
with live transcription on and off (see `latency`), and appends a section to `--out`:

    python benchmarks/live_benchmark.py --latency --out benchmarks/results/live.md
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.recording_benchmark import BusyApp, measure, mic_and_project  # noqa: E402
from benchmarks.transcription_benchmark import build_audio  # noqa: E402
from interview_tui.storage import open_db  # noqa: E402
from interview_tui.storage.recordings import set_setting  # noqa: E402
from interview_tui.tui.widgets.recorder import RecorderPanel  # noqa: E402
from tests.fixtures.audio import RATE, write_wav  # noqa: E402
from tests.fixtures.speech import wer  # noqa: E402
from tests.tui.test_kill_resume import ANSI, TerminalApp  # noqa: E402


def mic_source(speech: np.ndarray) -> np.ndarray:
    """16 kHz float speech as the virtual microphone's 48 kHz int16 (linear interpolation; Whisper
    low-passes to 16 kHz again)."""
    n = len(speech) * RATE // 16000
    return (np.interp(np.linspace(0, len(speech) - 1, n), np.arange(len(speech)), speech) * 32767).astype(np.int16)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--baseline", type=float, default=30.0, help="seconds of the busy app alone first")
    ap.add_argument("--load-limit", default="0", help="project setting live_transcription_load_limit")
    ap.add_argument("--no-posthoc", action="store_true")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--latency", action="store_true", help="key-to-screen latency, live on vs off (appends to --out)")
    ap.add_argument("--blocks", type=int, default=4, help="--latency: recordings, alternately live on and off")
    ap.add_argument("--presses", type=int, default=30, help="--latency: key presses per recording (even)")
    ap.add_argument("--warmup", type=float, default=20.0, help="--latency: seconds recorded before the presses")
    args = ap.parse_args()
    if args.latency:
        latency(args)
        return

    speech, reference = build_audio(args.minutes)
    source = mic_source(speech)
    base, mic, project, db = mic_and_project("livebench-")
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
    transcript = store.load_transcript(db2, store.list_transcripts(db2, summary.recording_id)[-1].id)
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


# -- key-to-screen latency, live transcription on vs off ----------------------------------------

#: Distinct words of the default guide's first two questions, as the screen draws them.
QUESTION_TEXT = {"n": "How do you experience establishing", "p": "Can you describe what it is like"}


class Terminal(TerminalApp):
    """The real app in a 120x40 pseudo-terminal (the kill/resume tests' `TerminalApp`): time what it draws."""

    def since(self, offset: int) -> str:
        return ANSI.sub(b"", bytes(self.output[offset:])).decode("utf-8", "replace")

    def wait_for(self, needle: str, offset: int = 0, timeout: float = 120.0) -> float:
        """Block until `needle` is drawn after `offset`; returns the monotonic time it arrived."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while needle not in self.since(offset):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{needle!r} not drawn; last: {self.since(0)[-1500:]}")
                self.arrived.wait(0.5)
            return time.monotonic()

    def press(self, key: str) -> float:
        """Seconds from writing `key` to the first output that shows its new question."""
        with self.arrived:
            offset = len(self.output)
        t0 = time.monotonic()
        os.write(self.master, key.encode())
        return self.wait_for(QUESTION_TEXT[key], offset, timeout=30) - t0

    def quit(self) -> None:
        self.keys("\x11")  # ctrl+q: the recording is finished (and a live transcript stored) before exit
        self.proc.wait(timeout=300)
        self.close()


def latency(args) -> None:
    """Record from the virtual microphone in the real app and time `n`/`p` (next/previous question).

    Recordings alternate live transcription on and off (the project setting, read when a
    recording starts), each in a fresh app process resumed from the last (as after a quit),
    so both see the same machine; speech plays throughout.  Each recording first runs
    `--warmup` seconds (live transcription needs 20 s of audio before its first piece), then
    `--presses` keys 0.4-0.9 s apart; the time is from writing the key to the pty until the new
    question's text is drawn.
    """
    import random

    from interview_tui.domain.loader import default_study
    from interview_tui.storage.recordings import set_input_device

    speech, _ = build_audio(args.blocks * (args.warmup + args.presses * 0.8 + 15) / 60 + 1)
    source = mic_source(speech)
    base, mic, project, db = mic_and_project("latbench-")
    set_input_device(db, "pulse")
    set_setting(db, "live_transcription_load_limit", "0")
    assert default_study().guide.questions()[1].text.startswith(QUESTION_TEXT["n"])
    rng = random.Random(18)
    times: dict[str, list[float]] = {"on": [], "off": []}
    loads: dict[str, list[float]] = {"on": [], "off": []}
    recorded = 0.0
    player = mic.play(write_wav(base / "speech.wav", source))
    try:
        for block in range(args.blocks):
            mode = "on" if block % 2 == 0 else "off"
            set_setting(db, "live_transcription", mode)
            app = Terminal(project.root)
            if block == 0:
                app.wait_for("Participants")
                app.keys("K", "N", "H", "\r", "\r", "\x1b[B", "\r", "i")
                app.wait_for("Wrap up")
                app.keys(" ")
            else:
                app.wait_for("An interview was left open")
                app.keys("\r")
                app.wait_for("Start recording again now?")
                app.keys("y")
            app.wait_for("REC")
            started = time.monotonic()
            app.wait_for("live on" if mode == "on" else "live off")
            time.sleep(max(0.0, args.warmup - (time.monotonic() - started)))
            for i in range(args.presses):
                times[mode].append(app.press("n" if i % 2 == 0 else "p"))
                time.sleep(rng.uniform(0.4, 0.9))
            loads[mode].append(os.getloadavg()[0])
            recorded += time.monotonic() - started
            app.quit()
            these = times[mode][-args.presses:]
            slowest = int(np.argmax(these))
            print(f"block {block + 1}/{args.blocks} live {mode}: median {np.median(these) * 1000:.0f} ms,"
                  f" max {these[slowest] * 1000:.0f} ms at press {slowest + 1}", flush=True)
    finally:
        player.kill()
        mic.stop()
    from interview_tui.storage.recordings import list_recordings

    overflows = [r.overflow_count or 0 for r in list_recordings(db)]
    latency_report(args, times, loads, recorded, overflows)


def latency_report(args, times: dict[str, list[float]], loads: dict[str, list[float]], recorded: float,
                   overflows: list[int]) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")

    def pct(mode: str, q: float) -> float:
        return float(np.percentile(np.array(times[mode]) * 1000, q))

    rows = [("median", 50), ("90th percentile", 90), ("99th percentile", 99), ("max", 100)]
    lines = [
        "",
        "## UI key-to-screen latency, live transcription on vs off",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/live_benchmark.py --latency --blocks"
        f" {args.blocks} --presses {args.presses} --warmup {args.warmup:g}` on {cpu}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}.",
        "",
        f"The real app (`python -m interview_tui`) in a 120x40 pseudo-terminal records the espeak-ng script"
        f" played into the virtual PulseAudio microphone; {args.blocks} recordings alternate live transcription"
        f" on and off (a fresh app process each, resumed from the last, as after a quit), {recorded / 60:.1f}"
        f" minutes of audio in all. In each, after {args.warmup:g} s of recording, `n` and `p` (next/previous"
        f" question) are pressed {args.presses} times 0.4-0.9 s apart; the latency runs from writing the key"
        " to the terminal until the new question's text has been drawn (read back from the pty).",
        f"1-minute load average {min(min(v) for v in loads.values()):.1f}-{max(max(v) for v in loads.values()):.1f}"
        " at the ends of the recordings (above about 1, other processes share the 2 cores and stretch the times).",
        "",
        "| key to screen, ms | live off | live on | on / off |",
        "|---|---:|---:|---:|",
    ]
    for name, q in rows:
        lines.append(f"| {name} | {pct('off', q):.0f} | {pct('on', q):.0f} | {pct('on', q) / pct('off', q):.2f} |")
    mean_on, mean_off = np.mean(times["on"]) * 1000, np.mean(times["off"]) * 1000
    lines += [f"| mean | {mean_off:.0f} | {mean_on:.0f} | {mean_on / mean_off:.2f} |",
              f"| presses | {len(times['off'])} | {len(times['on'])} | |", "",
              f"Input overflows per recording: {', '.join(str(n) for n in overflows)}.", ""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as out:
            out.write(text)


if __name__ == "__main__":
    main()
