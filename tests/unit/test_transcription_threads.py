"""The model's CPU thread count: the options' own, else $INTERVIEW_TUI_CPU_THREADS, else CTranslate2's default."""

from __future__ import annotations

import pytest

from interview_tui.transcription.engine import CPU_THREADS_ENV, TranscribeOptions, with_thread_count


@pytest.mark.parametrize(
    ("env", "options_threads", "expected"),
    [
        (None, 0, 0),  # nothing set: CTranslate2's default
        ("", 0, 0),
        ("1", 0, 1),
        ("2", 0, 2),
        (" 2 ", 0, 2),
        ("1", 3, 3),  # an explicit count in the options (a cluster worker's) wins
        (None, 3, 3),
    ],
)
def test_thread_count_from_options_then_environment(monkeypatch, env, options_threads, expected) -> None:
    if env is None:
        monkeypatch.delenv(CPU_THREADS_ENV, raising=False)
    else:
        monkeypatch.setenv(CPU_THREADS_ENV, env)
    options = TranscribeOptions(language="en", cpu_threads=options_threads)
    resolved = with_thread_count(options)
    assert resolved.cpu_threads == expected
    assert resolved.with_(cpu_threads=0) == options.with_(cpu_threads=0)  # nothing else changes
