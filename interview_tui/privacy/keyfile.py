"""The identity key: a separate file linking participant codes to names and contact details.

Norwegian research-data rules (and GDPR pseudonymisation) want the linking
key stored apart from the data, so it lives in its own JSON file whose path
is chosen by the researcher (`--key-file`, `$INTERVIEW_TUI_KEY_FILE` or the
project setting `privacy.key_file`), meant for another disk or an encrypted
folder, and never inside the project folder.  The database, file names,
transcripts and exports hold codes only.

Writes are atomic (temporary file, fsync, rename); a removed entry's old file
is overwritten with zeros before it is replaced, as far as the file system
lets that reach the disk (not on SSD wear levelling or copy-on-write).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from interview_tui.domain.safe_text import UnsafeTextError, check_text
from interview_tui.fileio import fsync_dir

KEY_FILE_ENV = "INTERVIEW_TUI_KEY_FILE"
#: settings-table key holding the project's key file path.
SETTING_KEY = "privacy.key_file"
FORMAT = "interview-tui identity key"


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable, malformed or in the wrong place; the message says what to do."""


@dataclass(frozen=True)
class KeyEntry:
    """One participant's identity: who they are and how to reach them."""

    code: str
    name: str
    contact: str | None
    added_at: str


def resolve_key_path(explicit: str | os.PathLike[str] | None, setting: str | None) -> Path | None:
    """The key file: `--key-file`, else `$INTERVIEW_TUI_KEY_FILE`, else the project setting; None if none."""
    chosen = explicit or os.environ.get(KEY_FILE_ENV) or setting
    return Path(chosen).expanduser().resolve() if chosen else None


def check_apart(key_path: Path, project_root: Path) -> None:
    """Refuse a key file inside the project folder: the key must be stored apart from the data."""
    key_path, root = Path(key_path).resolve(), Path(project_root).resolve()
    if key_path == root or root in key_path.parents:
        raise KeyFileError(
            f"the key file {key_path} is inside the project folder {root}; the identity key must be stored "
            "apart from the data: choose a path on another disk or folder (--key-file or "
            f"${KEY_FILE_ENV})"
        )


class KeyFile:
    """The key file at `path` (it need not exist yet)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.is_file()

    def load(self) -> dict[str, KeyEntry]:
        """Every entry by code; empty when the file does not exist yet."""
        if not self.path.exists():
            return {}
        try:
            raw = self.path.read_text("utf-8")
        except OSError as exc:
            raise KeyFileError(f"cannot read the key file {self.path}: {exc.strerror or exc}") from exc
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise KeyFileError(
                f"{self.path}:{exc.lineno}:{exc.colno}: not a valid key file ({exc.msg}); restore it from "
                "your backup"
            ) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("participants"), dict):
            raise KeyFileError(f"{self.path}: not an interview-tui key file (no '{FORMAT}' format marker)")
        out = {}
        for code, item in data["participants"].items():
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise KeyFileError(f"{self.path}: entry {code} has no name; fix or remove that entry")
            out[code] = KeyEntry(code, item["name"], item.get("contact"), item.get("added_at", ""))
        return out

    def get(self, code: str) -> KeyEntry | None:
        """The entry for `code`, or None."""
        return self.load().get(code)

    def add(self, code: str, name: str, contact: str | None = None) -> KeyEntry:
        """Add or replace the entry for `code`; returns it."""
        if not name.strip():
            raise KeyFileError("name: must not be empty")
        try:
            check_text(name.strip(), "name")
            check_text((contact or "").strip(), "contact")
        except UnsafeTextError as err:
            raise KeyFileError(str(err)) from None
        entries = self.load()
        replacing = code in entries
        entry = KeyEntry(code, name.strip(), (contact or "").strip() or None,
                         datetime.now(timezone.utc).isoformat(timespec="seconds"))
        entries[code] = entry
        self._save(entries, scrub=replacing)
        return entry

    def remove(self, code: str) -> bool:
        """Remove `code`'s entry (scrubbing the old file); False when there was none."""
        entries = self.load()
        if entries.pop(code, None) is None:
            return False
        self._save(entries, scrub=True)
        return True

    def delete(self) -> bool:
        """Scrub and delete the whole key file (end of project); False when it did not exist."""
        if not self.path.exists():
            return False
        _scrub(self.path)
        self.path.unlink()
        fsync_dir(self.path.parent)
        return True

    def _save(self, entries: dict[str, KeyEntry], scrub: bool) -> None:
        data = {
            "format": FORMAT,
            "version": 1,
            "participants": {c: {k: v for k, v in asdict(e).items() if k != "code"} for c, e in sorted(entries.items())},
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".key-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, ensure_ascii=False, indent=1)
                    f.write("\n")
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, 0o600)  # only the researcher's account may read names
                if scrub and self.path.exists():
                    _scrub(self.path)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            fsync_dir(self.path.parent)
        except OSError as exc:
            raise KeyFileError(
                f"cannot write the key file {self.path}: {exc.strerror or exc}; check the disk is mounted and writable"
            ) from exc


def _scrub(path: Path) -> None:
    """Overwrite a file's bytes with zeros in place and sync (best effort against later recovery)."""
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.write(b"\0" * size)
        f.flush()
        os.fsync(f.fileno())


