"""The numpy GE2E encoder and its features against resemblyzer + torch (reference computed once)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from interview_tui.diarization.encoder import EncoderError, load_encoder, prepare_encoder
from interview_tui.diarization.features import mel_frames

REFERENCE = Path(__file__).parents[1] / "data" / "ge2e_reference.npz"


@pytest.fixture(scope="module")
def encoder():
    try:
        return load_encoder()
    except EncoderError as exc:
        pytest.skip(str(exc))


def test_mel_frames_match_librosa():
    ref = np.load(REFERENCE)["mel"]
    t = np.arange(25600) / 16000
    wav = (0.3 * np.sin(2 * np.pi * (200 + 800 * t) * t) + 0.05 * np.random.RandomState(1).randn(25600)).astype(np.float32)
    mine = mel_frames(wav)
    assert mine.shape == ref.shape == (161, 40)
    np.testing.assert_allclose(mine, ref, rtol=1e-4, atol=1e-5)


def test_embeddings_match_torch(encoder):
    ref = np.load(REFERENCE)["emb"]
    mels = np.abs(np.random.RandomState(0).randn(2, 160, 40)).astype(np.float32)
    mine = encoder.embed_mels(mels)
    np.testing.assert_allclose(mine, ref, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-6)


def test_conversion_is_done_once(encoder):
    path = prepare_encoder()
    mtime = path.stat().st_mtime_ns
    assert prepare_encoder() == path and path.stat().st_mtime_ns == mtime


def test_missing_weights_say_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr("interview_tui.diarization.encoder._installed_pretrained", lambda: None)
    with pytest.raises(EncoderError, match="pip download resemblyzer"):
        prepare_encoder(tmp_path)


def test_tampered_wheel_is_refused(tmp_path):
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "Resemblyzer-0.1.4-py3-none-any.whl").write_bytes(b"not the wheel")
    with pytest.raises(EncoderError, match="SHA-256"):
        prepare_encoder(tmp_path)
