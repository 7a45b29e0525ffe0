"""Capture from a PortAudio input into a crash-safe WAV file.

Threads: PortAudio calls `_callback` on its own real-time thread; it only
copies the block into a queue (no allocation beyond the copy, no IO, no
locks).  A writer thread takes blocks off the queue, measures levels, writes
the file (`CrashSafeWavWriter`), counts overflows and watches for a lost
device.  The owner's thread calls `start`, `pause`, `resume`, `stop` and reads
`current_offset()`; callbacks (`on_level`, `on_error`) run on the writer
thread, so a UI must hand them over to its own thread (Textual: post_message).
"""

from __future__ import annotations

import errno
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np

from interview_tui.audio.devices import AudioDeviceError, InputDevice, sounddevice_module
from interview_tui.audio.levels import Level, measure
from interview_tui.audio.wavfile import CrashSafeWavWriter

SAMPLE_RATES = (48000, 16000)
#: Errors that mean "no room left": the recording stops and keeps what is on disk.
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

State = Literal["idle", "recording", "paused", "stopped", "failed"]
ErrorKind = Literal["disk_full", "device_lost", "write_error", "device_error"]


@dataclass(frozen=True)
class RecorderError:
    """Why a recording stopped on its own, and what the interviewer should do."""

    kind: ErrorKind
    message: str
    seconds_kept: float

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RecorderConfig:
    """How to record: sample rate, channels, block size, fsync interval."""

    samplerate: int = 48000
    channels: int = 1
    #: PortAudio block length: 75 ms gives the level meter 13 updates a second; shorter blocks
    #: cost more CPU in PortAudio's ALSA/PulseAudio path (see benchmarks/results/recording.md).
    block_s: float = 0.075
    fsync_interval_s: float = 1.0
    #: no block for this long while recording means the device is gone.
    device_timeout_s: float = 3.0
    #: age public keys: when set, the file is an encrypted recording (`privacy.segments`).
    encrypt_to: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.samplerate not in SAMPLE_RATES:
            raise ValueError(f"sample rate {self.samplerate} not supported; use one of {SAMPLE_RATES}")
        if self.channels not in (1, 2):
            raise ValueError(f"{self.channels} channels not supported; use 1 (mono) or 2 (stereo)")

    @property
    def blocksize(self) -> int:
        return int(self.samplerate * self.block_s)


_STOP = object()


class Recorder:
    """Records one input device into one WAV file; see the module docstring for threads."""

    def __init__(
        self,
        path: Path,
        device: InputDevice | None = None,
        config: RecorderConfig = RecorderConfig(),
        *,
        on_level: Callable[[Level], None] | None = None,
        on_error: Callable[[RecorderError], None] | None = None,
        max_frames: int | None = None,
    ) -> None:
        self.path = Path(path)
        #: stop adding audio after exactly this many frames (for `--seconds`); `limit_reached` is set then.
        self.max_frames = max_frames
        self.limit_reached = threading.Event()
        self.device = device
        self.config = config
        self.on_level = on_level
        self.on_error = on_error
        self.state: State = "idle"
        self.error: RecorderError | None = None
        self.frames_written = 0
        self.overflow_count = 0
        self.latest_level: Level | None = None
        self._paused = False
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._writer: CrashSafeWavWriter | None = None
        self._thread: threading.Thread | None = None
        self._stream: Any = None
        self._stream_lock = threading.Lock()
        self._stopping = threading.Event()
        self._stream_finished = threading.Event()

    # --- owner thread -------------------------------------------------------------------
    def start(self) -> None:
        """Create the file and open the input stream; raises `AudioDeviceError` or `OSError`."""
        if self.state != "idle":
            raise RuntimeError(f"recorder already {self.state}")
        sd = sounddevice_module()
        if self.config.encrypt_to:
            from interview_tui.privacy.segments import SEAL_INTERVAL_S, EncryptedWavWriter

            # Pending audio is not in an encrypted file until sealed, so it is sealed more often
            # than a plain file is fsynced: a kill loses no more than with a plain recording.
            self._writer = EncryptedWavWriter(  # type: ignore[assignment]
                self.path, self.config.samplerate, self.config.channels, self.config.encrypt_to,
                min(self.config.fsync_interval_s, SEAL_INTERVAL_S),
            )
        else:
            self._writer = CrashSafeWavWriter(
                self.path, self.config.samplerate, self.config.channels, self.config.fsync_interval_s
            )
        try:
            self._stream = sd.InputStream(
                device=self.device.index if self.device else None,
                samplerate=self.config.samplerate,
                channels=self.config.channels,
                dtype="int16",
                blocksize=self.config.blocksize,
                latency="high",  # larger host buffers: fewer overflows, latency does not matter here
                callback=self._callback,
                finished_callback=self._stream_finished.set,
            )
        except (sd.PortAudioError, ValueError) as exc:
            self._writer.close()
            self.path.unlink(missing_ok=True)  # our own header-only file: no audio, no row points at it
            name = self.device.name if self.device else "the default input"
            raise AudioDeviceError(
                f"Could not open {name} at {self.config.samplerate} Hz, {self.config.channels} channel(s): {exc}. "
                "Check the microphone is connected and not used by another program, or choose another "
                "device or sample rate."
            ) from exc
        self.state = "recording"
        self._thread = threading.Thread(target=self._write_loop, name="recorder-writer", daemon=True)
        self._thread.start()
        self._stream.start()

    def pause(self) -> None:
        """Stop adding audio to the file (levels keep coming, so the meter shows the mic is alive)."""
        if self.state == "recording":
            self._paused = True
            self.state = "paused"

    def resume(self) -> None:
        """Continue adding audio to the file."""
        if self.state == "paused":
            self._paused = False
            self.state = "recording"

    def current_offset(self) -> float:
        """Seconds on the recording's timeline (frames written / sample rate); pauses do not advance it."""
        return self.frames_written / self.config.samplerate

    @property
    def duration_s(self) -> float:
        return self.current_offset()

    def stop(self) -> None:
        """Stop cleanly: drain PortAudio, write every queued block, finish the header. Idempotent."""
        if self.state in ("idle", "stopped"):
            return
        self._stopping.set()
        self._close_stream(abort=False)
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join()
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError:
                pass  # the caller checks the file (disk full leaves the header to be fixed)
        if self.state != "failed":
            self.state = "stopped"

    # --- PortAudio thread -----------------------------------------------------------------
    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # Real-time thread: copy and hand over, nothing else.
        self._queue.put((indata.copy(), bool(status.input_overflow), self._paused))

    # --- writer thread --------------------------------------------------------------------
    def _close_stream(self, abort: bool) -> None:
        with self._stream_lock:
            stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort() if abort else stream.stop()
            stream.close()
        except Exception:  # a vanished device may fail to close; the file is what matters
            pass

    def _write_loop(self) -> None:
        assert self._writer is not None
        last_block = time.monotonic()
        while True:
            try:
                item = self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._stopping.is_set():
                    continue  # stop() puts _STOP after PortAudio is drained
                idle = time.monotonic() - last_block
                if self._stream_finished.is_set() or idle > self.config.device_timeout_s:
                    self._fail("device_lost", None)
                    return
                continue
            batch = [item]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            done = any(b is _STOP for b in batch)
            blocks = [b for b in batch if b is not _STOP]
            if blocks:
                last_block = time.monotonic()
                if not self._write_blocks(blocks):
                    return
            if done:
                return

    def _write_blocks(self, blocks: list[tuple[np.ndarray, bool, bool]]) -> bool:
        assert self._writer is not None
        self.overflow_count += sum(1 for _, overflow, _ in blocks if overflow)
        keep = [data for data, _, paused in blocks if not paused]
        if self.max_frames is not None and keep:
            room = self.max_frames - self.frames_written
            pcm = np.concatenate(keep)[: max(room, 0)]
            keep = [pcm] if len(pcm) else []
            if room <= len(pcm):
                self.limit_reached.set()
        if keep:
            try:
                self._writer.write(np.concatenate(keep).tobytes())
            except OSError as exc:
                self._fail("disk_full" if exc.errno in _DISK_FULL else "write_error", exc)
                return False
            self.frames_written = self._writer.frames_written
        level = measure(np.concatenate([data for data, _, _ in blocks]), self.current_offset())
        self.latest_level = level
        if self.on_level is not None:
            self.on_level(level)
        return True

    def _fail(self, kind: ErrorKind, exc: OSError | None) -> None:
        kept = self.current_offset()
        where = f"{int(kept // 60)} min {int(kept % 60):02d} s" if kept >= 60 else f"{kept:.1f} s"
        if kind == "disk_full":
            message = (
                f"The disk is full: recording stopped after {where}; everything up to then is kept in "
                f"{self.path}. Free disk space (or choose another project folder) and start a new recording."
            )
        elif kind == "device_lost":
            message = (
                f"The microphone stopped delivering audio: recording stopped after {where}; everything "
                f"up to then is kept in {self.path}. Check the microphone's cable/USB connection, then "
                "start a new recording."
            )
        else:
            message = (
                f"Writing the recording failed ({exc}); recording stopped after {where}; what was written is "
                f"kept in {self.path}. Check the disk, then start a new recording."
            )
        self.error = RecorderError(kind, message, kept)
        self.state = "failed"
        self._close_stream(abort=True)
        if self.on_error is not None:
            self.on_error(self.error)
