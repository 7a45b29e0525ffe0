"""Erasing a withdrawn participant from exports made before they withdrew.

Every export writes an `export.made` audit entry naming its format, output
path and participant codes; this module finds the entries that list a code
and removes what that export wrote for it:

- folder: the participant's folder, and its entries in `manifest.json`;
- maxqda / nvivo / docx: the participant's files and their `versions.txt` lines;
- qdpx and methods reports: the whole file (a project or report mixes everyone's
  data, so it cannot be trimmed; the caller tells the user to export again).

Files already moved or deleted are skipped; only paths an export wrote are touched.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from interview_tui.export.attributes import MAXQDA_FILE, NVIVO_FILE
from interview_tui.export.folder import MANIFEST
from interview_tui.export.log import AUDIT_ACTION
from interview_tui.storage import audit


@dataclass
class Erased:
    """What was removed, and which whole-study exports must be made again."""

    removed: list[Path] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)
    #: whole-study files deleted (qdpx, methods reports): export them again without the participant.
    redo: list[Path] = field(default_factory=list)


def _stem_pattern(code: str) -> re.Pattern[str]:
    # CODE.ext or CODE-2.ext (several recordings), never P010 for P01.
    return re.compile(rf"^{re.escape(code)}(-\d+)?\..+$")


def _trim_versions(out: Path, code: str, erased: Erased) -> None:
    versions = out / "versions.txt"
    if not versions.is_file():
        return
    text = versions.read_text("utf-8-sig")
    kept = [line for line in text.splitlines() if line.split("\t")[1:2] != [code]]
    if len(kept) != len(text.splitlines()):
        versions.write_text("\n".join(kept) + "\n", encoding="utf-8-sig", newline="\r\n")
        erased.edited.append(versions)


def _erase_files(out: Path, code: str, erased: Erased) -> None:
    if not out.is_dir():
        return
    pattern = _stem_pattern(code)
    for path in sorted(out.iterdir()):
        if path.is_file() and pattern.match(path.name):
            path.unlink()
            erased.removed.append(path)
    _trim_versions(out, code, erased)


def _erase_folder(out: Path, code: str, erased: Erased) -> None:
    target = out / code
    if target.is_dir():
        shutil.rmtree(target)
        erased.removed.append(target)
    manifest = out / MANIFEST
    if manifest.is_file():
        data = json.loads(manifest.read_text("utf-8"))
        data.get("participants", {}).pop(code, None)
        data["files"] = [f for f in data.get("files", []) if not f["path"].startswith(f"{code}/")]
        manifest.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        erased.edited.append(manifest)


def _erase_whole(out: Path, erased: Erased) -> None:
    if out.is_file():
        out.unlink()
        erased.removed.append(out)
        erased.redo.append(out)


def erase_participant_exports(db: Database, code: str) -> Erased:
    """Remove what every earlier export wrote for `code` (see the module docstring)."""
    erased = Erased()
    for entry in audit.entries(db, action=AUDIT_ACTION):
        details = entry.get("details") or {}
        if code not in (details.get("participants") or []) or not details.get("out"):
            continue
        out = Path(details["out"])
        fmt = details.get("format", "")
        if fmt == "folder":
            _erase_folder(out, code, erased)
        elif fmt in ("maxqda", "nvivo", "docx"):
            _erase_files(out, code, erased)
        elif fmt == "attributes":  # tables of everyone's answers: deleted, to be made again
            for name in (MAXQDA_FILE, NVIVO_FILE):
                _erase_whole(out / name, erased)
        elif fmt == "codebook":  # the guide alone: nothing about anyone
            continue
        else:  # qdpx, methods-*
            _erase_whole(out, erased)
    return erased
