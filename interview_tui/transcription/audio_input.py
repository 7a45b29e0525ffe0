"""Reading audio for transcription: any format FFmpeg knows (via PyAV), as 16 kHz float channels."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interview_tui.privacy.segments import encrypted_recording_message, is_encrypted_recording

SAMPLE_RATE = 16000


class AudioInputError(Exception):
    """The file cannot be transcribed (missing, empty, corrupt, unsupported); message says why."""


@dataclass
class AudioInput:
    """Decoded audio: `mono` for the model, and `channels` (1 or 2 rows) for speaker turns."""

    path: Path
    mono: np.ndarray
    channels: list[np.ndarray]

    @property
    def duration_s(self) -> float:
        return len(self.mono) / SAMPLE_RATE

    @property
    def stereo(self) -> bool:
        return len(self.channels) == 2


def _channel_count(path: Path) -> int:
    import av

    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise AudioInputError(f"{path}: the file has no audio stream (is it a video or a document?).")
        return container.streams.audio[0].channels


def load_audio(path: str | Path) -> AudioInput:
    """Decode `path` into 16 kHz float32 mono (plus the two channels of a stereo file).

    Files with more than two channels are mixed to mono: only one-mic-per-speaker stereo
    carries speaker information we can use.
    """
    import av
    from faster_whisper import decode_audio

    path = Path(path)
    if not path.exists():
        raise AudioInputError(f"{path}: no such file.")
    if is_encrypted_recording(path):  # no private key on the recording machine; FFmpeg would say "invalid data"
        raise AudioInputError(encrypted_recording_message(path, "be transcribed"))
    if path.is_dir():
        raise AudioInputError(f"{path}: is a folder, not an audio file.")
    if path.stat().st_size == 0:
        raise AudioInputError(f"{path}: the file is empty (0 bytes); re-export or re-copy the recording.")
    try:
        n = _channel_count(path)
        if n == 2:
            left, right = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)
            channels = [np.asarray(left, dtype=np.float32), np.asarray(right, dtype=np.float32)]
            mono = (channels[0] + channels[1]) / 2
        else:
            mono = np.asarray(decode_audio(str(path), sampling_rate=SAMPLE_RATE), dtype=np.float32)
            channels = [mono]
    except AudioInputError:
        raise
    except (av.error.FFmpegError, ValueError, OSError, IndexError) as exc:
        raise AudioInputError(
            f"{path}: cannot decode the audio ({exc.__class__.__name__}: {exc}). The file is corrupt or "
            "not an audio format FFmpeg supports (wav, flac, mp3, m4a, ogg/opus work); "
            "try converting it with: ffmpeg -i INPUT output.wav"
        ) from exc
    if len(mono) == 0:
        raise AudioInputError(f"{path}: the file contains no audio samples (0 seconds).")
    return AudioInput(path, mono, channels)


def probe_duration(path: str | Path) -> float | None:
    """The file's duration in seconds from its header (None when unknown or unreadable)."""
    import av

    try:
        with av.open(str(path)) as container:
            if container.duration is not None:
                return container.duration / 1_000_000
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
    except Exception:  # a broken file is reported properly when it is decoded
        return None
    return None
