"""Erasing a withdrawn participant from exports made before they withdrew.

Every export leaves an `export.made` audit entry naming its format, output
path, participant codes and each file written with its sha256.  This module
finds the entries that list a code and removes what that export wrote for it:

- folder: the files of the participant's folder, and its entries in `manifest.json`;
- maxqda / nvivo / docx: the participant's files and their `versions.txt` lines;
- qdpx, methods reports, demographic summaries: the whole file (it mixes everyone's
  data, so it cannot be trimmed; the caller tells the user to export again);
- clips and transcript files written with `--out`: every file (each entry is one participant's).

Only a file whose bytes still have the checksum the export recorded is deleted or
edited: a file the user changed or put at that path since, an export made before
checksums were kept, or one inside another project folder is left alone and
reported (path and why), for the user to handle.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from interview_tui.config import DB_NAME
from interview_tui.export.folder import MANIFEST
from interview_tui.export.log import AUDIT_ACTION, EDITED_ACTION, log_edit, resolve_stored
from interview_tui.fileio import sha256_file
from interview_tui.outputs import Written, real
from interview_tui.storage import audit

VERSIONS = "versions.txt"
#: Formats with one file or folder per participant plus a shared list; all others mix everyone.
_PER_PARTICIPANT = {"folder", "maxqda", "nvivo", "docx"}
#: Outputs logged per participant (clips, transcript files): every file is theirs alone.
_OWN = {"clips", "transcripts"}


@dataclass
class Erased:
    """What was removed, which whole-study exports must be made again, and what was left for the user."""

    removed: list[Path] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)
    #: whole-study files deleted (qdpx, methods reports): export them again without the participant.
    redo: list[Path] = field(default_factory=list)
    #: files that may hold the participant but are not provably this project's export: (path, why).
    left: list[tuple[Path, str]] = field(default_factory=list)
    #: export files rewritten (versions.txt, manifest.json) with their new sha256: `log` records them.
    rewritten: list[Written] = field(default_factory=list)

    def log(self, db: Database, root: Path, *, actor: str | None) -> None:
        """Record the rewritten files' new checksums (in the caller's transaction), so the next withdrawal
        still trusts them."""
        if self.rewritten:
            log_edit(db, self.rewritten, root, actor=actor)


def _stem_pattern(code: str) -> re.Pattern[str]:
    # CODE.ext or CODE-2.ext (several recordings), never P010 for P01.
    return re.compile(rf"^{re.escape(code)}(-\d+)?\..+$")


def _other_project(path: Path, root: Path) -> Path | None:
    """The folder of another interview-tui project that holds `path`, if any."""
    own = real(root)
    for folder in real(path).parents:
        if folder == own:
            return None
        if (folder / DB_NAME).is_file():
            return folder
    return None


class _Eraser:
    def __init__(self, db: Database, code: str, root: Path) -> None:
        self.db, self.code, self.root = db, code, root
        self.erased = Erased()
        self.sums: dict[str, str] = {}
        self._seen: set[Path] = set()

    def _leave(self, path: Path, why: str) -> None:
        if path not in self._seen:
            self._seen.add(path)
            self.erased.left.append((path, why))

    def _provable(self, stored: str) -> Path | None:
        """The file at `stored` when it still is exactly what an export wrote; else None (and reported)."""
        path = resolve_stored(stored, self.root)
        if not os.path.lexists(path) or path in self._seen:
            return None
        other = _other_project(path, self.root) if Path(stored).is_absolute() else None
        if other is not None:
            self._leave(path, f"inside another project folder ({other}); withdraw the participant there")
            return None
        if path.is_symlink() or not path.is_file():
            self._leave(path, "no longer the file the export wrote (now a link or folder)")
            return None
        try:
            same = sha256_file(path) == self.sums.get(stored)
        except OSError as exc:
            self._leave(path, f"cannot be read ({exc.strerror or exc})")
            return None
        if not same:
            self._leave(path, "changed since the export wrote it (checksum differs); check it and delete "
                              f"{self.code}'s data by hand")
            return None
        return path

    def _delete(self, path: Path, *, redo: bool = False) -> None:
        try:
            path.unlink()
        except OSError as exc:
            self._leave(path, f"could not be deleted ({exc.strerror or exc})")
            return
        self._seen.add(path)
        self.erased.removed.append(path)
        if redo:
            self.erased.redo.append(path)

    def _rewrite(self, path: Path, stored: str, text: str, **kw: str) -> None:
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(text, **kw)  # type: ignore[arg-type]
        os.replace(tmp, path)
        self.erased.edited.append(path)
        self.erased.rewritten.append(Written(path, sha256_file(path)))
        self.sums[stored] = self.erased.rewritten[-1].sha256  # still provably ours for the next export's entry

    def _trim_versions(self, path: Path, stored: str) -> None:
        text = path.read_text("utf-8-sig")
        kept = [line for line in text.splitlines() if line.split("\t")[1:2] != [self.code]]
        if len(kept) != len(text.splitlines()):
            self._rewrite(path, stored, "\n".join(kept) + "\n", encoding="utf-8-sig", newline="\r\n")

    def _trim_manifest(self, path: Path, stored: str) -> None:
        data = json.loads(path.read_text("utf-8"))
        data.get("participants", {}).pop(self.code, None)
        data["files"] = [f for f in data.get("files", []) if not f["path"].startswith(f"{self.code}/")]
        self._rewrite(path, stored, json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    def entry(self, details: dict) -> None:
        fmt = details.get("format", "")
        if fmt == "codebook":  # the guide alone: nothing about anyone
            return
        out = resolve_stored(details["out"], self.root)
        files = details.get("files")
        if files is None:  # written before checksums were kept: nothing proves what sits there now
            if os.path.lexists(out):
                self._leave(out, "exported before checksums were recorded; check it and remove "
                                 f"{self.code}'s data by hand")
            return
        pattern = _stem_pattern(self.code)
        folders: set[Path] = set()
        for record in files:
            stored = record["path"]
            path = resolve_stored(stored, self.root)
            try:
                rel = path.relative_to(out)
            except ValueError:
                rel = Path(path.name)
            if fmt not in _PER_PARTICIPANT:
                if (found := self._provable(stored)) is not None:
                    self._delete(found, redo=fmt not in _OWN)
                continue
            mine = rel.parts[:1] == (self.code,) if fmt == "folder" else bool(pattern.match(path.name))
            if mine:
                if (found := self._provable(stored)) is not None:
                    self._delete(found)
                    folders.update(p for p in found.parents if p != out and out in p.parents)
            elif path.name in (VERSIONS, MANIFEST):
                if (found := self._provable(stored)) is not None:
                    (self._trim_manifest if path.name == MANIFEST else self._trim_versions)(found, stored)
            elif path.name.endswith((VERSIONS + ".age", MANIFEST + ".age")) and os.path.lexists(path):
                self._leave(path, f"an encrypted list that names {self.code}; export again to replace it")
        for folder in sorted(folders, key=lambda p: -len(p.parts)):
            try:
                folder.rmdir()  # only when empty: a file the user added stays (and is reported above)
                self.erased.removed.append(folder)
            except OSError:
                pass


def erase_participant_exports(db: Database, code: str, root: Path | None = None) -> Erased:
    """Remove what every earlier export provably wrote for `code` (see the module docstring).

    `root` is the project folder that relative paths in the audit trail are resolved against.
    Nothing is written to the database: call `Erased.log` in the caller's transaction.
    """
    eraser = _Eraser(db, code, Path(root) if root is not None else Path.cwd())
    entries = [e for e in audit.entries(db) if e.action in (AUDIT_ACTION, EDITED_ACTION)]
    # The latest checksum of each path first: a re-export or an earlier trim wrote it last.
    for entry in entries:
        for record in (entry.details or {}).get("files") or []:
            eraser.sums[record["path"]] = record["sha256"]
    for entry in entries:
        details = entry.details or {}
        if entry.action == AUDIT_ACTION and code in (details.get("participants") or []) and details.get("out"):
            eraser.entry(details)
    return eraser.erased
