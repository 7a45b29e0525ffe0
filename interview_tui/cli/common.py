"""Shared CLI plumbing: the project option, opening the database, loading studies."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import click
from sqlite_utils import Database

from interview_tui.config import DATA_DIR_ENV, DEFAULT_STUDY_FILE, Project, resolve_project

if TYPE_CHECKING:
    from interview_tui.domain.study import Study

F = TypeVar("F", bound=Callable[..., Any])


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
        ctx.find_root().call_on_close(functools.partial(_anchor_audit, obj["db"]))
    return obj["db"]


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


def default_study_path() -> Path:
    return DEFAULT_STUDY_FILE


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


def one_line_text(field: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback refusing control characters (ESC, NUL, line breaks) in a free-text option."""

    def check(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        from interview_tui.domain.safe_text import text_problem

        problem = text_problem(value.strip()) if isinstance(value, str) else None
        if problem:
            raise click.BadParameter(f"{field} {problem}")
        return value

    return check
