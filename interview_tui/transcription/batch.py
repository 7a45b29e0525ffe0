"""Transcribing many recordings or files: one failure is reported and skipped, never fatal.

A batch is a list of `Job`s.  Project recordings are stored as a new transcript version as
soon as each one finishes, so an interrupted `transcribe --all` resumes where it stopped
(finished recordings are no longer "untranscribed").  Plain files outside a project get
their output files next to them (or in `out_dir`) and are skipped when those exist.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from sqlite_utils import Database

from interview_tui.config import Project
from interview_tui.domain.study import Study
from interview_tui.transcription.formats import write_outputs
from interview_tui.outputs import Guard, OutputError
from interview_tui.privacy.segments import encrypted_recording_message, is_encrypted_recording
from interview_tui.storage import transcripts as store
from interview_tui.storage.permission import refusal
from interview_tui.storage.rows import RecordingContext
from interview_tui.storage.studies import study_for_recording
from interview_tui.diarization.attribute import SpeakerPlan
from interview_tui.diarization.plan import interviewer_label, plan_for_recording
from interview_tui.domain.timeline import timeline_from_events
from interview_tui.transcription.audio_input import AudioInputError, probe_duration
from interview_tui.transcription.engine import ProgressCallback, TranscribeOptions, TranscriptionCancelled
from interview_tui.transcription.models import LocalModel, ModelError, normalize_language, resolve_model
from interview_tui.transcription.pipeline import AudioContext, transcribe_path
from interview_tui.domain.speakers import labels_for
from interview_tui.domain.transcript import Transcript


class JobError(Exception):
    """A job cannot run (withdrawn participant, unfinished recording...); message says why."""


@dataclass
class Settings:
    """Per-run choices from the CLI or the TUI (None = from the study, else automatic)."""

    model: str | None = None
    language: str | None = None  # "auto" = detect
    options: TranscribeOptions = field(default_factory=TranscribeOptions)
    formats: list[str] = field(default_factory=list)
    out_dir: Path | None = None
    study: Study | None = None  # overrides the recording's own study
    force: bool = False  # files: overwrite outputs; recordings: add a new version
    #: paths never written over (the project's database, recordings, key file); None: no check
    guard: Guard | None = None
    #: people to tell apart by voice on mono audio: None = 2 for project recordings, none for files; 0 = off
    speakers: int | None = None


@dataclass
class JobResult:
    label: str
    ok: bool
    message: str
    outputs: list[Path] = field(default_factory=list)
    transcript_id: int | None = None
    skipped: bool = False


@dataclass
class Job:
    """One unit of work; `run` does it and returns its result (or raises a clear error)."""

    label: str
    duration_s: float | None
    run: Callable[[ProgressCallback, threading.Event | None], JobResult]


class BatchListener(Protocol):
    def job_started(self, index: int, total: int, job: Job) -> None: ...
    def job_progress(self, done_s: float, total_s: float) -> None: ...
    def job_finished(self, result: JobResult) -> None: ...


@dataclass
class BatchReport:
    results: list[JobResult] = field(default_factory=list)
    cancelled: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    @property
    def done(self) -> list[JobResult]:
        return [r for r in self.results if r.ok and not r.skipped]


def run_batch(jobs: list[Job], listener: BatchListener, cancel: threading.Event | None = None) -> BatchReport:
    """Run jobs in order; expected failures become failed results and the batch goes on."""
    report = BatchReport()
    for i, job in enumerate(jobs):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            break
        listener.job_started(i, len(jobs), job)
        try:
            result = job.run(listener.job_progress, cancel)
        except TranscriptionCancelled:
            report.cancelled = True
            listener.job_finished(JobResult(job.label, False, "cancelled; nothing stored"))
            break
        except (AudioInputError, ModelError, JobError, OutputError) as exc:
            result = JobResult(job.label, False, str(exc))
        except Exception as exc:  # keep the batch alive; the message names the unexpected error
            result = JobResult(job.label, False, f"unexpected error: {type(exc).__name__}: {exc}")
        report.results.append(result)
        listener.job_finished(result)
    return report


def _language(settings: Settings, study: Study | None) -> str | None:
    if settings.language is not None:
        return normalize_language(settings.language)
    return normalize_language(study.language) if study is not None else None


# -- plain files -------------------------------------------------------------------------


def file_jobs(paths: list[Path], settings: Settings) -> list[Job]:
    """Jobs for audio files outside any project (outputs next to each file or in `out_dir`)."""
    return [_file_job(Path(p), settings) for p in paths]


def _file_job(path: Path, settings: Settings) -> Job:
    stem = (settings.out_dir or path.parent) / path.stem

    def run(on_progress: ProgressCallback, cancel: threading.Event | None) -> JobResult:
        outputs = [stem.with_name(f"{stem.name}.{f}") for f in settings.formats]
        if outputs and all(o.exists() for o in outputs) and not settings.force:
            return JobResult(str(path), True, "already transcribed (outputs exist; --force to redo)", outputs, skipped=True)
        language = _language(settings, settings.study)
        model = resolve_model(settings.model, language=language,
                              study_model=settings.study.model if settings.study else None)
        ctx = AudioContext(source=str(path))
        if settings.speakers:
            ctx.speakers = SpeakerPlan(settings.speakers)
        if settings.study is not None:
            ctx.questions = settings.study.guide.answer_headings()
        transcript = transcribe_path(path, model, settings.options.with_(language=language), ctx,
                                     on_progress=on_progress, cancel=cancel)
        written = write_outputs(transcript, stem, settings.formats, guard=settings.guard, force=settings.force)
        return JobResult(str(path), True, f"{len(transcript.segments)} segments", written)

    return Job(str(path), probe_duration(path) if path.is_file() else None, run)


# -- project recordings ------------------------------------------------------------------


def recording_ids_to_do(
    db: Database, *, all_pending: bool, recording_ids: list[int], session_ids: list[int], force: bool
) -> tuple[list[int], list[str]]:
    """The recordings to transcribe, and notes on those skipped (already transcribed, unknown)."""
    notes: list[str] = []
    wanted: list[int] = []
    if all_pending:
        # --all --force redoes every recording (a new version each), as --force promises.
        wanted += [r.id for r in store.untranscribed_recordings(db, include_transcribed=force)]
    for sid in session_ids:
        ids = store.session_recording_ids(db, sid)
        if not ids:
            notes.append(f"session {sid}: no recordings")
        wanted += ids
    for rid in recording_ids:
        if store.recording_context(db, rid) is None:
            notes.append(f"recording {rid}: no such recording (see: interview-tui clips / recordings list)")
        else:
            wanted.append(rid)
    out: list[int] = []
    for rid in dict.fromkeys(wanted):
        row = store.recording_context(db, rid)
        if row is not None and is_encrypted_recording(row.path):
            notes.append(f"recording {rid}: " + encrypted_recording_message(row.path, "be transcribed"))
            continue
        if not force and store.has_transcript(db, rid):
            notes.append(f"recording {rid}: already transcribed (use --force for a new version)")
            continue
        out.append(rid)
    return out, notes


@dataclass
class RecordingWork:
    """Everything needed to transcribe one project recording, resolved on the database's thread.

    Transcribing it (`pipeline.transcribe_path(audio_path, model, options, context)`) needs no
    database, so it can run on another thread or machine; `store_recording` stores the result.
    """

    recording_id: int
    label: str
    audio_path: Path
    model: LocalModel
    options: TranscribeOptions  # language filled in
    context: AudioContext
    participant_code: str


def _label(recording_id: int, row: RecordingContext | None) -> str:
    return f"recording {recording_id}" + (f" ({row.participant_code})" if row else "")


def prepare_recording(db: Database, project: Project, recording_id: int, settings: Settings) -> RecordingWork:
    """Resolve study, language, model, speaker labels and question timeline for a recording.

    Raises JobError (no such recording, no permission: `storage.permission`, unfinished recording) or
    ModelError (no fitting model) with a message saying what to do.
    """
    row = store.recording_context(db, recording_id)
    label = _label(recording_id, row)
    if row is None:
        raise JobError(f"recording {recording_id} does not exist")
    study = settings.study or study_for_recording(db, recording_id)
    refused = refusal(db, row.participant_code, "transcription", study)
    if refused is not None:  # the same rule as recording and import (storage.permission)
        raise JobError(f"{label}: {refused}")
    if row.state not in ("complete", "recovered"):
        raise JobError(f"{label}: the recording is '{row.state}', not finished (try: interview-tui recover)")
    if is_encrypted_recording(row.path):
        raise JobError(f"{label}: " + encrypted_recording_message(row.path, "be transcribed"))
    language = _language(settings, study)
    model = resolve_model(settings.model, language=language, study_model=study.model if study else None)
    ctx = AudioContext(source=row.path, participant_code=row.participant_code)
    ctx.labels = labels_for(interviewer_label(row), row.participant_code)
    if study is not None:
        ctx.questions = study.guide.answer_headings()
    if row.session_id is not None:
        from interview_tui.storage.sessions import session_events

        ctx.timeline = timeline_from_events(session_events(db, row.session_id), recording_id, row.started_at)
    if settings.speakers != 0:  # every project recording is an interview: at least two people
        ctx.speakers = plan_for_recording(db, recording_id, settings.speakers or (study and study.speakers) or 2)
    return RecordingWork(recording_id, label, project.root / row.path, model,
                         settings.options.with_(language=language), ctx, row.participant_code)


def store_recording(db: Database, project: Project, work: RecordingWork, transcript: Transcript,
                    settings: Settings) -> JobResult:
    """Store a finished transcript as the recording's next version and write any output files."""
    transcript_id = store.save_transcript(db, work.recording_id, transcript)
    written: list[Path] = []
    if settings.formats:
        out = settings.out_dir or project.exports_dir / "transcripts"
        stem = out / f"{work.participant_code}-rec{work.recording_id}-v{transcript.meta.version}"
        written = write_outputs(transcript, stem, settings.formats, guard=settings.guard, force=settings.force)
    return JobResult(work.label, True, f"version {transcript.meta.version}, {len(transcript.segments)} segments",
                     written, transcript_id)


def recording_job(db: Database, project: Project, recording_id: int, settings: Settings) -> Job:
    """A job transcribing one project recording into a new stored transcript version.

    `db` must belong to the thread that runs the job.
    """
    from interview_tui.storage.recordings import get_recording

    row = store.recording_context(db, recording_id)
    rec = get_recording(db, recording_id) if row else None

    def run(on_progress: ProgressCallback, cancel: threading.Event | None) -> JobResult:
        work = prepare_recording(db, project, recording_id, settings)
        transcript = transcribe_path(work.audio_path, work.model, work.options, work.context,
                                     on_progress=on_progress, cancel=cancel)
        return store_recording(db, project, work, transcript, settings)

    return Job(_label(recording_id, row), rec.duration_s if rec else None, run)
