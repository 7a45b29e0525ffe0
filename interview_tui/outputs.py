"""Writing a file or folder at a path the user names, without ever losing what is there.

Every command that writes where the user says (exports, reports, summaries,
keys, decrypted files, transcript files) goes through `write_output`:

- the writer fills a private staging folder next to the target (same file
  system), so a crash or a full disk never leaves half a file at the user's path;
- an existing file is refused unless `force` is given;
- the project's database (with its -wal/-shm/-journal), anything under its
  recordings folder and the identity key file are never written over, force or
  not; paths are compared after resolving symlinks and `..`;
- each finished file is moved into place with a no-clobber hard link (a file
  that appears meanwhile is not replaced), or an atomic rename with `force`.

The result lists every file written with its sha256, so a later withdrawal can
tell the export apart from whatever the user put at that path since.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from interview_tui.config import DB_NAME, Project
from interview_tui.fileio import fsync_dir, sha256_file

#: The files SQLite keeps beside the database: replacing any of them corrupts it.
DB_SUFFIXES = ("", "-wal", "-shm", "-journal")
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class OutputError(Exception):
    """A path the output must not be written to; the message says what to do instead."""


def real(path: str | os.PathLike[str]) -> Path:
    """`path` with `~`, `..` and every symlink resolved (also when it does not exist yet)."""
    return Path(os.path.realpath(Path(path).expanduser()))


@dataclass(frozen=True)
class Guard:
    """What no output may ever replace: the project's database files, its recordings, the key file."""

    database: frozenset[Path] = frozenset()
    keys: frozenset[Path] = frozenset()
    folders: frozenset[Path] = frozenset()

    @classmethod
    def for_project(cls, project: Project | None, key_file: Path | None = None) -> "Guard":
        database: set[Path] = set()
        folders: set[Path] = set()
        if project is not None:
            db = real(project.db_path)
            database |= {db.with_name(db.name + s) for s in DB_SUFFIXES}
            database |= {real(project.root / (DB_NAME + s)) for s in DB_SUFFIXES}
            folders.add(real(project.recordings_dir))
        keys = {real(key_file)} if key_file is not None else set()
        return cls(frozenset(database), frozenset(keys), frozenset(folders))

    def reason(self, path: Path) -> str | None:
        """Why `path` must not be written, or None when it may be."""
        # Both the path itself and what a symlink there points at: neither may be a protected file.
        for candidate in {real(path), real(path.parent) / path.name}:
            if candidate in self.database:
                return f"{path} is the project's database ({candidate.name})"
            if candidate in self.keys:
                return f"{path} is the identity key file"
            for folder in self.folders:
                if candidate == folder or folder in candidate.parents:
                    return f"{path} is inside the project's recordings folder ({folder})"
        return None

    def check(self, path: Path) -> None:
        """Raise `OutputError` when `path` is protected."""
        why = self.reason(path)
        if why:
            raise OutputError(f"{why}, which is never written over (not even with --force); choose another path")


@dataclass(frozen=True)
class Written:
    """One file an output put on disk, with the sha256 of the bytes written."""

    path: Path
    sha256: str


@dataclass
class Output:
    """What `write_output` wrote: the path the user named (or its `.age` twin) and every file."""

    target: Path
    files: list[Written] = field(default_factory=list)


def _staged_files(staging: Path) -> list[Path]:
    return sorted(p for p in staging.rglob("*") if p.is_file() or p.is_symlink())


def _collisions(staging: Path, parent: Path, files: Iterable[Path], guard: Guard, force: bool) -> None:
    existing: list[Path] = []
    for src in files:
        dst = parent / src.relative_to(staging)
        guard.check(dst)
        if dst.is_dir() and not dst.is_symlink():
            raise OutputError(f"{dst} is a folder; choose another path")
        if os.path.lexists(dst):
            existing.append(dst)
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:3]) + (f" and {len(existing) - 3} more" if len(existing) > 3 else "")
        raise OutputError(
            f"{shown} already exist{'s' if len(existing) == 1 else ''}; nothing was written. "
            "Choose a new path, or pass --force to replace them"
        )


def _publish(src: Path, dst: Path, force: bool) -> None:
    os.chmod(src, PRIVATE_FILE)
    if force:
        os.replace(src, dst)
        return
    try:
        os.link(src, dst)  # fails when dst exists: never replaces a file that appeared meanwhile
    except FileExistsError:
        raise OutputError(f"{dst} appeared while writing; nothing replaced it. Choose a new path or pass --force") from None
    except OSError:  # no hard links here (FAT, some network shares): check, then rename
        if os.path.lexists(dst):
            raise OutputError(f"{dst} appeared while writing; choose a new path or pass --force") from None
        os.rename(src, dst)
        return
    os.unlink(src)


def write_output(target: str | os.PathLike[str], write: Callable[[Path], object], *, guard: Guard,
                 force: bool = False, before_publish: Callable[[], object] | None = None) -> Output:
    """Let `write(staged)` build the output at a staged twin of `target`, then move it into place.

    `write` may make a file or a folder (and may add a suffix, as encryption adds `.age`).
    Raises `OutputError` (protected path, existing file without `force`) before anything
    reaches the user's folder; the staging folder is always removed.  `before_publish` runs
    once the output is complete and allowed, just before it is moved in.
    """
    target = Path(target).expanduser().absolute()
    guard.check(target)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    except OSError as err:
        raise OutputError(f"cannot create the folder {parent}: {err.strerror or err}; check the path") from None
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name[:40]}.", suffix=".partial", dir=parent))
    try:
        write(staging / target.name)
        files = _staged_files(staging)
        _collisions(staging, parent, files, guard, force)
        done = Output(target)
        for src in files:
            dst = parent / src.relative_to(staging)
            done.files.append(Written(dst, sha256_file(src)))
        if before_publish is not None:
            before_publish()
        made: set[Path] = set()
        for src in files:
            dst = parent / src.relative_to(staging)
            for folder in reversed(dst.relative_to(parent).parents[:-1]):
                made.add(parent / folder)
                (parent / folder).mkdir(exist_ok=True, mode=PRIVATE_DIR)
            _publish(src, dst, force)
        for folder in made | {parent}:
            fsync_dir(folder)
        single = [w.path for w in done.files if w.path.parent == parent]
        if len(single) == 1 and not target.exists():
            done.target = single[0]  # an encrypted file output: OUT.age
        return done
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def private_umask() -> int:
    """New files private to the user (0600, folders 0700) from here on; returns the previous umask."""
    return os.umask(0o077)
