"""Shared CLI plumbing: the options several commands take (project folder, study, --force,
--out), opening the database, loading studies, writing outputs and turning the library's
errors into messages."""

from __future__ import annotations

import functools
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click
from sqlite_utils import Database

from interview_tui.config import DATA_DIR_ENV, DEFAULT_STUDY_FILE, Project, resolve_project

if TYPE_CHECKING:
    from interview_tui.domain.study import Study
    from interview_tui.outputs import Guard, Output

F = TypeVar("F", bound=Callable[..., Any])


class as_click_error:
    """`with as_click_error(ParticipantError): ...`: those errors (the library's own, whose text is
    written for the user) end the command with their message instead of a traceback; others pass."""

    def __init__(self, *kinds: type[BaseException]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc is not None and isinstance(exc, self.kinds):
            raise click.ClickException(str(exc)) from None


class _RowId(click.types.IntParamType):
    """A database id (session, recording): a whole number from 1 that SQLite can hold, so a typo
    such as 99999999999999999999 is a usage error, not an overflow deep in a query."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if len(text) > 19:  # longer than any id SQLite can hold (and int() refuses thousands of digits)
            self.fail(f"{text[:12]}… ({len(text)} characters) is not an id; ids are whole numbers from 1",
                      param, ctx)
        number = super().convert(value, param, ctx)
        if not 1 <= number < 2**63:
            self.fail(f"{text} is not an id; ids are whole numbers from 1", param, ctx)
        return number


ROW_ID = _RowId()


def _set_data_dir(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().ensure_object(dict)["project"] = resolve_project(value)


def data_dir_option(f: F) -> F:
    """`--data-dir DIR`: the project folder (default: `$INTERVIEW_TUI_DATA_DIR` or the current directory)."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False),
        envvar=DATA_DIR_ENV,
        expose_value=False,
        callback=_set_data_dir,
        is_eager=True,
        help=f"Project folder holding interview.db and recordings/ (default: ${DATA_DIR_ENV} or the current directory).",
    )(f)


def get_project(ctx: click.Context | None = None) -> Project:
    """The project folder chosen for this invocation."""
    ctx = ctx or click.get_current_context()
    obj = ctx.find_root().ensure_object(dict)
    if "project" not in obj:
        obj["project"] = resolve_project(None)
    return obj["project"]


def get_db(ctx: click.Context | None = None) -> Database:
    """The project's database, opened (and migrated) once per invocation."""
    ctx = ctx or click.get_current_context()
    obj = ctx.find_root().ensure_object(dict)
    if "db" not in obj:
        from interview_tui.storage import open_db

        project = get_project(ctx).ensure()
        obj["db"] = open_db(project.db_path)
        _note_unfinished_withdrawals(obj["db"])
        ctx.find_root().call_on_close(functools.partial(_anchor_audit, obj["db"]))
    return obj["db"]


def _note_unfinished_withdrawals(db: Database) -> None:
    """Say on every command that a withdrawal stopped half-way, and how to finish it."""
    from interview_tui.storage.withdrawal import unfinished_withdrawals

    for code in unfinished_withdrawals(db):
        click.echo(f"Note: the withdrawal of {code} is unfinished; finish it with: "
                   f"interview-tui withdraw {code} --yes", err=True)


def _anchor_audit(db: Database) -> None:
    """Anchor entries logged inside transactions (see `storage.audit.anchor_head`) as the command ends."""
    from interview_tui.storage.audit import anchor_head

    try:
        anchor_head(db)
    except Exception:  # noqa: BLE001 - a best-effort receipt must never turn a finished command into a failure
        pass


def pass_db(f: F) -> F:
    """Decorator: call the command with `db` (the project database) as first argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(get_db(), *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def study_option(f: F) -> F:
    """`--study PATH`: the study file (default: the shipped default study)."""
    return click.option(
        "--study",
        "study_path",
        type=click.Path(dir_okay=False),
        default=None,
        help="Study YAML file (default: the shipped default study).",
    )(f)


def load_cli_study(study_path: str | Path | None, *, default: bool = True) -> "Study | None":
    """The study for a `--study` value: the file, else the shipped default (or None when
    `default` is False). A broken file becomes a ClickException listing every problem."""
    from interview_tui.domain.loader import StudyFileError, load_study

    if not study_path and not default:
        return None
    target = Path(study_path) if study_path else DEFAULT_STUDY_FILE
    try:
        return load_study(target)
    except StudyFileError as err:
        lines = "\n".join(str(i) for i in err.issues)
        raise click.ClickException(
            f"{target} is not a valid study file; fix these and check again with "
            f"'interview-tui guide validate {target}':\n{lines}"
        ) from None


def normalized_code(code: str) -> str:
    """A participant code as typed, normalised (P1 -> P01), or a clear message."""
    from interview_tui.domain.participant_codes import ParticipantError, normalize_code

    with as_click_error(ParticipantError):
        return normalize_code(code)


def open_review_session(db: Database, recording_id: int) -> Any:
    """The recording's `ReviewSession`, or a message saying why it has none (no transcript, no such recording)."""
    from interview_tui.review.session import ReviewError, ReviewSession

    with as_click_error(ReviewError):
        return ReviewSession.open(db, recording_id)


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain aligned table for the terminal."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


# -- transcription batches (one machine or a cluster) ------------------------------------------


def batch_result_lines(result: Any) -> list[str]:
    """How a finished batch job is shown: `ok|skipped|FAILED: label: message`, then each file it wrote."""
    mark = "skipped" if result.skipped else ("ok" if result.ok else "FAILED")
    return [f"{mark}: {result.label}: {result.message}", *(f"    {path}" for path in result.outputs)]


def echo_batch_counts(report: Any, total: int, *, retry_hint: str = "") -> None:
    """The batch's counts; exit 1 when any job failed (their messages were shown as they finished)."""
    done, failed = len(report.done), len(report.failed)
    skipped = len([r for r in report.results if r.skipped])
    click.echo(f"Transcribed {done}, skipped {skipped}, failed {failed}.")
    if failed:
        raise click.ClickException(f"{failed} of {total} could not be transcribed (see the messages above){retry_hint}.")


# -- writing where the user says (see interview_tui/outputs.py) ---------------------------------


def force_option(f: F) -> F:
    """`--force`: replace existing files at the output path (never the database, recordings or key file)."""
    return click.option(
        "--force", is_flag=True,
        help="Replace files that already exist at the output path (the project's database, recordings "
             "and key file are never replaced).",
    )(f)


def text_output_options(format_help: str) -> Callable[[F], F]:
    """`--format text|markdown|csv` (explained by `format_help`) and `--out FILE`, for a report that
    goes to the terminal unless `--out` names a file (write it with `write_cli_text`)."""

    def decorate(f: F) -> F:
        f = click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of the terminal.")(f)
        return click.option(
            "--format", "fmt", type=click.Choice(["text", "markdown", "csv"]), default="text", show_default=True,
            help=format_help,
        )(f)

    return decorate


def _configured_key_file(project: Project) -> Path | None:
    """The key file this project uses, read without creating or migrating a database."""
    import sqlite3

    from interview_tui.privacy.keyfile import SETTING_KEY, resolve_key_path

    setting = None
    if project.db_path.is_file():
        try:
            conn = sqlite3.connect(f"{project.db_path.as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                row = conn.execute("SELECT value FROM settings WHERE key = ?", [SETTING_KEY]).fetchone()
            finally:
                conn.close()
            setting = row[0] if row else None
        except sqlite3.Error:
            pass  # no settings table yet, or not readable: the environment's key file still counts
    return resolve_key_path(None, setting)


def output_guard(key_file: str | Path | None = None) -> "Guard":
    """What this invocation must never write over: its project's database and recordings, the key file."""
    from interview_tui.outputs import Guard
    from interview_tui.privacy.keyfile import resolve_key_path

    project = get_project()
    obj = click.get_current_context().find_root().ensure_object(dict)
    if key_file:
        chosen = resolve_key_path(key_file, None)
    elif "db" in obj:
        from interview_tui.storage.withdrawal import key_file_path

        chosen = key_file_path(obj["db"])
    else:
        chosen = _configured_key_file(project)
    return Guard.for_project(project, chosen)


def write_cli_output(target: str | Path, write: Callable[[Path], Any], *, force: bool,
                     key_file: str | Path | None = None, before_publish: Callable[[], Any] | None = None) -> "Output":
    """`outputs.write_output` for a command: protected paths and existing files become clear messages."""
    from interview_tui.outputs import OutputError, write_output

    try:
        return write_output(target, write, guard=output_guard(key_file), force=force, before_publish=before_publish)
    except OutputError as err:
        raise click.ClickException(str(err)) from None
    except OSError as err:
        raise click.ClickException(
            f"cannot write {err.filename or target}: {err.strerror or err} (check the folder exists, "
            "is writable and the disk has space); nothing was written there"
        ) from None


def write_cli_text(target: str | Path, text: str, *, force: bool) -> "Output":
    """`write_cli_output` for one UTF-8 text file."""
    return write_cli_output(target, lambda staged: staged.write_text(text, encoding="utf-8"), force=force)


def one_line_text(field: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback refusing control characters (ESC, NUL, line breaks) in a free-text option."""

    def check(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        from interview_tui.domain.safe_text import text_problem

        problem = text_problem(value.strip()) if isinstance(value, str) else None
        if problem:
            raise click.BadParameter(f"{field} {problem}")
        return value

    return check
