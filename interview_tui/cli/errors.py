"""Turning failures the environment causes into clear messages, never tracebacks.

Commands catch what they know in their own terms first.  `ProjectGroup` (the
`interview-tui` group) then catches what any command may meet: another program
holding the database, a damaged database, a read-only folder, a full disk, a
missing file.  Anything else is a bug: a short message names the log file
holding the full traceback.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

import click

from interview_tui.errors import known_error_message


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
