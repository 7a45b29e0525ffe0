"""The review core, playback and the review CLI import neither Textual nor PortAudio at import time,
so `review list|diff|signoff` work on a machine without a sound stack or a terminal UI."""

from __future__ import annotations

import subprocess
import sys


def test_review_core_imports_no_textual_and_no_portaudio() -> None:
    code = (
        "import sys\n"
        "import interview_tui.review.session, interview_tui.review.status, interview_tui.review.attention\n"
        "import interview_tui.audio.playback, interview_tui.storage.reviews, interview_tui.cli.review\n"
        "print(sorted(m for m in ('textual', 'sounddevice') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
