"""Recording while the UI is busy: overflows (target 0) and the recorder's CPU share (target < 5 %).

One process runs a headless Textual app kept busy (a log and a table redrawn every 20 ms)
with the real `RecorderPanel` mounted.  The benchmark measures, in that same process:

1. baseline: the busy app alone (recorder idle);
2. recording: the same app while the panel records from the virtual PulseAudio microphone
   (tests/fixtures/audio.py), fed with known noise by `paplay`;
3. baseline again (to see drift).

CPU is `time.process_time()` (all threads of the process) per wall second; the recorder's
share is recording minus the mean baseline, in % of one core.  It also reports overflows,
frames written against the wall-clock duration, whether the recorded audio equals the
source bit for bit after alignment, and the UI's redraw rate in each phase.

    python benchmarks/recording_benchmark.py                 # 10 minutes of recording
    python benchmarks/recording_benchmark.py --seconds 30    # a quick run
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sqlite_utils import Database

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import RichLog, Static  # noqa: E402

from interview_tui.audio.devices import refresh_devices  # noqa: E402
from interview_tui.config import Project  # noqa: E402
from interview_tui.storage import open_db  # noqa: E402
from interview_tui.tui.widgets.recorder import RecorderPanel  # noqa: E402
from tests.fixtures.audio import RATE, VirtualMic, align, enroll, write_wav  # noqa: E402


@dataclass
class Phase:
    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    ticks: int = 0
    #: CPU seconds of the main (UI) thread; the rest is PortAudio, writer, workers.
    main_cpu_s: float = 0.0
    #: seconds added to the recording's timeline during the phase.
    recorded_s: float = 0.0
    #: the machine's 1-minute load average at the phase's end (other processes compete for the cores).
    load: float = 0.0

    @property
    def main_pct(self) -> float:
        return 100.0 * self.main_cpu_s / self.wall_s

    @property
    def other_pct(self) -> float:
        return 100.0 * (self.cpu_s - self.main_cpu_s) / self.wall_s

    @property
    def cpu_pct(self) -> float:
        return 100.0 * self.cpu_s / self.wall_s

    @property
    def fps(self) -> float:
        return self.ticks / self.wall_s


class BusyApp(App[None]):
    """A UI that never rests: 50 redraws a second of a log line and a 20-row table."""

    def __init__(self, project: Project, db, run) -> None:
        super().__init__()
        self.project, self.db, self.run_phases = project, db, run
        self.ticks = 0
        self.results: dict = {}

    def compose(self) -> ComposeResult:
        yield Static(id="table")
        yield RichLog(id="log", max_lines=500)
        yield RecorderPanel(self.project, self.db, None, "P01", device="pulse")

    def on_mount(self) -> None:
        self.set_interval(0.02, self.busy)
        threading.Thread(target=self.run_phases, args=(self,), daemon=True).start()

    def busy(self) -> None:
        self.ticks += 1
        rows = "\n".join(f"{i:3d}  {'█' * ((self.ticks + i) % 40):40}  {np.sin(self.ticks / 7 + i):+.3f}"
                         for i in range(20))
        self.query_one("#table", Static).update(rows)
        self.query_one("#log", RichLog).write(f"tick {self.ticks}: {rows[:60]}")


_TICK = os.sysconf("SC_CLK_TCK")


def main_thread_cpu() -> float:
    """CPU seconds of the process's main thread (its tid is the pid), from /proc."""
    fields = Path(f"/proc/self/task/{os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def measure(app: BusyApp, name: str, seconds: float) -> Phase:
    panel = app.query_one(RecorderPanel)

    def timeline() -> float:
        clock = panel.recording_clock()
        return clock[1] if clock else 0.0

    t0, c0, m0, k0, r0 = time.monotonic(), time.process_time(), main_thread_cpu(), app.ticks, timeline()
    time.sleep(seconds)
    return Phase(name, time.monotonic() - t0, time.process_time() - c0, app.ticks - k0, main_thread_cpu() - m0,
                 timeline() - r0, os.getloadavg()[0])


def mic_and_project(prefix: str) -> tuple[Path, VirtualMic, Project, Database]:
    """A fresh temporary folder with the virtual microphone started and a project whose P01 has consented."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    (base / "pulse").mkdir()
    mic = VirtualMic(base / "pulse").start()
    refresh_devices()
    project = Project(base / "project").ensure()
    db = open_db(project.db_path)
    enroll(db)
    return base, mic, project, db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="recording length (default 600)")
    parser.add_argument("--baseline", type=float, default=None, help="each baseline phase (default: min(60, seconds/3))")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "recording.md")
    args = parser.parse_args()
    baseline_s = args.baseline or min(60.0, max(5.0, args.seconds / 3))

    base, mic, project, db = mic_and_project("recbench-")
    source = np.random.default_rng(11).integers(-8000, 8000, int((args.seconds + 0.5) * RATE), dtype=np.int16)
    source[: RATE // 2] = 0
    source_path = write_wav(base / "source.wav", source)
    phases: list[Phase] = []
    state: dict = {}

    def run(app: BusyApp) -> None:
        panel = app.query_one(RecorderPanel)
        time.sleep(2.0)  # let the app settle
        phases.append(measure(app, "baseline (UI busy, recorder idle)", baseline_s))
        app.call_from_thread(panel.start_recording)
        while panel.recording_clock() is None:
            time.sleep(0.01)
        player = mic.play(source_path)
        phases.append(measure(app, "recording (UI busy, recorder running)", args.seconds))
        player.wait()
        time.sleep(0.5)  # the sound server's own latency: let the last samples arrive
        app.call_from_thread(panel.stop_recording)
        while panel.state != "stopped":
            time.sleep(0.05)
        state["summary"] = panel.summary
        phases.append(measure(app, "baseline again", baseline_s))
        app.call_from_thread(app.exit)

    app = BusyApp(project, db, run)
    try:
        app.run(headless=True, size=(120, 40))
    finally:
        mic.stop()
    summary = state["summary"]
    import soundfile

    recorded, _ = soundfile.read(summary.path, dtype="int16")
    lag = align(recorded[: 5 * RATE], source)
    overlap = recorded[lag:lag + len(source)]
    exact = bool(np.array_equal(overlap, source[: len(overlap)]))
    # The busy UI's own cost per redraw, from the baselines; what the UI thread spent beyond that
    # while recording is the recorder panel's share (meter, elapsed time, messages).
    per_tick = (phases[0].main_cpu_s + phases[2].main_cpu_s) / (phases[0].ticks + phases[2].ticks)
    rec = phases[1]
    ui_share = 100.0 * (rec.main_cpu_s - per_tick * rec.ticks) / rec.wall_s
    other_base = (phases[0].other_pct + phases[2].other_pct) / 2
    share = ui_share + rec.other_pct - other_base
    # Noise: how far the two baselines' cost per redraw differ, as % of one core at the recording's redraw rate.
    per_tick_a = phases[0].main_cpu_s / phases[0].ticks
    per_tick_b = phases[2].main_cpu_s / phases[2].ticks
    noise = 100.0 * abs(per_tick_a - per_tick_b) * rec.ticks / rec.wall_s / 2
    report(args, phases, summary, overlap, exact, ui_share, rec.other_pct - other_base, share, noise)


def report(args, phases, summary, overlap, exact, ui_share, thread_share, share, noise) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    import textual

    rec_phase = phases[1]
    lines = [
        "# Recording benchmark",
        "",
        f"Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `benchmarks/recording_benchmark.py --seconds {args.seconds:g}`"
        f" on {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, Textual {textual.__version__}.",
        "",
        "One process: a headless Textual app redrawing a 20-row table and a log line every 20 ms,"
        " with the real `RecorderPanel` mounted; the panel records 48 kHz mono from the virtual"
        " PulseAudio microphone while `paplay` feeds known noise. CPU = process CPU time per wall second"
        " (all threads; the UI thread's share read from /proc), in % of one core. The recorder's share ="
        " the other threads' CPU above baseline + the UI thread's CPU above the busy load's own cost per"
        " redraw measured in the baselines (so a baseline that redraws more or less often is not"
        " mistaken for the recorder).",
        "",
        "| phase | wall s | CPU % of one core | of it: UI thread | other threads | UI redraws/s | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {p.name} | {p.wall_s:.1f} | {p.cpu_pct:.1f} | {p.main_pct:.1f} | {p.other_pct:.1f} | {p.fps:.1f}"
          f" | {p.load:.2f} |" for p in phases],
        "",
        "| result | value | target |",
        "|---|---:|---|",
        f"| recorder's CPU share | {share:.2f} % of one core | < 5 % |",
        f"| of it: capture + writer threads (recording − baseline) | {thread_share:.2f} % | |",
        f"| of it: UI thread beyond the busy load's own cost per redraw | {ui_share:.2f} % ± {noise:.2f} | |",
        f"| overflows | {summary.overflow_count} | 0 |",
        f"| recording timeline / wall time, while recording | {rec_phase.recorded_s / rec_phase.wall_s:.4f}"
        f" | ≈ 1 (real-time pace) |",
        f"| source samples found in the recording, bit-exact after alignment | {len(overlap)} of"
        f" {round(args.seconds * RATE + RATE / 2)} ({'exact' if exact else 'DIFFERENT'}) | all, exact |",
        f"| UI redraw rate while recording / baseline | {rec_phase.fps / ((phases[0].fps + phases[2].fps) / 2):.3f} | ≈ 1 |",
        "",
        f"Verdict: {'PASS' if summary.overflow_count == 0 and share < 5 and exact else 'FAIL'}"
        " (0 overflows, CPU share under 5 %, audio bit-exact).",
        "",
        "± is the baselines' own disagreement (half the difference of their CPU per redraw, at the"
        " recording phase's redraw rate): the UI-thread part is a small difference of two large numbers"
        " on a shared 2-core machine; the capture + writer threads are measured directly and are stable.",
        "About 1.0-1.5 % of a core of the thread part is PortAudio's ALSA/PulseAudio path itself (a stream"
        " with an empty callback costs that much at 75 ms blocks; 50 ms blocks cost more, which is why the"
        " block is 75 ms: 13 meter updates a second).",
        "The UI redraw rate depends on how much the other processes on the machine leave to this one"
        " (load avg: the 1-minute load average at the end of each phase, on 2 cores).",
        "The PulseAudio daemon runs in its own process (about 3 % of a core, not counted above).",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
