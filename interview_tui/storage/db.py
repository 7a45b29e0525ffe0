"""Opening a project database: WAL, foreign keys, migrations."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from interview_tui.storage.migrations import migrations


def utcnow() -> str:
    """Now as an ISO 8601 UTC timestamp with microseconds (the format stored everywhere)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def open_db(path: str | Path | None = None, *, memory: bool = False) -> Database:
    """Open (creating and migrating as needed) a project database.

    The connection uses WAL, enforces foreign keys and `synchronous=FULL` so
    that every commit (consent above all) is on disk when it returns.  Like
    every sqlite3 connection, it belongs to the thread that opened it.
    """
    if memory:
        db = Database(memory=True)
    else:
        assert path is not None
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not Path(path).exists()
        conn = sqlite3.connect(str(path), timeout=30)
        if new:  # participants' data: private to the user (SQLite gives -wal/-shm the same mode)
            os.chmod(path, 0o600)
        db = Database(conn)
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = FULL")
    migrations.apply(db)
    return db
