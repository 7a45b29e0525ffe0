"""Studies: the exact study file each consent record and session was made with."""

from __future__ import annotations

import dataclasses
import hashlib
import json

from sqlite_utils import Database

from interview_tui.domain.study import Study
from interview_tui.storage.db import utcnow


class StudyChangedError(ValueError):
    """The study file on disk no longer matches the Study that was loaded from it."""


def _content(study: Study) -> tuple[str, str]:
    """The study's exact file text and the sha256 of its bytes.

    A Study built in code (no source file) is stored as JSON of its fields so
    that it still has a stable identity.
    """
    if study.source is not None:
        data = study.source.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if study.content_hash and digest != study.content_hash:
            raise StudyChangedError(
                f"{study.source} changed on disk after it was loaded; load the study again "
                "so that the stored copy is the version actually used"
            )
        return data.decode("utf-8"), digest
    text = json.dumps(dataclasses.asdict(study), default=str, sort_keys=True, ensure_ascii=False)
    return text, study.content_hash or hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_study(db: Database, study: Study) -> int:
    """Store the study file's exact content once per (slug, content hash); returns its row id."""
    content, digest = _content(study)
    with db.atomic():
        row = db.execute(
            "SELECT id FROM studies WHERE slug = ? AND content_hash = ?", [study.id, digest]
        ).fetchone()
        if row:
            return int(row[0])
        cursor = db.execute(
            "INSERT INTO studies (slug, title, version, content_hash, source_path, content, loaded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                study.id,
                study.title,
                study.version,
                digest,
                str(study.source) if study.source else None,
                content,
                utcnow(),
            ],
        )
        return int(cursor.lastrowid)


def get_study_row(db: Database, study_id: int) -> dict | None:
    """The stored row of a registered study (with its exact content), or None."""
    rows = list(db.query("SELECT * FROM studies WHERE id = ?", [study_id]))
    return rows[0] if rows else None


def latest_study_row(db: Database, slug: str) -> dict | None:
    """The most recently registered version of the study with this slug, or None."""
    rows = list(db.query("SELECT * FROM studies WHERE slug = ? ORDER BY id DESC LIMIT 1", [slug]))
    return rows[0] if rows else None


def load_registered_study(db: Database, slug: str) -> Study | None:
    """Rebuild the latest registered Study for `slug` from its stored file text.

    None when no study file was registered under that slug (or it was built in
    code rather than loaded from a file).
    """
    row = latest_study_row(db, slug)
    if row is None or row["source_path"] is None:
        return None
    from interview_tui.domain.loader import parse_study

    study, _issues = parse_study(row["content"].encode("utf-8"), row["source_path"])
    return study
