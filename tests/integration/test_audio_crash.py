"""A real recording process killed with SIGKILL, then recovered; disk full; the CLI's errors."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from interview_tui.audio.recovery import backup_path
from interview_tui.audio.wavfile import inspect_wav
from interview_tui.fileio import sha256_file
from interview_tui.storage import open_db
from interview_tui.storage import recordings as store
from tests.fixtures.audio import RATE, align, enroll, known_signal, write_wav

pytestmark = pytest.mark.audio

CLI = [sys.executable, "-m", "interview_tui"]


def _start_recorder(project, virtual_mic, *args: str, **popen) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [*CLI, "--data-dir", str(project.root), "record", "--participant", "P01", "--device", "pulse", *args],
        env=virtual_mic.subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )
    line = proc.stdout.readline()  # printed once the stream is open and the file exists
    assert line.startswith("Recording P01"), line + proc.stderr.read()
    return proc, line


def test_sigkill_mid_recording_then_recover(virtual_mic, db, project, tmp_path):
    enroll(db)
    source = known_signal(8.0)
    source_path = write_wav(tmp_path / "long.wav", source)
    proc, _ = _start_recorder(project, virtual_mic)
    player = virtual_mic.play(source_path)
    played_from = time.monotonic()
    time.sleep(4.0)
    proc.send_signal(signal.SIGKILL)
    killed_after = time.monotonic() - played_from
    proc.wait(timeout=10)
    player.kill()
    player.wait()

    [row] = store.unfinished_recordings(db)
    path = project.root / row.path
    original_bytes = path.read_bytes()

    result = subprocess.run([*CLI, "--data-dir", str(project.root), "recover"], capture_output=True, text=True,
                            env=virtual_mic.subprocess_env())
    assert result.returncode == 0, result.stderr
    assert f"recording {row.id} (P01, {path.name}): recovered" in result.stdout, result.stdout

    recovered, rate = soundfile.read(path, dtype="int16")
    layout = inspect_wav(path)
    assert layout.header_ok and rate == RATE
    # Audio bytes are exactly the original's (a repair only rewrites the size fields) ...
    assert path.read_bytes()[layout.data_offset:] == original_bytes[layout.data_offset:][: layout.available_data_bytes]
    # ... and hold the known signal, bit-exact, up to within ~1 s of the kill.
    lag = align(recorded := recovered, source)
    kept = recorded[lag:lag + len(source)]
    assert np.array_equal(kept, source[: len(kept)])
    signal_kept_s = (len(kept) - np.flatnonzero(source)[0]) / RATE
    print(f"signal kept {signal_kept_s:.2f} s of {killed_after - 0.5:.2f} s played before the kill")
    assert signal_kept_s >= killed_after - 0.5 - 1.0  # 0.5 s: the source's leading silence

    db2 = open_db(project.db_path)
    fixed = store.get_recording(db2, row.id)
    assert fixed.state == "recovered"
    assert fixed.duration_s == pytest.approx(len(recovered) / RATE)
    assert fixed.sha256 == sha256_file(path)
    if backup_path(path).exists():  # the header had to be repaired: the original is kept untouched
        assert backup_path(path).read_bytes() == original_bytes
    else:  # the header was already current (the usual case after kill -9): nothing was rewritten
        assert "header already matched" in result.stdout
        assert path.read_bytes() == original_bytes
    assert store.unfinished_recordings(db2) == []


def _limit_file_size(limit: int):
    def apply() -> None:
        # Writing past RLIMIT_FSIZE fails with EFBIG (SIGXFSZ ignored): the kernel's "no more room".
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_disk_full_stops_cleanly_and_keeps_the_audio(virtual_mic, db, project):
    enroll(db)
    db.close()  # checkpoint the WAL so the child's database files stay small
    # The limit holds for every file the child writes: leave the database room to grow.
    limit = project.db_path.stat().st_size + 256 * 1024
    proc, _ = _start_recorder(project, virtual_mic, "--seconds", "60", "--channels", "2",
                              preexec_fn=_limit_file_size(limit))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1, out + err
    assert "The disk is full: recording stopped after" in err
    assert "Free disk space" in err

    db2 = open_db(project.db_path)
    [row] = store.list_recordings(db2)
    path = project.root / row.path
    layout = inspect_wav(path)
    assert layout.header_ok
    frames = soundfile.info(str(path)).frames
    assert frames == layout.frames > 0.9 * (limit - 44) // 4
    assert row.state == "complete" and "disk is full" in row.error
    assert row.duration_s == pytest.approx(frames / RATE)
    assert row.sha256 == sha256_file(path)


def test_cli_errors_are_clear(virtual_mic, db, project):
    enroll(db, "P01")
    enroll_no = subprocess.run(
        [*CLI, "--data-dir", str(project.root), "record", "--participant", "P01", "--device", "missing-mic"],
        capture_output=True, text=True, env=virtual_mic.subprocess_env(),
    )
    assert enroll_no.returncode == 1
    assert "Error: Input device 'missing-mic' not found" in enroll_no.stderr
    assert "Traceback" not in enroll_no.stderr

    listed = subprocess.run([*CLI, "--data-dir", str(project.root), "devices"], capture_output=True, text=True,
                            env=virtual_mic.subprocess_env())
    assert listed.returncode == 0 and "pulse (ALSA" in listed.stdout

    nothing = subprocess.run([*CLI, "--data-dir", str(project.root), "recover"], capture_output=True, text=True)
    assert nothing.stdout.strip() == "No unfinished recordings found."


def test_cli_refuses_without_consent(db, project):
    enroll(db, "P02", audio_consent=False)
    result = subprocess.run(
        [*CLI, "--data-dir", str(project.root), "record", "--participant", "P02", "--seconds", "1"],
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert "Not recording: P02 has not given consent to audio recording" in result.stderr
    assert not Path(project.recordings_dir / "P02").exists()


def test_cli_records_exact_seconds_with_archive(virtual_mic, db, project):
    enroll(db)
    result = subprocess.run(
        [*CLI, "--data-dir", str(project.root), "record", "--participant", "P01", "--device", "pulse",
         "--seconds", "1.2", "--rate", "16000", "--archive", "flac"],
        capture_output=True, text=True, env=virtual_mic.subprocess_env(), timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Stopped: 1.2 s, 0 overflow(s)" in result.stdout
    [row] = store.list_recordings(db)
    wav, flac = project.root / row.path, project.root / row.compressed_path
    assert soundfile.info(str(wav)).frames == 19200  # exactly --seconds at 16 kHz
    assert flac.suffix == ".flac" and f"Archival copy: {row.compressed_path}" in result.stdout
    assert np.array_equal(soundfile.read(flac, dtype="int16")[0], soundfile.read(wav, dtype="int16")[0])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_cleanly(virtual_mic, db, project, sig):
    enroll(db)
    proc, _ = _start_recorder(project, virtual_mic)
    time.sleep(1.0)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Stopped: " in out and "Traceback" not in err
    [row] = store.list_recordings(db)
    path = project.root / row.path
    assert row.state == "complete" and row.error is None
    assert inspect_wav(path).header_ok and row.sha256 == sha256_file(path)
    assert soundfile.info(str(path)).frames == round(row.duration_s * RATE) > RATE // 2
