"""The interview screen: guide outline, current question, clock, recorder slot, activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.widgets import Footer, Header, Static

from interview_tui.domain.session import Event, Interview, summarize
from interview_tui.domain.timecode import hh_mm_ss_d, m_ss
from interview_tui.domain.study import Section, Study
from interview_tui.storage import sessions as store
from interview_tui.tui.context import ContextScreen, study_of_session
from interview_tui.tui.messages import ProbeChosen, QuestionChosen, RecorderBack
from interview_tui.tui.screens.dialogs import ConfirmDialog, NoteDialog
from interview_tui.tui.widgets.activity import ActivityLog
from interview_tui.tui.widgets.clock import SessionClock
from interview_tui.tui.widgets.outline import GuideOutline
from interview_tui.tui.widgets.question import QuestionPanel

if TYPE_CHECKING:  # imported when mounted: the app runs without a sound stack too
    from interview_tui.tui.widgets.recorder import RecorderPanel


def budget_section(path: tuple[Section, ...]) -> Section | None:
    """The innermost section on the path that has a time budget, else the outermost."""
    for section in reversed(path):
        if section.time_budget_min:
            return section
    return path[0] if path else None


def bookmark_toast(event: Event) -> str:
    """Where a bookmark went, on the recording's timeline when one runs.

    Exports, clips and the review screen all place marks by recording time (what one finds in the
    audio), so the toast uses the same base and the same `hh:mm:ss.d` form; the interview clock
    differs by whatever ran before the recording started or while it was paused.
    """
    if event.recording_offset_s is not None:
        return f"Bookmark at {hh_mm_ss_d(event.recording_offset_s)} in the recording"
    return f"Bookmark at {m_ss(event.session_offset_s)} interview time (nothing is recording)"


class InterviewScreen(ContextScreen[None]):
    """Runs one session; every key press that changes something is stored at once."""

    BINDINGS = [
        Binding("n", "step(1)", "Next"),
        Binding("p", "step(-1)", "Prev"),
        Binding("g", "goto", "Go to"),
        Binding("c", "mark('covered')", "Covered"),
        Binding("s", "mark('skipped')", "Skip"),
        Binding("a", "note", "Note"),
        Binding("b", "bookmark", "Bookmark"),
        Binding("e", "wrap_up", "Wrap up"),
        # Space starts and pauses the audio on every screen that has some (Play/pause in review);
        # priority, so a focused button or the outline does not take it.
        Binding("space", "record", "Record", priority=True),  # pauses a running one
        Binding("t", "toggle_live_text", "Last answer", show=False),
        Binding("escape", "leave", "Leave", show=False),
        *[Binding(str(i), f"probe({i})", f"Probe {i}", show=False) for i in range(1, 10)],
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.interview: Interview | None = None
        self.recorder = None  # the RecorderPanel, when the audio module is installed

    def compose(self) -> ComposeResult:
        self.study = study = self._study()
        yield Header()
        with Horizontal(id="interview-body"):
            with Vertical(id="outline-column"):
                yield GuideOutline(study.guide, id="outline")
                # The outline's rows are cut to its width: the highlighted one in full here.
                yield Static(id="outline-full")
            with Vertical(id="interview-main"):
                yield SessionClock(id="clock")
                yield QuestionPanel(id="question")
                yield Container(id="recorder-slot")
                yield ActivityLog(study.guide, id="activity")
        yield Footer(show_command_palette=False, compact=True)

    def _study(self) -> Study:
        session = store.get_session(self.ctx.db, self.session_id)
        if session is None:
            raise LookupError(f"no session {self.session_id}")
        self.session = session
        return study_of_session(self.ctx, session)

    def on_mount(self) -> None:
        study = self.study
        activity = self.query_one(ActivityLog)
        writer = store.event_writer(self.ctx.db, self.session_id)

        def write_and_show(event: Event) -> Event:
            stored = writer(event)  # committed before anything is shown
            activity.add(stored)
            return stored

        events = store.session_events(self.ctx.db, self.session_id)
        for event in events:
            activity.add(event)
        self.title = f"{self.session.participant_code} · interview"
        self.sub_title = " · ".join(x for x in (self.session.interviewer, self.session.place) if x)
        self.interview = Interview(
            study.guide,
            self.session.started_at,
            write_and_show,
            events,
            clock=self.ctx.clock,
            recording_clock=self.recording_clock,
        )
        resumed = None
        if self.interview.state.phase not in ("not_started", "closed"):
            from interview_tui.audio.recovery import last_written_at

            resumed = self.interview.resume(last_written_at(self.ctx.db, self.ctx.project, self.session_id))
        self._mount_recorder()
        self.interview.start()
        self.refresh_view()
        self.set_interval(1.0, self.tick)
        self.query_one("#prompts").focus()
        if resumed is not None and any(e.kind == "recording_started" for e in events) and self.recorder is not None:
            self._offer_to_record(resumed.text or "")
        elif resumed is not None:
            self.post_message(RecorderBack())

    def _offer_to_record(self, gap: str) -> None:
        """A resumed interview that was being recorded: offer to record again at once."""

        def answer(yes: bool | None) -> None:
            if yes and self.recorder is not None and not self.recorder.is_recording:
                self.recorder.start_recording()  # RecorderBack once it records (or is refused)
            else:
                self.post_message(RecorderBack())

        if self.recorder is not None:
            self.app.push_screen(ConfirmDialog(f"Interview resumed ({gap}). Start recording again now?",
                                               yes="Record", no="Not now"), answer)

    # -- recorder -----------------------------------------------------------------------

    def _mount_recorder(self) -> None:
        slot = self.query_one("#recorder-slot", Container)
        if not getattr(self.app, "recorder_enabled", True):
            slot.mount(Static("Recorder not used in this run.", classes="unavailable"))
            return
        try:
            from interview_tui.tui.widgets.recorder import RecorderPanel
        except (ImportError, OSError) as error:  # OSError: sounddevice without the PortAudio library
            slot.mount(Static(f"Recorder unavailable: {error}. The interview is logged without audio.",
                              classes="unavailable"))
            return
        self.recorder = RecorderPanel(
            project=self.ctx.project,
            db=self.ctx.db,
            session_id=self.session_id,
            participant_code=self.session.participant_code,
            study=self.study,
            on_session_event=self._recorder_event,
        )
        slot.mount(self.recorder)
        live_text = Static("", id="live-text")
        live_text.display = False  # hidden by default: the interviewer listens, the text is a prompt aid
        slot.mount(live_text)

    def on_recorder_panel_pick_device(self, message: RecorderPanel.PickDevice) -> None:
        """The recorder asks which microphone to use: the list is a dialog, which the screen shows."""
        from interview_tui.tui.screens.dialogs import PickDialog

        self.app.push_screen(PickDialog(message.title, message.options), message.chosen)

    def on_recorder_panel_started(self, message: RecorderPanel.Started) -> None:
        self.post_message(RecorderBack())

    def on_recorder_panel_refused(self, message: RecorderPanel.Refused) -> None:
        self.post_message(RecorderBack())

    def _recorder_event(self, kind: str, recording: tuple[int, float], text: str | None) -> None:
        """Store what the recorder reports (started, pause, resume, stopped) with its own recording stamp."""
        if self._open():
            now, _ = self.interview.stamp()  # type: ignore[union-attr]
            self.interview.record(kind, text=text, stamp=(now, recording))  # type: ignore[union-attr]

    def action_toggle_live_text(self) -> None:
        """Show or hide the live transcript of the last answer (under the recorder)."""
        shown = self.query("#live-text")
        if not shown:
            self.notify("No recorder in this run.", severity="warning")
            return
        shown.first().display = not shown.first().display
        self._show_live_text()

    def _show_live_text(self) -> None:
        found = self.query("#live-text")
        if not found or not found.first().display or self.recorder is None:
            return
        from interview_tui.transcription.live import last_text

        live = self.recorder.live
        if live is None:
            text = "Live transcript: nothing yet (it starts with the recording)."
        elif not live.enabled:
            text = live.status().label
        else:
            text = last_text(live.recording) or "Live transcript: the first answer is not transcribed yet."
        found.first().update(text)

    def action_record(self) -> None:
        """Start recording, or pause/resume a running one (stopping is the panel's Stop or the end)."""
        if self.recorder is None:
            self.notify("No recorder in this run.", severity="warning")
        elif self._open() and self.recorder.is_recording:
            self.recorder.toggle_pause()
        elif self._open():
            self.recorder.start_recording()

    def recording_clock(self) -> tuple[int, float] | None:
        return self.recorder.recording_clock() if self.recorder is not None else None

    # -- view ---------------------------------------------------------------------------

    def refresh_view(self) -> None:
        assert self.interview is not None
        state, guide = self.interview.state, self.interview.guide
        self.query_one(GuideOutline).show_state(state)
        question = state.current
        path = guide.section_of(question.id) if question else ()
        panel = self.query_one(QuestionPanel)
        if state.phase == "final_prompt":
            panel.show(question, path, [], title=guide.final_prompt,
                       hint="Final prompt. Press e to end the interview and see the summary.")
        elif question is not None and question.id == guide.closing.id:
            panel.show(question, path, state.probes_for(question.id),
                       hint="Closing question. Press e next for the final prompt (“anything further…?”).")
        elif question is not None:
            panel.show(question, path, state.probes_for(question.id))
        self.tick()

    def tick(self) -> None:
        if self.interview is None:
            return
        state = self.interview.state
        elapsed = self.interview.elapsed_s()
        section = None
        if state.current_id:
            section = budget_section(self.interview.guide.section_of(state.current_id))
        spent = state.section_seconds(section.id, elapsed) if section else 0.0
        self.query_one(SessionClock).show(self.interview.guide, self.interview.interview_s(), section, spent)
        self.query_one(GuideOutline).show_budgets(state, elapsed)
        self._show_live_text()

    # -- actions ------------------------------------------------------------------------

    def _open(self) -> bool:
        return self.interview is not None and self.interview.state.phase != "closed"

    def action_step(self, delta: int) -> None:
        if self._open() and self.interview.step(delta):  # type: ignore[union-attr]
            self.refresh_view()

    def action_goto(self) -> None:
        outline = self.query_one(GuideOutline)
        # Start from the current question: set when the outline was shown, the cursor could still be
        # at the top (a resumed session), and ↓ went to the wrong question.
        if self.interview is not None:
            outline.move_to(self.interview.state.current_id)
        outline.focus()
        self.notify("Pick a question with ↑/↓ and press Enter.", timeout=3)

    # The full-text line under the outline shows while the outline has the cursor (`g`). A class,
    # not `:focus-within`, which Textual does not re-evaluate for a descendant's rule.
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.query_one("#outline-column").set_class(isinstance(event.widget, GuideOutline), "-picking")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, GuideOutline):
            self.query_one("#outline-column").remove_class("-picking")

    def on_guide_outline_highlighted(self, message: GuideOutline.Highlighted) -> None:
        self.query_one("#outline-full", Static).update(message.text)

    def on_question_chosen(self, message: QuestionChosen) -> None:
        if self._open():
            self.interview.go_to(message.question_id)  # type: ignore[union-attr]
            self.refresh_view()
            self.query_one("#prompts").focus()

    def action_mark(self, kind: str) -> None:
        if self._open() and self.interview.mark(kind):  # type: ignore[union-attr,arg-type]
            self.refresh_view()

    def action_probe(self, number: int) -> None:
        prompt_id = self.query_one(QuestionPanel).prompt_at(number)
        if prompt_id:
            self.post_message(ProbeChosen(prompt_id))

    def on_probe_chosen(self, message: ProbeChosen) -> None:
        if self._open():
            self.interview.open_probe(message.prompt_id)  # type: ignore[union-attr]
            self.refresh_view()

    def action_note(self) -> None:
        if not self._open():
            return
        stamp = self.interview.stamp()  # type: ignore[union-attr]

        def save(text: str | None) -> None:
            if text:
                self.interview.note(text, stamp)  # type: ignore[union-attr]
                self.refresh_view()

        self.app.push_screen(NoteDialog("Note (time-stamped to when you pressed a)"), save)

    def action_bookmark(self) -> None:
        if self._open():
            event = self.interview.bookmark()  # type: ignore[union-attr]
            self.notify(bookmark_toast(event), timeout=3)
            self.refresh_view()

    def action_wrap_up(self) -> None:
        """Closing question → final prompt → end (with a confirmation)."""
        if not self._open():
            return
        interview = self.interview
        assert interview is not None
        state = interview.state
        if state.phase == "final_prompt":
            # Say what ending means: what was never asked, and that the recording stops.
            left = len(summarize(state).never_reached)
            never = f" {left} question{'s' if left != 1 else ''} never reached." if left else ""
            recording = (" The recording stops and is saved." if self.recorder is not None
                         and self.recorder.is_recording else "")
            self.app.push_screen(
                ConfirmDialog(f"End the interview with {self.session.participant_code}?{never}{recording}",
                              "End", "Not yet"),
                self._end,
            )
            return
        if state.current_id != interview.guide.closing.id:
            interview.reach_closing()
        else:
            interview.final_prompt()
        self.refresh_view()

    def _end(self, confirmed: bool | None) -> None:
        if not confirmed or self.interview is None:
            return
        self.stop_recorder()  # its recording_stopped event goes in before session_closed
        self.interview.close()
        store.close_session(self.ctx.db, self.session_id)
        from interview_tui.tui.screens.session_view import SessionViewScreen

        self.app.switch_screen(SessionViewScreen(self.session_id, just_closed=True))

    def stop_recorder(self) -> None:
        """Stop a running recording while the panel is still on screen (its event goes in); returns at once.

        Left to the panel's unmount, stopping drew on widgets already removed: leaving crashed the
        app. The recorder's worker finishes the file; a quitting app waits for it.
        """
        if self.recorder is not None and self.recorder.is_recording:
            self.recorder.stop_recording()

    def action_leave(self) -> None:
        def leave(confirmed: bool | None) -> None:
            if confirmed:
                self.stop_recorder()
                self.app.pop_screen()

        recording = " The recording stops." if self.recorder is not None and self.recorder.is_recording else ""
        self.app.push_screen(
            ConfirmDialog(f"Leave this interview? It stays open; start it again to resume.{recording}",
                          "Leave", "Stay"),
            leave,
        )
