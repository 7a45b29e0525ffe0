"""One file on two cores, and live transcription of a growing recording, with a real model.

Both must read like one sequential run: every word, in order, at its own time on the
recording's timeline.  The checks hold on any machine (words, order, times within half a
second of where the words were placed), never timings or probabilities.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from interview_tui.audio.wavfile import CrashSafeWavWriter
from interview_tui.transcription.engine import TranscribeOptions
from interview_tui.transcription.live import LiveTranscriber, load_pieces, pieces_path
from interview_tui.transcription.parallel import transcribe_pieces
from interview_tui.transcription.verbatim import render_segments
from tests.fixtures.speech import RATE, compose, read_script, wer

pytestmark = [pytest.mark.model, pytest.mark.slow]

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "transcription_script.txt"


def _interview(seconds: float):
    rows, parts, total = read_script(SCRIPT), [], 0.0
    for pause, text in rows:
        parts.append((text, pause))
        total += len(text) / 14 + pause  # espeak-ng at 150 wpm speaks ~14 characters a second
        if total > seconds:
            break
    audio, timeline = compose(parts)
    return audio, timeline


def _clean(segments) -> str:
    render_segments(segments, language="en", verbatim=False)
    return " ".join(s.text for s in segments)


def _check_times(segments, timeline) -> None:
    words = [w for s in segments for w in s.words]
    assert all(a.start <= b.start for a, b in zip(words, words[1:])), "words out of order"
    for u in timeline:  # each utterance's first word starts where it was placed (any piece)
        near = [w for w in words if abs(w.start - u.start_s) < 0.6]
        assert near, f"no word near {u.start_s:.1f} s ({u.text!r})"


def test_two_pieces_read_like_one_run(tiny_en) -> None:
    audio, timeline = _interview(130)
    raw = transcribe_pieces(tiny_en, audio, TranscribeOptions(language="en"), workers=2)
    assert len(raw.info["pieces"]) == 2 and raw.info["pieces"][1] > 30
    cut = raw.info["pieces"][1]
    assert not any(u.start_s < cut < u.end_s for u in timeline), "the cut split an utterance"
    _check_times(raw.segments, timeline)
    assert wer(" ".join(u.text for u in timeline), _clean(raw.segments)) <= 0.2


def test_live_pieces_of_a_growing_recording_stitch_into_the_transcript(tiny_en, tmp_path) -> None:
    audio, timeline = _interview(70)
    wav = tmp_path / "P01-S1.wav"
    writer = CrashSafeWavWriter(wav, RATE, 1)
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    live = LiveTranscriber(wav, tiny_en, TranscribeOptions(language="en"), load_limit=0)
    live.start()

    def record() -> None:  # four times real time: the worker sees the file grow, as in an interview
        for i in range(0, len(pcm), RATE):
            writer.write(pcm[i : i + RATE].tobytes())
            time.sleep(0.25)
        writer.close()

    recorder = threading.Thread(target=record)
    recorder.start()
    states = set()
    while recorder.is_alive():
        states.add(live.status().state)
        time.sleep(0.5)
    raw = live.finish()
    assert raw is not None, live.status()
    pieces = load_pieces(pieces_path(wav))
    assert len(pieces) >= 2, pieces  # at least one piece was cut off while recording
    assert [p["start"] for p in pieces[1:]] == [p["end"] for p in pieces[:-1]]  # no gap, no overlap
    assert "failed" not in states
    _check_times(raw.segments, timeline)
    assert wer(" ".join(u.text for u in timeline), _clean(raw.segments)) <= 0.2


def test_after_a_crash_finish_keeps_the_stored_pieces_and_does_only_the_rest(tiny_en, tmp_path) -> None:
    audio, timeline = _interview(25)
    wav = tmp_path / "P01-S1.wav"
    writer = CrashSafeWavWriter(wav, RATE, 1)
    writer.write((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    writer.close()
    cut = (timeline[0].end_s + timeline[1].start_s) / 2
    kept = {"start": 0.0, "end": cut, "language": "en", "segments": [
        {"start": timeline[0].start_s, "end": timeline[0].end_s, "text": "KEPT FROM BEFORE THE CRASH",
         "confidence": 1.0, "words": [{"word": " KEPT", "start": timeline[0].start_s, "end": timeline[0].end_s,
                                       "probability": 1.0}]}]}
    pieces_path(wav).write_text(json.dumps(kept) + "\n")
    raw = LiveTranscriber(wav, tiny_en, TranscribeOptions(language="en")).finish()
    assert raw is not None and raw.segments[0].text == "KEPT FROM BEFORE THE CRASH"
    rest = [w for s in raw.segments[1:] for w in s.words]
    assert rest and all(w.start >= cut - 0.05 for w in rest)  # nothing before the cut transcribed again
    assert abs(rest[0].start - timeline[1].start_s) < 0.6
    assert len(load_pieces(pieces_path(wav))) == 2


def _recording_in_progress(db, project) -> tuple[int, str, np.ndarray, list]:
    """P01's 25-s interview on disk as a crash-safe WAV, its row still in state 'recording'."""
    from interview_tui.storage.recordings import start_recording
    from tests.fixtures.audio import enroll

    enroll(db)
    audio, timeline = _interview(25)
    rel = "recordings/P01/P01-live.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    writer = CrashSafeWavWriter(project.root / rel, RATE, 1)
    writer.write((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    writer.close()
    rid = start_recording(db, participant_code="P01", path=rel, session_id=None, device="test",
                          sample_rate=RATE, channels=1, started_at="2026-01-01T10:00:00+00:00")
    return rid, rel, audio, timeline


def _crash_left_one_piece(db, project, rid: int, rel: str, audio: np.ndarray) -> None:
    """What a crash leaves: one live piece (an empty first second) stored, the recording recovered."""
    from interview_tui.storage.recordings import finish_recording

    first = {"start": 0.0, "end": 1.0, "language": "en", "segments": []}
    pieces_path(project.root / rel).write_text(json.dumps(first) + "\n")
    finish_recording(db, rid, duration_s=len(audio) / RATE, sha256="0" * 64, overflow_count=0)


def test_a_recovered_recording_gets_its_live_transcript_finished_and_stored(tiny_en, project, tmp_path) -> None:
    from interview_tui.storage import open_db
    from interview_tui.storage import transcripts as store
    from interview_tui.transcription.live_session import resume_live

    db = open_db(project.db_path)
    rid, rel, audio, timeline = _recording_in_progress(db, project)
    assert resume_live(db, project, rid) is None  # no pieces: nothing to resume (transcribe does it)
    _crash_left_one_piece(db, project, rid, rel, audio)
    transcript_id = resume_live(db, project, rid)
    assert transcript_id is not None and store.has_transcript(db, rid)
    stored = store.load_transcript(db, transcript_id)
    assert stored.meta.options["live"] is True
    assert wer(" ".join(u.text for u in timeline), _clean(stored.segments)) <= 0.25
    assert not pieces_path(project.root / rel).exists()  # deleted once the transcript is stored
    assert resume_live(db, project, rid) is None  # already transcribed


def test_after_a_crash_the_app_finishes_the_live_transcript_in_a_lowest_priority_process(
        tiny_en, project, tmp_path) -> None:
    """What the app does at start-up once the recorder is back (recorder/startup.py)."""
    import multiprocessing
    import os

    from interview_tui.recorder.startup import resume_live_in_background
    from interview_tui.storage import open_db
    from interview_tui.storage import transcripts as store

    db = open_db(project.db_path)
    rid, rel, audio, timeline = _recording_in_progress(db, project)
    _crash_left_one_piece(db, project, rid, rel, audio)

    outcomes, idle_seen = [], []

    def resume() -> None:
        outcomes.extend(resume_live_in_background(project, [rid]))

    worker = threading.Thread(target=resume)
    worker.start()
    while worker.is_alive():
        for child in multiprocessing.active_children():
            if child.name == "live-resume" and child.pid:
                try:
                    if os.sched_getscheduler(child.pid) == os.SCHED_IDLE and os.getpriority(
                            os.PRIO_PROCESS, child.pid) == 19:
                        idle_seen.append(child.pid)
                except (ProcessLookupError, PermissionError):
                    pass
        time.sleep(0.02)
    worker.join()
    assert idle_seen, "the resume process never ran at nice 19 / SCHED_IDLE"
    [outcome] = outcomes
    assert outcome.error is None and outcome.transcript_id is not None
    assert store.list_transcripts(db, rid)[-1].id == outcome.transcript_id
    stored = store.load_transcript(db, outcome.transcript_id)
    assert stored.meta.options["live"] is True
    assert wer(" ".join(u.text for u in timeline), _clean(stored.segments)) <= 0.25
    assert "finished and stored" in outcome.text
