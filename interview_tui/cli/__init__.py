"""The `interview-tui` command: a thin click layer over the library.

Each area registers its commands from its own module (imported at the bottom
of this file), so areas can grow without touching each other.  The TUI is
imported only inside the command that starts it.
"""

from __future__ import annotations

import click

from interview_tui import __version__
from interview_tui.cli.common import data_dir_option
from interview_tui.cli.errors import ProjectGroup


@click.group(cls=ProjectGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="interview-tui")
@data_dir_option
@click.option(
    "--study",
    "study_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Study file to open in the app (default: the shipped default study).",
)
@click.pass_context
def main(ctx: click.Context, study_path: str | None) -> None:
    """Run, record, transcribe and hand off semi-structured research interviews.

    With no command, opens the interview app on the project folder.
    """
    from interview_tui.outputs import private_umask

    private_umask()  # every file this run creates is the user's alone: 0600 files, 0700 folders
    if ctx.invoked_subcommand is None:
        from interview_tui.cli.app import run_app

        run_app(ctx, study_path)


# Command modules register themselves on `main`.
from interview_tui.cli import app as _app  # noqa: E402,F401
from interview_tui.cli import guide as _guide  # noqa: E402,F401
from interview_tui.cli import audio as _audio  # noqa: E402,F401
from interview_tui.cli import participants as _participants  # noqa: E402,F401
from interview_tui.cli import consent as _consent  # noqa: E402,F401
from interview_tui.cli import demographics as _demographics  # noqa: E402,F401
from interview_tui.cli import transcribe as _transcribe  # noqa: E402,F401
from interview_tui.cli import export as _export  # noqa: E402,F401
from interview_tui.cli import report as _report  # noqa: E402,F401
from interview_tui.cli import privacy as _privacy  # noqa: E402,F401
from interview_tui.cli import review as _review  # noqa: E402,F401
from interview_tui.cli import memos as _memos  # noqa: E402,F401
from interview_tui.cli import recruitment as _recruitment  # noqa: E402,F401
from interview_tui.cli import sessions as _sessions  # noqa: E402,F401
from interview_tui.cli import speakers as _speakers  # noqa: E402,F401
