"""The header of a 16-bit PCM WAV file, packed in one place.

The recorder, encrypted recordings (whose first segment carries the header) and decryption
all write it; `audio.wavfile` reads and repairs it.
"""

from __future__ import annotations

import struct

#: Bytes of the canonical header (RIFF, fmt and data chunk headers), what Python's `wave` writes.
HEADER_BYTES = 44


def header(samplerate: int, channels: int, data_bytes: int = 0) -> bytes:
    """The canonical 44-byte PCM WAV header for 16-bit audio."""
    block = 2 * channels
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, samplerate, samplerate * block, block, 16)
        + b"data" + struct.pack("<I", data_bytes)
    )


def size_fields(data_offset: int, data_bytes: int) -> list[tuple[int, bytes]]:
    """(file offset, bytes) of the RIFF and data size fields of a WAV whose samples start at `data_offset`."""
    return [(4, struct.pack("<I", data_offset - 8 + data_bytes)), (data_offset - 4, struct.pack("<I", data_bytes))]
