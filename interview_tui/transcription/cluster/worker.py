"""What runs on a Dask worker: one recording in, segments and provenance out; no database.

A worker process keeps every model it loaded (`engine.load_model` caches per process,
keyed by model path, compute type and threads), so a model is loaded once per worker, not
once per file.  A model the workers cannot see on a shared file system is shipped once
per worker by the `ShipModel` plugin into the worker's local directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from distributed import WorkerPlugin, get_worker
from threadpoolctl import threadpool_limits

from interview_tui.transcription.audio_input import AudioInputError
from interview_tui.transcription.engine import TranscribeOptions
from interview_tui.transcription.models import LocalModel, ModelError, check_model_folder
from interview_tui.transcription.pipeline import AudioContext, transcribe_path
from interview_tui.domain.transcript import Transcript

SHIPPED_DIR = "interview-tui-models"


@dataclass
class WorkItem:
    """One recording to transcribe, as sent to a worker (paths are the client's)."""

    recording_id: int
    label: str
    audio_path: str
    model: LocalModel
    options: TranscribeOptions
    context: AudioContext
    audio_bytes: bytes | None = None  # --ship-audio: the file's bytes instead of its path
    shipped_model: str | None = None  # --ship-model: the folder name ShipModel wrote
    #: numpy's BLAS threads on the client (`blas_threads()`): the feature extraction's float
    #: sums depend on it, so the worker uses the same count to give the client's exact result.
    blas_threads: int | None = None


@dataclass
class WorkerOutcome:
    """A worker's answer: a transcript, or the expected error that stopped it."""

    recording_id: int
    transcript: Transcript | None
    error: str | None
    worker: str
    seconds: float
    cpu_seconds: float = 0.0  # this worker process's CPU time for the file


def shipped_name(model: LocalModel, sha256: str) -> str:
    """The folder a shipped model gets on each worker (unique per model content)."""
    return f"{sha256[:16]}-{model.name}"


class ShipModel(WorkerPlugin):
    """Write a model folder's files into every worker's local directory, once per worker process.

    The scheduler keeps the plugin and hands it to workers that join later (new Slurm jobs,
    restarted workers), so they get the model too.
    """

    idempotent = True  # registering the same model again does not resend it

    def __init__(self, model: LocalModel, folder: str) -> None:
        self.folder = folder
        self.files = {p.name: p.read_bytes() for p in sorted(model.path.iterdir()) if p.is_file()}
        self.name = f"interview-tui-model-{folder}"

    def setup(self, worker) -> None:  # noqa: ANN001 - distributed.Worker
        target = Path(worker.local_directory) / SHIPPED_DIR / self.folder
        if (target / ".complete").is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed, so a worker killed mid-write never sees half a model.
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{self.folder}-"))
        for name, data in self.files.items():
            (tmp / name).write_bytes(data)
        (tmp / ".complete").write_text("ok\n")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)


def _worker_model(item: WorkItem, worker) -> LocalModel:  # noqa: ANN001
    if item.shipped_model:
        path = Path(worker.local_directory) / SHIPPED_DIR / item.shipped_model
        if not (path / ".complete").is_file():
            raise ModelError(f"worker {worker.address}: the shipped model {item.model.name} did not arrive "
                             f"(see the worker's log); run again, or put the model on a shared file system.")
        return replace(item.model, path=path)
    try:
        check_model_folder(item.model.path)
    except ModelError as exc:
        raise ModelError(f"worker {worker.address}: {exc} Workers that do not share this machine's file "
                         "system need --ship-model (or the model installed at the same path).") from exc
    return item.model


def blas_threads() -> int | None:
    """The threads numpy's BLAS uses in this process (None when threadpoolctl finds none)."""
    from threadpoolctl import threadpool_info

    counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return max(counts) if counts else None


_MALLOC_TUNED = False


def _tune_malloc() -> None:
    """Undo the cost of Dask's MALLOC_TRIM_THRESHOLD_ for this worker process (glibc only, once).

    The nanny sets MALLOC_TRIM_THRESHOLD_=65536 so idle workers give memory back; in glibc that
    also pins the mmap threshold at 128 KiB, so each of Whisper's per-chunk arrays becomes a fresh
    mmap with page faults to zero it: 40 % more CPU per file than in a plain process (measured, see
    benchmarks/results/cluster.md).  Big thresholds bring back in-process speed.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED or "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # not glibc: nothing to undo
        pass


def transcribe_item(item: WorkItem) -> WorkerOutcome:
    """Transcribe one work item on this worker (the task every cluster batch submits).

    Bad audio or a missing model comes back as `error` (retrying would not help); anything
    else raises, and Dask retries the file on another worker.
    """
    _tune_malloc()
    worker = get_worker()
    started, cpu_started = time.perf_counter(), time.process_time()
    options = item.options
    if options.cpu_threads == 0:  # one worker per machine: use its cores
        options = options.with_(cpu_threads=os.cpu_count() or 1)
    try:
        with threadpool_limits(limits=item.blas_threads, user_api="blas"):
            outcome = _transcribe(item, options, worker, started)
    except (AudioInputError, ModelError) as exc:
        outcome = WorkerOutcome(item.recording_id, None, str(exc), worker.address, time.perf_counter() - started)
    outcome.cpu_seconds = time.process_time() - cpu_started
    return outcome


def _transcribe(item: WorkItem, options: TranscribeOptions, worker, started: float) -> WorkerOutcome:  # noqa: ANN001
    model = _worker_model(item, worker)
    if item.audio_bytes is not None:
        with tempfile.TemporaryDirectory(dir=worker.local_directory, prefix="audio-") as tmp:
            path = Path(tmp) / Path(item.audio_path).name
            path.write_bytes(item.audio_bytes)
            transcript = transcribe_path(path, model, options, item.context)
    else:
        path = Path(item.audio_path)
        if not path.exists():
            raise AudioInputError(f"{path}: not found on worker {worker.address}. Workers that do not share "
                                  "the project's file system need --ship-audio.")
        transcript = transcribe_path(path, model, options, item.context)
    # Provenance as on the client: a shipped copy is the same model (same SHA-256) as the client's folder.
    transcript.meta.options["model_path"] = str(item.model.path)
    return WorkerOutcome(item.recording_id, transcript, None, worker.address, time.perf_counter() - started)


def worker_state() -> dict:
    """This worker process's pid and how many models it has loaded (for tests and diagnostics)."""
    from interview_tui.transcription.engine import _load

    return {"pid": os.getpid(), "models_loaded": _load.cache_info().misses}


def model_present(path: str) -> bool:
    """Whether a model folder is complete on this worker (the client's pre-flight check)."""
    try:
        check_model_folder(Path(path))
    except ModelError:
        return False
    return True
