"""Crash-safe WAV files: size fields kept current while writing, and repair afterwards.

Why WAV: 16-bit PCM needs no encoder state, so every byte on disk is audio
that can be read back even when the process dies mid-write; the only thing a
crash can leave wrong are the two size fields in the header, which `repair`
recomputes from the file length.  The stdlib `wave` writer rewrites those
fields after every `writeframes`, and `CrashSafeWavWriter` fsyncs about once
a second, so a `kill -9` loses only what was still queued in memory (well
under a second) and a power cut at most the last fsync interval.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import struct
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from interview_tui.fileio import fsync_dir

#: Largest data chunk a RIFF/WAV header can describe (4 GiB minus the header).
MAX_DATA_BYTES = 0xFFFFFFFF - 36


class WavRepairError(RuntimeError):
    """A WAV file cannot be repaired (not a WAV file, or no audio at all)."""


class CrashSafeWavWriter:
    """16-bit PCM WAV writer whose header always describes what was written; fsyncs periodically."""

    def __init__(self, path: Path, samplerate: int, channels: int, fsync_interval_s: float = 1.0) -> None:
        self.path = Path(path)
        self.samplerate = samplerate
        self.channels = channels
        self.fsync_interval_s = fsync_interval_s
        # "xb": never overwrite an existing recording.
        self._file: BinaryIO = open(self.path, "xb")
        # Held while recording so that recovery never touches a file another process still writes;
        # the kernel drops it when the process dies, even by SIGKILL.
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._wav = wave.open(self._file, "wb")
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(samplerate)
        self._wav.writeframes(b"")  # write the header now, so even an empty file is a valid WAV
        self.frames_written = 0
        self._last_sync = time.monotonic()
        self.sync()
        fsync_dir(self.path.parent)  # the new directory entry must survive a power cut too

    @property
    def bytes_per_frame(self) -> int:
        return 2 * self.channels

    def write(self, pcm: bytes) -> None:
        """Append interleaved int16 frames; `wave` rewrites the size fields after each call."""
        if len(pcm) % self.bytes_per_frame:
            raise ValueError("partial frame")
        self._wav.writeframes(pcm)
        self.frames_written += len(pcm) // self.bytes_per_frame
        if time.monotonic() - self._last_sync >= self.fsync_interval_s:
            self.sync()

    def sync(self) -> None:
        """Push the file's data and header to the disk."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._last_sync = time.monotonic()

    def close(self) -> None:
        """Finish the header and close; safe to call twice and after a write error."""
        if self._file.closed:
            return
        try:
            self._wav.close()  # patches the header (in place: needs no free space)
            self.sync()
        finally:
            self._file.close()




@dataclass(frozen=True)
class WavLayout:
    """Where a WAV file's audio is, and what the header claims versus what the file holds."""

    samplerate: int
    channels: int
    sampwidth: int
    data_offset: int
    header_data_bytes: int
    file_bytes: int

    @property
    def block_align(self) -> int:
        return self.channels * self.sampwidth

    @property
    def available_data_bytes(self) -> int:
        """Whole frames actually on disk after the data chunk's start."""
        raw = max(0, self.file_bytes - self.data_offset)
        raw = min(raw, MAX_DATA_BYTES)
        return raw - raw % self.block_align

    @property
    def frames(self) -> int:
        return self.available_data_bytes // self.block_align

    @property
    def header_ok(self) -> bool:
        return self.header_data_bytes == self.available_data_bytes


def inspect_wav(path: Path) -> WavLayout:
    """Read a (possibly unfinished) PCM WAV file's header without trusting its size fields."""
    path = Path(path)
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise WavRepairError(f"{path}: not a WAV file (no RIFF/WAVE header)")
        fmt: tuple[int, int, int, int] | None = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                raise WavRepairError(f"{path}: no data chunk; the recording holds no audio")
            cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if cid == b"fmt ":
                body = f.read(csize)
                tag, channels, rate, _byterate, _align, bits = struct.unpack("<HHIIHH", body[:16])
                if tag != 1 or bits != 16:
                    raise WavRepairError(f"{path}: only 16-bit PCM WAV can be repaired (format {tag}, {bits} bit)")
                fmt = (channels, rate, bits // 8, csize)
                f.seek(csize % 2, os.SEEK_CUR)
            elif cid == b"data":
                if fmt is None:
                    raise WavRepairError(f"{path}: data chunk before fmt chunk")
                return WavLayout(
                    samplerate=fmt[1], channels=fmt[0], sampwidth=fmt[2],
                    data_offset=f.tell(), header_data_bytes=csize, file_bytes=size,
                )
            else:
                f.seek(csize + csize % 2, os.SEEK_CUR)


def data_sha256(path: Path, layout: WavLayout) -> str:
    """sha256 of the audio bytes (whole frames) of a WAV file, header excluded."""
    digest = hashlib.sha256()
    remaining = layout.available_data_bytes
    with open(path, "rb") as f:
        f.seek(layout.data_offset)
        while remaining:
            block = f.read(min(remaining, 1 << 20))
            if not block:
                break
            digest.update(block)
            remaining -= len(block)
    return digest.hexdigest()


def write_repaired_copy(src: Path, dst: Path) -> WavLayout:
    """Write `dst`: a valid WAV with every whole frame of `src`; `src` is only read.

    Returns the layout of `src`.  The copy is fsynced before returning.
    """
    layout = inspect_wav(src)
    with open(dst, "xb") as out:
        with wave.open(out, "wb") as w:
            w.setnchannels(layout.channels)
            w.setsampwidth(layout.sampwidth)
            w.setframerate(layout.samplerate)
            remaining = layout.available_data_bytes
            with open(src, "rb") as f:
                f.seek(layout.data_offset)
                while remaining:
                    block = f.read(min(remaining, 1 << 20))
                    if not block:
                        break
                    w.writeframesraw(block)
                    remaining -= len(block)
        out.flush()
        os.fsync(out.fileno())
    return layout


def verify_copy(copy: Path, expected_frames: int, expected_data_sha256: str) -> None:
    """Check a repaired copy reads back (soundfile/libsndfile) with the expected frames and audio bytes."""
    import soundfile

    info = soundfile.info(str(copy))
    if info.frames != expected_frames:
        raise WavRepairError(f"{copy}: repaired copy has {info.frames} frames, expected {expected_frames}")
    layout = inspect_wav(copy)
    if not layout.header_ok:
        raise WavRepairError(f"{copy}: repaired copy's header does not match its length")
    if data_sha256(copy, layout) != expected_data_sha256:
        raise WavRepairError(f"{copy}: repaired copy's audio differs from the original's")


