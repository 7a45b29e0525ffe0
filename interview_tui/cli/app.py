"""Starting the Textual app (the only place the CLI imports the TUI)."""

from __future__ import annotations

import click

from interview_tui.cli.common import get_project


def run_app(ctx: click.Context, study_path: str | None) -> None:
    """Open the interview app on the project folder."""
    from interview_tui.tui.app import InterviewApp

    project = get_project(ctx).ensure()
    InterviewApp(project=project, study_path=study_path).run()
