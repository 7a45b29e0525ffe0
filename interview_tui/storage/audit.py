"""The audit log: an append-only, hash-chained record of who did what to which participant code.

Details are JSON and must never hold identifying values (names, answers):
participant codes, field ids, counts and versions only.  There is no update or
delete here on purpose, and triggers (migration m002) refuse both; each entry
also carries `hash` = sha256 over its content and the previous entry's hash
(`interview_tui.privacy.hashchain`), so an edit or deletion made around the
triggers is still found by `verify`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from interview_tui.privacy.hashchain import GENESIS, ChainResult, entry_hash, verify_chain
from interview_tui.storage.db import utcnow

# One statement reads the chain's head and appends, so two processes logging at
# once serialise on SQLite's write lock instead of both linking to the same head.
_INSERT = """
INSERT INTO audit_log (id, at, actor, action, participant_code, details, prev_hash, hash)
SELECT n.id, :at, :actor, :action, :code, :details, n.prev,
       audit_entry_hash(n.id, :at, :actor, :action, :code, :details, n.prev)
FROM (
    SELECT COALESCE((SELECT MAX(id) FROM audit_log), 0) + 1 AS id,
           COALESCE((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), :genesis) AS prev
) AS n
"""


def _register(db: Database) -> None:
    db.conn.create_function("audit_entry_hash", 7, entry_hash, deterministic=True)


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
    _register(db)
    with db.atomic():
        cursor = db.execute(
            _INSERT,
            {
                "at": utcnow(),
                "actor": actor,
                "action": action,
                "code": participant_code,
                "details": json.dumps(details, sort_keys=True, ensure_ascii=False) if details is not None else None,
                "genesis": GENESIS,
            },
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
    sql = "SELECT id, at, actor, action, participant_code, details, hash FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.execute(sql + " ORDER BY id", params).fetchall()
    return [
        dict(id=r[0], at=r[1], actor=r[2], action=r[3], participant_code=r[4],
             details=json.loads(r[5]) if r[5] else None, hash=r[6])
        for r in rows
    ]


def verify(db: Database, expect_head: str | None = None) -> ChainResult:
    """Recompute the hash chain over every entry (see `privacy.hashchain.verify_chain`)."""
    rows = db.execute(
        "SELECT id, at, actor, action, participant_code, details, prev_hash, hash FROM audit_log ORDER BY id"
    )
    return verify_chain(rows, expect_head)


def triggers_present(db: Database) -> bool:
    """True when both append-only triggers exist (someone with file access can drop them)."""
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")}
    return {"audit_log_no_update", "audit_log_no_delete"} <= names
