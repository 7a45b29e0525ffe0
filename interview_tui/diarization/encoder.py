"""Speaker embeddings: resemblyzer's GE2E encoder, run with numpy.

resemblyzer (Apache-2.0) ships its trained weights inside its wheel as a legacy torch
pickle (a 3-layer LSTM 40->256 and a linear 256->256).  We read them once without torch,
check them against the published wheel, and keep them in the model cache as a plain .npz.
The network is small enough that numpy runs it far faster than real time.

Anything with `embed(windows) -> (n, d)` L2-normalised rows can replace it (`SpeakerEncoder`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from interview_tui.diarization.features import FRAMES_PER_WINDOW, mel_frames
from interview_tui.diarization.torch_pickle import CheckpointError, load_legacy_checkpoint
from interview_tui.config import model_cache_dir
from interview_tui.fileio import sha256_file

WHEEL_NAME = "Resemblyzer-0.1.4-py3-none-any.whl"
WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
PRETRAINED_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
MODEL_NAME = "speaker-ge2e"


def install_hint(cache: Path) -> str:
    """How to install the weights into `cache` (only the wheel's file: its torch dependency is not needed)."""
    return (f"Install the speaker encoder with scripts/install.sh, or: "
            f"pip download resemblyzer==0.1.4 --no-deps -d \"{cache / 'wheels'}\"")


class EncoderError(Exception):
    """The speaker encoder is missing or broken; the message says what to do."""


class SpeakerEncoder(Protocol):
    """Turns 1.6 s windows of 16 kHz audio into L2-normalised voice embeddings."""

    name: str
    sha256: str

    def embed(self, windows: np.ndarray) -> np.ndarray: ...


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # tanh form cannot overflow


@dataclass
class GE2EEncoder:
    """resemblyzer's LSTM in numpy (torch gate order: input, forget, cell, output)."""

    weights: dict[str, np.ndarray]
    name: str = MODEL_NAME
    sha256: str = PRETRAINED_SHA256

    def embed_mels(self, mels: np.ndarray) -> np.ndarray:
        """Embeddings of a batch of mel windows, shape (batch, frames, 40) -> (batch, 256)."""
        from threadpoolctl import threadpool_limits

        # The recurrence is hundreds of small matrix products: BLAS threads only add
        # synchronisation (measured 10x slower with 2 threads on a busy 2-core machine).
        with threadpool_limits(limits=1, user_api="blas"):
            return self._forward(mels)

    def _forward(self, mels: np.ndarray) -> np.ndarray:
        x = mels.astype(np.float32)
        batch, steps, _ = x.shape
        w = self.weights
        for layer in range(3):
            wih, whh = w[f"lstm.weight_ih_l{layer}"], w[f"lstm.weight_hh_l{layer}"]
            bias = w[f"lstm.bias_ih_l{layer}"] + w[f"lstm.bias_hh_l{layer}"]
            hidden = whh.shape[1]
            # The input projection of every step at once; only the recurrence is sequential.
            xin = (x.reshape(batch * steps, -1) @ wih.T + bias).reshape(batch, steps, -1)
            h = np.zeros((batch, hidden), np.float32)
            c = np.zeros((batch, hidden), np.float32)
            out = np.empty((batch, steps, hidden), np.float32)
            whh_t = np.ascontiguousarray(whh.T)
            for t in range(steps):
                g = xin[:, t] + h @ whh_t
                i, f = _sigmoid(g[:, :hidden]), _sigmoid(g[:, hidden : 2 * hidden])
                cc, o = np.tanh(g[:, 2 * hidden : 3 * hidden]), _sigmoid(g[:, 3 * hidden :])
                c = f * c + i * cc
                h = o * np.tanh(c)
                out[:, t] = h
            x = out
        emb = np.maximum(h @ w["linear.weight"].T + w["linear.bias"], 0.0)
        return emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-9)

    def embed(self, windows: np.ndarray) -> np.ndarray:
        """Embeddings of equal-length audio windows, shape (n, samples) at 16 kHz -> (n, 256).

        Windows up to 1.6 s are what the encoder was trained on; shorter ones work too.
        """
        if len(windows) == 0:
            return np.zeros((0, 256), np.float32)
        mels = np.stack([mel_frames(wv)[:FRAMES_PER_WINDOW] for wv in windows])
        return self.embed_mels(mels)


def _installed_pretrained() -> Path | None:
    spec = importlib.util.find_spec("resemblyzer")  # finds the package without importing it (or torch)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "pretrained.pt"
    return path if path.is_file() else None


def _pretrained_bytes(cache: Path) -> tuple[bytes, str]:
    """pretrained.pt from the downloaded wheel (checked) or an installed resemblyzer (checked)."""
    wheel = cache / "wheels" / WHEEL_NAME
    if wheel.is_file():
        if sha256_file(wheel) != WHEEL_SHA256:
            raise EncoderError(f"{wheel} does not match resemblyzer 0.1.4's published SHA-256; delete it. "
                               f"{install_hint(cache)}")
        with zipfile.ZipFile(wheel) as zf:
            return zf.read("resemblyzer/pretrained.pt"), f"wheel:{WHEEL_NAME}"
    installed = _installed_pretrained()
    if installed is not None:
        return installed.read_bytes(), f"package:{installed}"
    raise EncoderError(f"The speaker encoder weights are not installed. {install_hint(cache)}")


def prepare_encoder(cache: Path | None = None) -> Path:
    """Convert the GE2E weights once into `<cache>/speaker-ge2e/encoder.npz`; the file's path."""
    root = cache or model_cache_dir()
    target = root / MODEL_NAME / "encoder.npz"
    verified = target.parent / ".verified"
    if target.is_file() and verified.is_file() and verified.read_text().strip() == sha256_file(target):
        return target
    raw, origin = _pretrained_bytes(root)
    if hashlib.sha256(raw).hexdigest() != PRETRAINED_SHA256:
        raise EncoderError(f"The speaker encoder weights ({origin}) do not match resemblyzer 0.1.4. "
                           f"{install_hint(root)}")
    try:
        state = load_legacy_checkpoint(io.BytesIO(raw))["model_state"]
    except (CheckpointError, KeyError, TypeError) as exc:
        raise EncoderError(f"Could not read the speaker encoder weights ({origin}): {exc}") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name("encoder.partial.npz")
    np.savez(tmp, **{k: v for k, v in state.items() if k.startswith(("lstm.", "linear."))})
    os.replace(tmp, target)  # a half-written file never looks like a model
    verified.write_text(sha256_file(target) + "\n")
    (target.parent / "SOURCE").write_text(
        f"resemblyzer 0.1.4 GE2E speaker encoder (Apache-2.0), from {origin}\n"
        f"pretrained.pt sha256 {PRETRAINED_SHA256}\n"
    )
    return target


_LOADED: dict[str, GE2EEncoder] = {}


def load_encoder(cache: Path | None = None) -> GE2EEncoder:
    """The GE2E encoder, converting its weights on first use (raises EncoderError)."""
    path = prepare_encoder(cache)
    key = str(path)
    if key not in _LOADED:
        with np.load(path) as data:
            _LOADED[key] = GE2EEncoder({k: data[k].astype(np.float32) for k in data.files})
    return _LOADED[key]
