"""Small file-system helpers shared by recording, encryption, the key file and withdrawal."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make new entries and renames in `folder` durable (they must survive a power cut too)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
