"""`transcribe` options for running a batch on a Dask cluster (see docs/cluster.md).

`cluster_options` adds the options to the `transcribe` command; `transcribe_on_cluster`
runs the project batch there when any of them asks for a cluster.  Without them the
one-machine path is untouched.
"""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any, Callable

import click

from interview_tui.cli.common import as_click_error, batch_result_lines, echo_batch_counts

OPTIONS = ("workers", "scheduler", "cluster", "partition", "account", "cores", "memory", "walltime", "gpus",
           "jobs", "cpu_threads", "ship_model", "ship_audio")
_SLURM_ONLY = ("partition", "account", "cores", "memory", "walltime", "gpus", "jobs")


def cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the cluster options, collected by the command as `**cluster`."""
    opts = [
        click.option("--workers", type=click.IntRange(min=1), help="Transcribe on a local Dask cluster of N worker processes on this machine (one file at a time each)."),
        click.option("--scheduler", metavar="tcp://HOST:PORT", help="Transcribe on the workers of a running Dask scheduler (lab machines; see docs/cluster.md)."),
        click.option("--cluster", type=click.Choice(["slurm"]), help="Start Dask workers as Slurm jobs (settings from the options below, else the project's cluster.toml)."),
        click.option("--partition", help="Slurm partition (queue) for the worker jobs."),
        click.option("--account", help="Slurm account (project) the jobs are billed to."),
        click.option("--cores", type=click.IntRange(min=1), help="Slurm: CPU cores per job (one worker per job uses them all)."),
        click.option("--memory", help="Slurm: memory per job, e.g. 16GB."),
        click.option("--walltime", help="Slurm: time limit per job, HH:MM:SS."),
        click.option("--gpus", type=click.IntRange(min=0), help="Slurm: GPUs per job (--gres=gpu:N)."),
        click.option("--jobs", type=click.IntRange(min=1), help="Slurm: how many worker jobs to submit."),
        click.option("--cpu-threads", type=click.IntRange(min=1), help="Threads each worker's model uses (default: this machine's cores / --workers; Slurm: --cores; scheduler: each worker machine's cores)."),
        click.option("--ship-model", is_flag=True, help="Send the model folder to each worker once (workers without a shared file system)."),
        click.option("--ship-audio", is_flag=True, help="Send each recording's bytes to its worker (workers without a shared file system)."),
    ]
    for opt in reversed(opts):
        f = opt(f)

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = [n for n in OPTIONS if kwargs.get(n) not in (None, False)]
        if given and not cluster_requested(kwargs):
            raise click.UsageError(f"--{given[0].replace('_', '-')} needs --workers, --scheduler or --cluster slurm.")
        if cluster_requested(kwargs):
            if kwargs.get("files"):
                raise click.UsageError("--workers/--scheduler/--cluster transcribe project recordings "
                                       "(--all, --recording, --session), not audio FILES.")
            from interview_tui.cli.common import get_project

            cluster_spec(kwargs, get_project().root)  # bad settings fail before any work starts
        return f(*args, **kwargs)

    return wrapper


def cluster_requested(options: dict[str, Any]) -> bool:
    """Whether the options ask for a cluster (else the one-machine batch runs)."""
    return bool(options.get("workers") or options.get("scheduler") or options.get("cluster"))


def cluster_spec(options: dict[str, Any], project_root: Path):
    """The `ClusterSpec` the options describe (UsageError for contradictions, ClickException for bad config)."""
    from interview_tui.transcription.cluster.config import ClusterConfigError, ClusterSpec, slurm_settings

    chosen = [name for name in ("workers", "scheduler", "cluster") if options.get(name)]
    if len(chosen) > 1:
        raise click.UsageError(f"Give one of --workers, --scheduler, --cluster (got {', '.join('--' + c for c in chosen)}).")
    given_slurm = [n for n in _SLURM_ONLY if options.get(n) is not None]
    if given_slurm and not options.get("cluster"):
        raise click.UsageError(f"--{given_slurm[0]} is a Slurm setting: add --cluster slurm.")
    common = dict(cpu_threads=options.get("cpu_threads") or 0, ship_model=bool(options.get("ship_model")),
                  ship_audio=bool(options.get("ship_audio")))
    if options.get("workers"):
        return ClusterSpec("local", workers=options["workers"], **common)
    if options.get("scheduler"):
        address = options["scheduler"]
        if "://" not in address:
            raise click.BadParameter(f"'{address}' is not a scheduler address like tcp://10.0.0.5:8786.",
                                     param_hint="--scheduler")
        return ClusterSpec("scheduler", address=address, **common)
    with as_click_error(ClusterConfigError):
        slurm = slurm_settings(project_root, {n: options.get(n) for n in _SLURM_ONLY})
    return ClusterSpec("slurm", slurm=slurm, **common)


class _ClusterBar:
    """One tqdm bar over the batch's audio seconds: files done, audio hours, throughput (x real time), ETA."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self.bar = None
        self.files = 0
        self.done = 0
        self.audio_done = 0.0
        self.started = time.monotonic()

    def planned(self, files: int, audio_s: float) -> None:
        self.files = files
        self.started = time.monotonic()
        self.bar = self._tqdm(total=audio_s or None, unit="s audio", desc="transcribing",
                              bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}{postfix}]")
        self._postfix()

    def _postfix(self) -> None:
        wall = max(time.monotonic() - self.started, 1e-6)
        self.bar.set_postfix_str(f"{self.done}/{self.files} files, {self.audio_done / 3600:.2f} h audio, "
                                 f"{self.audio_done / wall:.1f}x real time")

    def finished(self, result, audio_s: float, worker: str | None) -> None:  # noqa: ANN001
        if self.bar is None:
            self.planned(0, 0.0)
        self.done += 1
        self.audio_done += audio_s
        if self.bar.total:  # recorded durations can be a little short; never run past 100 %
            self.bar.update(min(audio_s, max(0.0, self.bar.total - self.bar.n)))
        self._postfix()
        for line in batch_result_lines(result):
            self._tqdm.write(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def transcribe_on_cluster(db, project, recording_ids: list[int], settings, options: dict[str, Any]) -> None:  # noqa: ANN001
    """Run the project batch on the cluster the options name; store here; exit 1 if any file failed."""
    try:
        from interview_tui.transcription.cluster.run import ClusterError, open_client, run_cluster_batch
    except ImportError as exc:
        raise click.ClickException(f"Cluster transcription needs Dask ({exc.name} is missing): "
                                   "pip install 'interview-tui[cluster]'") from exc
    spec = cluster_spec(options, project.root)
    where = {"local": f"a local Dask cluster of {spec.workers} workers", "scheduler": spec.address,
             "slurm": f"{spec.slurm.jobs} Slurm job(s) in partition {spec.slurm.partition or '(default)'}"}[spec.kind]
    click.echo(f"Transcribing {len(recording_ids)} recording(s) on {where}.", err=True)
    bar = _ClusterBar()
    try:
        with open_client(spec) as client:
            report = run_cluster_batch(client, db, project, recording_ids, settings, bar, spec=spec)
    except ClusterError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    if settings.out_dir is not None:
        from interview_tui.export.log import log_transcript_files

        log_transcript_files(db, [r.outputs for r in report.results if r.ok], project.root)
    echo_batch_counts(report, len(recording_ids), retry_hint="; run the same command again to retry them")
