"""Playing a recording back for transcript review: play/pause, segments, steps, slower speech.

Threads: the owner's thread calls `Player` methods; each play run has its own thread that
reads the file in chunks (soundfile, so a 75-minute recording is never held in memory),
slows a chunk down with FFmpeg's `atempo` filter when asked (pitch kept), and writes blocks
to a `sounddevice.OutputStream`.  Callbacks (`on_position`, `on_heard`, `on_state`) run on
that thread; a UI hands them to its own thread (Textual: post_message).  Seeking, stepping
or changing speed while playing restarts the run at the new place.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from interview_tui.audio.devices import AudioDeviceError, sounddevice_module
from interview_tui.domain.pieces import Piece, spans_in, timeline_end
from interview_tui.privacy.segments import encrypted_recording_message

SPEEDS = (1.0, 0.75, 0.5)
#: Files soundfile reads in pieces; anything else is converted to WAV once by FFmpeg.
_DIRECT = {".wav", ".flac", ".ogg", ".aiff", ".aif"}


class PlaybackError(RuntimeError):
    """The audio cannot be played (missing file, no output device, FFmpeg failed); message says what to do."""


@dataclass(frozen=True)
class OutputDevice:
    """One PortAudio device that can play."""

    index: int
    name: str
    max_output_channels: int
    is_default: bool = False


def list_output_devices() -> list[OutputDevice]:
    """All devices with at least one output channel, the system default marked."""
    sd = sounddevice_module()
    default_out = sd.default.device[1]
    return [
        OutputDevice(d["index"], d["name"], d["max_output_channels"], d["index"] == default_out)
        for d in sd.query_devices()
        if d["max_output_channels"] > 0
    ]


#: Environment variable, then project setting, naming the output device for review playback.
OUTPUT_DEVICE_ENV = "INTERVIEW_TUI_OUTPUT_DEVICE"
OUTPUT_DEVICE_KEY = "audio.output_device"


def chosen_output_device(setting: str | None) -> int | None:
    """The output device for playback: `$INTERVIEW_TUI_OUTPUT_DEVICE`, else the project's setting, else the default."""
    import os

    return resolve_output_device(os.environ.get(OUTPUT_DEVICE_ENV) or setting)


def resolve_output_device(spec: str | int | None) -> int | None:
    """The PortAudio index for `spec` (index, exact name or unique part of one); None = the system default."""
    if spec is None or str(spec).strip() == "":
        return None
    devices = list_output_devices()
    text = str(spec).strip()
    for d in devices:
        if (text.isdigit() and d.index == int(text)) or d.name == text:
            return d.index
    partial = [d for d in devices if text.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0].index
    names = "; ".join(f"[{d.index}] {d.name}" for d in devices) or "none"
    raise AudioDeviceError(f"Output device {text!r} {'is ambiguous' if partial else 'not found'}. Outputs: {names}.")


def stretch(samples: np.ndarray, rate: int, speed: float) -> np.ndarray:
    """`samples` (float32 mono) played at `speed` (0.5..2) with the pitch kept, by FFmpeg's atempo filter."""
    if speed == 1.0 or not len(samples):
        return samples
    if shutil.which("ffmpeg") is None:
        raise PlaybackError("slower playback needs FFmpeg (apt-get install ffmpeg)")
    fmt = ["-f", "f32le", "-ar", str(rate), "-ac", "1"]
    proc = subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", *fmt, "-i", "pipe:0", "-af", f"atempo={speed}", *fmt, "pipe:1"],
        input=np.ascontiguousarray(samples, dtype="<f4").tobytes(), capture_output=True, check=False,
    )
    if proc.returncode != 0:
        raise PlaybackError(f"FFmpeg could not slow the audio down: {proc.stderr.decode(errors='replace').strip()}")
    return np.frombuffer(proc.stdout, dtype="<f4").copy()


class AudioSource:
    """A recording read in pieces as float32 mono at its own sample rate."""

    def __init__(self, path: str | Path) -> None:
        import soundfile as sf

        self.path = Path(path)
        encrypted = self.path if self.path.name.endswith(".ageseg") else self.path.with_name(self.path.name + ".ageseg")
        if encrypted.is_file() and not (self.path.is_file() and self.path != encrypted):
            raise PlaybackError(encrypted_recording_message(encrypted, "be played"))
        if not self.path.is_file():
            raise PlaybackError(f"{self.path}: the recording file is missing; restore it from a backup "
                                "(or check the project folder) to listen while reviewing")
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        readable = self.path
        if self.path.suffix.lower() not in _DIRECT:
            readable = self._to_wav()
        try:
            info = sf.info(str(readable))
        except RuntimeError as exc:
            raise PlaybackError(f"{self.path}: cannot read the audio ({exc})") from exc
        self._readable = readable
        self.samplerate = int(info.samplerate)
        self.channels = int(info.channels)
        self.frames = int(info.frames)
        self._lock = threading.Lock()
        self._file = sf.SoundFile(str(readable))

    def _to_wav(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="review-audio-")
        out = Path(self._tmp.name) / "audio.wav"
        proc = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(self.path), str(out)],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            raise PlaybackError(f"{self.path}: FFmpeg cannot decode it: {proc.stderr.decode(errors='replace').strip()}")
        return out

    @property
    def duration_s(self) -> float:
        return self.frames / self.samplerate

    def read(self, start_s: float, end_s: float) -> np.ndarray:
        """Samples in [start_s, end_s) as float32 mono (channels averaged)."""
        a = max(0, min(self.frames, int(round(start_s * self.samplerate))))
        b = max(a, min(self.frames, int(round(end_s * self.samplerate))))
        with self._lock:  # one file position, shared by the play thread and loudness scans
            self._file.seek(a)
            data = self._file.read(b - a, dtype="float32", always_2d=True)
        return data.mean(axis=1).astype(np.float32) if data.shape[1] > 1 else data[:, 0].copy()

    def frame_db(self, frame_s: float = 0.02) -> np.ndarray:
        """RMS level in dB of every `frame_s` frame of the recording, read in blocks."""
        import soundfile as sf

        frame = max(1, int(frame_s * self.samplerate))
        out = []
        for block in sf.blocks(str(self._readable), blocksize=frame * 500, dtype="float32", always_2d=True):
            mono = block.mean(axis=1)
            n = len(mono) // frame
            if n:
                rms = np.sqrt((mono[: n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(1) + 1e-12)
                out.append(20 * np.log10(rms))
        return np.concatenate(out) if out else np.zeros(0)

    def close(self) -> None:
        self._file.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def _resample(samples: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """`samples` at `to_rate` by linear interpolation (only recordings made at another rate need it)."""
    if rate == to_rate or not len(samples):
        return samples
    n = int(round(len(samples) * to_rate / rate))
    return np.interp(np.arange(n) * (rate / to_rate), np.arange(len(samples)), samples).astype(np.float32)


class ChainedSource:
    """An interview's recordings as one source on its timeline (`domain.pieces`): each file read
    where it lies, silence in the gaps between them, everything at the first file's sample rate.

    It reads like an `AudioSource`, so one `Player` plays across recordings and reports
    positions on the interview's timeline.
    """

    def __init__(self, sources: list[AudioSource], offsets: list[float]) -> None:
        if not sources or len(sources) != len(offsets):
            raise ValueError("one offset per source, and at least one source")
        self.sources = sources
        self.pieces = [Piece(o, s.duration_s) for s, o in zip(sources, offsets)]
        self.samplerate = sources[0].samplerate
        self.path = sources[0].path

    @classmethod
    def open(cls, paths: list[Path], offsets: list[float]) -> "ChainedSource":
        """Open every file (PlaybackError naming the first that cannot be played; none stays open)."""
        opened: list[AudioSource] = []
        try:
            for path in paths:
                opened.append(AudioSource(path))
        except (PlaybackError, OSError):
            for source in opened:
                source.close()
            raise
        return cls(opened, offsets)

    @property
    def duration_s(self) -> float:
        return timeline_end(self.pieces)

    def read(self, start_s: float, end_s: float) -> np.ndarray:
        """Samples of the timeline in [start_s, end_s) as float32 mono (silence between recordings)."""
        start_s, end_s = max(0.0, start_s), min(end_s, self.duration_s)
        out = np.zeros(max(0, int(round((end_s - start_s) * self.samplerate))), dtype=np.float32)
        for k, a, b in spans_in(self.pieces, start_s, end_s):
            source = self.sources[k]
            data = _resample(source.read(a, b), source.samplerate, self.samplerate)
            at = int(round((self.pieces[k].offset_s + a - start_s) * self.samplerate))
            data = data[: max(0, len(out) - at)]
            out[at:at + len(data)] = data
        return out

    def close(self) -> None:
        for source in self.sources:
            source.close()


class Player:
    """Plays an `AudioSource` (or a `ChainedSource`) to an output device; see the module docstring for threads."""

    def __init__(
        self,
        source: AudioSource | ChainedSource,
        device: int | None = None,
        *,
        on_position: Callable[[float], None] | None = None,
        on_heard: Callable[[float, float], None] | None = None,
        on_state: Callable[[bool, str | None], None] | None = None,
        block_s: float = 0.05,
        chunk_s: float = 10.0,
    ) -> None:
        self.source = source
        self.device = device
        self.on_position = on_position
        self.on_heard = on_heard
        self.on_state = on_state
        self.block_s, self.chunk_s = block_s, chunk_s
        self.speed = 1.0
        self._position = 0.0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._guard = threading.Lock()

    @property
    def position(self) -> float:
        """Seconds into the recording of what is being heard now."""
        return self._position

    @property
    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def play(self, start_s: float | None = None, stop_at: float | None = None) -> None:
        """Play from `start_s` (default: where it is) until `stop_at` or the end."""
        self._halt()
        start = self._position if start_s is None else start_s
        start = max(0.0, min(start, self.source.duration_s))
        self._position = start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(start, stop_at, self.speed, self._stop),
                                        name="review-playback", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop playing, keeping the position."""
        self._halt()

    def play_span(self, start_s: float, end_s: float) -> None:
        """Play [start_s, end_s] (a segment), then stop."""
        self.play(start_s, end_s)

    def seek(self, t: float) -> None:
        """Move to `t` seconds; keeps playing if it was."""
        t = max(0.0, min(t, self.source.duration_s))
        if self.playing:
            self.play(t)
        else:
            self._position = t
            if self.on_position:
                self.on_position(t)

    def step(self, delta_s: float) -> None:
        """Back (negative) or forward by `delta_s` seconds."""
        self.seek(self._position + delta_s)

    def set_speed(self, speed: float) -> None:
        """Playback speed (e.g. 0.75); a running play restarts at the same place."""
        if not 0.5 <= speed <= 2.0:
            raise PlaybackError(f"speed {speed} is out of range; use 0.5 to 2.0")
        self.speed = speed
        if self.playing:
            self.play(self._position)

    def next_speed(self) -> float:
        """Cycle through SPEEDS (1.0 -> 0.75 -> 0.5 -> 1.0); returns the new speed."""
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else -1
        self.set_speed(SPEEDS[(i + 1) % len(SPEEDS)])
        return self.speed

    def close(self) -> None:
        self._halt()

    def _halt(self) -> None:
        with self._guard:
            thread, self._thread = self._thread, None
            self._stop.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self, start: float, stop_at: float | None, speed: float, stop: threading.Event) -> None:
        sd = sounddevice_module()
        rate = self.source.samplerate
        end = self.source.duration_s if stop_at is None else min(stop_at, self.source.duration_s)
        heard_from = start
        error: str | None = None
        data: np.ndarray | None
        if self.on_state:
            self.on_state(True, None)
        try:
            pos = start
            chunk_end = min(end, pos + self.chunk_s)
            data = stretch(self.source.read(pos, chunk_end), rate, speed)  # ready before the stream starts
            # A deep device buffer (0.4 s) rides out a busy UI thread without underruns; positions subtract it.
            with sd.OutputStream(samplerate=rate, channels=1, dtype="float32", device=self.device,
                                 latency=0.4) as stream:
                latency = float(stream.latency)
                block = max(1, int(self.block_s * rate))
                while pos < end - 1e-6 and not stop.is_set():
                    if data is None:
                        chunk_end = min(end, pos + self.chunk_s)
                        data = stretch(self.source.read(pos, chunk_end), rate, speed)
                    span = chunk_end - pos
                    for i in range(0, len(data), block):
                        if stop.is_set():
                            break
                        stream.write(data[i:i + block].reshape(-1, 1))
                        done = min(len(data), i + block) / max(1, len(data))
                        self._position = max(start, pos + done * span - latency * speed)
                        if self.on_position:
                            self.on_position(self._position)
                    if stop.is_set():
                        break
                    if self.on_heard:  # every chunk, so a crash loses at most one chunk of progress
                        self.on_heard(heard_from, chunk_end)
                    heard_from = pos = chunk_end
                    data = None
                if stop.is_set():
                    stream.abort()  # pause now, not after the buffered audio
                else:
                    stream.stop()  # let the buffered tail play out
                    self._position = end
        except sd.PortAudioError as exc:
            error = f"cannot play on the output device ({exc}); check `interview-tui devices` or the sound settings"
        except PlaybackError as exc:
            error = str(exc)
        finally:
            if self.on_heard and self._position > heard_from:
                self.on_heard(heard_from, self._position)
            if self.on_position:
                self.on_position(self._position)
            if self.on_state:
                self.on_state(False, error)
