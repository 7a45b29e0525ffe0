"""The live transcription process dies with the app: `kill -9` of its parent leaves no orphan.

The parent here is a small script that starts live transcription of a long speech recording
(as the recorder does) and then waits; the test kills it with SIGKILL while the background
process is busy loading the model or transcribing, and the process must be gone within a few
seconds, not once its current piece is done (or never).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from tests.fixtures.speech import INTERVIEW_PARTS, compose, write_wav

pytestmark = [pytest.mark.model, pytest.mark.slow]

PARENT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from interview_tui.transcription.engine import TranscribeOptions
    from interview_tui.transcription.live import LiveTranscriber
    from interview_tui.transcription.models import resolve_model

    live = LiveTranscriber(Path(sys.argv[1]), resolve_model("tiny.en", language="en"),
                           TranscribeOptions(language="en"), load_limit=0)
    live.start()
    print(live._process.pid, flush=True)
    while True:
        print(live.status().recorded_s, flush=True)
        time.sleep(0.2)
""")


def _gone(pid: int) -> bool:
    """True once `pid` has exited (a zombie nobody reaped counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def test_the_live_process_dies_with_its_parent(tiny_en, tmp_path: Path) -> None:
    speech, _ = compose(INTERVIEW_PARTS * 12)  # about 2.5 minutes of speech: minutes of work queued
    recording = write_wav(tmp_path / "growing.wav", speech)
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(recording)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        child = int(parent.stdout.readline())
        while float(parent.stdout.readline()) == 0.0:  # until the child has reported: past its start-up
            pass
        time.sleep(1.0)  # now loading the model or transcribing the first piece
        assert not _gone(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5.0
        while not _gone(child):
            assert time.monotonic() < deadline, f"live process {child} outlived its parent"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()
        try:
            child_pid = child  # noqa: F821 (unset if the parent failed first)
            if not _gone(child_pid):
                os.kill(child_pid, signal.SIGKILL)
        except (NameError, ProcessLookupError):
            pass


POOL_PARENT = textwrap.dedent("""
    import multiprocessing, sys, threading, time
    import soundfile
    from interview_tui.transcription.engine import TranscribeOptions
    from interview_tui.transcription.models import resolve_model
    from interview_tui.transcription.parallel import transcribe_pieces

    audio, _ = soundfile.read(sys.argv[1], dtype="float32")

    def report():
        while len(multiprocessing.active_children()) < 2:
            time.sleep(0.05)
        time.sleep(1.0)
        print(" ".join(str(p.pid) for p in multiprocessing.active_children() if "Process" in p.name), flush=True)

    threading.Thread(target=report, daemon=True).start()
    transcribe_pieces(resolve_model("tiny.en", language="en"), audio, TranscribeOptions(language="en"), workers=2)
""")


def test_the_piece_workers_die_with_their_parent(tiny_en, tmp_path: Path) -> None:
    """The workers that transcribe the rest when a recording stops (and `transcribe` on every core)."""
    speech, _ = compose(INTERVIEW_PARTS * 12)
    recording = write_wav(tmp_path / "long.wav", speech)
    parent = subprocess.Popen([sys.executable, "-c", POOL_PARENT, str(recording)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    workers: list[int] = []
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and not any(_gone(pid) for pid in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5.0
        while not all(_gone(pid) for pid in workers):
            assert time.monotonic() < deadline, f"piece workers {workers} outlived their parent"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in workers:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
