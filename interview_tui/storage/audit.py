"""The audit log: an append-only, hash-chained record of who did what to which participant code.

Details are JSON and must never hold identifying values (names, answers):
participant codes, field ids, counts and versions only.  There is no update or
delete here on purpose, and triggers (migration m002) refuse both; each entry
also carries `hash` = sha256 over its content and the previous entry's hash
(`interview_tui.privacy.hashchain`), so an edit or deletion made around the
triggers is still found by `verify`.  After each commit the newest entry is
anchored outside the project (`interview_tui.privacy.anchor`), so `check` also
finds a trail that was emptied, cut off, or rewritten and re-hashed.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from interview_tui.privacy import anchor as anchors
from interview_tui.privacy.hashchain import GENESIS, ChainProblem, ChainResult, entry_hash, verify_chain
from interview_tui.domain.clock import now_iso
from interview_tui.storage.rows import AuditEntry

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
    own_transaction = not db.conn.in_transaction
    with db.atomic():
        cursor = db.execute(
            _INSERT,
            {
                "at": now_iso(),
                "actor": actor,
                "action": action,
                "code": participant_code,
                "details": json.dumps(details, sort_keys=True, ensure_ascii=False) if details is not None else None,
                "genesis": GENESIS,
            },
        )
        entry_id = int(cursor.lastrowid)
    if own_transaction:  # committed now; inside a caller's transaction it is anchored at the next commit point
        anchor_head(db)
    return entry_id


def entries(db: Database, *, participant_code: str | None = None, action: str | None = None) -> list[AuditEntry]:
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
        AuditEntry(id=r[0], at=r[1], actor=r[2], action=r[3], participant_code=r[4],
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


def database_path(db: Database) -> Path | None:
    """The database file behind `db`; None for an in-memory database."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


def anchor_head(db: Database) -> anchors.Anchor | None:
    """Anchor the newest committed entry outside the project, if the anchored one still holds.

    Best effort: returns None (and anchors nothing) inside an open transaction, for an
    in-memory database, when the receipt cannot be written, or when the trail no longer
    holds the anchored entry (that evidence is kept for `check` to report).
    """
    path = database_path(db)
    if path is None or db.conn.in_transaction:
        return None
    try:
        current = anchors.read_anchor(path)
        if current is not None and _stored_hash(db, current.entry_id) != current.head:
            return None
        row = db.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        if row is None or row[1] is None:
            return current
        return anchors.write_anchor(path, int(row[0]), row[1])
    except (anchors.AnchorError, sqlite3.Error):
        return None


def _stored_hash(db: Database, entry_id: int) -> str | None:
    row = db.execute("SELECT hash FROM audit_log WHERE id = ?", [entry_id]).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class AuditCheck:
    """Everything `audit verify` checked: the chain, the outside anchor, the triggers."""

    chain: ChainResult
    #: The receipt file consulted (None for an in-memory database).
    anchor_file: Path | None
    #: The anchor found before this check (None: there was none yet).
    anchor: anchors.Anchor | None
    triggers: bool
    problems: tuple[ChainProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


def check(db: Database, expect_head: str | None = None) -> AuditCheck:
    """Verify the chain, then that the entry anchored outside the project is still there, unchanged.

    A trail that was emptied, cut off before the anchored entry, or rewritten and re-hashed
    is reported even though it is a consistent chain again.  Without an anchor yet (a new
    or copied project) a trail that is empty although participants exist is reported too.
    """
    chain = verify(db, expect_head)
    problems = list(chain.problems)
    path = database_path(db)
    anchor_file = anchors.anchor_path(path) if path is not None else None
    anchor = None
    if path is not None:
        try:
            anchor = anchors.read_anchor(path)
        except anchors.AnchorError as err:
            problems.append(ChainProblem(0, str(err)))
    if anchor is not None:
        stored = _stored_hash(db, anchor.entry_id)
        if stored is None:
            problems.append(ChainProblem(anchor.entry_id, (
                f"missing: the trail has {chain.count} entries, but entry {anchor.entry_id} was anchored on "
                f"{anchor.anchored_at} (hash {anchor.head[:16]}…): entries were deleted")))
        elif stored != anchor.head:
            problems.append(ChainProblem(anchor.entry_id, (
                f"hash {(stored or '')[:16]}… differs from the one anchored on {anchor.anchored_at} "
                f"({anchor.head[:16]}…): the history up to this entry was rewritten")))
    elif chain.count == 0:
        people = db.execute("SELECT COUNT(*) FROM participants").fetchone()[0]
        if people:
            problems.append(ChainProblem(0, f"the trail is empty, but the project holds {people} participant(s), "
                                            "each of which was logged when added: entries were deleted"))
    return AuditCheck(chain, anchor_file, anchor, triggers_present(db), tuple(problems))


def reanchor(db: Database) -> anchors.Anchor | None:
    """Anchor the current head even though it disagrees with the old anchor (a restored backup);
    logged as `audit.reanchored` with the old and new anchored entries."""
    path = database_path(db)
    if path is None:
        return None
    try:
        old = anchors.read_anchor(path)
    except anchors.AnchorError:
        old = None
    entry_id = log(db, "audit.reanchored", details={
        "old_entry": old.entry_id if old else None, "old_head": old.head if old else None})
    return anchors.write_anchor(path, entry_id, _stored_hash(db, entry_id) or "", force=True)
