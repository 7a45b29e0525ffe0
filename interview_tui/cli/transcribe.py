"""CLI: `transcribe` (project recordings or plain audio files) and `models list|download`."""

from __future__ import annotations

from pathlib import Path

import click

from interview_tui.cli import main
from interview_tui.cli.cluster import cluster_options, cluster_requested, transcribe_on_cluster
from interview_tui.cli.common import (
    ROW_ID, as_click_error, batch_result_lines, echo_batch_counts, get_db, get_project, load_cli_study, output_guard,
)

DEFAULT_FILE_FORMATS = "txt,md,json"


class _Bars:
    """Two tqdm bars on stderr: the whole batch and the current file (seconds of audio, with ETA)."""

    def __init__(self, jobs: list) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        known = [j.duration_s for j in jobs if j.duration_s]
        self.total_s = sum(known) or None  # files of unknown length add no ETA weight
        self.overall = tqdm(total=self.total_s and round(self.total_s, 1), unit="s", desc="all files",
                            position=0, leave=True, bar_format=None if self.total_s else "{desc}: {n_fmt} files")
        self.file = None
        self._done_before = 0.0
        self._last = 0.0

    def job_started(self, index: int, total: int, job) -> None:
        self.file = self._tqdm(total=job.duration_s and round(job.duration_s, 1), unit="s",
                               desc=f"[{index + 1}/{total}] {job.label}", position=1, leave=False)
        self._last = 0.0

    def job_progress(self, done_s: float, total_s: float) -> None:
        if self.file is None:
            return
        if self.file.total is None or abs(self.file.total - total_s) > 0.5:
            self.file.total = round(total_s, 1)
        step = max(0.0, done_s - self._last)
        self._last = done_s
        self.file.update(round(min(step, max(0.0, self.file.total - self.file.n)), 1))
        if self.total_s:  # header durations can be a little short; never run past 100 %
            self.overall.update(round(min(step, max(0.0, self.overall.total - self.overall.n)), 1))

    def job_finished(self, result) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        if not self.total_s:
            self.overall.update(1)
        for line in batch_result_lines(result):
            self._tqdm.write(line)

    def close(self) -> None:
        self.overall.close()


def _options(clean: bool, fast: bool, batch_size: int | None, beam_size: int | None):
    from interview_tui.transcription.engine import FAST, TranscribeOptions

    opts = FAST if (fast or batch_size is not None) else TranscribeOptions()
    opts = opts.with_(verbatim=not clean)
    if batch_size is not None:
        opts = opts.with_(batch_size=batch_size)
    if beam_size is not None:
        opts = opts.with_(beam_size=beam_size, best_of=beam_size)
    return opts


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "all_pending", is_flag=True, help="Every finished project recording not yet transcribed (with --force: every one, again).")
@click.option("--recording", "recording_ids", type=ROW_ID, multiple=True, help="A project recording id (repeatable).")
@click.option("--session", "session_ids", type=ROW_ID, multiple=True, help="All recordings of an interview session (repeatable).")
@click.option("--model", help="Model name (e.g. base, tiny.en) or a local CTranslate2 model folder. Default: the study's model, else the best installed.")
@click.option("--language", help="Language code (en, no, ...; 'auto' detects). Default: the study's language.")
@click.option("--clean", is_flag=True, help="Readable text: no fillers, pause marks or review marks (default is verbatim).")
@click.option("--format", "formats", default=None, help=f"Output formats, comma-separated from txt,srt,vtt,json,md (files default: {DEFAULT_FILE_FORMATS}; recordings: none, stored in the database).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder for output files (default: next to each file, or the project's exports/transcripts).")
@click.option("--study", "study_path", type=click.Path(dir_okay=False), help="Study file whose language, model and questions to use.")
@click.option("--force", is_flag=True, help="Transcribe again: a new version for recordings (with --all: of every recording), overwritten outputs for files.")
@click.option("--fast", is_flag=True, help="Batched decoding: about 1.25x faster again on 2 cores, about 1.7 WER points less accurate (see benchmarks/results/transcription.md).")
@click.option("--batch-size", type=click.IntRange(1, 256), help="Batch size for --fast (default 4; implies --fast).")
@click.option("--beam-size", type=click.IntRange(1, 64), help="Beam size (default 2; 1 is greedy, faster and less accurate; 5 is noScribe/aTrain's, slower).")
@click.option("--speakers", "n_speakers", type=click.IntRange(2, 8), help="People to tell apart by voice on mono audio (default: 2 for project recordings, off for FILES).")
@click.option("--no-speakers", is_flag=True, help="Keep mono audio as one unnamed stream (no voice-based speaker turns).")
@cluster_options
def transcribe(files: tuple[Path, ...], all_pending: bool, recording_ids: tuple[int, ...], session_ids: tuple[int, ...],
               model: str | None, language: str | None, clean: bool, formats: str | None, out_dir: Path | None,
               study_path: str | None, force: bool, fast: bool, batch_size: int | None, beam_size: int | None,
               n_speakers: int | None, no_speakers: bool, **cluster) -> None:
    """Transcribe locally with faster-whisper (nothing leaves this machine).

    Give audio FILES (any format FFmpeg reads) to transcribe them outside a project, or
    --all / --recording / --session for the project's recordings (stored in its database,
    a new version each time).  A failing file is reported and the batch goes on; an
    interrupted --all resumes where it stopped.
    """
    from interview_tui.transcription.formats import parse_formats
    from interview_tui.transcription.batch import Settings, file_jobs, recording_ids_to_do, recording_job, run_batch

    project_mode = all_pending or recording_ids or session_ids
    if files and project_mode:
        raise click.UsageError("Give either audio FILES or --all/--recording/--session, not both.")
    if not files and not project_mode:
        raise click.UsageError("Nothing to transcribe: give audio FILES, --all, --recording ID or --session ID.")
    if no_speakers and n_speakers:
        raise click.UsageError("Give either --speakers N or --no-speakers, not both.")
    try:
        fmt = parse_formats(formats if formats is not None else DEFAULT_FILE_FORMATS) if (formats or files) else []
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    study = load_cli_study(study_path, default=False)
    settings = Settings(model=model, language=language, options=_options(clean, fast, batch_size, beam_size),
                        formats=fmt, out_dir=out_dir, study=study, force=force, guard=output_guard(),
                        speakers=0 if no_speakers else n_speakers)
    if files:
        jobs = file_jobs(list(files), settings)
    else:
        db = get_db()
        ids, notes = recording_ids_to_do(db, all_pending=all_pending, recording_ids=list(recording_ids),
                                         session_ids=list(session_ids), force=force)
        for note in notes:
            click.echo(f"skipped: {note}", err=True)
        if not ids:
            click.echo("Nothing to transcribe.")
            return
        project = get_project()
        if cluster_requested(cluster):  # --workers/--scheduler/--cluster: see cli/cluster.py
            return transcribe_on_cluster(db, project, ids, settings, cluster)
        jobs = [recording_job(db, project, rid, settings) for rid in ids]
    bars = _Bars(jobs)
    try:
        report = run_batch(jobs, bars)
    finally:
        bars.close()
    if not files and out_dir is not None:
        from interview_tui.export.log import log_transcript_files

        log_transcript_files(get_db(), [r.outputs for r in report.results if r.ok], get_project().root)
    echo_batch_counts(report, len(jobs))


@main.group()
def models() -> None:
    """Whisper models available offline on this machine."""


@models.command("list")
def models_list() -> None:
    """Show the models transcription can use here, best first."""
    from interview_tui.transcription.models import INSTALL_HINT, ModelError, local_models, model_cache_dir

    with as_click_error(ModelError):
        found = local_models()
    if not found:
        click.echo(f"No Whisper model is installed. {INSTALL_HINT}")
        return
    for m in found:
        kind = "English only" if m.english_only else "multilingual"
        click.echo(f"{m.name:<10} {kind:<13} {m.source:<32} {m.path}")
    from interview_tui.diarization.encoder import EncoderError, prepare_encoder

    try:
        click.echo(f"{'speakers':<10} {'voice encoder':<13} {'resemblyzer 0.1.4 (GE2E)':<32} {prepare_encoder()}")
    except EncoderError as exc:
        click.echo(f"speakers   not available: {exc}")
    click.echo(f"(model cache: {model_cache_dir()})")


@models.command("download")
@click.argument("name")
def models_download(name: str) -> None:
    """Fetch model NAME (e.g. small, medium) from the Hugging Face Hub, once; needs internet."""
    from interview_tui.transcription.models import ModelError, download

    with as_click_error(ModelError):
        m = download(name)
    click.echo(f"Downloaded {m.name} to {m.path}")
