"""The per-participant export folder: everything of one participant, with checksums.

    OUT/
      manifest.json              study, time, transcript versions, sha256 + size of every file
      P01/
        audio/<recording file>   a copy of each recording
        transcripts/P01.txt .srt .vtt .json .md     (transcription's formats)
                    P01.maxqda.txt P01.nvivo.txt P01.nvivo.tsv P01.docx
        demographics.json        typed answers (choice labels), 'prefer not to say' marked
        consent.json             form version, title, hash, decision, items (no names)
        session-events.json      every session with its events and figures (time per section and
                                 question against the budgets, talk-time share)
        memos.json               post-interview memos (title, text, author, time)
      journal.json               the project's reflexive journal

Each participant folder is built under a temporary name and renamed into
place, so a crash never leaves a half folder looking complete.  An existing
OUT is only written over when it holds a manifest of an earlier export, and
then only the folders that manifest lists are replaced (so the folder of a
participant who withdrew since does not survive a re-export).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from interview_tui import __version__
from interview_tui.transcription import formats
from interview_tui.export.docx import transcript_document
from interview_tui.export.model import ExportParticipant, ExportProject, ExportTranscript
from interview_tui.export.qda_text import ENCODING, maxqda_text, nvivo_table, nvivo_text, transcript_stem
from interview_tui.domain.session import Event
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from interview_tui.fileio import sha256_file

MANIFEST = "manifest.json"
JOURNAL = "journal.json"


class FolderExportError(Exception):
    """The output folder cannot be used; the message says why and what to do."""


def as_transcript(project: ExportProject, p: ExportParticipant, t: ExportTranscript) -> Transcript:
    """The transcription area's `Transcript` for `formats.py`; `source` names the version used."""
    meta = TranscriptMeta(
        model=t.version.model or "",
        model_sha256=t.version.model_sha256,
        engine=t.version.engine or "",
        language=t.version.language,
        options=json.loads(t.version.options_json),
        duration_s=t.duration_s,
        source=f"recording {t.recording_id}, {t.version.label}",
        version=t.version.version,
        transcript_id=t.version.transcript_id,
        recording_id=t.recording_id,
        participant_code=p.code,
    )
    segments = [Segment(s.start, s.end, s.text, speaker=s.speaker, question_id=s.question_id) for s in t.segments]
    return Transcript(meta, segments, dict(project.questions))


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _event_json(event: Event) -> dict[str, Any]:
    # session-events.json has always put the sequence number first; readers of earlier
    # hand-off folders see the same keys in the same order.
    fields = asdict(event)
    return {"seq": fields.pop("seq"), **fields}


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _participant_folder(project: ExportProject, p: ExportParticipant, folder: Path) -> None:
    folder.mkdir(parents=True)
    if p.transcripts:
        tdir = folder / "transcripts"
        tdir.mkdir()
        for t in p.transcripts:
            stem = transcript_stem(p, t)
            formats.write_outputs(as_transcript(project, p, t), tdir / stem, list(formats.FORMATS))
            (tdir / f"{stem}.maxqda.txt").write_text(maxqda_text(p, t), encoding=ENCODING, newline="\r\n")
            (tdir / f"{stem}.nvivo.txt").write_text(nvivo_text(p, t), encoding=ENCODING, newline="\r\n")
            (tdir / f"{stem}.nvivo.tsv").write_text(nvivo_table(t), encoding=ENCODING, newline="\r\n")
            transcript_document(project, p, t).save(str(tdir / f"{stem}.docx"))
    audio = [t.audio_path for t in p.transcripts if t.audio_path is not None]
    if audio:
        (folder / "audio").mkdir()
        for path in audio:
            shutil.copy2(path, folder / "audio" / path.name)
    _write_json(
        folder / "demographics.json",
        [
            {"field_id": v.field_id, "label": v.label, "type": v.type, "value": _json_value(v.value),
             "prefer_not_to_say": v.prefer_not_to_say}
            for v in p.demographics
        ],
    )
    if p.consent is not None:
        consent = asdict(p.consent)
        consent.pop("interviewer")  # names stay in the database, out of hand-off folders
        consent["items_given"], consent["items_declined"] = list(p.consent.items_given), list(p.consent.items_declined)
        _write_json(folder / "consent.json", consent)
    _write_json(folder / "memos.json", [asdict(m) for m in p.memos])
    _write_json(
        folder / "session-events.json",
        [
            {"session_id": s.id, "started_at": s.started_at, "ended_at": s.ended_at, "interviewer": s.interviewer,
             "place": s.place, "duration_s": s.duration_s, "events": [_event_json(e) for e in s.events],
             "figures": s.figures}
            for s in p.sessions
        ],
    )


def _prepare(out: Path) -> list[str]:
    """Check `out` and return the participant folders an earlier export left there."""
    if not out.exists():
        out.mkdir(parents=True)
        return []
    if not out.is_dir():
        raise FolderExportError(f"{out} is a file; give a folder to export into")
    entries = [e for e in out.iterdir() if not e.name.startswith(".")]
    if not entries:
        return []
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise FolderExportError(
            f"{out} is not empty and holds no {MANIFEST} of an earlier export; choose a new or empty folder"
        )
    try:
        earlier = json.loads(manifest.read_text("utf-8"))
        return [str(code) for code in earlier["participants"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise FolderExportError(f"{manifest} is not an interview-tui export manifest ({exc}); choose another folder") from None


def write_folder(project: ExportProject, out: Path) -> Path:
    """Write one folder per participant and `manifest.json` into `out`; returns the manifest path."""
    out = Path(out)
    earlier = _prepare(out)
    # Remove what the earlier export made first: a participant who withdrew since must vanish.
    for code in earlier:
        target = out / code
        if target.is_dir() and target.parent == out:
            shutil.rmtree(target)
    (out / MANIFEST).unlink(missing_ok=True)
    for p in project.participants:
        tmp = out / f".{p.code}.partial"
        if tmp.exists():
            shutil.rmtree(tmp)
        _participant_folder(project, p, tmp)
        tmp.rename(out / p.code)
    (out / JOURNAL).unlink(missing_ok=True)
    if project.journal:
        _write_json(out / JOURNAL, [asdict(m) for m in project.journal])
    files = []
    if project.journal:
        files.append({"path": JOURNAL, "sha256": sha256_file(out / JOURNAL), "bytes": (out / JOURNAL).stat().st_size})
    for p in project.participants:
        for path in sorted((out / p.code).rglob("*")):
            if path.is_file():
                files.append({"path": path.relative_to(out).as_posix(), "sha256": sha256_file(path),
                              "bytes": path.stat().st_size})
    manifest = {
        "exporter": f"interview-tui {__version__}",
        "study": {"slug": project.study_slug, "title": project.study_title, "version": project.study_version},
        "generated_at": project.generated_at,
        "note": "Participants who withdrew are not included.",
        "participants": {
            p.code: {
                "transcripts": [
                    {"recording_id": t.recording_id, "transcript_id": t.version.transcript_id,
                     "version": t.version.version, "kind": t.version.kind, "reviewed_at": t.version.reviewed_at,
                     "label": t.version.label, "audio_sha256": t.audio_sha256}
                    for t in p.transcripts
                ]
            }
            for p in project.participants
        },
        "files": files,
    }
    tmp = out / f".{MANIFEST}.partial"
    _write_json(tmp, manifest)
    tmp.replace(out / MANIFEST)
    return out / MANIFEST
