"""Opening a project database: WAL, foreign keys, migrations, writers that wait their turn."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Generator

from sqlite_utils import Database

from interview_tui.storage.migrations import migrations

#: How long a writer waits for another program (a second app window, a CLI batch, an export)
#: to finish its write before giving up with `DatabaseBusy` ($INTERVIEW_TUI_BUSY_TIMEOUT overrides).
BUSY_TIMEOUT_S = 30.0


def busy_timeout_s() -> float:
    """The busy timeout: $INTERVIEW_TUI_BUSY_TIMEOUT seconds when set to a positive number, else 30."""
    from interview_tui.config import BUSY_TIMEOUT_ENV

    try:
        value = float(os.environ.get(BUSY_TIMEOUT_ENV, ""))
    except ValueError:
        return BUSY_TIMEOUT_S
    return value if value > 0 else BUSY_TIMEOUT_S


class DatabaseBusy(RuntimeError):
    """Another program held the database's write lock for longer than the busy timeout."""


class DatabaseUnreadable(RuntimeError):
    """`interview.db` is not a readable SQLite database (damaged, or another kind of file)."""


class ProjectDatabase(Database):
    """A sqlite-utils `Database` whose write transactions take the write lock up front.

    A deferred `BEGIN` that reads first and writes later cannot wait for the lock in WAL mode:
    SQLite answers `database is locked` at once instead of applying the busy timeout.
    `BEGIN IMMEDIATE` takes the lock at the start, so a second writer waits its turn.
    """

    @contextlib.contextmanager
    def atomic(self) -> Generator["Database", None, None]:
        if self.conn.in_transaction:
            savepoint = f"sqlite_utils_{secrets.token_hex(16)}"
            self.conn.execute(f"SAVEPOINT {savepoint};")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint};")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint};")
                raise
            else:
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint};")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise

    def begin(self) -> None:
        self.execute("BEGIN IMMEDIATE")


def open_db(path: str | Path | None = None, *, memory: bool = False,
            timeout_s: float | None = None) -> Database:
    """Open (creating and migrating as needed) a project database.

    The connection uses WAL, enforces foreign keys and `synchronous=FULL` so
    that every commit (consent above all) is on disk when it returns.  Every
    write transaction begins IMMEDIATE (also the implicit ones of `with db.conn:`),
    so writers queue for up to `timeout_s` (default: `busy_timeout_s()`).  Like every sqlite3
    connection, it belongs to the thread that opened it.

    Raises `DatabaseUnreadable` for a file that is not a SQLite database and
    `DatabaseBusy` when another program holds the write lock too long.
    """
    if memory:
        conn = sqlite3.connect(":memory:", isolation_level="IMMEDIATE")
    else:
        assert path is not None
        if Path(path).is_dir():
            raise DatabaseUnreadable(f"{path} is a folder, not the project database; move it away, or point "
                                     "--data-dir at the right project folder.")
        Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        new = not Path(path).exists()
        timeout = timeout_s if timeout_s is not None else busy_timeout_s()
        conn = sqlite3.connect(str(path), timeout=timeout, isolation_level="IMMEDIATE")
        if new:  # participants' data: private to the user (SQLite gives -wal/-shm the same mode)
            os.chmod(path, 0o600)
    db = ProjectDatabase(conn)
    try:
        if not memory:
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")
        _migrate(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise translate_db_error(exc, path) from exc
    return db


def _migrate(db: Database) -> None:
    """Apply pending migrations; when another program opening the same new project migrated
    first (ours then fails on tables that already exist), check again and go on."""
    for attempt in range(10):  # each failure means another program applied one: go on from there
        try:
            migrations.apply(db)
            return
        except (sqlite3.OperationalError, sqlite3.IntegrityError):
            if not migrations.pending(db):
                return
            if attempt == 9:
                raise


def translate_db_error(exc: sqlite3.DatabaseError, path: str | Path | None = None) -> Exception:
    """The clear error for a locked or damaged database, else `exc` itself."""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if "locked" in text or "busy" in text:
        return DatabaseBusy(
            f"Another program is writing to the project database{where} and did not finish within "
            f"{busy_timeout_s():g} s (another app window, a transcription batch, an export?). "
            "Wait for it to finish, or close it, and try again. Nothing was changed."
        )
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "file is encrypted" in text or "corrupt" in text
    ):
        return DatabaseUnreadable(
            f"The project database{where} is damaged or is not a SQLite database ({exc}). "
            "Nothing was changed. Restore it from a backup, or point --data-dir at the right project folder."
        )
    return exc
