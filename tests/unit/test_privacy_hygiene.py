"""The privacy core runs without the TUI: importing it never loads Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.usefixtures("no_network")

MODULES = [
    "interview_tui.privacy.keyfile",
    "interview_tui.privacy.hashchain",
    "interview_tui.privacy.agekeys",
    "interview_tui.privacy.segments",
    "interview_tui.storage.audit",
    "interview_tui.storage.withdrawal",
    "interview_tui.storage.integrity",
    "interview_tui.cli.privacy",
]


def test_privacy_modules_do_not_import_textual() -> None:
    code = "import sys\n" + "".join(f"import {m}\n" for m in MODULES) + "print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_privacy_command_has_help_text() -> None:
    from interview_tui.cli import main

    names = ["key", "withdraw", "audit", "keygen", "decrypt", "anonymise"]
    for name in names:
        command = main.commands[name]
        assert command.help and command.help.strip(), name
        for sub in getattr(command, "commands", {}).values():
            assert sub.help and sub.help.strip(), f"{name} {sub.name}"
    assert main.commands["consent"].commands["verify"].help
