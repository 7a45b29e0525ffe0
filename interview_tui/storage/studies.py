"""Studies: the exact study file each consent record and session was made with.

"Which study applies?" is answered here, by one rule: the exact file a session stored when it
began; where there is none (a participant, an imported recording), the latest file registered
under the participant's study slug.  A stored file is parsed once per file text (cached by its
sha256), however many callers ask.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache

from sqlite_utils import Database

from interview_tui.domain.study import Study
from interview_tui.domain.clock import now_iso


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
                now_iso(),
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


@lru_cache(maxsize=32)
def _parsed(content_hash: str, source_path: str, content: str) -> Study | None:
    from interview_tui.domain.loader import parse_study

    study, _issues = parse_study(content.encode("utf-8"), source_path)
    return study


def stored_study(row: dict | None) -> Study | None:
    """The Study a `studies` row holds, or None (no row, a study built in code, a file that no longer parses)."""
    if row is None or row["source_path"] is None:
        return None
    return _parsed(row["content_hash"], row["source_path"], row["content"])


def study_by_id(db: Database, study_id: int) -> Study | None:
    """The registered study with this row id (what a session stores), rebuilt from its exact file text."""
    return stored_study(get_study_row(db, study_id))


def load_registered_study(db: Database, slug: str) -> Study | None:
    """Rebuild the latest registered Study for `slug` from its stored file text.

    None when no study file was registered under that slug (or it was built in
    code rather than loaded from a file).
    """
    return stored_study(latest_study_row(db, slug))


def study_for_recording(db: Database, recording_id: int) -> Study | None:
    """The study a recording was made under: its session's stored file, else its participant's latest."""
    row = db.execute(
        "SELECT s.study_id, p.study_slug FROM recordings r JOIN participants p ON p.id = r.participant_id"
        " LEFT JOIN sessions s ON s.id = r.session_id WHERE r.id = ?",
        [recording_id],
    ).fetchone()
    if row is None:
        return None
    study_id, slug = row
    study = study_by_id(db, study_id) if study_id is not None else None
    return study or (load_registered_study(db, slug) if slug else None)


def participant_study_slugs(db: Database, *, include_withdrawn: bool) -> list[str]:
    """The study slugs the project's participants were enrolled under, sorted."""
    where = "" if include_withdrawn else " WHERE withdrawn_at IS NULL"
    return [r[0] for r in db.execute(f"SELECT DISTINCT study_slug FROM participants{where} ORDER BY study_slug")]
