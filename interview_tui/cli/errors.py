"""Turning failures the environment causes into clear messages, never tracebacks.

Commands catch what they know in their own terms first.  `ProjectGroup` (the
`interview-tui` group) then catches what any command may meet: another program
holding the database, a damaged database, a read-only folder, a full disk, a
missing file.  Anything else is a bug: a short message names the log file
holding the full traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

import click

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


def write_crash_log(exc: BaseException) -> Path | None:
    """Write the full traceback to a private file in the temp folder; its path (None if impossible)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        fd, name = tempfile.mkstemp(prefix=f"interview-tui-error-{stamp}-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(exc)))
        return Path(name)
    except OSError:
        return None


class ProjectGroup(click.Group):
    """The `interview-tui` group: clear messages for environment failures in every command."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the last resort, after every specific message
            message = known_error_message(exc)
            if message is not None:
                raise click.ClickException(message) from None
            log = write_crash_log(exc)
            where = f"The full report is in {log}." if log else "No report could be written."
            raise click.ClickException(
                f"Unexpected error ({type(exc).__name__}: {str(exc)[:200]}). {where} "
                "Please report it with that file (it holds no names, only codes and paths)."
            ) from None
