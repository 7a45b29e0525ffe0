"""`interview-tui export ...`: hand transcripts, demographics and audio to analysis tools."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from interview_tui.cli import main
from interview_tui.cli.common import as_click_error, force_option, get_project, pass_db, study_option, write_cli_output

def resolve_study(db, study_path: str | None):
    """`--study PATH`, else the one study registered for the project's participants, else the default."""
    from interview_tui.cli.common import load_cli_study
    from interview_tui.storage.studies import load_registered_study, participant_study_slugs

    if study_path:
        return load_cli_study(study_path)
    slugs = participant_study_slugs(db, include_withdrawn=False)
    if len(slugs) > 1:
        raise click.ClickException(
            f"this project has participants in several studies ({', '.join(slugs)}); "
            "choose one with --study PATH"
        )
    if slugs:
        study = load_registered_study(db, slugs[0])
        if study is not None:
            return study
    return load_cli_study(None)


def gather_for_cli(db, study_path: str | None, codes: tuple[str, ...]):
    """The export model, with notes on stderr about who is left out and what is missing."""
    from interview_tui.export.gather import ExportError, gather_project

    study = resolve_study(db, study_path)
    with as_click_error(ExportError):
        project = gather_project(db, get_project().root, study, codes=list(codes) or None)
    by_reason: dict[str, list[str]] = {}
    for code, reason in project.skipped:
        by_reason.setdefault(reason, []).append(code)
    for reason, codes_left in by_reason.items():
        click.echo(f"Note: left out ({reason}): {', '.join(codes_left)}.", err=True)
    if not project.participants:
        raise click.ClickException(
            f"nothing to export: no participant of study '{study.id}' has consent on file "
            "(record it with `interview-tui consent record`)"
        )
    untranscribed = [p.code for p in project.participants if not p.transcripts]
    if untranscribed:
        click.echo(f"Note: no transcript yet for {', '.join(untranscribed)} (run `interview-tui transcribe`).", err=True)
    for p in project.participants:
        for t in p.transcripts:
            if t.audio_path is None:
                click.echo(f"Note: {p.code} recording {t.recording_id}: audio file missing; exported without audio.", err=True)
    return project


def _run(db, fmt: str, out: str, study_path: str | None, codes: tuple[str, ...], write: Callable,
         *, force: bool = False, needs_transcripts: bool = False, before_publish: Callable | None = None) -> None:
    from interview_tui.export.folder import FolderExportError

    project = gather_for_cli(db, study_path, codes)
    if needs_transcripts and not any(p.transcripts for p in project.participants):
        raise click.ClickException("nothing to export: no transcripts yet; run `interview-tui transcribe --all` first")
    recipients = resolve_study(db, study_path).encryption_recipients

    def staged_write(staged: Path) -> None:
        if recipients:  # the study encrypts: staged in memory, only age files reach the disk (docs/privacy.md)
            from interview_tui.privacy.exports import EncryptedOutput

            with EncryptedOutput(staged, recipients) as plain:
                write(project, plain)
        else:
            write(project, staged)

    with as_click_error(FolderExportError):
        written = write_cli_output(out, staged_write, force=force, before_publish=before_publish)
    if recipients:
        click.echo(f"Encrypted {len(written.files)} file(s) to the study's public key (*.age).")
    from interview_tui.export.log import log_export

    # Every file and its checksum: a later withdrawal deletes only what is provably this export.
    log_export(db, fmt, written.target, project, files=written.files, root=get_project().root)
    n_t = sum(len(p.transcripts) for p in project.participants)
    reviewed = sum(1 for p in project.participants for t in p.transcripts if t.version.kind == "review")
    click.echo(
        f"Wrote {written.target}: {len(project.participants)} participant(s), {n_t} transcript(s) "
        f"({reviewed} reviewed, {n_t - reviewed} machine-only)."
    )


def _export_options(f):
    """What every participant export takes: `--participant` (repeatable), `--study`, `--force`, and the database."""
    f = force_option(pass_db(f))
    f = study_option(f)
    return click.option(
        "--participant", "-p", "codes", multiple=True, metavar="CODE",
        help="Export only this participant (repeatable; default: everyone with consent who has not withdrawn).",
    )(f)


@main.group()
def export() -> None:
    """Export transcripts, audio and demographics for analysis (withdrawn participants never included)."""


@export.command("qdpx")
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--link-audio", is_flag=True, help="Link the audio files by absolute path instead of copying them into the project (same as --audio absolute).")
@click.option(
    "--audio", "audio_mode", type=click.Choice(["internal", "relative", "absolute"]), default=None,
    help="Where the project finds the audio: copied inside it (internal, the default), or linked relative to "
         "the project folder (relative) or by absolute path (absolute).",
)
@_export_options
def export_qdpx(db, out: str, link_audio: bool, audio_mode: str | None, codes: tuple[str, ...], study_path: str | None, force: bool) -> None:
    """Write a REFI-QDA project (.qdpx) for NVivo, MAXQDA, ATLAS.ti or QualCoder."""
    from interview_tui.export.qdpx import write_qdpx

    if link_audio and audio_mode not in (None, "absolute"):
        raise click.UsageError(f"--link-audio links by absolute path; it contradicts --audio {audio_mode}")
    link_audio = audio_mode or ("absolute" if link_audio else "internal")
    root = get_project().root
    _run(db, "qdpx", out, study_path, codes,
         lambda project, target: write_qdpx(project, target, link_audio=link_audio, base_path=root), force=force)


@export.command("maxqda")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_export_options
def export_maxqda(db, out_dir: str, codes: tuple[str, ...], study_path: str | None, force: bool) -> None:
    """Write MAXQDA transcripts (`Name: text` turns with #hh:mm:ss-d# timestamps) into OUT_DIR."""
    from interview_tui.export.qda_text import write_maxqda

    _run(db, "maxqda", out_dir, study_path, codes, write_maxqda, force=force, needs_transcripts=True)


@export.command("nvivo")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_export_options
def export_nvivo(db, out_dir: str, codes: tuple[str, ...], study_path: str | None, force: bool) -> None:
    """Write NVivo transcripts (timestamped paragraphs .txt and Timespan/Speaker/Content .tsv) into OUT_DIR."""
    from interview_tui.export.qda_text import write_nvivo

    _run(db, "nvivo", out_dir, study_path, codes, write_nvivo, force=force, needs_transcripts=True)


@export.command("docx")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--line-numbers", is_flag=True, help="Turn on Word line numbering (for coding by line).")
@_export_options
def export_docx(db, out_dir: str, line_numbers: bool, codes: tuple[str, ...], study_path: str | None, force: bool) -> None:
    """Write Word transcripts (header, question headings, timed turns) into OUT_DIR."""
    from interview_tui.export.docx import write_docx

    _run(db, "docx", out_dir, study_path, codes,
         lambda project, target: write_docx(project, target, line_numbers=line_numbers), force=force, needs_transcripts=True)


@export.command("folder")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_export_options
def export_folder(db, out_dir: str, codes: tuple[str, ...], study_path: str | None, force: bool) -> None:
    """Write one folder per participant (audio, all transcript formats, demographics, consent, events) and a sha256 manifest."""
    from interview_tui.export.folder import MANIFEST, write_folder

    target = Path(out_dir).expanduser()
    if target.is_dir() and any(not e.name.startswith(".") for e in target.iterdir()) \
            and not (target / MANIFEST).is_file():
        raise click.ClickException(
            f"{target} is not empty and holds no {MANIFEST} of an earlier export; choose a new or empty folder"
        )

    def drop_earlier() -> None:
        # --force over an earlier export: its participant folders go, so nobody left out survives in it.
        import json
        import shutil

        try:
            earlier = json.loads((target / MANIFEST).read_text("utf-8")).get("participants", {})
        except (OSError, ValueError, AttributeError):
            return
        for code in earlier:
            folder = target / str(code)
            if folder.is_dir() and not folder.is_symlink() and folder.parent == target:
                shutil.rmtree(folder)

    _run(db, "folder", out_dir, study_path, codes, write_folder, force=force,
         before_publish=drop_earlier if force else None)


@export.command("codebook")
@click.argument("out", type=click.Path(dir_okay=False))
@study_option
@force_option
@pass_db
def export_codebook(db, out: str, study_path: str | None, force: bool) -> None:
    """Write the guide as a REFI-QDA codebook (.qdc): sections, questions, follow-ups and probes as codes."""
    from interview_tui.export.codebook import write_codebook

    from interview_tui.storage.project_id import project_uuid

    # The guide alone, nothing about anyone: it needs no participant and withdrawal never touches it.
    study = resolve_study(db, study_path)
    uuid = project_uuid(db)
    written = write_cli_output(out, lambda target: write_codebook(study, uuid, target), force=force)
    click.echo(f"Wrote {written.target}: the codebook of study '{study.id}'.")


@export.command("attributes")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_export_options
def export_attributes(db, out_dir: str, codes: tuple[str, ...], study_path: str | None, force: bool) -> None:
    """Write the participants' attributes as a MAXQDA document-variables table and an NVivo classification sheet."""
    from interview_tui.export.attributes import write_attributes

    _run(db, "attributes", out_dir, study_path, codes, write_attributes, force=force)
