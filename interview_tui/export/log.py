"""The audit entry every export leaves: what was exported where, by codes and versions only.

`erase.py` reads these entries back to find a withdrawn participant's earlier exports.
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from interview_tui.export.model import ExportProject
from interview_tui.storage import audit

AUDIT_ACTION = "export.made"


def log_export(db: Database, fmt: str, out: Path | None, project: ExportProject, *, actor: str | None = None) -> int:
    """Append one `export.made` entry (format, absolute output path, codes, transcript versions)."""
    return audit.log(
        db,
        AUDIT_ACTION,
        actor=actor,
        details={
            "format": fmt,
            "out": str(Path(out).resolve()) if out is not None else None,
            "participants": [p.code for p in project.participants],
            "transcripts": [
                {"recording_id": t.recording_id, "transcript_id": t.version.transcript_id, "kind": t.version.kind,
                 "version": t.version.version}
                for p in project.participants
                for t in p.transcripts
            ],
        },
    )
