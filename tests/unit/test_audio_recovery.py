"""Crash-safe WAV writing and the repair of unfinished recordings (real files, real SQLite)."""

from __future__ import annotations

import wave

import numpy as np
import pytest
import soundfile

from interview_tui.audio import recovery
from interview_tui.audio.recovery import backup_path, recover_unfinished
from interview_tui.audio.wavfile import (
    CrashSafeWavWriter,
    WavRepairError,
    inspect_wav,
)
from interview_tui.fileio import is_locked, sha256_file
from interview_tui.storage import recordings as store
from interview_tui.storage.sessions import add_event, open_session
from tests.fixtures.audio import enroll


def _pcm(frames: int, channels: int = 1, seed: int = 1) -> bytes:
    rng = np.random.default_rng(seed)
    return rng.integers(-20000, 20000, size=frames * channels, dtype=np.int16).tobytes()


def _unfinished(db, project, frames: int, extra: bytes = b"", channels: int = 1, rate: int = 48000):
    """A recording row in state 'recording' whose file holds `frames` frames plus `extra` bytes
    appended after the last header update (what a power cut can leave)."""
    rel = f"recordings/P01/P01-20261128T101500Z-{frames}.wav"
    path = project.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = CrashSafeWavWriter(path, rate, channels)
    writer.write(_pcm(frames, channels))
    writer.close()
    with open(path, "ab") as f:
        f.write(extra)
    rec_id = store.start_recording(db, participant_code="P01", path=rel, sample_rate=rate, channels=channels)
    return rec_id, path


def test_writer_keeps_the_header_current_while_recording(tmp_path):
    path = tmp_path / "a.wav"
    writer = CrashSafeWavWriter(path, 48000, 2, fsync_interval_s=0)
    assert is_locked(path)
    assert inspect_wav(path).frames == 0 and inspect_wav(path).header_ok
    writer.write(_pcm(4800, 2))
    # Not closed yet: a reader (or a crash now) already sees a valid file with every frame.
    assert soundfile.info(str(path)).frames == 4800
    assert inspect_wav(path).header_ok
    with pytest.raises(ValueError, match="partial frame"):
        writer.write(b"\x00\x01\x02")
    writer.close()
    writer.close()
    assert not is_locked(path)
    with pytest.raises(FileExistsError):
        CrashSafeWavWriter(path, 48000, 1)  # never overwrites a recording


@pytest.mark.parametrize("channels", [1, 2])
def test_stale_header_is_repaired_from_a_verified_copy(db, project, channels):
    enroll(db)
    session_id = open_session(db, participant_id=store.participant_row(db, "P01").id, study_id=1)
    rec_id, path = _unfinished(db, project, 48000, extra=_pcm(24000, channels, seed=2) + b"\x01", channels=channels)
    add_event(db, session_id, "recording_started", session_offset_s=1.0, recording_id=rec_id, recording_offset_s=0.0)
    original = path.read_bytes()
    assert not inspect_wav(path).header_ok
    assert soundfile.info(str(path)).frames == 48000  # what a player would see: the last 0.5 s hidden

    [report] = recover_unfinished(db, project)

    assert report.action == "repaired"
    assert report.duration_s == pytest.approx(1.5)
    assert report.session_id == session_id
    assert backup_path(path).read_bytes() == original  # the original bytes, untouched
    data, _ = soundfile.read(path, dtype="int16")
    assert data.tobytes() == (_pcm(48000, channels) + _pcm(24000, channels, seed=2))
    row = store.get_recording(db, rec_id)
    assert (row.state, row.session_id, row.duration_s) == ("recovered", session_id, 1.5)
    assert row.sha256 == sha256_file(path)
    assert not path.with_name(path.name + ".repair").exists()


def test_failed_verification_leaves_the_original_in_place(db, project, monkeypatch):
    enroll(db)
    rec_id, path = _unfinished(db, project, 4800, extra=_pcm(4800))
    original = path.read_bytes()

    def broken_copy(src, dst):
        layout = inspect_wav(src)
        with wave.open(str(dst), "wb") as w:  # a copy that lost its last frames (e.g. a bad disk)
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(48000)
            w.writeframes(_pcm(4800))
        return layout

    monkeypatch.setattr(recovery, "write_repaired_copy", broken_copy)
    [report] = recover_unfinished(db, project)
    assert report.action == "failed" and "original left untouched" in report.message
    assert path.read_bytes() == original
    assert not backup_path(path).exists()
    assert store.get_recording(db, rec_id).state == "recording"  # tried again next time

    monkeypatch.undo()
    [report] = recover_unfinished(db, project)
    assert report.action == "repaired" and report.duration_s == pytest.approx(0.2)


def test_crash_between_the_two_renames_is_finished_next_time(db, project):
    enroll(db)
    rec_id, path = _unfinished(db, project, 9600, extra=_pcm(480))
    original = path.read_bytes()
    path.rename(backup_path(path))  # the original moved aside, the copy never moved in
    [report] = recover_unfinished(db, project)
    assert report.action == "repaired"
    assert soundfile.info(str(path)).frames == 10080
    assert backup_path(path).read_bytes() == original


def test_intact_header_needs_no_copy(db, project):
    enroll(db)
    rec_id, path = _unfinished(db, project, 4800)
    before = path.read_bytes()
    [report] = recover_unfinished(db, project, keep_original=False)
    assert report.action == "header_ok" and report.session_id is None
    assert path.read_bytes() == before
    assert store.get_recording(db, rec_id).state == "recovered"


def test_unrecoverable_files_are_marked_failed_and_kept(db, project):
    enroll(db)
    empty_id, empty = _unfinished(db, project, 0)
    junk_rel = "recordings/P01/junk.wav"
    (project.root / junk_rel).write_bytes(b"not audio at all")
    junk_id = store.start_recording(db, participant_code="P01", path=junk_rel)
    gone_id = store.start_recording(db, participant_code="P01", path="recordings/P01/gone.wav")
    reports = {r.recording_id: r for r in recover_unfinished(db, project)}
    assert reports[empty_id].action == "failed" and "holds no audio" in reports[empty_id].message
    assert reports[junk_id].action == "failed" and "not a WAV file" in reports[junk_id].message
    assert reports[gone_id].action == "failed" and "missing" in reports[gone_id].message
    assert empty.exists() and (project.root / junk_rel).exists()
    assert {store.get_recording(db, i).state for i in reports} == {"failed"}


def test_inspect_rejects_non_pcm(tmp_path):
    path = tmp_path / "float.wav"
    soundfile.write(str(path), np.zeros(10, dtype=np.float32), 48000, subtype="FLOAT")
    with pytest.raises(WavRepairError, match="only 16-bit PCM"):
        inspect_wav(path)


@pytest.mark.parametrize("extra_frames", [0, 480])  # header intact (recovery leaves the file) / repaired
def test_last_written_at_is_the_same_before_and_after_recovery(db, project, extra_frames):
    """The app recovers at start-up, before a resumed interview asks when the app stopped: the
    answer must not depend on which came first."""
    import os
    from datetime import datetime, timezone

    from interview_tui.audio.recovery import last_written_at

    enroll(db)
    participant = store.participant_row(db, "P01")
    study_id = db.execute("SELECT id FROM studies").fetchone()[0]
    session_id = open_session(db, participant_id=participant.id, study_id=study_id,
                              started_at="2026-11-28T10:00:00.000000+00:00")
    rec_id, path = _unfinished(db, project, 4800, extra=_pcm(extra_frames))
    db["recordings"].update(rec_id, {"session_id": session_id})
    crashed = datetime(2026, 11, 28, 10, 15, 0, tzinfo=timezone.utc)
    os.utime(path, (crashed.timestamp(), crashed.timestamp()))
    assert last_written_at(db, project, session_id) == crashed
    [report] = recover_unfinished(db, project)
    assert report.action == ("header_ok" if not extra_frames else "repaired")
    assert last_written_at(db, project, session_id) == crashed
