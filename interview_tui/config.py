"""Where a project's files live, and the environment overrides for them.

A *project folder* holds one SQLite database (`interview.db`) and the
`recordings/` folder.  It defaults to the current directory and can be set
with `--data-dir` or the `INTERVIEW_TUI_DATA_DIR` environment variable.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

DATA_DIR_ENV = "INTERVIEW_TUI_DATA_DIR"
#: Seconds a writer waits for another program holding the project database (default 30).
BUSY_TIMEOUT_ENV = "INTERVIEW_TUI_BUSY_TIMEOUT"
#: Where the speech and speaker models are cached (default: the XDG cache folder).
MODEL_DIR_ENV = "INTERVIEW_TUI_MODEL_DIR"
DB_NAME = "interview.db"
RECORDINGS_DIR = "recordings"


def _guides_dir() -> Path:
    """The shipped study files: the repository's `guides/`, else the installed copy."""
    repo = Path(__file__).resolve().parent.parent / "guides"
    installed = Path(sys.prefix) / "share" / "interview-tui" / "guides"
    return repo if repo.is_dir() or not installed.is_dir() else installed


#: The folder with the shipped study files.
GUIDES_DIR = _guides_dir()
DEFAULT_STUDY_FILE = GUIDES_DIR / "involuntary-treatment-alliance.yaml"


@dataclass(frozen=True)
class Project:
    """The files of one project folder."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def recordings_dir(self) -> Path:
        return self.root / RECORDINGS_DIR

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def ensure(self) -> "Project":
        """Create the project folder and its recordings folder if missing."""
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.recordings_dir.mkdir(exist_ok=True, mode=0o700)
        return self


def resolve_project(data_dir: str | os.PathLike[str] | None = None) -> Project:
    """The project for `data_dir`, else `$INTERVIEW_TUI_DATA_DIR`, else the current directory."""
    chosen = data_dir or os.environ.get(DATA_DIR_ENV) or os.getcwd()
    return Project(Path(chosen).expanduser().resolve())


def model_cache_dir() -> Path:
    """Where assembled and downloaded models live (created on demand)."""
    env = os.environ.get(MODEL_DIR_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "interview-tui" / "models"
