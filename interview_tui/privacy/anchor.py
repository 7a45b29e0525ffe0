"""The audit trail's anchor: its latest head, kept in a receipt file outside the project.

The hash chain alone shows edits and gaps, but not a trail that was cut off, emptied, or
rewritten and re-hashed from the start: all of those are again a consistent chain.  So each
time entries are committed, the newest entry's id and hash are written to a small receipt
file in the user's state folder (`$INTERVIEW_TUI_STATE_DIR`, else
`$XDG_STATE_HOME/interview-tui`, else `~/.local/state/interview-tui`), one per database.
`audit verify` then requires that entry to be in the trail with that very hash.

The receipt is a lower bound: it may lag a few entries behind (entries logged inside a
transaction are anchored at the next commit point), but it never names an entry that was
not committed.  Someone who can edit files in the user's account can also edit the receipt;
it guards against changes made to the project folder (a copied, restored or hand-edited
database), not against that account.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from interview_tui.fileio import fsync_dir

STATE_DIR_ENV = "INTERVIEW_TUI_STATE_DIR"
FORMAT = "interview-tui audit anchor"


class AnchorError(RuntimeError):
    """The receipt file cannot be read or written; the message says which file and why."""


@dataclass(frozen=True)
class Anchor:
    """An audit entry known to have been committed: its id and hash, and when it was anchored."""

    database: str
    entry_id: int
    head: str
    anchored_at: str


def state_dir() -> Path:
    """Where receipts live: `$INTERVIEW_TUI_STATE_DIR`, else the XDG state folder."""
    chosen = os.environ.get(STATE_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "interview-tui"


def anchor_path(database: str | os.PathLike[str]) -> Path:
    """The receipt file for the database at this (resolved) path."""
    resolved = str(Path(database).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:32]
    return state_dir() / "audit-anchors" / f"{digest}.json"


def read_anchor(database: str | os.PathLike[str]) -> Anchor | None:
    """The database's anchor, or None when none was written yet; `AnchorError` when it is unreadable."""
    path = anchor_path(database)
    try:
        raw = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorError(f"cannot read the audit anchor {path}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError("no format marker")
        return Anchor(str(data["database"]), int(data["entry_id"]), str(data["head"]), str(data["anchored_at"]))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AnchorError(f"the audit anchor {path} is damaged ({exc}); it was edited or cut short") from exc


def write_anchor(database: str | os.PathLike[str], entry_id: int, head: str, *, force: bool = False) -> Anchor:
    """Record entry `entry_id` with hash `head` as committed (atomic, private to the user).

    An anchor never moves back to an older entry, and a damaged receipt is not replaced
    (`AnchorError`), unless `force`: a deliberate re-anchor after the user restored the
    database from a backup.  The caller checks that the old anchor still holds first.
    """
    path = anchor_path(database)
    current = None if force else read_anchor(database)
    if current is not None and current.entry_id >= entry_id:
        return current
    anchor = Anchor(str(Path(database).resolve()), entry_id, head,
                    datetime.now(timezone.utc).isoformat(timespec="seconds"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".anchor-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"format": FORMAT, **asdict(anchor)}, f, indent=1)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_dir(path.parent)
    except OSError as exc:
        raise AnchorError(f"cannot write the audit anchor {path}: {exc.strerror or exc}") from exc
    return anchor


__all__ = ["STATE_DIR_ENV", "Anchor", "AnchorError", "anchor_path", "read_anchor", "state_dir", "write_anchor"]
