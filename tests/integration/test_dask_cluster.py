"""Cluster batches on a real local Dask cluster: 2 worker processes (1 thread each) over loopback.

The stored transcripts must equal a one-machine run with the same model and options; a
worker SIGKILLed mid-batch must cost nothing but time; the client stores each file once.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from tests.fixtures.audio import enroll
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.storage import open_db
from interview_tui.storage import transcripts as store
from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.transcription.batch import Settings, recording_job, run_batch
from interview_tui.transcription.cluster.config import ClusterSpec
from interview_tui.transcription.engine import TranscribeOptions

distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(300)]

#: One thread per worker and for the one-machine run, so both use the very same options; no
#: temperature fallback, because when a window fails Whisper's checks the fallback samples at
#: random (the interview clip's closing silence is a hair from it: average log-probability -1.003
#: against -1.0, no-speech 0.65 against 0.6), and two random samples need not agree.
SETTINGS = Settings(model="tiny.en", language="en", options=TranscribeOptions(cpu_threads=1, temperature=(0.0,)))
SPEC = ClusterSpec("local", workers=2, cpu_threads=1)


class Collect:
    def __init__(self, on_planned=None) -> None:  # noqa: ANN001
        self.results: list = []
        self.workers: list[str | None] = []
        self.on_planned = on_planned

    def planned(self, files: int, audio_s: float) -> None:
        self.files, self.audio_s = files, audio_s
        if self.on_planned:
            self.on_planned()

    def finished(self, result, audio_s: float, worker: str | None) -> None:  # noqa: ANN001
        self.results.append(result)
        self.workers.append(worker)


def add_recordings(db, project, clips: list[Path]) -> list[int]:  # noqa: ANN001
    """One participant per clip (P01...), each clip copied in as a finished recording."""
    ids = []
    for i, src in enumerate(clips, start=1):
        code = f"P{i:02d}"
        enroll(db, code)  # audio is transcribed only with audio-recording consent (storage.permission)
        rel = f"recordings/{code}/{code}-{src.name}"
        (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, project.root / rel)
        rid = start_recording(db, participant_code=code, path=rel, source="import")
        finish_recording(db, rid, duration_s=10.0, sha256="0" * 64)
        ids.append(rid)
    return ids


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two single-thread worker processes, shut down after the module."""
    from interview_tui.transcription.cluster.run import open_client

    with open_client(SPEC) as c:
        c.wait_for_workers(2, timeout=120)
        yield c


@pytest.fixture
def clips(english_clip, interview_clip, stereo_clip) -> list[Path]:
    return [english_clip.path, interview_clip.path, stereo_clip.path, english_clip.path]


def comparable(db, transcript_id: int) -> tuple:  # noqa: ANN001
    t = store.load_transcript(db, transcript_id)
    meta = (t.meta.model, t.meta.model_sha256, t.meta.engine, t.meta.language, t.meta.options, t.meta.duration_s)
    segs = [(s.start, s.end, s.text, s.speaker, s.question_id, s.confidence, s.flags,
             [w.to_dict() for w in s.words]) for s in t.segments]
    return meta, segs


def test_cluster_batch_equals_one_machine_run_and_loads_the_model_once_per_worker(
    db, project, tiny_en, clips, client
) -> None:
    from interview_tui.transcription.cluster.run import run_cluster_batch
    from interview_tui.transcription.cluster.worker import worker_state

    ids = add_recordings(db, project, clips)
    listener = Collect()
    report = run_cluster_batch(client, db, project, ids, SETTINGS, listener, spec=SPEC)
    assert [r.ok for r in report.results] == [True] * 4, [r.message for r in report.results]
    assert listener.files == 4 and len(set(listener.workers)) == 2  # both workers took files
    loaded = client.run(worker_state)
    assert [s["models_loaded"] for s in loaded.values()] == [1, 1]  # 4 files, one load per worker

    one_machine = run_batch([recording_job(db, project, rid, SETTINGS) for rid in ids], _Quiet())
    assert all(r.ok for r in one_machine.results)
    for rid in ids:
        versions = store.list_transcripts(db, rid)
        assert [v.version for v in versions] == [1, 2]
        cluster_t, local_t = (comparable(db, v.id) for v in versions)
        assert cluster_t[1], f"recording {rid}: no segments"
        assert cluster_t == local_t


class _Quiet:
    def job_started(self, *a) -> None: ...  # noqa: ANN002
    def job_progress(self, *a) -> None: ...  # noqa: ANN002
    def job_finished(self, *a) -> None: ...  # noqa: ANN002


def start_batch(client, project, ids: list[int], listener: Collect):  # noqa: ANN001, ANN201
    """Run the cluster batch in a thread, as a client would, while the test plays the fault."""
    from interview_tui.transcription.cluster.run import run_cluster_batch

    outcome: dict = {}

    def batch_client() -> None:  # SQLite connections belong to one thread: the batch opens its own
        own = open_db(project.db_path)
        try:
            outcome["report"] = run_cluster_batch(client, own, project, ids, SETTINGS, listener, spec=SPEC)
        finally:
            own.close()

    thread = threading.Thread(target=batch_client)
    thread.start()
    return thread, outcome


def kill_worker_running(client, outcome: dict, recording_id: int | None = None,  # noqa: ANN001
                        dead: tuple[str, ...] = ()) -> tuple[str, int, set[int]]:
    """SIGKILL the worker process that is running a file (`recording_id`'s, if given) right now.

    `dead`: addresses already killed, which the scheduler may list for a moment longer.
    """
    from interview_tui.transcription.cluster.worker import worker_state

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and "report" not in outcome:
        for worker, keys in client.processing().items():
            rids = {int(str(k).split("-rec")[1].split("-")[0]) for k in keys}
            if worker not in dead and rids and (recording_id is None or recording_id in rids):
                pid = client.run(worker_state, workers=[worker])[worker]["pid"]
                os.kill(pid, signal.SIGKILL)
                return worker, pid, rids
        time.sleep(0.02)
    raise AssertionError("no worker was running the file before the batch ended")


def test_a_worker_killed_mid_batch_costs_nothing_and_nothing_is_stored_twice(
    db, project, tiny_en, clips, client
) -> None:
    from interview_tui.transcription.cluster.worker import worker_state

    ids = add_recordings(db, project, clips + [clips[1]])
    raced = ids[-1]

    def store_one_meanwhile() -> None:
        # Another process stores the last recording after this batch planned it: not stored twice.
        other = open_db(project.db_path)
        run_batch([recording_job(other, project, raced, SETTINGS)], _Quiet())
        other.close()

    listener = Collect(on_planned=store_one_meanwhile)
    batch, outcome = start_batch(client, project, ids, listener)
    victim, pid, killed = kill_worker_running(client, outcome)
    batch.join(timeout=240)
    assert not batch.is_alive()
    report = outcome["report"]

    assert len(report.results) == len(ids) and all(r.ok for r in report.results), [r.message for r in report.results]
    assert [r.label for r in report.results if r.skipped] == [f"recording {raced} (P05)"]
    for result, worker in zip(listener.results, listener.workers):
        if any(result.label.startswith(f"recording {rid} ") for rid in killed - {raced}):
            assert worker != victim  # retried on another (or the restarted) worker process
    for rid in ids:
        assert len(store.list_transcripts(db, rid)) == 1, f"recording {rid} stored more or less than once"
    client.wait_for_workers(2, timeout=120)  # the nanny restarted the killed worker
    assert pid not in {s["pid"] for s in client.run(worker_state).values()}


def test_a_file_whose_worker_dies_twice_is_reported_and_skipped(
    db, project, tiny_en, english_clip, interview_clip, client, tmp_path
) -> None:
    import numpy as np
    import soundfile as sf

    audio, rate = sf.read(english_clip.path, dtype="float32")
    long_clip = tmp_path / "long.wav"
    sf.write(long_clip, np.concatenate([audio] * 4), rate, subtype="PCM_16")  # ~45 s: time to kill it twice
    ids = add_recordings(db, project, [long_clip, interview_clip.path, english_clip.path])
    listener = Collect()
    batch, outcome = start_batch(client, project, ids, listener)
    first, _, _ = kill_worker_running(client, outcome, ids[0])
    kill_worker_running(client, outcome, ids[0], dead=(first,))
    batch.join(timeout=240)
    assert not batch.is_alive()
    report = outcome["report"]

    by_label = {r.label.split(" (")[0]: r for r in report.results}
    assert len(by_label) == 3
    assert not by_label[f"recording {ids[0]}"].ok and "failed twice" in by_label[f"recording {ids[0]}"].message
    assert all(by_label[f"recording {rid}"].ok for rid in ids[1:])
    assert [len(store.list_transcripts(db, rid)) for rid in ids] == [0, 1, 1]
    client.wait_for_workers(2, timeout=120)


def test_cli_ships_model_and_audio_and_resumes(db, project, tiny_en, english_clip, interview_clip) -> None:
    ids = add_recordings(db, project, [english_clip.path, interview_clip.path, english_clip.path])
    run_batch([recording_job(db, project, ids[0], SETTINGS)], _Quiet())  # done before an "interruption"
    result = CliRunner().invoke(main, ["--data-dir", str(project.root), "transcribe", "--all", "--model", "tiny.en",
                                       "--language", "en", "--workers", "2", "--ship-model", "--ship-audio"])
    assert result.exit_code == 0, result.output
    assert "Transcribed 2, skipped 0, failed 0." in result.output
    for rid in ids:
        versions = store.list_transcripts(db, rid)
        assert len(versions) == 1 and versions[0].segment_count > 0
    stored = store.list_transcripts(db, ids[1])[0].options
    assert stored["cpu_threads"] == max(1, (os.cpu_count() or 1) // 2)
    assert stored["model_path"] == str(tiny_en.path)  # the client's folder, not the worker's copy


def test_cli_on_a_running_scheduler(db, project, tiny_en, english_clip, client) -> None:
    ids = add_recordings(db, project, [english_clip.path])
    address = client.scheduler.address
    result = CliRunner().invoke(main, ["--data-dir", str(project.root), "transcribe", "--recording", str(ids[0]),
                                       "--model", "tiny.en", "--language", "en", "--scheduler", address])
    assert result.exit_code == 0, result.output
    assert f"on {address}" in result.output and "Transcribed 1, skipped 0, failed 0." in result.output
    # A scheduler's workers use their machine's cores unless told otherwise.
    assert store.list_transcripts(db, ids[0])[0].options["cpu_threads"] == os.cpu_count()
    result = CliRunner().invoke(main, ["--data-dir", str(project.root), "transcribe", "--all",
                                       "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 0 and "Nothing to transcribe." in result.output  # resumes: nothing left
