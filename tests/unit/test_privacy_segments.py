"""Segmented age recordings: bit-exact round trip, wrong key refused, cut-off tail repaired without the key."""

from __future__ import annotations

import io
import wave

import numpy as np
import pyrage
import pytest

from interview_tui.domain.loader import StudyFileError, load_study
from interview_tui.privacy.agekeys import AgeKeyError, generate_keypair, load_identities, parse_recipients
from interview_tui.privacy.segments import (
    MAGIC,
    EncryptedWavWriter,
    SegmentError,
    decrypt_to_wav,
    plaintext_size,
    repair_copy,
    scan,
)
from tests.fixtures.privacy import study_variant

pytestmark = pytest.mark.usefixtures("no_network")
RATE = 16000


def _pcm(seconds: float, channels: int = 1) -> bytes:
    rng = np.random.default_rng(3)
    return rng.integers(-20000, 20000, int(seconds * RATE) * channels, dtype=np.int16).tobytes()


def _plain_wav(pcm: bytes, channels: int = 1) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)
    return buf.getvalue()


def _record(path, public: str, pcm: bytes, channels: int = 1, block: int = 3200) -> EncryptedWavWriter:
    w = EncryptedWavWriter(path, RATE, channels, [public], fsync_interval_s=0.0)  # a segment per write
    for i in range(0, len(pcm), block):
        w.write(pcm[i:i + block])
    return w


@pytest.mark.parametrize("size", [1, 1000, 65535, 65536, 65537, 131072, 200000])
def test_plaintext_size_from_ciphertext_length(size: int) -> None:
    _, public = generate_keypair()
    assert plaintext_size(pyrage.encrypt(b"x" * size, parse_recipients([public]))) == size


@pytest.mark.parametrize("channels", [1, 2])
def test_round_trip_is_bit_exact_and_wrong_key_fails(tmp_path, age_keys, channels: int) -> None:
    key_path, public = age_keys
    pcm = _pcm(2.0, channels)
    w = _record(tmp_path / "r.wav.ageseg", public, pcm, channels)
    w.close()
    data = (tmp_path / "r.wav.ageseg").read_bytes()
    assert data.startswith(MAGIC) and b"RIFF" not in data and pcm[:64] not in data
    out = decrypt_to_wav(tmp_path / "r.wav.ageseg", tmp_path / "r.wav", load_identities(key_path))
    assert (tmp_path / "r.wav").read_bytes() == _plain_wav(pcm, channels)  # what the plain recorder writes
    assert out.frames == len(pcm) // (2 * channels) and out.dropped_tail_bytes == 0
    other, _ = generate_keypair()
    (tmp_path / "other.key").write_text(other + "\n")
    with pytest.raises(SegmentError, match="private key does not match"):
        decrypt_to_wav(tmp_path / "r.wav.ageseg", tmp_path / "x.wav", load_identities(tmp_path / "other.key"))
    assert not (tmp_path / "x.wav").exists()


def test_cut_off_recording_is_repaired_without_the_key(tmp_path, age_keys) -> None:
    key_path, public = age_keys
    pcm = _pcm(2.0)
    w = _record(tmp_path / "r.wav.ageseg", public, pcm, block=3200)  # 0.1 s per segment
    w._file.flush()
    full = (tmp_path / "r.wav.ageseg").read_bytes()
    w.close()
    (tmp_path / "cut.wav.ageseg").write_bytes(full[:-100])  # the last segment half written
    found = scan(tmp_path / "cut.wav.ageseg", RATE, 1)
    assert not found.intact and found.frames == len(pcm) // 2 - 1600
    repaired = repair_copy(tmp_path / "cut.wav.ageseg", tmp_path / "fixed.wav.ageseg", RATE, 1)
    assert repaired.frames == found.frames
    out = decrypt_to_wav(tmp_path / "fixed.wav.ageseg", tmp_path / "fixed.wav", load_identities(key_path))
    assert (tmp_path / "fixed.wav").read_bytes() == _plain_wav(pcm[: found.frames * 2])
    assert out.frames == found.frames
    # decrypt also skips a cut-off tail by itself, and says so
    tail = decrypt_to_wav(tmp_path / "cut.wav.ageseg", tmp_path / "tail.wav", load_identities(key_path))
    assert tail.dropped_tail_bytes > 0 and tail.frames == found.frames


def test_not_a_segmented_file(tmp_path) -> None:
    (tmp_path / "x.wav.ageseg").write_bytes(b"RIFF....WAVE")
    with pytest.raises(SegmentError, match="not an interview-tui encrypted recording"):
        scan(tmp_path / "x.wav.ageseg", RATE, 1)


def test_key_errors_name_the_problem(tmp_path) -> None:
    secret, public = generate_keypair()
    with pytest.raises(AgeKeyError, match="recipient 2: this is a private key"):
        parse_recipients([public, secret])
    with pytest.raises(AgeKeyError, match="no recipient"):
        parse_recipients([])
    (tmp_path / "k").write_text("# comment\n\nnot-a-key\n")
    with pytest.raises(AgeKeyError, match=r"k:3: not an age private key"):
        load_identities(tmp_path / "k")


def test_study_file_encryption_recipients(tmp_path) -> None:
    _, public = generate_keypair()
    assert load_study(study_variant(tmp_path, recipients=(public,))).encryption_recipients == (public,)
    secret, _ = generate_keypair()
    with pytest.raises(StudyFileError) as err:
        load_study(study_variant(tmp_path, recipients=("age1short", secret)))
    text = str(err.value)
    assert "not an age public key" in text and "(at encryption.recipients[0])" in text
    assert "this is a private key" in text and "(at encryption.recipients[1])" in text
