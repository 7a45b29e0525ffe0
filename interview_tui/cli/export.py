"""`interview-tui export ...`: hand transcripts, demographics and audio to analysis tools."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from interview_tui.cli import main
from interview_tui.cli.common import get_project, pass_db, study_option

def resolve_study(db, study_path: str | None):
    """`--study PATH`, else the one study registered for the project's participants, else the default."""
    from interview_tui.cli.common import load_cli_study
    from interview_tui.storage.participants import list_participants
    from interview_tui.storage.studies import load_registered_study

    if study_path:
        return load_cli_study(study_path)
    slugs = sorted({p.study_slug for p in list_participants(db)})
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
    try:
        project = gather_project(db, get_project().root, study, codes=list(codes) or None)
    except ExportError as err:
        raise click.ClickException(str(err)) from None
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
         *, needs_transcripts: bool = False) -> None:
    from interview_tui.export.folder import FolderExportError

    project = gather_for_cli(db, study_path, codes)
    if needs_transcripts and not any(p.transcripts for p in project.participants):
        raise click.ClickException("nothing to export: no transcripts yet; run `interview-tui transcribe --all` first")
    target = Path(out).expanduser().resolve()
    recipients = resolve_study(db, study_path).encryption_recipients
    try:
        if recipients:  # the study encrypts: staged in memory, only age files reach the disk (docs/privacy.md)
            from interview_tui.privacy.exports import EncryptedOutput

            encrypted = EncryptedOutput(target, recipients)
            with encrypted as staged:
                write(project, staged)
            target = encrypted.final_path
            click.echo(f"Encrypted {len(encrypted.written)} file(s) to the study's public key (*.age).")
        else:
            write(project, target)
    except FolderExportError as err:
        raise click.ClickException(str(err)) from None
    except OSError as err:
        raise click.ClickException(
            f"cannot write {err.filename or target}: {err.strerror or err} (check the folder exists, "
            "is writable and the disk has space)"
        ) from None
    from interview_tui.export.log import log_export

    log_export(db, fmt, target, project)
    n_t = sum(len(p.transcripts) for p in project.participants)
    reviewed = sum(1 for p in project.participants for t in p.transcripts if t.version.kind == "review")
    click.echo(
        f"Wrote {target}: {len(project.participants)} participant(s), {n_t} transcript(s) "
        f"({reviewed} reviewed, {n_t - reviewed} machine-only)."
    )


def _codes_option(f):
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
@_codes_option
@study_option
@pass_db
def export_qdpx(db, out: str, link_audio: bool, audio_mode: str | None, codes: tuple[str, ...], study_path: str | None) -> None:
    """Write a REFI-QDA project (.qdpx) for NVivo, MAXQDA, ATLAS.ti or QualCoder."""
    from interview_tui.export.qdpx import write_qdpx

    if link_audio and audio_mode not in (None, "absolute"):
        raise click.UsageError(f"--link-audio links by absolute path; it contradicts --audio {audio_mode}")
    link_audio = audio_mode or ("absolute" if link_audio else "internal")
    root = get_project().root
    _run(db, "qdpx", out, study_path, codes,
         lambda project, target: write_qdpx(project, target, link_audio=link_audio, base_path=root))


@export.command("maxqda")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_codes_option
@study_option
@pass_db
def export_maxqda(db, out_dir: str, codes: tuple[str, ...], study_path: str | None) -> None:
    """Write MAXQDA transcripts (`Name: text` turns with #hh:mm:ss-d# timestamps) into OUT_DIR."""
    from interview_tui.export.qda_text import write_maxqda

    _run(db, "maxqda", out_dir, study_path, codes, write_maxqda, needs_transcripts=True)


@export.command("nvivo")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_codes_option
@study_option
@pass_db
def export_nvivo(db, out_dir: str, codes: tuple[str, ...], study_path: str | None) -> None:
    """Write NVivo transcripts (timestamped paragraphs .txt and Timespan/Speaker/Content .tsv) into OUT_DIR."""
    from interview_tui.export.qda_text import write_nvivo

    _run(db, "nvivo", out_dir, study_path, codes, write_nvivo, needs_transcripts=True)


@export.command("docx")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--line-numbers", is_flag=True, help="Turn on Word line numbering (for coding by line).")
@_codes_option
@study_option
@pass_db
def export_docx(db, out_dir: str, line_numbers: bool, codes: tuple[str, ...], study_path: str | None) -> None:
    """Write Word transcripts (header, question headings, timed turns) into OUT_DIR."""
    from interview_tui.export.docx import write_docx

    _run(db, "docx", out_dir, study_path, codes,
         lambda project, target: write_docx(project, target, line_numbers=line_numbers), needs_transcripts=True)


@export.command("folder")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_codes_option
@study_option
@pass_db
def export_folder(db, out_dir: str, codes: tuple[str, ...], study_path: str | None) -> None:
    """Write one folder per participant (audio, all transcript formats, demographics, consent, events) and a sha256 manifest."""
    from interview_tui.export.folder import write_folder

    _run(db, "folder", out_dir, study_path, codes, write_folder)


@export.command("codebook")
@click.argument("out", type=click.Path(dir_okay=False))
@study_option
@pass_db
def export_codebook(db, out: str, study_path: str | None) -> None:
    """Write the guide as a REFI-QDA codebook (.qdc): sections, questions, follow-ups and probes as codes."""
    from interview_tui.export.codebook import write_codebook

    study = resolve_study(db, study_path)
    _run(db, "codebook", out, study_path, (),
         lambda project, target: write_codebook(study, project.project_uuid, target))


@export.command("attributes")
@click.argument("out_dir", type=click.Path(file_okay=False))
@_codes_option
@study_option
@pass_db
def export_attributes(db, out_dir: str, codes: tuple[str, ...], study_path: str | None) -> None:
    """Write the participants' attributes as a MAXQDA document-variables table and an NVivo classification sheet."""
    from interview_tui.export.attributes import write_attributes

    _run(db, "attributes", out_dir, study_path, codes, write_attributes)
