"""Once when the app starts: repair recordings a crash left unfinished, then finish their live transcripts.

Recovery (`audio.recovery`) is quick and runs at once on a worker thread.  Finishing a
recovered recording's live transcript means transcribing what the crash left and storing
the stitched transcript: seconds of CPU on every core.  The recorder comes first, so that
waits until the interviewer has started recording again or declined to (`LiveResumeGate`),
and then runs in a background process at the lowest priority (nice 19 and SCHED_IDLE, as
live transcription itself), which also ends if the app is killed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from interview_tui.audio.recovery import RecoveryReport
from interview_tui.config import Project

#: Recovery actions after which a recording has audio whose live transcript can be finished.
RESUMABLE = ("repaired", "header_ok")


def recover_at_startup(project: Project) -> list[RecoveryReport]:
    """Repair every unfinished recording nobody is writing (own connection: call it on any thread).

    Recordings another running program holds are left alone and not reported.
    """
    from interview_tui.audio.recovery import recover_unfinished
    from interview_tui.storage import open_db

    db = open_db(project.db_path)
    try:
        return [r for r in recover_unfinished(db, project) if r.action != "in_use"]
    finally:
        db.close()


def live_to_resume(reports: list[RecoveryReport]) -> list[int]:
    return [r.recording_id for r in reports if r.action in RESUMABLE]


class LiveResumeGate:
    """Starts the live-transcript resume once both are true: recovery found the recordings,
    and the recorder is back (recording again, or the interviewer said not to).  Owner's thread only."""

    def __init__(self, start: Callable[[list[int]], None]) -> None:
        self._start = start
        self._found: list[int] | None = None
        self._released = False
        self._started = False

    def found(self, recording_ids: list[int]) -> None:
        self._found = list(recording_ids)
        self._maybe_start()

    def release(self) -> None:
        self._released = True
        self._maybe_start()

    @property
    def started(self) -> bool:
        return self._started

    def _maybe_start(self) -> None:
        if self._started or not self._released or self._found is None:
            return
        self._started = True
        if self._found:
            self._start(self._found)


@dataclass(frozen=True)
class LiveResumed:
    """One recording's outcome: the stored transcript's id (None: nothing to finish), or why it failed."""

    recording_id: int
    transcript_id: int | None
    error: str | None = None

    @property
    def text(self) -> str:
        if self.error is not None:
            return f"recording {self.recording_id}: live transcript not finished ({self.error}); run transcribe."
        return f"recording {self.recording_id}: the live transcript was finished and stored."


def _resume_process(root: str, recording_ids: list[int], results: Any) -> None:
    """The background process: lowest priority, ends with the app, one result per recording."""
    from interview_tui.storage import open_db
    from interview_tui.transcription.live import lowest_priority
    from interview_tui.transcription.live_session import resume_live
    from interview_tui.transcription.parallel import die_with_parent, quiet_stdio

    die_with_parent()
    lowest_priority()
    quiet_stdio()
    project = Project(Path(root))
    db = open_db(project.db_path)
    try:
        for rid in recording_ids:
            try:
                results.put(LiveResumed(rid, resume_live(db, project, rid)))
            except Exception as exc:  # `transcribe` still works; say why this did not
                results.put(LiveResumed(rid, None, f"{type(exc).__name__}: {exc}"))
    finally:
        db.close()


def resume_live_in_background(project: Project, recording_ids: list[int], *,
                              cancelled: Callable[[], bool] = lambda: False) -> Iterator[LiveResumed]:
    """Finish the live transcripts of recovered recordings in a lowest-priority process.

    Blocks (call it on a worker thread, which must outlive the process: see
    `parallel.die_with_parent`); yields each recording's outcome as it comes.  Once `cancelled()`
    (the app is closing) the process is stopped: the pieces stay, the next start goes on.
    """
    import queue

    from interview_tui.transcription.parallel import spawn_context

    ctx = spawn_context()
    results = ctx.Queue()
    process = ctx.Process(target=_resume_process, name="live-resume", daemon=True,
                          args=(str(project.root), list(recording_ids), results))
    process.start()
    pending = set(recording_ids)
    while pending:
        try:
            outcome: LiveResumed = results.get(timeout=1.0)
        except queue.Empty:
            if cancelled():
                process.terminate()
                break
            if not process.is_alive():
                for rid in sorted(pending):
                    yield LiveResumed(rid, None, "the background process stopped")
                break
            continue
        pending.discard(outcome.recording_id)
        yield outcome
    process.join(5)
