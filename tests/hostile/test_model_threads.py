"""Hostile $INTERVIEW_TUI_CPU_THREADS values, given to the real `transcribe` command.

Each must end in a message that names the variable and says what to set, with no traceback.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.transcription.engine import CPU_THREADS_ENV


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "2 cores", "1e3", "٣"])
def test_bad_thread_count_is_named_and_explained(tmp_path, monkeypatch, model_cache, value) -> None:
    import numpy as np

    from tests.fixtures.speech import write_wav

    monkeypatch.setenv(CPU_THREADS_ENV, value)
    wav = write_wav(tmp_path / "quiet.wav", np.zeros(16000, dtype="float32"))
    result = CliRunner().invoke(main, ["transcribe", str(wav), "--model", "tiny.en", "--language", "en",
                                       "--format", "txt"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert f"{CPU_THREADS_ENV}={value!r} is not a number of threads" in result.output
    assert "whole number of 1 or more" in result.output and not (tmp_path / "quiet.txt").exists()
