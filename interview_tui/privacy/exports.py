"""Encrypted exports: the export is written into a memory-backed staging folder, then every file is
encrypted with age into the real target, so no plaintext export reaches a persistent disk.

A file target `all.qdpx` becomes `all.qdpx.age`; a folder target keeps its
layout with every file as `<name>.age` (each a standard age file: `age -d`
or `interview-tui decrypt-export` opens it on the analysis machine).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Sequence

import pyrage

from interview_tui.privacy.agekeys import parse_recipients

AGE_SUFFIX = ".age"
#: tmpfs on Linux: staged plaintext stays in memory (it may still be swapped out).
_MEMORY_DIR = Path("/dev/shm")


class EncryptedOutput:
    """`with EncryptedOutput(target, recipients) as staged: write(staged)` then `.written` lists the .age files."""

    def __init__(self, target: Path, recipients: Sequence[str]) -> None:
        self.target = Path(target)
        self._recipients = parse_recipients(recipients)
        self.written: list[Path] = []
        self.staging: Path | None = None

    def __enter__(self) -> Path:
        base = _MEMORY_DIR if _MEMORY_DIR.is_dir() and os.access(_MEMORY_DIR, os.W_OK) else None
        self.staging = Path(tempfile.mkdtemp(prefix="interview-tui-export-", dir=base))
        os.chmod(self.staging, 0o700)
        return self.staging / self.target.name

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        assert self.staging is not None
        try:
            if kind is None:
                self._encrypt(self.staging / self.target.name)
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _encrypt(self, staged: Path) -> None:
        if staged.is_file():
            self.written.append(self._one(staged, self.target.with_name(self.target.name + AGE_SUFFIX)))
            return
        for src in sorted(p for p in staged.rglob("*") if p.is_file()):
            dst = self.target / src.relative_to(staged)
            self.written.append(self._one(src, dst.with_name(dst.name + AGE_SUFFIX)))

    def _one(self, src: Path, dst: Path) -> Path:
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(dst.name + ".tmp")
        pyrage.encrypt_file(str(src), str(tmp), self._recipients)
        os.replace(tmp, dst)
        return dst


def decrypt_file(src: Path, dst: Path, identities: Sequence[object]) -> Path:
    """Decrypt one `.age` export file (raises `pyrage.DecryptError` for the wrong key)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    pyrage.decrypt_file(str(src), str(dst), list(identities))
    return dst
