"""What every screen needs: the project, its database, the study, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlite_utils import Database
from textual.dom import DOMNode
from textual.screen import Screen, ScreenResultType

from interview_tui.config import Project
from interview_tui.domain.clock import now
from interview_tui.domain.study import Study
from interview_tui.storage.rows import SessionRow


@dataclass
class AppContext:
    """Shared by the screens of one app run (the database belongs to the UI thread)."""

    project: Project
    db: Database
    study: Study
    study_id: int
    clock: Callable[[], datetime] = now
    interviewer_id: int | None = None
    interviewer_name: str = ""
    place: str | None = None


def app_context(node: DOMNode) -> AppContext:
    """The context of the app `node` belongs to; set once the app has opened its project.

    Screens are pushed only after that (the study error screen, shown when opening failed, never
    asks), so a missing context is a bug, not a state to handle.
    """
    ctx = getattr(node.app, "ctx", None)
    if not isinstance(ctx, AppContext):
        raise RuntimeError(f"{type(node).__name__} needs the app's context, and the project is not open")
    return ctx


class ContextScreen(Screen[ScreenResultType]):
    """A screen of the open project: `self.ctx` is the app's context."""

    @property
    def ctx(self) -> AppContext:
        return app_context(self)


def study_of_session(ctx: AppContext, session: SessionRow) -> Study:
    """The study a session was run with: the app's own, else the exact file text stored when it began.

    A session left open under another (or since edited) study file must show
    its own guide, or question ids would point at the wrong questions.
    """
    if session.study_id == ctx.study_id:
        return ctx.study
    from interview_tui.storage.studies import study_by_id

    study = study_by_id(ctx.db, session.study_id)
    if study is not None:
        return study
    raise LookupError(
        f"session {session.id} was run with study {session.study_slug!r}, whose stored file cannot be "
        "read back; start the app with that study file (--study FILE)"
    )
