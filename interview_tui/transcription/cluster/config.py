"""Where a cluster batch runs: on this machine, on a running Dask scheduler, or in Slurm jobs.

Slurm settings come from command-line options and, for everything not given there, from
`cluster.toml` in the project folder (a file, not the database, so that it can be read,
copied between projects and reviewed by the cluster's support staff).  Example:

    [slurm]
    partition = "normal"
    account = "p1234"
    cores = 8            # CPU cores per job (one worker per job, using all of them)
    memory = "16GB"
    walltime = "04:00:00"
    jobs = 4
    gpus = 0
    job_extra = ["--qos=devel"]
    prologue = ["module load Python/3.11.5"]

See docs/cluster.md.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

CONFIG_NAME = "cluster.toml"
_WALLTIME = re.compile(r"^(\d+-)?\d{1,3}:\d{2}(:\d{2})?$")
_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|[KMGT]i?B?)$", re.IGNORECASE)


class ClusterConfigError(Exception):
    """A cluster setting is missing or malformed; the message names the file:line or option and what to do."""


@dataclass(frozen=True)
class SlurmSettings:
    """One Slurm job = one Dask worker process using `cores` CPU cores for one file at a time."""

    partition: str | None = None
    account: str | None = None
    cores: int = 4
    memory: str = "8GB"
    walltime: str = "02:00:00"
    gpus: int = 0
    jobs: int = 1
    job_name: str = "interview-tui"
    local_directory: str | None = None  # node-local scratch for shipped models and audio
    log_directory: str | None = None
    interface: str | None = None  # network interface the nodes reach the scheduler on (e.g. ib0)
    python: str | None = None  # the workers' Python (default: this one, fine on a shared file system)
    job_extra: tuple[str, ...] = ()  # extra #SBATCH directives, e.g. "--qos=devel"
    prologue: tuple[str, ...] = ()  # shell lines before the worker starts, e.g. "module load ..."

    def check(self, where: str = "option") -> "SlurmSettings":
        """Raise ClusterConfigError for an impossible value (`where` names the source)."""
        for name in ("cores", "jobs"):
            if getattr(self, name) < 1:
                raise ClusterConfigError(f"{where}: slurm {name} must be at least 1, got {getattr(self, name)}.")
        if self.gpus < 0:
            raise ClusterConfigError(f"{where}: slurm gpus cannot be negative, got {self.gpus}.")
        if not _WALLTIME.match(self.walltime):
            raise ClusterConfigError(
                f"{where}: slurm walltime '{self.walltime}' is not HH:MM:SS, MM:SS or D-HH:MM:SS (e.g. 04:00:00)."
            )
        if not _MEMORY.match(self.memory.strip()):
            raise ClusterConfigError(f"{where}: slurm memory '{self.memory}' is not a size like 16GB or 8000MB.")
        return self


@dataclass(frozen=True)
class ClusterSpec:
    """Which Dask cluster a batch uses and how work reaches it."""

    kind: str  # "local", "scheduler" or "slurm"
    workers: int = 0  # local: worker processes
    address: str | None = None  # scheduler: tcp://host:port
    slurm: SlurmSettings = field(default_factory=SlurmSettings)
    #: CTranslate2 threads per worker (0 = cores / workers locally, the job's cores on Slurm,
    #: the worker machine's cores on a scheduler).
    cpu_threads: int = 0
    ship_model: bool = False
    ship_audio: bool = False

    def threads_per_worker(self) -> int:
        """The CTranslate2 threads each worker uses (stored with every transcript's options)."""
        if self.cpu_threads:
            return self.cpu_threads
        if self.kind == "local":
            return max(1, (os.cpu_count() or 1) // max(1, self.workers))
        if self.kind == "slurm":
            return self.slurm.cores
        return 0  # resolved on each worker (its machine's cores)


def _line_of(text: str, section: str, key: str) -> int | None:
    """The line of `key = ...` inside `[section]` (tomllib does not report lines of values)."""
    current = None
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ")
        elif current == section and re.match(rf"{re.escape(key)}\s*=", stripped):
            return n
    return None


_TYPES: dict[str, type] = {f.name: f.type for f in fields(SlurmSettings)}  # type: ignore[misc]


def _coerce(name: str, value: Any) -> Any:
    kind = _TYPES[name]
    if kind in ("int", int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, got {value!r}")
        return value
    if "tuple" in str(kind):
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"must be a list of strings, got {value!r}")
        return tuple(value)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError(f"must be a string, got {value!r}")
    return str(value)


def load_slurm_settings(path: Path) -> SlurmSettings:
    """The `[slurm]` table of a cluster.toml (defaults where keys are absent)."""
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClusterConfigError(f"{path}: not valid TOML: {exc}. Fix the line named or delete the file.") from exc
    table = data.get("slurm", {})
    if not isinstance(table, dict):
        raise ClusterConfigError(f"{path}: 'slurm' must be a table ([slurm] with key = value lines below it).")
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        line = _line_of(text, "slurm", key)
        where = f"{path}:{line}" if line else str(path)
        if name not in _TYPES:
            known = ", ".join(sorted(_TYPES))
            raise ClusterConfigError(f"{where}: unknown slurm setting '{key}' (known: {known}).")
        try:
            values[name] = _coerce(name, value)
        except ValueError as exc:
            raise ClusterConfigError(f"{where}: slurm {key} {exc}.") from exc
        replace(SlurmSettings(), **{name: values[name]}).check(where)  # names the line of a bad value
    return SlurmSettings(**values).check(str(path))


def slurm_settings(project_root: Path | None, overrides: dict[str, Any]) -> SlurmSettings:
    """Settings from `<project>/cluster.toml` (if there is one) with command-line `overrides` on top."""
    base = SlurmSettings()
    if project_root is not None and (project_root / CONFIG_NAME).is_file():
        base = load_slurm_settings(project_root / CONFIG_NAME)
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(base, **given).check("--cluster slurm options")


def slurm_cluster(settings: SlurmSettings, **extra: Any):
    """A `dask_jobqueue.SLURMCluster` for `settings` (no job is submitted until it is scaled).

    Each job runs one worker process with one Dask thread (one file at a time) and asks
    Slurm for `cores` CPUs, which CTranslate2 uses inside that one file.
    """
    from dask_jobqueue import SLURMCluster

    directives = list(settings.job_extra)
    if settings.gpus:
        directives.append(f"--gres=gpu:{settings.gpus}")
    kwargs: dict[str, Any] = dict(
        queue=settings.partition,
        account=settings.account,
        cores=1,  # Dask threads per worker: one file at a time per job
        job_cpu=settings.cores,
        processes=1,
        memory=settings.memory,
        walltime=settings.walltime,
        job_name=settings.job_name,
        job_extra_directives=directives,
        job_script_prologue=list(settings.prologue),
        local_directory=settings.local_directory,
        log_directory=settings.log_directory,
        interface=settings.interface,
        scheduler_options={"dashboard_address": None},
    )
    if settings.python:
        kwargs["python"] = settings.python
    kwargs.update(extra)
    return SLURMCluster(**kwargs)
