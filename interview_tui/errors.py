"""Messages for failures the environment causes (shared by the CLI and the app).

A locked or damaged database, a read-only folder, a full disk, a missing file: each gets a
message saying what is wrong and what to do.  None means the failure is unexpected (a bug).
"""

from __future__ import annotations

import errno
import sqlite3

from interview_tui.domain.participant_codes import ParticipantError
from interview_tui.storage.db import DatabaseBusy, DatabaseUnreadable, translate_db_error

_FULL = "The disk is full (or the file size limit is reached)"


def known_error_message(exc: BaseException) -> str | None:
    """The message for a failure the environment caused, or None for an unexpected one."""
    if isinstance(exc, (DatabaseBusy, DatabaseUnreadable, ParticipantError)):
        return str(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        if "full" in text or "disk i/o" in text:
            return (f"{_FULL}: the project database could not be written ({exc}). The change was not saved; "
                    "free some space and try again.")
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return (f"The project database cannot be opened for writing ({exc}): the project folder or "
                    "interview.db is read-only. interview-tui needs write access there, even to list "
                    "(the database keeps its journal beside it). Fix the permissions, or copy the project "
                    "to a writable folder and use --data-dir.")
        translated = translate_db_error(exc)
        return str(translated) if translated is not exc else None
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            return f"{_FULL}{where}: {reason}. What was being written was not saved; free some space and try again."
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return (f"Permission denied or read-only{where}: {reason}. Fix the permissions, or choose a "
                    "writable project folder (--data-dir).")
        if exc.errno == errno.ENOENT:
            return f"No such file or folder{where}. Check the path."
        if exc.errno == errno.EISDIR:
            return f"{exc.filename or 'The path'} is a folder; give a file."
        if exc.errno == errno.ENOTDIR:
            return f"A part of the path{where} is a file, not a folder. Check the path."
        return None
    if isinstance(exc, UnicodeDecodeError):
        return f"A file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 and try again."
    return None
