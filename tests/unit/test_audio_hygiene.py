"""The audio core imports neither Textual nor PortAudio: a machine without either still records nothing
but runs everything else (recovery, import, clips)."""

from __future__ import annotations

import subprocess
import sys


def test_audio_core_imports_no_textual_and_no_portaudio():
    code = (
        "import sys\n"
        "import interview_tui.audio.capture, interview_tui.audio.recording, interview_tui.audio.recovery\n"
        "import interview_tui.audio.convert, interview_tui.audio.clips, interview_tui.storage.recordings\n"
        "import interview_tui.cli.audio\n"
        "print(sorted(m for m in ('textual', 'sounddevice') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
