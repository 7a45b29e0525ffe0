"""Shared fixtures. Area-specific fixtures live in `tests/fixtures/<area>.py` and are listed here."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_tui.config import Project

pytest_plugins = [
    "tests.fixtures.base",
    "tests.fixtures.study",
    "tests.fixtures.export",
    "tests.fixtures.audio",
    "tests.fixtures.records",
    "tests.fixtures.tui",
    "tests.fixtures.speech",
    "tests.fixtures.review",
    "tests.fixtures.privacy",
    "tests.fixtures.voices",
]


@pytest.fixture(autouse=True)
def audit_anchor_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Audit anchors (receipts kept outside the project) go to a fresh folder per test, never to ~."""
    from interview_tui.privacy.anchor import STATE_DIR_ENV

    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv(STATE_DIR_ENV, str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project folder."""
    return Project(tmp_path / "project").ensure()


@pytest.fixture
def db(project: Project):
    """The project's migrated database (a real SQLite file in WAL mode)."""
    from interview_tui.storage import open_db

    database = open_db(project.db_path)
    yield database
    database.close()
