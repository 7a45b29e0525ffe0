"""The audit log: an append-only record of who did what to which participant code.

Details are JSON and must never hold identifying values (names, answers):
participant codes, field ids, counts and versions only.  There is no update or
delete here on purpose.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from interview_tui.storage.db import utcnow


def log(
    db: Database,
    action: str,
    *,
    actor: str | None = None,
    participant_code: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one entry; returns its id.

    Inside a caller's transaction the entry commits (or rolls back) with it,
    so an action and its log entry never disagree; otherwise it commits now.
    """
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO audit_log (at, actor, action, participant_code, details) VALUES (?, ?, ?, ?, ?)",
            [
                utcnow(),
                actor,
                action,
                participant_code,
                json.dumps(details, sort_keys=True, ensure_ascii=False) if details is not None else None,
            ],
        )
        return int(cursor.lastrowid)


def entries(db: Database, *, participant_code: str | None = None, action: str | None = None) -> list[dict]:
    """Log entries in order, optionally for one participant code or action; details decoded."""
    where, params = [], []
    if participant_code is not None:
        where.append("participant_code = ?")
        params.append(participant_code)
    if action is not None:
        where.append("action = ?")
        params.append(action)
    sql = "SELECT id, at, actor, action, participant_code, details FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.execute(sql + " ORDER BY id", params).fetchall()
    return [
        dict(id=r[0], at=r[1], actor=r[2], action=r[3], participant_code=r[4], details=json.loads(r[5]) if r[5] else None)
        for r in rows
    ]
