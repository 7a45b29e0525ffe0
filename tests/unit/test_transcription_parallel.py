"""Cutting one file into pieces for parallel transcription: where the cuts go, how times shift."""

from __future__ import annotations

import pytest

from dataclasses import fields

from interview_tui.transcription.engine import FAST, SEQUENTIAL_BEAM5, TranscribeOptions
from interview_tui.transcription.parallel import MIN_PIECE_S, choose_cuts, piece_options, shift, worker_count
from interview_tui.domain.transcript import Segment, Word

SPEECH = [(0.0, 10.0), (11.0, 20.0), (22.0, 30.0), (31.0, 40.0)]  # 37 s of speech, three silences


@pytest.mark.parametrize(
    ("speech", "pieces", "cuts"),
    [
        (SPEECH, 1, []),
        (SPEECH, 2, [21.0]),  # 19 s of speech before, 18 after: the silence nearest half
        (SPEECH, 3, [10.5, 30.5]),
        (SPEECH, 4, [10.5, 21.0, 30.5]),
        (SPEECH, 6, [10.5, 21.0, 30.5]),  # only three silences: never more cuts than that
        ([(0.0, 40.0)], 2, []),  # no silence at all: one piece
        ([], 2, []),
        ([(0.0, 1.0), (50.0, 100.0)], 2, [25.5]),  # uneven: the only silence
    ],
)
def test_cuts_fall_in_silences_near_equal_shares(speech, pieces, cuts) -> None:
    assert choose_cuts(speech, 100.0, pieces) == cuts
    for cut in choose_cuts(speech, 100.0, pieces):
        assert not any(s < cut < e for s, e in speech), "a cut inside speech would split a word"


@pytest.mark.parametrize(
    ("options", "duration_s", "expected"),
    [
        (TranscribeOptions(workers=2), 10 * 60, 2),
        (TranscribeOptions(workers=2), MIN_PIECE_S * 1.5, 1),  # too short to pay for a second model load
        (TranscribeOptions(workers=4), MIN_PIECE_S * 3, 3),
        (TranscribeOptions(workers=1), 3600, 1),
        (TranscribeOptions(workers=2, cpu_threads=2), 3600, 1),  # explicit threads (e.g. Dask workers)
        (FAST.with_(workers=2), 3600, 1),  # the batched pipeline decodes side by side itself
    ],
)
def test_worker_count(options, duration_s, expected) -> None:
    assert worker_count(options, duration_s) == expected


@pytest.mark.parametrize("options", [TranscribeOptions(), SEQUENTIAL_BEAM5, TranscribeOptions(beam_size=1, best_of=1)])
def test_pieces_decode_with_the_files_own_settings(options) -> None:
    """Each piece runs single-threaded, and otherwise exactly as the whole file would."""
    piece = piece_options(options.with_(workers=2, language="en"))
    assert (piece.cpu_threads, piece.workers) == (1, 1)
    for f in fields(TranscribeOptions):
        if f.name not in ("cpu_threads", "workers"):
            assert getattr(piece, f.name) == getattr(options.with_(language="en"), f.name), f.name


@pytest.mark.parametrize(
    ("options", "batched", "beam", "context"),
    [
        # the measured choices of benchmarks/results/parallel.md and transcription.md
        (TranscribeOptions(), False, 2, True),  # default: a beam of 2, not greedy
        (SEQUENTIAL_BEAM5, False, 5, True),  # noScribe/aTrain's configuration, the baseline
        (FAST, True, 1, False),  # --fast: batched greedy, each chunk on its own
    ],
)
def test_decoding_presets(options, batched, beam, context) -> None:
    assert (options.batched, options.beam_size, options.condition_on_previous_text) == (batched, beam, context)
    assert options.best_of == beam  # the temperature fallback draws as many samples as the beam holds


def test_shift_moves_segments_and_words_and_keeps_the_rest() -> None:
    seg = Segment(1.0, 2.0, "hello there", [Word(" hello", 1.0, 1.4, 0.9), Word(" there", 1.5, 2.0, 0.8)],
                  confidence=0.85)
    [moved] = shift([seg], 100.0)
    assert (moved.start, moved.end, moved.text, moved.confidence) == (101.0, 102.0, "hello there", 0.85)
    assert [(w.word, w.start, w.end, w.probability) for w in moved.words] == [
        (" hello", 101.0, 101.4, 0.9), (" there", 101.5, 102.0, 0.8)]
    assert seg.start == 1.0 and seg.words[0].start == 1.0  # the original is untouched


def test_workers_start_where_stderr_has_no_file_descriptor() -> None:
    """Inside Textual, sys.stderr has no fileno; spawning used to fail with 'bad value(s) in fds_to_keep'."""
    import subprocess
    import sys

    code = (
        "import io, sys\n"
        "class Captured(io.StringIO):\n"
        "    def fileno(self): return -1\n"  # what Textual's stderr capture answers
        "sys.stderr = Captured()\n"
        "from interview_tui.transcription.parallel import spawn_context\n"
        "ctx = spawn_context()\n"
        "q = ctx.Queue(); p = ctx.Process(target=print); p.start(); p.join()\n"
        "sys.__stdout__.write(f'exit {p.exitcode}')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "exit 0", out.stderr
