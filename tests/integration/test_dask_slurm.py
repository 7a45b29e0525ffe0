"""The Slurm path down to the job script dask-jobqueue writes (nothing is submitted), and cluster.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.cli.cluster import cluster_spec
from interview_tui.transcription.cluster.config import ClusterConfigError, SlurmSettings, load_slurm_settings, slurm_cluster

pytest.importorskip("dask_jobqueue")

CONFIG = """\
# Worker jobs for the project's transcription batches.
[slurm]
partition = "accel"
account = "p1234"
cores = 8
memory = "32GB"
walltime = "04:00:00"
jobs = 3
gpus = 1
job_extra = ["--qos=devel"]
prologue = ["module load Python/3.11.5"]
local_directory = "$LOCALSCRATCH"
"""


def script_for(settings: SlurmSettings) -> str:
    cluster = slurm_cluster(settings, scheduler_options={"host": "127.0.0.1", "dashboard_address": None})
    try:
        return cluster.job_script()
    finally:
        cluster.close()


def test_job_script_has_the_configured_partition_cores_memory_walltime(tmp_path: Path) -> None:
    (tmp_path / "cluster.toml").write_text(CONFIG)
    # The command line wins over the file: 02:30:00, not 04:00:00.
    spec = cluster_spec({"cluster": "slurm", "walltime": "02:30:00"}, tmp_path)
    assert spec.kind == "slurm" and spec.slurm.jobs == 3 and spec.threads_per_worker() == 8
    lines = script_for(spec.slurm).splitlines()
    directives = [line for line in lines if line.startswith("#SBATCH")]
    assert "#SBATCH -p accel" in directives
    assert "#SBATCH -A p1234" in directives
    assert "#SBATCH --cpus-per-task=8" in directives
    assert "#SBATCH -t 02:30:00" in directives
    assert "#SBATCH --gres=gpu:1" in directives and "#SBATCH --qos=devel" in directives
    assert any(d.startswith("#SBATCH --mem=") for d in directives)  # dask-jobqueue writes 32GB as 30G (GiB)
    assert "module load Python/3.11.5" in lines
    worker = next(line for line in lines if "distributed.cli.dask_worker" in line)
    # One Dask thread per job: one file at a time, using all 8 cores inside it.
    assert "--nthreads 1" in worker and "--nanny" in worker and "--local-directory $LOCALSCRATCH" in worker


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[slurm]\ncores = "eight"\n', "cluster.toml:2: slurm cores must be a whole number, got 'eight'"),
        ('[slurm]\npartition = "a"\nwalltime = "4h"\n', "cluster.toml:3: slurm walltime '4h' is not HH:MM:SS"),
        ('[slurm]\nmemory = "lots"\n', "cluster.toml:2: slurm memory 'lots' is not a size"),
        ('[slurm]\nqueue = "normal"\n', "cluster.toml:2: unknown slurm setting 'queue'"),
        ('[slurm]\njobs = 0\n', "cluster.toml:2: slurm jobs must be at least 1"),
        ('[slurm\ncores = 4\n', "cluster.toml: not valid TOML"),
    ],
)
def test_bad_cluster_toml_names_file_line_and_fix(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "cluster.toml").write_text(body)
    with pytest.raises(ClusterConfigError) as err:
        load_slurm_settings(tmp_path / "cluster.toml")
    assert message in str(err.value)


def test_cli_refuses_contradictory_or_incomplete_cluster_options(project, db) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(project.root), "transcribe", "--all"]
    cases = [
        (["--workers", "2", "--scheduler", "tcp://10.0.0.5:8786"], "Give one of --workers, --scheduler, --cluster"),
        (["--partition", "normal"], "--partition needs --workers, --scheduler or --cluster slurm"),
        (["--workers", "2", "--partition", "normal"], "--partition is a Slurm setting: add --cluster slurm"),
        (["--scheduler", "10.0.0.5:8786"], "is not a scheduler address like tcp://"),
        (["--cluster", "slurm", "--walltime", "forever"], "walltime 'forever' is not HH:MM:SS"),
    ]
    for args, message in cases:
        result = runner.invoke(main, base + args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    result = runner.invoke(main, ["transcribe", "--workers", "2", str(project.root / "a.wav")])
    assert result.exit_code == 2 and "not audio FILES" in result.output
