"""The interview app: start screen, consent, demographics, interview, closing, resume."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable

from textual import work
from textual.app import App
from textual.binding import Binding

from interview_tui.config import Project
from interview_tui.errors import known_error_message
from interview_tui.storage.db import DatabaseBusy, DatabaseUnreadable
from interview_tui.domain.clock import now
from interview_tui.recorder.startup import LiveResumeGate
from interview_tui.tui.context import AppContext
from interview_tui.tui.messages import Notice, RecorderBack, RecoveryDone


class InterviewApp(App[None]):
    """The Textual front end over one project folder and one study file."""

    CSS_PATH = "app.tcss"
    TITLE = "interview-tui"
    BINDINGS = [
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
        Binding("ctrl+n", "journal", "Journal", show=False),
    ]
    #: the layout switches between narrow (80 columns) and wide.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(
        self,
        project: Project,
        study_path: str | Path | None = None,
        *,
        clock: Callable[[], datetime] = now,
        offer_resume: bool = True,
        recorder: bool = True,
    ) -> None:
        super().__init__()
        self.project = project
        self.study_path = Path(study_path) if study_path else None
        self.clock = clock
        self.offer_resume = offer_resume
        #: False leaves the recorder slot empty (snapshot tests, where device state would vary).
        self.recorder_enabled = recorder
        self.ctx: AppContext | None = None
        #: Recovered recordings' live transcripts wait for the recorder (interview_tui/recorder/startup.py).
        self.live_resume = LiveResumeGate(self._finish_live_transcripts)

    def on_mount(self) -> None:
        from interview_tui.tui.screens.start import StartScreen, StudyErrorScreen

        try:
            self.ctx = self._open()
        except (DatabaseBusy, DatabaseUnreadable, OSError, sqlite3.DatabaseError) as error:
            message = known_error_message(error) or f"{type(error).__name__}: {error}"
            self.push_screen(StudyErrorScreen(message, heading="The project cannot be opened."))
            return
        except Exception as error:  # a broken study file must say where, not crash
            self.push_screen(StudyErrorScreen(_describe(error)))
            return
        self.sub_title = self.ctx.study.title
        self.push_screen(StartScreen())
        if self.recorder_enabled:
            self._recover()
        if self.offer_resume:
            self.call_after_refresh(self.offer_open_sessions)
        else:
            self.live_resume.release()

    def _open(self) -> AppContext:
        from interview_tui.domain.loader import default_study, load_study
        from interview_tui.storage import open_db
        from interview_tui.storage.studies import register_study

        study = load_study(self.study_path) if self.study_path else default_study()
        db = open_db(self.project.ensure().db_path)
        return AppContext(self.project, db, study, register_study(db, study), clock=self.clock)

    def offer_open_sessions(self) -> None:
        """After a crash or kill, offer to resume the session left open."""
        from interview_tui.storage.sessions import open_sessions
        from interview_tui.tui.screens.dialogs import ResumeDialog
        from interview_tui.tui.widgets.outline import short

        assert self.ctx is not None
        sessions = open_sessions(self.ctx.db)
        if not sessions:
            self.live_resume.release()
        else:
            guide = self.ctx.study.guide

            def describe(question_id: str) -> str:
                try:
                    return short(guide.question(question_id).text, 50)
                except KeyError:  # a session of another study file
                    return question_id

            self.push_screen(ResumeDialog(sessions, describe), self.resume_session)

    def resume_session(self, choice: str | None) -> None:
        if choice is not None:
            from interview_tui.tui.screens.interview import InterviewScreen

            self.push_screen(InterviewScreen(int(choice)))  # it says when the recorder is back
        else:
            self.live_resume.release()

    # -- recordings a crash interrupted: once, at start-up -------------------------------------

    @work(thread=True, exit_on_error=False, group="recovery")
    def _recover(self) -> None:
        """Repair recordings a crash left unfinished (a resumed session gets its audio back)."""
        from interview_tui.recorder.startup import live_to_resume, recover_at_startup

        reports = recover_at_startup(self.project)
        for report in reports:
            self.post_message(Notice(str(report), "Interrupted recording found", report.action == "failed"))
        self.post_message(RecoveryDone(live_to_resume(reports)))

    def on_recovery_done(self, message: RecoveryDone) -> None:
        self.live_resume.found(message.recording_ids)

    def on_recorder_back(self, message: RecorderBack) -> None:
        self.live_resume.release()

    @work(thread=True, exit_on_error=False, group="recovery")
    def _finish_live_transcripts(self, recording_ids: list[int]) -> None:
        """Finish recovered recordings' live transcripts in a lowest-priority process (the recorder first)."""
        from textual.worker import get_current_worker

        from interview_tui.recorder.startup import resume_live_in_background

        worker = get_current_worker()
        for outcome in resume_live_in_background(self.project, recording_ids,
                                                 cancelled=lambda: worker.is_cancelled):
            if outcome.error is not None or outcome.transcript_id is not None:
                failed = outcome.error is not None
                self.post_message(Notice(outcome.text, "Live transcript" if failed else "Live transcript resumed",
                                         failed))

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, title=message.title, severity="error" if message.failed else "information",
                    timeout=15)

    # -- quitting --------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; a recording still running is stopped and its file finished first (the screen stays live)."""
        from interview_tui.tui.screens.interview import InterviewScreen

        for screen in self.screen_stack:
            if isinstance(screen, InterviewScreen):
                screen.stop_recorder()
        await _finish_recordings()
        await super().action_quit()

    def action_journal(self) -> None:
        """A new project journal entry, from any screen (ctrl+n)."""
        from interview_tui.tui.screens.memo import JournalScreen

        if self.ctx is not None and not isinstance(self.screen, JournalScreen):
            self.push_screen(JournalScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    async def on_unmount(self) -> None:
        await _finish_recordings()  # a recording left by a closed screen, or an exit other than quit
        if self.ctx is not None:
            from interview_tui.storage.audit import anchor_head

            anchor_head(self.ctx.db)  # entries logged inside transactions: anchor them before closing
            self.ctx.db.close()


async def _finish_recordings() -> None:
    """Stop every recording still running and wait (off the UI thread) until its file, row and
    archival copy are finished: crash-safe as they are, a finished file needs no recovery."""
    import asyncio

    from interview_tui.recorder.controller import running

    for controller in running():
        controller.stop()
        await asyncio.to_thread(controller.wait)


def _describe(error: Exception) -> str:
    issues = getattr(error, "issues", None)
    if issues:
        return "\n".join(str(i) for i in issues)
    return f"{type(error).__name__}: {error}"
