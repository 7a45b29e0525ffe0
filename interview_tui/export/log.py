"""The audit entry every export leaves: what was exported where, by codes and versions only.

`erase.py` reads these entries back to find a withdrawal's earlier exports.  Paths inside
the project folder are stored relative to it (so a copied project never points at the
original's files); paths outside it are absolute.  Each file's sha256 proves later that
what sits at the path is still what the export wrote.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from sqlite_utils import Database

from interview_tui.export.model import ExportProject
from interview_tui.outputs import Written
from interview_tui.storage import audit

AUDIT_ACTION = "export.made"
#: An earlier export's file rewritten by a withdrawal (versions.txt, manifest.json): its new checksum.
EDITED_ACTION = "export.edited"


def stored_path(path: Path, root: Path | None) -> str:
    """`path` as the audit trail keeps it: relative to the project `root` when inside it."""
    full = Path(os.path.realpath(path))
    if root is not None:
        base = Path(os.path.realpath(root))
        if full == base or base in full.parents:
            return full.relative_to(base).as_posix()
    return str(full)


def resolve_stored(value: str, root: Path) -> Path:
    """The file a stored path means in the project at `root` (relative ones resolve against it)."""
    path = Path(value)
    return path if path.is_absolute() else root / path


def file_records(files: Iterable[Written], root: Path | None) -> list[dict[str, str]]:
    """`[{path, sha256}]` for the audit trail."""
    return [{"path": stored_path(w.path, root), "sha256": w.sha256} for w in files]


def log_export(db: Database, fmt: str, out: Path | None, project: ExportProject | None, *, actor: str | None = None,
               files: Iterable[Written] = (), root: Path | None = None, codes: Iterable[str] = ()) -> int:
    """Append one `export.made` entry (format, output path, codes, transcript versions, files and sha256).

    `codes` names the participants of an export made without an `ExportProject` (a demographics summary).
    """
    participants = list(project.participants) if project is not None else []
    return audit.log(
        db,
        AUDIT_ACTION,
        actor=actor,
        details={
            "format": fmt,
            "out": stored_path(Path(out), root) if out is not None else None,
            "files": file_records(files, root),
            "participants": [p.code for p in participants] + [c for c in codes],
            "transcripts": [
                {"recording_id": t.recording_id, "transcript_id": t.version.transcript_id, "kind": t.version.kind,
                 "version": t.version.version}
                for p in participants
                for t in p.transcripts
            ],
        },
    )


def log_edit(db: Database, files: Iterable[Written], root: Path | None, *, actor: str | None = None) -> int:
    """Record the new checksums of export files a withdrawal rewrote (so the next one still trusts them)."""
    return audit.log(db, EDITED_ACTION, actor=actor, details={"files": file_records(files, root)})


def log_transcript_files(db: Database, outputs: Iterable[list[Path]], root: Path) -> None:
    """Transcript files of project recordings written to a folder the user chose: one entry per
    recording (its participant's code, every file's sha256), so a withdrawal finds and deletes them."""
    from interview_tui.fileio import sha256_file

    for paths in outputs:
        files = [Written(p, sha256_file(p)) for p in paths if p.is_file()]
        if files:
            code = files[0].path.name.split("-rec")[0]  # stems are CODE-recN-vK (batch.store_recording)
            log_export(db, "transcripts", files[0].path.parent, None, files=files, root=root, codes=[code])
