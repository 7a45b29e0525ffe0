"""The export core loads without the TUI or the speech model (harlequin-style import hygiene)."""

from __future__ import annotations

import subprocess
import sys


def test_exports_import_neither_textual_nor_whisper() -> None:
    code = (
        "import sys\n"
        "import interview_tui.export.gather, interview_tui.export.qdpx, interview_tui.export.qda_text\n"
        "import interview_tui.export.docx, interview_tui.export.methods, interview_tui.export.folder\n"
        "import interview_tui.export.erase, interview_tui.cli.export, interview_tui.cli.report\n"
        "print(sorted(m for m in ('textual', 'faster_whisper', 'ctranslate2') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
