"""The client side of a cluster batch: plan on the database, transcribe on workers, store here.

Workers never open the project database: SQLite keeps one writer, this process, which
stores each transcript as its future completes.  A file is stored only if the recording
has exactly as many transcript versions as when the batch was planned, so a file Dask
happened to run twice, or one a concurrent run stored meanwhile, is never stored twice;
an interrupted batch re-run with `--all` picks up the recordings still untranscribed.

Faults: tasks are submitted with `retries=1` (an unexpected error is retried once, on
whichever worker is free), and the scheduler's `allowed-failures` (1 for the clusters
started here) reschedules a file whose worker died once and gives up the second time
(`KilledWorker`): that file is reported as failed and the batch goes on.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Protocol

from sqlite_utils import Database

from interview_tui.config import Project
from interview_tui.storage import transcripts as store
from interview_tui.transcription.audio_input import probe_duration
from interview_tui.transcription.batch import (
    BatchReport,
    JobError,
    JobResult,
    RecordingWork,
    Settings,
    prepare_recording,
    store_recording,
)
from interview_tui.transcription.cluster.config import ClusterSpec, slurm_cluster
from interview_tui.transcription.models import ModelError, sha256_file

#: Scheduler setting for clusters started here: a file survives one worker death, not two.
ALLOWED_FAILURES = 1


class ClusterError(Exception):
    """The cluster cannot be reached or started, or its workers lack what the batch needs."""


class ClusterListener(Protocol):
    def planned(self, files: int, audio_s: float) -> None: ...
    def finished(self, result: JobResult, audio_s: float, worker: str | None) -> None: ...


@dataclass
class _Planned:
    work: RecordingWork
    versions_before: int
    duration_s: float


@contextlib.contextmanager
def open_client(spec: ClusterSpec, *, connect_timeout_s: float = 30) -> Iterator["object"]:
    """A `distributed.Client` for `spec`; a cluster started here is shut down on exit."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        if spec.kind == "scheduler":
            try:
                client = Client(spec.address, timeout=connect_timeout_s)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(
                    f"Cannot reach the Dask scheduler at {spec.address} ({exc}). Is `dask scheduler` running "
                    "there, and is the port open from this machine?"
                ) from exc
            with client:
                yield client
            return
        if spec.kind == "local":
            # Loopback only; the scheduler's HTTP routes on a free port (not 8787, often taken).
            cluster = LocalCluster(n_workers=spec.workers, threads_per_worker=1, processes=True,
                                   dashboard_address="127.0.0.1:0", host="127.0.0.1")
        elif spec.kind == "slurm":
            cluster = slurm_cluster(spec.slurm)
            cluster.scale(jobs=spec.slurm.jobs)
        else:
            raise ClusterError(f"unknown cluster kind {spec.kind!r}")
        with cluster, Client(cluster) as client:
            yield client


def _plan(db: Database, project: Project, ids: list[int],
          settings: Settings) -> tuple[list[_Planned], list[JobResult]]:
    from interview_tui.storage.recordings import get_recording

    planned: list[_Planned] = []
    failed: list[JobResult] = []
    for rid in ids:
        try:
            work = prepare_recording(db, project, rid, settings)
        except (JobError, ModelError) as exc:
            failed.append(JobResult(f"recording {rid}", False, str(exc)))
            continue
        rec = get_recording(db, rid)
        duration = (rec.duration_s if rec else None) or probe_duration(work.audio_path) or 0.0
        planned.append(_Planned(work, len(store.list_transcripts(db, rid)), float(duration)))
    return planned, failed


def _ship_models(client, planned: list[_Planned]) -> dict[str, str]:  # noqa: ANN001
    """Register one ShipModel plugin per distinct model; returns model path -> shipped folder name."""
    from interview_tui.transcription.cluster.worker import ShipModel, shipped_name

    names: dict[str, str] = {}
    for p in planned:
        key = str(p.work.model.path)
        if key not in names:
            names[key] = shipped_name(p.work.model, sha256_file(p.work.model.path / "model.bin"))
            client.register_plugin(ShipModel(p.work.model, names[key]))
    return names


def _check_models_on_workers(client, planned: list[_Planned]) -> None:  # noqa: ANN001
    from interview_tui.transcription.cluster.worker import model_present

    if not client.scheduler_info().get("workers"):
        return  # Slurm jobs still queued: each file checks when it runs
    for path in {str(p.work.model.path) for p in planned}:
        missing = [w for w, ok in client.run(model_present, path).items() if not ok]
        if missing:
            raise ClusterError(
                f"The model folder {path} is not on worker(s) {', '.join(sorted(missing))}. "
                "Run again with --ship-model to send it to each worker once, or install it at the same path there."
            )


def run_cluster_batch(
    client,  # noqa: ANN001 - distributed.Client
    db: Database,
    project: Project,
    recording_ids: list[int],
    settings: Settings,
    listener: ClusterListener,
    *,
    spec: ClusterSpec,
    cancel: threading.Event | None = None,
) -> BatchReport:
    """Transcribe recordings on the cluster behind `client`, storing each here as it completes."""
    from distributed import as_completed

    from interview_tui.transcription.cluster.worker import WorkItem, blas_threads, transcribe_item

    threads = spec.threads_per_worker()
    if threads and not settings.options.cpu_threads:
        settings = replace(settings, options=settings.options.with_(cpu_threads=threads))
    planned, report_failed = _plan(db, project, recording_ids, settings)
    report = BatchReport(results=list(report_failed))
    listener.planned(len(planned) + len(report_failed), sum(p.duration_s for p in planned))
    for result in report_failed:  # withdrawn, unfinished, no model: known before any work
        listener.finished(result, 0.0, None)
    if not planned:
        return report
    shipped = _ship_models(client, planned) if spec.ship_model else {}
    if not spec.ship_model:
        _check_models_on_workers(client, planned)

    blas = blas_threads()
    run_id = uuid.uuid4().hex[:8]
    by_key: dict[str, _Planned] = {}
    pending = list(planned)

    def submit(p: _Planned):  # noqa: ANN202
        w = p.work
        item = WorkItem(w.recording_id, w.label, str(w.audio_path), w.model, w.options, w.context,
                        audio_bytes=Path(w.audio_path).read_bytes() if spec.ship_audio else None,
                        shipped_model=shipped.get(str(w.model.path)), blas_threads=blas)
        key = f"interview-tui-rec{w.recording_id}-{run_id}"
        by_key[key] = p
        with warnings.catch_warnings():  # shipped audio is big on purpose; the window bounds it
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            return client.submit(transcribe_item, item, key=key, retries=1, pure=False)

    def submit_next(futures) -> None:  # noqa: ANN001
        while pending:
            p = pending.pop(0)
            try:
                futures.add(submit(p))
                return
            except OSError as exc:  # --ship-audio: the file cannot be read here
                result = JobResult(p.work.label, False, f"{p.work.audio_path}: cannot read the audio to ship it "
                                   f"({exc.strerror or exc}); check the file and run again.")
                report.results.append(result)
                listener.finished(result, 0.0, None)

    # Shipped audio sits in the scheduler's memory until its file is done: keep only a few in flight.
    window = max(4, 2 * len(client.scheduler_info().get("workers", {}))) if spec.ship_audio else len(pending)
    futures = as_completed()
    for _ in range(window):
        submit_next(futures)
    for future in futures:
        p = by_key[future.key]
        submit_next(futures)
        result, audio_s, worker = _collect(future, p, db, project, settings)
        report.results.append(result)
        listener.finished(result, audio_s, worker)
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            client.cancel(list(futures.futures))
            futures.clear()
            break
    return report


def _collect(future, p: _Planned, db: Database, project: Project,  # noqa: ANN001
             settings: Settings) -> tuple[JobResult, float, str | None]:
    from distributed.scheduler import KilledWorker

    label = p.work.label
    try:
        outcome = future.result()
    except KilledWorker:
        return JobResult(label, False, "failed twice: the worker transcribing it died both times "
                         "(out of memory, killed or node lost); skipped"), 0.0, None
    except Exception as exc:  # retried once already; keep the batch going
        return JobResult(label, False, f"failed twice: {type(exc).__name__}: {exc}; skipped"), 0.0, None
    finally:
        future.release()
    if outcome.error:
        return JobResult(label, False, outcome.error), 0.0, outcome.worker
    if len(store.list_transcripts(db, p.work.recording_id)) != p.versions_before:
        return (JobResult(label, True, "already stored meanwhile (another run); not stored again", skipped=True),
                0.0, outcome.worker)
    result = store_recording(db, project, p.work, outcome.transcript, settings)
    result.message += f" on {outcome.worker} in {outcome.seconds:.1f} s"
    return result, float(outcome.transcript.meta.duration_s or p.duration_s), outcome.worker
