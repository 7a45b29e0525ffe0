"""After recording, with pydub/ffmpeg: archival copies, imported files, probing.

pydub drives ffmpeg; `ConversionError` carries a message that says what is
wrong with the file and what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from interview_tui.config import Project
from interview_tui.fileio import fsync_dir, sha256_file
from interview_tui.privacy.segments import encrypted_recording_message, is_encrypted_recording
from interview_tui.storage import recordings as store

#: archive format -> (ffmpeg format, codec, suffix, extra ffmpeg parameters)
ARCHIVE_FORMATS: dict[str, tuple[str, str | None, str, list[str]]] = {
    "flac": ("flac", None, ".flac", []),
    # 48 kbit/s Opus keeps speech transparent at a tenth of FLAC's size.
    "opus": ("opus", "libopus", ".opus", ["-b:a", "48k"]),
}
IMPORT_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus")


class ConversionError(RuntimeError):
    """A file could not be read, converted or imported; the message says why."""


def _ffmpeg_missing() -> ConversionError:
    return ConversionError("ffmpeg/ffprobe not found; install ffmpeg (Debian/Ubuntu: `apt-get install ffmpeg`).")


def export_compressed(src: Path, dst: Path, fmt: str) -> Path:
    """Write `src` (any audio ffmpeg reads) to `dst` as FLAC or Opus."""
    from pydub import AudioSegment

    if fmt not in ARCHIVE_FORMATS:
        raise ConversionError(f"unknown archive format {fmt!r}; use one of {', '.join(ARCHIVE_FORMATS)}")
    if shutil.which("ffmpeg") is None:
        raise _ffmpeg_missing()
    ff_format, codec, _suffix, params = ARCHIVE_FORMATS[fmt]
    tmp = dst.with_name(dst.name + ".part")
    try:
        audio = AudioSegment.from_file(str(src))
        audio.export(str(tmp), format=ff_format, codec=codec, parameters=params).close()
        os.replace(tmp, dst)
    except Exception as exc:  # pydub raises CouldntDecodeError/CouldntEncodeError/OSError
        tmp.unlink(missing_ok=True)
        raise ConversionError(f"could not write {dst.name}: {exc}") from exc
    return dst


def archive_recording(db: Database, project: Project, recording_id: int, fmt: str) -> Path:
    """Write the compressed archival copy of a recording next to it and store its path."""
    row = store.get_recording(db, recording_id)
    if row is None:
        raise ConversionError(f"no recording {recording_id}")
    src = project.root / row.path
    if is_encrypted_recording(src):  # no private key here: ffmpeg would only say "invalid data"
        raise ConversionError(encrypted_recording_message(src, "be archived"))
    dst = src.with_suffix(ARCHIVE_FORMATS[fmt][2]) if fmt in ARCHIVE_FORMATS else src
    export_compressed(src, dst, fmt)
    store.set_compressed_path(db, recording_id, str(dst.relative_to(project.root)))
    return dst


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says about an audio file."""

    duration_s: float
    sample_rate: int
    channels: int
    codec: str


def probe_audio(path: Path) -> AudioInfo:
    """Probe a file's first audio stream with ffprobe (via pydub); `ConversionError` when it has none."""
    from pydub.utils import mediainfo_json

    if shutil.which("ffprobe") is None:
        raise _ffmpeg_missing()
    try:
        info = mediainfo_json(str(path))
    except Exception as exc:
        raise ConversionError(f"{path.name}: ffprobe cannot read it ({exc})") from exc
    streams = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not streams:
        raise ConversionError(f"{path.name}: no audio stream found: the file is damaged or not an audio file")
    stream = streams[0]
    try:
        duration = float(stream.get("duration") or info.get("format", {}).get("duration"))
        return AudioInfo(duration, int(stream["sample_rate"]), int(stream["channels"]), str(stream.get("codec_name")))
    except (TypeError, ValueError, KeyError) as exc:
        raise ConversionError(f"{path.name}: ffprobe found no usable duration/rate/channels ({exc})") from exc


def check_decodes(path: Path) -> None:
    """Decode the whole file with ffmpeg; `ConversionError` naming the first error when it is corrupt."""
    if shutil.which("ffmpeg") is None:
        raise _ffmpeg_missing()
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-xerror", "-i", str(path), "-map", "0:a:0", "-f", "null", "-"],
        capture_output=True, text=True,
    )
    errors = proc.stderr.strip()
    if proc.returncode != 0 or errors:
        first = errors.splitlines()[0] if errors else f"ffmpeg exit status {proc.returncode}"
        raise ConversionError(f"{path.name}: the audio is damaged or unreadable ({first})")


def import_audio(
    db: Database, project: Project, src: Path, participant_code: str, session_id: int | None = None
) -> int:
    """Copy an existing audio file into the project (named by code, checksummed, probed); returns its id.

    Refuses (`NotPermitted`) what `storage.permission` does not allow for audio, and a session
    that does not exist or is another participant's (`ConversionError`), before anything is
    written.  The file is created exclusively (never over another recording); when the copy
    fails no row is written, and when the row cannot be written the copy is removed again,
    so the database and the disk always agree.  The original file name is not stored
    anywhere: it may name the participant.
    """
    from interview_tui.storage.permission import require_permission

    src = Path(src)
    if src.is_dir():
        raise ConversionError(f"{src} is a folder; give one audio file")
    if src.exists() and not src.is_file():
        raise ConversionError(f"{src} is not a regular file (a device or a pipe); give an audio file")
    if not src.is_file():
        raise ConversionError(f"{src}: no such file")
    suffix = src.suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ConversionError(
            f"{src.name}: unsupported file type {suffix or '(none)'}; import one of {', '.join(IMPORT_SUFFIXES)}"
        )
    code = require_permission(db, participant_code, "import").code
    if session_id is not None:
        owner = store.session_participant_code(db, session_id)
        if owner != code:
            raise ConversionError(
                f"session {session_id} does not exist; leave out --session or give one of {code}'s sessions"
                if owner is None else f"session {session_id} is {owner}'s, not {code}'s; check --session"
            )
    info = probe_audio(src)
    if info.duration_s <= 0:
        raise ConversionError(f"{src.name}: holds no audio (duration 0)")
    check_decodes(src)
    digest = sha256_file(src)
    try:
        rel, out = store.claim_recording_file(
            db, project.root, code, session_id, datetime.now(timezone.utc), f"-import{suffix}",
            lambda path: open(path, "xb"),
        )
    except OSError as exc:
        raise ConversionError(
            f"cannot create a file in {project.root / 'recordings' / code}: {exc.strerror or exc}"
        ) from exc
    dst = project.root / rel
    try:
        try:
            with out, open(src, "rb") as f:
                shutil.copyfileobj(f, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            fsync_dir(dst.parent)
        except OSError as exc:
            raise ConversionError(f"cannot copy {src.name} into {dst.parent}: {exc.strerror or exc}; "
                                  "nothing was imported") from exc
        if sha256_file(dst) != digest:
            raise ConversionError(f"{src.name}: the copy differs from the original; check the disk. "
                                  "Nothing was imported")
        return store.add_imported_recording(
            db, participant_code=code, path=rel, session_id=session_id, sample_rate=info.sample_rate,
            channels=info.channels, duration_s=info.duration_s, sha256=digest,
        )
    except BaseException:
        dst.unlink(missing_ok=True)  # only the file this call created: the disk agrees with the database
        raise
