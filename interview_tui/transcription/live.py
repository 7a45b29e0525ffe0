"""Live transcription: the growing recording is transcribed while the interview goes on.

A background process at the lowest CPU priority (nice 19 and, on Linux, SCHED_IDLE) reads
the crash-safe WAV as the recorder writes it (its header is kept current), cuts off each
finished stretch of speech once a pause follows it (Silero VAD, as the engine uses), and
transcribes it without a prompt: on pieces of 20-90 s, any prompt (the previous piece's text,
the verbatim filler prompt, or both) made Whisper drop the end of many pieces (14-17 % WER
against 4.7 % without a prompt and 6.7 % for the post-hoc run of the same recording,
`benchmarks/results/live.md`); inside a piece the previous text is context as usual.  Each
piece is appended as one JSON line to `<recording>.live.jsonl` beside the recording and fsynced, so a crash keeps what was done and a new service for the
same recording continues after the last piece.  When the interview ends, `finish()` stops
the idle-priority process (an unprivileged process cannot leave SCHED_IDLE, and the person
is now waiting) and transcribes the rest at the caller's priority, on every core when it is
long (`parallel.py`); the stitched result becomes the transcript like any other
(`pipeline.build_transcript`).

The recorder comes first: the process never touches the audio device, runs only when
nothing else wants the CPU, and stops taking new pieces while the machine is busy (load
above the limit, or the recorder reported input overflows); it catches up later.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from interview_tui.audio.wavfile import inspect_wav
from interview_tui.privacy.segments import is_encrypted_recording
from interview_tui.transcription.audio_input import SAMPLE_RATE
from interview_tui.transcription.engine import RawResult, TranscribeOptions, transcribe_array
from interview_tui.transcription.models import LocalModel
from interview_tui.transcription.parallel import die_with_parent, quiet_stdio, shift, spawn_context, speech_spans
from interview_tui.domain.transcript import Segment, Word

LiveState = Literal["on", "catching up", "paused: busy", "finishing", "done", "off", "failed"]

#: A piece is cut only once this much audio waits: shorter pieces waste most of a 30-s encoder window.
MIN_PIECE_S = 20.0
#: A pause at least this long between VAD speech spans ends a stretch of speech (the VAD pads
#: speech by 0.4 s on each side, so this is about a 1.2-s pause in the room).
PAUSE_S = 0.4
#: No pause in this long (one person talking on): cut at the longest pause found, or at the end.
MAX_PIECE_S = 90.0
#: More audio than this waiting means "catching up".
BACKLOG_S = 60.0
POLL_S = 1.0
#: After input overflows, live transcription waits this long before taking a new piece.
OVERFLOW_PAUSE_S = 30.0


def pieces_path(recording: Path) -> Path:
    """Where the pieces of `recording` are kept (named after it, so withdrawal's sweep finds it)."""
    return recording.with_name(recording.name + ".live.jsonl")


@dataclass(frozen=True)
class LiveStatus:
    """What the recorder panel shows: the state, why, and how far transcription has got."""

    state: LiveState
    reason: str = ""
    done_s: float = 0.0  # recording time transcribed so far
    recorded_s: float = 0.0  # recording time on disk at the last look
    pieces: int = 0

    @property
    def label(self) -> str:
        """A short line for the recorder panel."""
        if self.state in ("off", "failed"):
            return f"live {self.state}: {self.reason}" if self.reason else f"live {self.state}"
        behind = max(0.0, self.recorded_s - self.done_s)
        return f"live {self.state}, {behind:.0f} s behind"


def off_reason(recording: Path, model: LocalModel | None) -> str | None:
    """Why live transcription cannot run for `recording` (None when it can)."""
    if is_encrypted_recording(recording):
        return "encrypted study (recordings are transcribed on a machine holding the key)"
    if model is None:
        return "no Whisper model installed (interview-tui models)"
    return None


def load_pieces(path: Path) -> list[dict[str, Any]]:
    """The pieces stored so far, in order; a line cut off by a crash is ignored."""
    pieces: list[dict[str, Any]] = []
    if not path.exists():
        return pieces
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            piece = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(piece, dict) and "start" in piece and "end" in piece:
            pieces.append(piece)
    return pieces


def last_text(recording: Path, words: int = 60) -> str:
    """The end of what live transcription has written so far (the last answer, roughly)."""
    pieces = load_pieces(pieces_path(recording))
    return " ".join(piece_text(pieces[-1]).split()[-words:]) if pieces else ""


def _append_piece(path: Path, piece: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(piece, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _segment_dict(s: Segment) -> dict[str, Any]:
    return {"start": s.start, "end": s.end, "text": s.text, "confidence": s.confidence,
            "words": [w.to_dict() for w in s.words]}


def _segment(d: dict[str, Any]) -> Segment:
    return Segment(float(d["start"]), float(d["end"]), d["text"], [Word.from_dict(w) for w in d["words"]],
                   confidence=d.get("confidence"))


def stitch(pieces: list[dict[str, Any]], duration_s: float, options: TranscribeOptions) -> RawResult:
    """One raw result from the stored pieces, as if the recording had been transcribed in one go."""
    segments = [_segment(d) for p in pieces for d in p["segments"]]
    language = next((p["language"] for p in pieces if p.get("language")), options.language or "en")
    return RawResult(
        segments=segments,
        language=language,
        language_probability=max((p.get("language_probability", 0.0) for p in pieces), default=0.0),
        duration_s=duration_s,
        options=options,
        info={"live_pieces": [[p["start"], p["end"]] for p in pieces]},
    )


def read_span(recording: Path, start_s: float, end_s: float | None = None) -> tuple[np.ndarray, float]:
    """16 kHz float mono audio of the (growing) WAV from `start_s` to `end_s` (None: what is on disk).

    Returns the audio and the recording time on disk.
    """
    import av

    layout = inspect_wav(recording)
    on_disk = layout.frames / layout.samplerate
    first = int(round(start_s * layout.samplerate))
    last = layout.frames if end_s is None else min(layout.frames, int(round(end_s * layout.samplerate)))
    if last <= first:
        return np.zeros(0, dtype=np.float32), on_disk
    with open(recording, "rb") as f:
        f.seek(layout.data_offset + first * layout.block_align)
        raw = f.read((last - first) * layout.block_align)
    pcm = np.frombuffer(raw[: len(raw) - len(raw) % layout.block_align], dtype="<i2")
    pcm = pcm.reshape(-1, layout.channels).mean(axis=1).astype(np.int16)
    if layout.samplerate == SAMPLE_RATE:
        return pcm.astype(np.float32) / 32768.0, on_disk
    # The same resampler faster-whisper's decode_audio uses, so pieces sound as the whole file does.
    frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
    frame.sample_rate = layout.samplerate
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame) + resampler.resample(None)]
    return (np.concatenate(out) if out else np.zeros(0, dtype=np.float32)).astype(np.float32), on_disk


def next_cut(speech: list[tuple[float, float]], pending_s: float, ended: bool) -> float | None:
    """Where to end the next piece (seconds into the pending audio), or None to wait for more.

    A piece ends in the middle of the last pause of at least PAUSE_S that is complete (speech
    follows it, or it runs to the end of what is on disk); at the end of the interview the
    rest is one piece.
    """
    if ended:
        return pending_s if pending_s > 0 else None
    if pending_s < MIN_PIECE_S:
        return None
    if not speech:  # silence so far: nothing to transcribe yet, but do not let it pile up
        return pending_s - PAUSE_S if pending_s > MAX_PIECE_S else None
    gaps = [(e, s2) for (_, e), (s2, _) in zip(speech, speech[1:])]
    if pending_s - speech[-1][1] >= PAUSE_S:
        gaps.append((speech[-1][1], pending_s))
    long_enough = [(a, b) for a, b in gaps if b - a >= PAUSE_S and (a + b) / 2 >= MIN_PIECE_S / 2]
    if long_enough:
        a, b = long_enough[-1]
        return (a + b) / 2
    if pending_s > MAX_PIECE_S:
        if gaps:
            a, b = max(gaps, key=lambda g: g[1] - g[0])
            return (a + b) / 2
        return pending_s
    return None


# -- the background process --------------------------------------------------------------


def lowest_priority() -> None:
    try:
        os.nice(19)
    except OSError:
        pass
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            pass


def _busy(load_limit: float, paused_until: Any) -> str | None:
    if time.time() < paused_until.value:
        return "the recorder reported input overflows"
    if load_limit > 0 and os.getloadavg()[0] > load_limit:
        return f"machine busy (load {os.getloadavg()[0]:.1f})"
    return None


def run_live(recording: str, model: LocalModel, options: TranscribeOptions, paused_until: Any,
             status: Any, load_limit: float) -> None:
    """The background process's loop (see the module docstring); reports LiveStatus on `status`."""
    die_with_parent()
    lowest_priority()
    quiet_stdio()
    path = Path(recording)
    store = pieces_path(path)
    pieces = load_pieces(store)
    done_s = pieces[-1]["end"] if pieces else 0.0
    opts = options.with_(cpu_threads=1, workers=1)
    count = len(pieces)

    def report(state: LiveState, reason: str = "", recorded: float = 0.0) -> None:
        status.put(LiveStatus(state, reason, done_s, recorded, count))

    parent = os.getppid()
    try:
        while os.getppid() == parent:  # the recorder's process died (kill -9): the next one resumes
            audio, recorded = read_span(path, done_s)
            pending = len(audio) / SAMPLE_RATE
            busy = _busy(load_limit, paused_until)
            if busy:
                report("paused: busy", busy, recorded)
                time.sleep(POLL_S * 2)
                continue
            wanted = pending >= MIN_PIECE_S  # the VAD runs only when a cut may come of it
            cut = next_cut(speech_spans(audio, opts) if wanted else [], pending, False)
            state: LiveState = "catching up" if pending > BACKLOG_S else "on"
            report(state, "", recorded)
            if cut is None:
                time.sleep(POLL_S)
                continue
            piece = transcribe_piece(path, model, opts, done_s, audio[: int(cut * SAMPLE_RATE)], store)
            if opts.language is None and piece["language"]:  # detected once, then kept, as one run would
                opts = opts.with_(language=piece["language"])
            done_s += cut
            count += 1
    except Exception as exc:  # the recording goes on; finish() or `transcribe` does the rest
        report("failed", f"{type(exc).__name__}: {exc}", done_s)


def piece_text(piece: dict[str, Any]) -> str:
    return " ".join(s["text"] for s in piece["segments"])


def transcribe_piece(path: Path, model: LocalModel, options: TranscribeOptions, start_s: float,
                     audio: np.ndarray, store: Path, *, every_core: bool = False) -> dict[str, Any]:
    """Transcribe one piece starting `start_s` into the recording, append it to `store`, return it."""
    from interview_tui.transcription.parallel import transcribe_file_array

    opts = options.with_(initial_prompt="")  # no prompt: see the module docstring
    raw = (transcribe_file_array(model, audio, opts.with_(cpu_threads=0, workers=0)) if every_core
           else transcribe_array(model, audio, opts))
    piece = {
        "start": start_s, "end": start_s + len(audio) / SAMPLE_RATE, "language": raw.language,
        "language_probability": raw.language_probability,
        "segments": [_segment_dict(s) for s in shift(raw.segments, start_s)],
    }
    _append_piece(store, piece)
    return piece


class LiveTranscriber:
    """Live transcription of one recording, run by the recorder's owner; no Textual, no database.

    `start()` starts the background process; `status()` says how it is doing; `note_overflows`
    pauses it when the recorder loses audio; `finish()` (after the recording stopped)
    transcribes the rest and returns the stitched raw result.
    """

    def __init__(self, recording: Path, model: LocalModel | None, options: TranscribeOptions, *,
                 load_limit: float | None = None, off: str | None = None) -> None:
        self.recording = Path(recording)
        self.model = model
        self.options = options
        self.load_limit = (os.cpu_count() or 1) * 1.5 if load_limit is None else load_limit
        reason = off or off_reason(self.recording, model)
        self._status = LiveStatus("off", reason) if reason else LiveStatus("on")
        self._ctx = spawn_context()
        self._paused_until = self._ctx.Value("d", 0.0)
        self._queue = self._ctx.Queue()
        self._process: Any = None
        self._overflows = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._status.state != "off"

    def start(self) -> None:
        """Start the background process (nothing when live transcription is off)."""
        if not self.enabled or self._process is not None:
            return
        self._process = self._ctx.Process(
            target=run_live, name="live-transcription", daemon=True,
            args=(str(self.recording), self.model, self.options, self._paused_until,
                  self._queue, self.load_limit),
        )
        self._process.start()

    def note_overflows(self, count: int) -> None:
        """The recorder's overflow count: a rise pauses live transcription for a while."""
        if count > self._overflows:
            self._paused_until.value = time.time() + OVERFLOW_PAUSE_S
        self._overflows = count

    def status(self) -> LiveStatus:
        """The latest status the process reported."""
        with self._lock:
            try:
                while True:
                    self._status = self._queue.get_nowait()
            except queue.Empty:
                pass
            if (self._process is not None and not self._process.is_alive() and self._process.exitcode != -15
                    and self._status.state not in ("done", "failed", "off", "finishing")):
                self._status = LiveStatus("failed", "the live transcription process stopped",
                                          self._status.done_s, self._status.recorded_s, self._status.pieces)
            return self._status

    def finish(self) -> RawResult | None:
        """After the recording stopped: transcribe the rest here, and stitch (None when off).

        The background process is stopped first (a piece it was working on is done again
        here, at the caller's priority and on every core when it is long).
        """
        if not self.enabled:
            return None
        self.stop()
        store = pieces_path(self.recording)
        pieces = load_pieces(store)
        done_s = pieces[-1]["end"] if pieces else 0.0
        audio, recorded = read_span(self.recording, done_s)
        with self._lock:
            self._status = LiveStatus("finishing", "", done_s, recorded, len(pieces))
        if len(audio) >= SAMPLE_RATE // 10:
            language = next((p["language"] for p in pieces if p.get("language")), self.options.language)
            pieces.append(transcribe_piece(self.recording, self.model, self.options.with_(language=language),
                                           done_s, audio, store, every_core=True))
        with self._lock:
            self._status = LiveStatus("done", "", recorded, recorded, len(pieces))
        return stitch(pieces, recorded, self.options)

    def stop(self) -> None:
        """Stop the process without finishing (the pieces so far stay on disk: each is one appended line)."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(5)
            self.status()  # take what it reported before it stopped

    def discard(self) -> None:
        """Delete the stored pieces (once the stitched transcript is safely stored)."""
        pieces_path(self.recording).unlink(missing_ok=True)
