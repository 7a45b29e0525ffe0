"""Small file-system helpers shared by recording, encryption, the key file, withdrawal and file input."""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make new entries and renames in `folder` durable (they must survive a power cut too)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_locked(path: Path) -> bool:
    """True when a live process holds the file's exclusive `flock` (a recorder still writing it).

    The kernel drops the lock when its process dies, even by SIGKILL, so a file left
    unlocked is one nobody writes any more. A file that cannot be opened is not locked.
    """
    try:
        with open(path, "rb") as f:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    except OSError:
        return False
    return False


class InputFileError(OSError):
    """A file given as input that cannot be read as one: a device, FIFO or folder, or too large."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        #: 1-based line where reading stopped (too large); 0 when the whole file is refused.
        self.line = line


def read_input_file(path: Path, limit: int, what: str = "the file") -> bytes:
    """A regular file's bytes, refusing devices, FIFOs and sockets and anything over `limit` bytes.

    The file is opened without blocking (a FIFO nobody writes to would otherwise hang
    the open) and at most `limit + 1` bytes are read, so `/dev/zero` or a file that
    keeps growing cannot exhaust memory.  Raises `InputFileError` (or `OSError` when
    the file cannot be opened at all).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
            raise InputFileError(f"not a regular file ({kind}); give the path of {what}")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        line = data[:limit].count(b"\n") + 1
        raise InputFileError(
            f"the file is larger than {_size(limit)} (reading stopped here); {what} is never that large: "
            "check that this is the right file",
            line,
        )
    return data


def _size(n: int) -> str:
    return f"{n / (1 << 20):g} MiB" if n >= 1 << 20 else f"{n / 1024:g} KiB"
