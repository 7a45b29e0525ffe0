"""What every screen needs: the project, its database, the study, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from sqlite_utils import Database

from interview_tui.config import Project
from interview_tui.domain.study import Study


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class AppContext:
    """Shared by the screens of one app run (the database belongs to the UI thread)."""

    project: Project
    db: Database
    study: Study
    study_id: int
    clock: Callable[[], datetime] = utc_now
    interviewer_id: int | None = None
    interviewer_name: str = ""
    place: str | None = None
