"""Cutting a session's recordings into clips per guide question, from the session events."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sqlite_utils import Database

from interview_tui.config import Project
from interview_tui.domain.session import Event
from interview_tui.domain.study import FINAL_PROMPT_ID
from interview_tui.privacy.segments import encrypted_recording_message, is_encrypted_recording
from interview_tui.storage import recordings as store

_REACH = ("question_reached", "closing_reached")


@dataclass(frozen=True)
class ClipSpec:
    """One question's stretch of one recording; `end_s` None means to the recording's end."""

    index: int
    question_id: str
    recording_id: int
    start_s: float
    end_s: float | None


def plan_clips(events: Iterable[Event]) -> list[ClipSpec]:
    """One clip per stretch of a question on a recording, in interview order.

    A stretch runs from a question reached (or a recording started while it is current, e.g.
    after a resume) to the next question reached on that recording, or to the recording's end.
    Return visits and stretches on later recordings get clips of their own, so every second
    recorded under a question is in one of its clips.  The final prompt's answer is a stretch
    of `FINAL_PROMPT_ID`.
    """
    # (answer id, recording, offset); recording None marks a change while nothing was recorded
    changes: list[tuple[str, int | None, float | None]] = []
    current: str | None = None
    for ev in events:
        if ev.kind in _REACH and ev.question_id:
            current = ev.question_id
        elif ev.kind == "final_prompt":
            current = FINAL_PROMPT_ID
        elif not (ev.kind == "recording_started" and current):
            continue
        if current is None:
            continue
        if ev.recording_id is not None and ev.recording_offset_s is not None:
            changes.append((current, ev.recording_id, ev.recording_offset_s))
        else:
            changes.append((current, None, None))
    clips: list[ClipSpec] = []
    for i, (qid, rec, start) in enumerate(changes):
        if rec is None or start is None:
            continue
        if i and changes[i - 1][:2] == (qid, rec):
            continue  # the stretch before goes on (same question, same recording)
        end: float | None = None
        for next_qid, next_rec, next_start in changes[i + 1:]:
            if (next_qid, next_rec) == (qid, rec):
                continue
            end = next_start if next_rec == rec else None
            break
        if end is not None and end <= start:
            continue  # moved on within the same instant: nothing to cut
        clips.append(ClipSpec(len(clips) + 1, qid, rec, start, end))
    return clips


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "q"


def cut_clips(
    db: Database, project: Project, session_id: int, out_dir: Path | None = None, fmt: str = "wav"
) -> list[Path]:
    """Write one audio clip per guide question of a session; returns the files written."""
    from pydub import AudioSegment

    from interview_tui.storage.sessions import session_events

    code = store.session_participant_code(db, session_id)
    if code is None:
        raise LookupError(f"no session {session_id}")
    specs = plan_clips(session_events(db, session_id))
    out_dir = out_dir or project.exports_dir / "clips" / f"{code}-S{session_id}"
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded: dict[int, AudioSegment] = {}
    written = []
    for spec in specs:
        if spec.recording_id not in loaded:
            row = store.get_recording(db, spec.recording_id)
            if row is None or row.state not in ("complete", "recovered"):
                state = row.state if row else "missing"
                raise ValueError(
                    f"recording {spec.recording_id} of session {session_id} is {state}; "
                    "run `interview-tui recover` first (or finish the recording)"
                )
            if is_encrypted_recording(row.path):
                raise ValueError(encrypted_recording_message(row.path, "be cut into clips"))
            loaded[spec.recording_id] = AudioSegment.from_file(str(project.root / row.path))
        audio = loaded[spec.recording_id]
        end_ms = len(audio) if spec.end_s is None else int(round(spec.end_s * 1000))
        clip = audio[int(round(spec.start_s * 1000)):end_ms]
        path = out_dir / f"{code}-S{session_id}-{spec.index:02d}-{_safe(spec.question_id)}.{fmt}"
        clip.export(str(path), format=fmt).close()
        written.append(path)
    return written
