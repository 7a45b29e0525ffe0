"""Encrypted recordings through the virtual microphone: bit-exact after decryption with the private key,
useless with another key, and a recording killed with SIGKILL still recovers to within ~1 s."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile

from interview_tui import wav
from interview_tui.audio.capture import RecorderConfig
from interview_tui.audio.recording import ActiveRecording
from interview_tui.fileio import sha256_file
from interview_tui.domain.loader import load_study
from interview_tui.privacy import segments
from interview_tui.privacy.agekeys import generate_keypair, load_identities
from interview_tui.storage import audit, open_db
from interview_tui.storage import recordings as store
from interview_tui.storage.consent import record_consent
from interview_tui.storage.participants import add_participant
from interview_tui.storage.studies import register_study
from tests.fixtures.audio import RATE, align, known_signal, write_wav
from tests.fixtures.privacy import study_variant

pytestmark = [pytest.mark.audio, pytest.mark.usefixtures("no_network")]
CLI = [sys.executable, "-m", "interview_tui"]


def _enroll_encrypted(db, tmp_path, public: str, code: str = "P01"):
    study = load_study(study_variant(tmp_path, recipients=(public,)))
    study_id = register_study(db, study)
    add_participant(db, study.id, code)
    record_consent(db, code, study.consent, given=[i.id for i in study.consent.items], declined=[],
                   decision="given", method="paper", study_id=study_id)
    return study


def _signal_in(wav, source: np.ndarray) -> np.ndarray:
    recorded, rate = soundfile.read(wav, dtype="int16")
    assert rate == RATE
    lag = align(recorded, source)
    kept = recorded[lag:lag + len(source)]
    assert np.array_equal(kept, source[: len(kept)])  # the played signal, sample for sample
    return kept


def test_encrypted_recording_decrypts_bit_exact(virtual_mic, db, project, tmp_path, age_keys, monkeypatch) -> None:
    key_path, public = age_keys
    _enroll_encrypted(db, tmp_path, public)
    written: list[bytes] = []  # what the recorder handed to the encrypting writer
    original_write = segments.EncryptedWavWriter.write

    def spy(self, pcm: bytes) -> None:
        written.append(bytes(pcm))
        original_write(self, pcm)

    monkeypatch.setattr(segments.EncryptedWavWriter, "write", spy)
    source = known_signal(3.0)
    active = ActiveRecording.start(db, project, "P01", device="pulse", config=RecorderConfig(), max_seconds=4.5)
    player = virtual_mic.play(write_wav(tmp_path / "known.wav", source))
    assert active.recorder.limit_reached.wait(timeout=30)
    player.wait(timeout=10)
    summary = active.finish()

    path = project.root / store.get_recording(db, summary.recording_id).path
    assert path.name.endswith(".wav.ageseg") and path.parent.name == "P01"
    data = path.read_bytes()
    assert data.startswith(segments.MAGIC) and b"RIFF" not in data and b"WAVE" not in data
    assert summary.sha256 == sha256_file(path) and summary.duration_s == pytest.approx(4.5)

    out = segments.decrypt_to_wav(path, tmp_path / "decrypted.wav", load_identities(key_path))
    pcm = b"".join(written)
    assert (tmp_path / "decrypted.wav").read_bytes() == wav.header(RATE, 1, len(pcm)) + pcm
    assert out.frames == len(pcm) // 2 == round(4.5 * RATE)
    _signal_in(tmp_path / "decrypted.wav", source)
    logged = [(e.action, e.participant_code, e.details["recording_id"])
              for e in audit.entries(db, participant_code="P01") if e.action.startswith("recording.")]
    assert logged == [("recording.started", "P01", summary.recording_id), ("recording.stopped", "P01", summary.recording_id)]

    other_secret, _ = generate_keypair()
    (tmp_path / "wrong.key").write_text(other_secret + "\n")
    wrong = subprocess.run([*CLI, "decrypt", str(path), "--identity", str(tmp_path / "wrong.key"),
                            "--out", str(tmp_path / "wrong")], capture_output=True, text=True)
    assert wrong.returncode == 1 and "private key does not match" in wrong.stderr
    assert not list((tmp_path / "wrong").glob("*.wav"))


def test_killed_encrypted_recording_recovers_within_a_second(virtual_mic, db, project, tmp_path, age_keys) -> None:
    key_path, public = age_keys
    _enroll_encrypted(db, tmp_path, public)
    source = known_signal(8.0)
    source_path = write_wav(tmp_path / "long.wav", source)
    proc = subprocess.Popen(
        [*CLI, "--data-dir", str(project.root), "record", "--participant", "P01", "--device", "pulse"],
        env=virtual_mic.subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("Recording P01") and ".wav.ageseg" in line, line + proc.stderr.read()
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
    recovered = subprocess.run([*CLI, "--data-dir", str(project.root), "recover"], capture_output=True, text=True,
                               env=virtual_mic.subprocess_env())
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert f"recording {row.id} (P01, {path.name}): recovered" in recovered.stdout
    assert "(encrypted)" in recovered.stdout

    decrypted = subprocess.run([*CLI, "decrypt", str(path), "--identity", str(key_path), "--out",
                                str(tmp_path / "analysis")], capture_output=True, text=True)
    assert decrypted.returncode == 0, decrypted.stderr
    wav = tmp_path / "analysis" / path.name.replace(".wav.ageseg", ".wav")
    kept = _signal_in(wav, source)
    signal_kept_s = (len(kept) - np.flatnonzero(source)[0]) / RATE
    print(f"signal kept {signal_kept_s:.2f} s of {killed_after - 0.5:.2f} s played before the kill")
    # the same bound as a plain recording: up to one sealing interval (0.5 s) not yet encrypted,
    # plus what was still queued; 0.5 s: the source's leading silence
    assert signal_kept_s >= killed_after - 0.5 - 1.0

    db2 = open_db(project.db_path)
    fixed = store.get_recording(db2, row.id)
    assert fixed.state == "recovered" and fixed.sha256 == sha256_file(path)
    assert fixed.duration_s == pytest.approx(soundfile.info(str(wav)).frames / RATE)
    assert store.unfinished_recordings(db2) == []
    assert [e.details["recording_id"] for e in audit.entries(db2, action="recording.recovered")] == [row.id]
