"""Mel frames as resemblyzer computes them (librosa's defaults), in numpy.

40 Slaney-scaled mel bands of the power spectrum (not log), 25 ms Hann window, 10 ms hop,
16 kHz, centred frames with zero padding.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
FRAMES_PER_WINDOW = 160  # 1.6 s: what the encoder was trained on
WINDOW_SAMPLES = FRAMES_PER_WINDOW * HOP


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    f = np.asarray(f, dtype=np.float64)
    lin = f / (200.0 / 3)
    log_start, min_log_mel, logstep = 1000.0, 15.0, np.log(6.4) / 27.0
    return np.where(f >= log_start, min_log_mel + np.log(np.maximum(f, 1e-10) / log_start) / logstep, lin)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float64)
    log_start, min_log_mel, logstep = 1000.0, 15.0, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, log_start * np.exp(logstep * (m - min_log_mel)), m * (200.0 / 3))


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """The (40, 201) Slaney mel filterbank librosa builds for these settings."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    mel_f = _mel_to_hz(np.linspace(_hz_to_mel(0.0), _hz_to_mel(SAMPLE_RATE / 2), N_MELS + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.astype(np.float32)


@lru_cache(maxsize=1)
def _window() -> np.ndarray:
    n = np.arange(N_FFT)
    return (0.5 - 0.5 * np.cos(2 * np.pi * n / N_FFT)).astype(np.float32)  # periodic Hann


def mel_frames(wav: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power frames of a 16 kHz float waveform."""
    y = np.pad(np.asarray(wav, dtype=np.float32), N_FFT // 2)
    n = 1 + (len(y) - N_FFT) // HOP
    frames = np.lib.stride_tricks.as_strided(y, (n, N_FFT), (y.strides[0] * HOP, y.strides[0]))
    spec = np.abs(np.fft.rfft(frames * _window(), axis=1)) ** 2
    return (spec @ mel_filters().T).astype(np.float32)
