"""The core is usable without a screen: importing every core module never loads Textual.

Like harlequin's test, this runs in a fresh interpreter so that other tests'
imports cannot hide a stray `import textual`.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import interview_tui

CORE_PACKAGES = ("domain", "storage", "audio", "transcription", "diarization", "export", "privacy", "review")


def core_modules() -> list[str]:
    names = ["interview_tui.config", "interview_tui.fileio"]
    for info in pkgutil.walk_packages(interview_tui.__path__, "interview_tui."):
        top = info.name.split(".")[1]
        if top in CORE_PACKAGES:
            names.append(info.name)
    return sorted(names)


def test_core_modules_found() -> None:
    modules = core_modules()
    assert "interview_tui.domain.loader" in modules
    assert "interview_tui.storage.db" in modules
    assert not any(m.split(".")[1] in ("tui", "cli") for m in modules)


def test_core_never_imports_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core imported: {result.stdout.strip()}"
