"""Building the export model from the project database.

Participants who withdrew are never read.  For each recording the transcript
used is the latest reviewed version when one exists, else the latest machine
version (`choose_version`); the model records which, and every writer
states it.  An interview that took several recordings (stop and start, crash
and resume) is exported as one transcript on its own timeline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from interview_tui.domain.demographics import PREFER_NOT, summarize
from interview_tui.domain.figures import TalkTime, figures, talk_time
from interview_tui.domain.session import SessionState, interview_duration_s
from interview_tui.domain.study import FINAL_PROMPT_ID, DemographicField, Section, Study
from interview_tui.domain.transcript import Segment
from interview_tui.export.methods import MethodsReport, build_report
from interview_tui.export.model import (
    ConsentSummary,
    DemographicValue,
    DemographicVariable,
    ExportMark,
    ExportMemo,
    ExportParticipant,
    ExportProject,
    ExportSession,
    ExportTranscript,
    GuideCode,
    TranscriptPart,
    TranscriptVersion,
)
from interview_tui.domain.clock import now_iso
from interview_tui.storage.consent import latest_consent, recruitment_counts
from interview_tui.storage.recruitment import decline_reasons
from interview_tui.storage.saturation import saturation_log
from interview_tui.storage.demographics import all_demographics, get_demographics
from interview_tui.storage.memos import journal, participant_memos
from interview_tui.storage.participants import ParticipantError, normalize_code
from interview_tui.storage.roster import list_participants
from interview_tui.storage.project_id import project_uuid
from interview_tui.storage.recordings import list_recordings
from interview_tui.storage.rows import Recording, TranscriptListing
from interview_tui.storage.sessions import get_session, participant_sessions, session_events
from interview_tui.storage.transcripts import list_transcripts, load_transcript
from interview_tui.transcription.stitch import plan_parts, stitch

MARK_KINDS = ("note", "bookmark")


class ExportError(Exception):
    """An export cannot be made; the message says why and what to do."""


def guide_codes(study: Study) -> tuple[GuideCode, ...]:
    """The guide as a code tree: sections (with sub-sections) holding their questions, closing and final prompt last."""

    def section(s: Section) -> GuideCode:
        children = tuple(GuideCode(qu.id, qu.text, "question", qu.note) for qu in s.questions)
        children += tuple(section(sub) for sub in s.sections)
        return GuideCode(s.id, s.title, "section", s.note, children)

    closing = study.guide.closing
    return tuple(section(s) for s in study.guide.sections) + (
        GuideCode(closing.id, closing.text, "question", closing.note),
        GuideCode(FINAL_PROMPT_ID, study.guide.final_prompt, "question"),
    )


def _typed(f: DemographicField, value: Any) -> Any:
    """A stored demographic value as the model holds it (choice labels, dates as `date`)."""
    if value is None:
        return None
    if f.type == "single_choice":
        return _label(f, value)
    if f.type == "multiple_choice":
        return tuple(_label(f, v) for v in value)
    if f.type == "date":
        return date.fromisoformat(value)
    if f.type == "integer":
        return int(value)
    if f.type == "decimal":
        return float(value)
    return str(value)


def _label(f: DemographicField, choice_id: str) -> str:
    try:
        return f.choice(choice_id).label
    except KeyError:  # a choice removed from a later study version: keep what was answered
        return str(choice_id)


def _demographics(db: Database, study: Study, code: str) -> tuple[DemographicValue, ...]:
    stored = get_demographics(db, code)
    out = []
    for f in study.demographics.fields:
        if f.id not in stored:
            continue
        value = stored[f.id]
        prefer_not = value is PREFER_NOT
        out.append(DemographicValue(f.id, f.label, f.type, None if prefer_not else _typed(f, value), prefer_not))
    return tuple(out)


def _seconds_between(start: str, end: str | None) -> float | None:
    if not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _sessions(db: Database, code: str, recordings: list[Recording]) -> tuple[ExportSession, ...]:
    out = []
    for s in participant_sessions(db, code):
        events = session_events(db, s.id)
        recorded = [r.duration_s for r in recordings if r.session_id == s.id and r.duration_s]
        # The interview's own clock (first question to end, less downtime); a session without
        # question events (imported) falls back to its recorded time, then its start and end.
        duration = interview_duration_s(events)
        if duration is None:
            duration = sum(recorded) if recorded else _seconds_between(s.started_at, s.ended_at)
        out.append(
            ExportSession(
                id=s.id,
                started_at=s.started_at,
                ended_at=s.ended_at,
                interviewer=s.interviewer,
                place=s.place,
                duration_s=duration,
                events=tuple(events),
                marks=tuple(
                    ExportMark(e.kind, e.text or "", e.at, e.session_offset_s, e.question_id, e.recording_id,
                               e.recording_offset_s)
                    for e in events
                    if e.kind in MARK_KINDS
                ),
            )
        )
    return tuple(out)


def choose_version(versions: list[TranscriptListing]) -> TranscriptListing | None:
    """The transcript version to export from a recording's versions (`list_transcripts`).

    The latest *reviewed* version (kind 'review' with `reviewed_at` set) when
    there is one, else the latest machine version.  Unfinished review drafts
    (kind 'review' without `reviewed_at`) are never exported.
    """
    reviewed = [v for v in versions if v.kind == "review" and v.reviewed_at]
    machine = [v for v in versions if v.kind == "machine"]
    pool = reviewed or machine
    return max(pool, key=lambda v: v.version) if pool else None


def _version(row: TranscriptListing) -> TranscriptVersion:
    return TranscriptVersion(
        transcript_id=row.id, version=row.version, kind=row.kind, created_at=row.created_at,
        model=row.model, engine=row.engine, language=row.language,
        reviewed_by=row.reviewed_by, reviewed_at=row.reviewed_at,
        verbatim=(row.options or {}).get("verbatim"),
        model_sha256=row.model_sha256,
        options_json=json.dumps(row.options or {}, sort_keys=True),
    )


def _export_segments(segments: list[Segment]) -> tuple[Segment, ...]:
    # What exports write, without the words: a long interview has thousands of them.
    return tuple(Segment(s.start, s.end, s.text, speaker=s.speaker, question_id=s.question_id) for s in segments)


def _transcripts(db: Database, root: Path, recordings: list[Recording],
                 session_start: dict[int, str] | None = None) -> tuple[ExportTranscript, ...]:
    """One transcript per interview: a session's recordings stitched in order; a recording
    without a session stands alone."""
    chosen = []
    for r in recordings:
        row = choose_version(list_transcripts(db, r.id))
        if row is not None:
            chosen.append((r, row))
    groups: dict[Any, list[tuple[Recording, TranscriptListing]]] = {}
    for r, row in chosen:
        groups.setdefault(r.session_id if r.session_id is not None else ("rec", r.id), []).append((r, row))
    out = []
    for key, members in groups.items():
        first, first_row = members[0]
        audio = root / first.path
        common = dict(recording_id=first.id, audio_path=audio if audio.is_file() else None,
                      audio_sha256=first.sha256, recorded_at=first.started_at,
                      session_started_at=(session_start or {}).get(first.session_id))
        if len(members) == 1:
            out.append(ExportTranscript(
                version=_version(first_row),
                segments=_export_segments(load_transcript(db, first_row.id).segments),
                duration_s=first.duration_s or first_row.duration_s, **common))
            continue
        out.append(_stitched(db, key, members, common))
    return tuple(out)


def _stitched(db: Database, session_id: int, members: list, common: dict[str, Any]) -> ExportTranscript:
    """A multi-recording interview as one transcript on its own timeline (see transcription.stitch)."""
    session = get_session(db, session_id)
    parts = plan_parts([r for r, _ in members], session_events(db, session_id),
                       session.started_at if session else None)
    rows = {r.id: row for r, row in members}
    segments = stitch([(part, load_transcript(db, rows[part.recording_id].id).segments) for part in parts])
    versions = {rid: _version(row) for rid, row in rows.items()}
    # The transcript counts as reviewed only when every recording's part is.
    shown = next((v for v in versions.values() if v.kind != "review" or not v.reviewed_at), None)
    by_id = {r.id: r for r, _ in members}
    last = parts[-1]
    return ExportTranscript(
        version=shown or versions[parts[0].recording_id],
        segments=_export_segments(segments),
        duration_s=last.offset_s + (by_id[last.recording_id].duration_s or 0.0),
        parts=tuple(TranscriptPart(p.recording_id, versions[p.recording_id], p.offset_s,
                                   by_id[p.recording_id].sha256, Path(by_id[p.recording_id].path).name,
                                   by_id[p.recording_id].duration_s, by_id[p.recording_id].started_at)
                    for p in parts),
        **common,
    )


def _consent(db: Database, code: str) -> ConsentSummary | None:
    c = latest_consent(db, code)
    if c is None:
        return None
    return ConsentSummary(
        c.form_version, c.form_title, c.decision, tuple(c.items_given), tuple(c.items_declined),
        c.method, c.recorded_at, c.text_hash, c.interviewer,
    )


def session_talk_time(db: Database, session_id: int, *, interviewer: str | None,
                      participant: str | None) -> TalkTime | None:
    """Talk time of a session's recordings, from the speaker labels of the version exports use."""
    segments: list[tuple[str | None, float, float]] = []
    for r in list_recordings(db, session_id=session_id):
        row = choose_version(list_transcripts(db, r.id)) if r.state in ("complete", "recovered") else None
        if row is not None:
            segments += [(s.speaker, s.start, s.end) for s in load_transcript(db, row.id).segments]
    return talk_time(segments, interviewer=interviewer, participant=participant)


def _with_figures(db: Database, study: Study, code: str, session: ExportSession) -> ExportSession:
    """The session with the figures its summary screen draws: time per section and question, talk time."""
    state = SessionState.replay(study.guide, session_events(db, session.id))
    talk = session_talk_time(db, session.id, interviewer=session.interviewer, participant=code)
    return replace(session, figures=figures(state, talk).as_dict())


def gather_participant(db: Database, root: Path, study: Study, code: str, created_at: str = "") -> ExportParticipant:
    """One participant's export data (the caller has checked that they did not withdraw)."""
    recordings = [r for r in list_recordings(db, code) if r.state in ("complete", "recovered")]
    sessions = _sessions(db, code, recordings)
    return ExportParticipant(
        code=code,
        created_at=created_at,
        demographics=_demographics(db, study, code),
        consent=_consent(db, code),
        sessions=tuple(_with_figures(db, study, code, s) for s in sessions),
        transcripts=_transcripts(db, root, recordings, {s.id: s.started_at for s in sessions}),
        memos=tuple(ExportMemo(m.title, m.text, m.created_at, m.author) for m in participant_memos(db, code)),
    )


def gather_project(
    db: Database,
    root: Path,
    study: Study,
    *,
    codes: Sequence[str] | None = None,
    consented_only: bool = True,
) -> ExportProject:
    """The export model of `study`'s participants in the project at `root`.

    Withdrawn participants are left out always; with `consented_only` also
    those whose latest consent decision is not 'given' (declined candidates
    are counted in the methods report, never exported).  `codes` limits the
    export to some participants and raises `ExportError` for an unknown or
    withdrawn code.
    """
    rows = [r for r in list_participants(db, study) if r.study_slug == study.id and r.withdrawn_at is None]
    if codes:
        try:
            codes = list(dict.fromkeys(normalize_code(c) for c in codes))
        except ParticipantError as err:
            raise ExportError(str(err)) from None
        known = {r.code: r for r in rows}
        missing = [c for c in codes if c not in known]
        if missing:
            raise ExportError(
                f"no exportable participant {', '.join(missing)} in study '{study.id}' "
                "(unknown code, another study, or withdrawn); see `interview-tui participants list`"
            )
        rows = [known[c] for c in codes]
    participants = [gather_participant(db, root, study, r.code, r.created_at) for r in rows]
    skipped: list[tuple[str, str]] = []
    if consented_only:
        kept = []
        for p in participants:
            if p.consent is not None and p.consent.decision == "given":
                kept.append(p)
            else:
                skipped.append((p.code, "consent declined" if p.consent else "no consent on file"))
        participants = kept
    variables = tuple(
        DemographicVariable(f.id, f.label, f.type, f.unit, tuple(c.label for c in f.choices))
        for f in study.demographics.fields
    )
    return ExportProject(
        study_slug=study.id,
        study_title=study.title,
        study_version=study.version,
        generated_at=now_iso(),
        participants=tuple(participants),
        guide_codes=guide_codes(study),
        variables=variables,
        questions=study.guide.answer_headings(),
        skipped=tuple(skipped),
        journal=tuple(ExportMemo(m.title, m.text, m.created_at, m.author) for m in journal(db)),
        project_uuid=project_uuid(db),
    )


def gather_methods(db: Database, root: Path, study: Study) -> MethodsReport:
    """The methods report for `study`: the sample is exactly the participants an export holds."""
    return methods_from(db, study, gather_project(db, root, study))


def methods_from(db: Database, study: Study, project: ExportProject) -> MethodsReport:
    """The methods report for the participants in an already gathered `project`."""
    answers = all_demographics(db)
    summary = summarize(study.demographics, [answers.get(p.code, {}) for p in project.participants])
    return build_report(project, summary, recruitment_counts(db), saturation_log(db), decline_reasons(db))
