"""Encrypted recordings that survive a crash: a WAV stream cut into independently encrypted age files.

One age file cannot be written crash-safely: its final chunk is marked as
final, and standard tools refuse a file cut off before that chunk.  So an
encrypted recording (`*.wav.ageseg`) is a *sequence of complete age files*:

    b"interview-tui age segments v1\\n"
    then, repeatedly:  4-byte big-endian length N, then N bytes = one complete age file

The plaintexts, concatenated, are a 16-bit PCM WAV file: the first segment is
its 44-byte header (size fields 0, unknown while recording), each later one
about half a second of audio (`SEAL_INTERVAL_S`), encrypted and fsynced as it
is written.  A kill loses at most the half second not yet encrypted plus what
was still queued (the same ~1 s bound as a plain recording); a cut-off last segment is
dropped by `repair_copy`.  Decryption puts the real sizes in the header, so
the result is byte for byte the WAV the plain recorder would have written.

The recording machine holds only the public key(s), so it can write and
repair but never read; `decrypt_to_wav` needs the private key.
"""

from __future__ import annotations

import fcntl
import os
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

import pyrage

from interview_tui import wav
from interview_tui.fileio import fsync_dir, sha256_file
from interview_tui.privacy.agekeys import AgeKeyError, parse_recipients

MAGIC = b"interview-tui age segments v1\n"
SUFFIX = ".wav.ageseg"
WAV_HEADER_BYTES = wav.HEADER_BYTES
_LEN = struct.Struct(">I")
#: age STREAM: 64 KiB plaintext chunks, each with a 16-byte tag; a 16-byte nonce before them.
_CHUNK, _TAG, _NONCE = 64 * 1024, 16, 16
_MAC_LINE = b"\n--- "
#: Longest stretch of audio held unencrypted in memory.  Unlike a plain WAV, pending audio is not in
#: the file at all until sealed, so half a second keeps a kill -9 within ~1 s of loss (with the capture
#: queue).  Cost per seal at 48 kHz mono: ~0.15 ms of CPU and ~290 bytes (0.6 %) of age header.
SEAL_INTERVAL_S = 0.5


class SegmentError(RuntimeError):
    """An encrypted recording is damaged, or cannot be decrypted; the message says which and what to do."""


def is_encrypted_recording(path: Path | str) -> bool:
    """True for a segmented-age recording (by name: the recording machine cannot open it)."""
    return str(path).endswith(SUFFIX)


def encrypted_recording_message(path: Path | str, action: str = "be opened") -> str:
    """Why an encrypted recording cannot `action` here, and where to decrypt it (one message for every path)."""
    name = Path(path).name
    return (
        f"recording {name} is encrypted for this study and cannot {action} on this machine; decrypt it on "
        f"the analysis machine with `interview-tui decrypt {name} --identity KEY` (KEY: the study's private key file)"
    )


def plaintext_size(age_file: bytes | memoryview) -> int:
    """How many plaintext bytes an age file holds, read from its length alone (no key needed)."""
    data = bytes(age_file[:4096]) if len(age_file) > 4096 else bytes(age_file)
    mac = data.find(_MAC_LINE)
    end = data.find(b"\n", mac + 1) if mac >= 0 else -1
    if not data.startswith(b"age-encryption.org/v1\n") or end < 0:
        raise SegmentError("segment is not an age file (no age header)")
    payload = len(age_file) - (end + 1) - _NONCE
    chunks = max(1, -(-payload // (_CHUNK + _TAG)))
    size = payload - chunks * _TAG
    if size < 0:
        raise SegmentError("segment is shorter than an age payload")
    return size


class EncryptedWavWriter:
    """Like `audio.wavfile.CrashSafeWavWriter`, but every `SEAL_INTERVAL_S` becomes one encrypted age segment.

    Same interface (`write`, `sync`, `close`, `frames_written`,
    `bytes_per_frame`); holds the same exclusive lock while recording so
    recovery leaves a live recording alone.
    """

    def __init__(
        self, path: Path, samplerate: int, channels: int, recipients: Sequence[str],
        fsync_interval_s: float = SEAL_INTERVAL_S
    ) -> None:
        self.path = Path(path)
        self.samplerate = samplerate
        self.channels = channels
        self.fsync_interval_s = fsync_interval_s
        self._recipients = parse_recipients(recipients)
        self._file: BinaryIO = open(self.path, "xb")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._pending = bytearray()
        self.frames_written = 0
        self.segments_written = 0
        self._file.write(MAGIC)
        self._seal(wav.header(samplerate, channels))
        fsync_dir(self.path.parent)

    @property
    def bytes_per_frame(self) -> int:
        return 2 * self.channels

    def write(self, pcm: bytes) -> None:
        """Append interleaved int16 frames; seals a segment once `fsync_interval_s` has passed."""
        if len(pcm) % self.bytes_per_frame:
            raise ValueError("partial frame")
        self._pending += pcm
        self.frames_written += len(pcm) // self.bytes_per_frame
        if time.monotonic() - self._last_sync >= self.fsync_interval_s:
            self.sync()

    def sync(self) -> None:
        """Encrypt what is pending as one segment and push it to the disk."""
        if self._pending:
            self._seal(bytes(self._pending))
            self._pending.clear()

    def _seal(self, plaintext: bytes) -> None:
        segment = pyrage.encrypt(plaintext, self._recipients)
        self._file.write(_LEN.pack(len(segment)) + segment)
        self._file.flush()
        os.fsync(self._file.fileno())
        self.segments_written += 1
        self._last_sync = time.monotonic()

    def close(self) -> None:
        """Seal the rest and close; safe to call twice and after a write error."""
        if self._file.closed:
            return
        try:
            self.sync()
        finally:
            self._file.close()


@dataclass(frozen=True)
class SegmentScan:
    """What an encrypted recording holds, found without the key."""

    segments: int
    complete_bytes: int  # file bytes up to the end of the last whole segment
    file_bytes: int
    plaintext_bytes: int  # WAV header + audio in the whole segments
    samplerate: int
    channels: int

    @property
    def frames(self) -> int:
        return max(0, self.plaintext_bytes - WAV_HEADER_BYTES) // (2 * self.channels)

    @property
    def duration_s(self) -> float:
        return self.frames / self.samplerate

    @property
    def intact(self) -> bool:
        return self.complete_bytes == self.file_bytes


def _segments(f: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(end offset, segment bytes) of every whole segment; stops at a cut-off one."""
    if f.read(len(MAGIC)) != MAGIC:
        raise SegmentError(f"{getattr(f, 'name', 'file')}: not an interview-tui encrypted recording")
    while True:
        head = f.read(_LEN.size)
        if len(head) < _LEN.size:
            return
        (n,) = _LEN.unpack(head)
        body = f.read(n)
        if len(body) < n:
            return
        yield f.tell(), body


def scan(path: Path, samplerate: int, channels: int) -> SegmentScan:
    """Walk the segments of `path` (the rate/channels come from the recording's row)."""
    path = Path(path)
    size = path.stat().st_size
    segments = complete = plain = 0
    with open(path, "rb") as f:
        for end, body in _segments(f):
            segments, complete = segments + 1, end
            plain += plaintext_size(body)
    if segments == 0:
        raise SegmentError(f"{path}: no complete segment; the recording holds no audio")
    return SegmentScan(segments, complete, size, plain, samplerate, channels)


def repair_copy(src: Path, dst: Path, samplerate: int, channels: int) -> SegmentScan:
    """Write `dst` with only the whole segments of `src` (`src` is only read); fsynced; returns the scan."""
    result = scan(src, samplerate, channels)
    with open(src, "rb") as f, open(dst, "xb") as out:
        remaining = result.complete_bytes
        while remaining:
            block = f.read(min(remaining, 1 << 20))
            if not block:
                break
            out.write(block)
            remaining -= len(block)
        out.flush()
        os.fsync(out.fileno())
    check = scan(dst, samplerate, channels)
    if not check.intact or check.plaintext_bytes != result.plaintext_bytes:
        raise SegmentError(f"{dst}: repaired copy does not match the whole segments of {src}")
    return result


def repair_file(path: Path, source: Path, samplerate: int, channels: int, keep_original: bool = True
                ) -> tuple[SegmentScan, Path | None]:
    """Recover an interrupted encrypted recording at `path` from `source` (`path` or its `.orig`).

    Like the plain WAV repair: a copy with only the whole segments is written
    and checked first, then the original is renamed to `*.orig` and the copy
    put in its place.  Returns the scan and the kept original (None when the
    file was already whole or `keep_original` is False).
    """
    found = scan(source, samplerate, channels)
    if source == path and found.intact:
        return found, None
    orig = path.with_name(path.name + ".orig")
    tmp = path.with_name(path.name + ".repair")
    tmp.unlink(missing_ok=True)
    try:
        repair_copy(source, tmp, samplerate, channels)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if source == path:
        os.replace(path, orig)
    os.replace(tmp, path)
    fsync_dir(path.parent)
    if keep_original:
        return found, orig
    orig.unlink()
    return found, None


@dataclass(frozen=True)
class Decrypted:
    """A decrypted recording: where, how much, and whether a cut-off tail was dropped."""

    path: Path
    frames: int
    samplerate: int
    channels: int
    sha256: str
    dropped_tail_bytes: int


def decrypt_to_wav(src: Path, dst: Path, identities: Sequence[object]) -> Decrypted:
    """Decrypt an encrypted recording into a plain WAV `dst` (not overwritten if it exists).

    Raises `SegmentError` when the key does not match or a segment is damaged.
    """
    src, dst = Path(src), Path(dst)
    size = src.stat().st_size
    complete = 0
    with open(src, "rb") as f, open(dst, "xb") as out:
        try:
            for n, (end, body) in enumerate(_segments(f)):
                try:
                    plain = pyrage.decrypt(body, list(identities))
                except pyrage.DecryptError:
                    raise SegmentError(
                        f"{src}: segment {n} cannot be decrypted: the private key does not match the study's "
                        "public key, or the file was altered"
                    ) from None
                out.write(plain)
                complete = end
            if out.tell() < WAV_HEADER_BYTES:
                raise SegmentError(f"{src}: no complete segment; the recording holds no audio")
            data_bytes = out.tell() - WAV_HEADER_BYTES
            # The header was written before the length was known: put the real sizes in.
            for offset, field in wav.size_fields(WAV_HEADER_BYTES, data_bytes):
                out.seek(offset)
                out.write(field)
            out.flush()
            os.fsync(out.fileno())
        except BaseException:
            out.close()
            dst.unlink(missing_ok=True)
            raise
    with open(dst, "rb") as f:
        channels, rate = struct.unpack("<HI", f.read(WAV_HEADER_BYTES)[22:28])
    return Decrypted(dst, data_bytes // (2 * channels), rate, channels, sha256_file(dst), size - complete)




__all__ = [
    "AgeKeyError",
    "Decrypted",
    "EncryptedWavWriter",
    "SegmentError",
    "SegmentScan",
    "decrypt_to_wav",
    "encrypted_recording_message",
    "is_encrypted_recording",
    "plaintext_size",
    "repair_copy",
    "repair_file",
    "scan",
]
