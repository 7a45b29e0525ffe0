"""The start screen: study, interviewer, place and the participant list."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import Screen
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from interview_tui.domain.safe_text import text_problem
from interview_tui.domain.session import utc_iso
from interview_tui.storage import sessions as store
from interview_tui.storage.interviewers import get_or_add_interviewer, list_interviewers
from interview_tui.storage.permission import refusal
from interview_tui.storage.participants import ParticipantError, add_participant, get_participant
from interview_tui.storage.roster import list_participants
from interview_tui.tui.context import ContextScreen
from interview_tui.tui.messages import WithdrawalFinished
from interview_tui.tui.screens.dialogs import ConfirmDialog, PickDialog

YES, NO = "✓", "·"
CONSENT = {"given": "✓ given", "declined": "✗ declined", "none": "·"}


class StartScreen(ContextScreen[None]):
    """Pick the interviewer, the place and a participant; start an interview or fill forms."""

    BINDINGS = [
        Binding("a", "add_participant", "Add"),
        Binding("i", "interview", "Interview"),
        Binding("c", "consent", "Consent"),
        Binding("d", "demographics", "Demographics"),
        Binding("v", "view_sessions", "View", tooltip="View the participant's sessions (read-only)"),
        Binding("t", "transcription", "Transcribe"),
        Binding("r", "review", "Review"),
        Binding("q", "app.quit", "Quit"),
        # Rare and destructive: named in the hint, kept out of the footer so the rest fits 80 columns.
        Binding("w", "withdraw", "Withdraw", show=False),
        # After an interview: the themes it added, for the saturation log (also `saturation record`).
        Binding("s", "saturation", "Saturation", show=False),
    ]

    def compose(self) -> ComposeResult:
        study = self.ctx.study
        yield Header()
        with Vertical(id="start"):
            yield Static(
                f"[b]Study[/] {escape(study.id)} v{escape(study.version)}  [$text-muted]·  consent form "
                f"{escape(study.consent.version)}  ·  planned {study.guide.planned_min:g}–"
                f"{study.guide.planned_max:g} min[/]",
                id="study-line",
            )
            with Horizontal(id="setup-row"):
                with Vertical(classes="setup-field"):
                    yield Label("Interviewer (name or initials)")
                    yield Input(placeholder="e.g. MP", id="interviewer")
                with Vertical(classes="setup-field"):
                    yield Label("Place of the interview")
                    if study.places:
                        yield Select([(p, p) for p in study.places], prompt="Choose the place", id="place")
                    else:  # the study file lists no places: type it
                        yield Input(placeholder="e.g. participant's workplace", id="place")
            yield Label("Participants", id="participants-label")
            yield DataTable(id="participants", cursor_type="row", zebra_stripes=True)
            yield Static(id="start-hint")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.title = "interview-tui"
        table = self.query_one("#participants", DataTable)
        table.add_columns("Code", "Consent", "Demographics", "Interviewed", "Recorded", "Transcribed")
        names = [i.name for i in list_interviewers(self.ctx.db)]
        box = self.query_one("#interviewer", Input)
        box.suggester = SuggestFromList(names, case_sensitive=False)
        defaults = store.latest_session_defaults(self.ctx.db)
        if defaults and defaults.interviewer:
            box.value = defaults.interviewer
        elif len(names) == 1:
            box.value = names[0]
        if defaults and defaults.place:
            place = self.query_one("#place")
            if isinstance(place, Input):
                place.value = defaults.place
            elif defaults.place in self.ctx.study.places:
                place.value = defaults.place
        self.refresh_participants()
        self._offer_unfinished_withdrawal()
        # A first run starts where the eye does, in the empty interviewer field (typing into the
        # table did nothing); once a name is there the participant list and its keys come first.
        if box.value.strip():
            table.focus()
        else:
            box.focus()

    def on_screen_resume(self) -> None:
        self.refresh_participants()

    def refresh_participants(self, select: str | None = None) -> None:
        """Reload the participant list, keeping (or moving to) the selected code."""
        table = self.query_one("#participants", DataTable)
        keep = select or self.selected_code()
        table.clear()
        for p in list_participants(self.ctx.db, self.ctx.study):
            table.add_row(
                p.code, CONSENT[p.consent], YES if p.demographics_done else NO, YES if p.interviewed else NO,
                YES if p.recorded else NO, YES if p.transcribed else NO, key=p.code,
            )
        if keep and keep in [r.value for r in table.rows]:
            table.move_cursor(row=table.get_row_index(keep))
        hint = self.query_one("#start-hint", Static)
        if table.row_count:
            hint.update("Select a participant (↑/↓), then [b]i[/] interview · [b]c[/] consent · [b]d[/] demographics"
                        " · [b]s[/] saturation · [b]w[/] withdraw · [b]ctrl+t[/] light/dark")
        else:
            hint.update("No participants yet. Type the interviewer and press [b]Enter[/], choose the place, then press "
                        "[b]a[/] to add a participant (the next free code, e.g. P01).")

    def selected_code(self) -> str | None:
        table = self.query_one("#participants", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def _require_code(self) -> str | None:
        code = self.selected_code()
        if code is None:
            self.notify("Add a participant first: press a.", severity="warning")
        return code

    def _sync_interviewer(self) -> bool:
        """Take the interviewer and place from the fields into the context; False when no name is typed.

        Called by every action, so that adding a participant or saving demographics is logged
        under the name on screen, and the name is offered again on the next start.
        """
        name = " ".join(self.query_one("#interviewer", Input).value.split())
        place = self.query_one("#place").value  # type: ignore[attr-defined]
        for what, text in (("interviewer's name", name), ("place", place if isinstance(place, str) else "")):
            problem = text_problem(text.strip())
            if problem:  # pasted escape sequences: refuse here, before anything is stored under it
                self.notify(f"The {what} {problem}.", title="Not accepted", severity="error")
                self.ctx.interviewer_id, self.ctx.interviewer_name = None, ""
                return False
        self.ctx.place = place.strip() or None if isinstance(place, str) else None
        if not name:
            self.ctx.interviewer_id, self.ctx.interviewer_name = None, ""
            return False
        if name != self.ctx.interviewer_name:
            self.ctx.interviewer_id = get_or_add_interviewer(self.ctx.db, name)
            self.ctx.interviewer_name = name
        return True

    def _require_interviewer(self) -> bool:
        if not self._sync_interviewer():
            if not self.query_one("#interviewer", Input).value.strip():  # else the refusal was shown
                self.notify("Type the interviewer's name or initials first, then press Enter.", title="Interviewer",
                            severity="error")
            self.query_one("#interviewer", Input).focus()
            return False
        return True

    def _require_place(self) -> bool:
        """A new session needs the place when the study lists places (it is stored with the session for good)."""
        place = self.query_one("#place")
        if isinstance(place, Select) and place.is_blank():
            self.notify("Choose the place of the interview first (Enter opens the list).", title="Place",
                        severity="error")
            place.focus()
            return False
        return True

    # -- actions --------------------------------------------------------------------------

    def action_add_participant(self) -> None:
        self._sync_interviewer()
        try:
            row = add_participant(self.ctx.db, self.ctx.study.id, actor=self.ctx.interviewer_name or None)
        except ParticipantError as error:
            self.notify(str(error), severity="error")
            return
        self.refresh_participants(select=row.code)
        self.notify(f"Added {row.code}. Next: c for consent, or i to start the interview.")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in a field means "done here": on to the place if none is chosen yet, else back to
        # the participant list, where the keys work.
        place = self.query_one("#place")
        if event.input.id == "interviewer" and isinstance(place, Select) and place.is_blank():
            place.focus()
        else:
            self.query_one("#participants", DataTable).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        # A place picked by the user (not set on mount): done here, back to the list and its keys.
        if event.select.id == "place" and event.select.has_focus and not event.select.is_blank():
            self.query_one("#participants", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_interview()

    def action_consent(self) -> None:
        from interview_tui.tui.screens.consent import ConsentScreen

        code = self._require_code()
        if code:
            self._sync_interviewer()
            self.app.push_screen(ConsentScreen(code))

    def action_demographics(self) -> None:
        from interview_tui.tui.screens.demographics import DemographicsScreen

        code = self._require_code()
        if code:
            self._sync_interviewer()
            self.app.push_screen(DemographicsScreen(code))

    def action_saturation(self) -> None:
        from interview_tui.tui.screens.saturation import SaturationScreen

        code = self._require_code()
        if code:
            self.app.push_screen(SaturationScreen(code))

    def action_interview(self) -> None:
        """Resume the participant's open session, or check consent and start a new one."""
        code = self._require_code()
        if not code or not self._require_interviewer():
            return
        sessions = store.participant_sessions(self.ctx.db, code)
        still_open = [s for s in sessions if s.state == "open"]
        if still_open:
            self._enter(still_open[-1].id)
            return
        if not self._require_place():
            return
        refused = refusal(self.ctx.db, code, "interview", self.ctx.study)
        if refused is not None and refused.reason not in ("no_consent", "declined"):
            self.notify(str(refused), severity="error")
            return
        if refused is not None:  # ask for consent (again): a new decision may now be given
            from interview_tui.tui.screens.consent import ConsentScreen

            def after_consent(decision: str | None) -> None:
                if decision == "given":
                    self._new_session(code, confirm_again=bool(sessions))

            self.app.push_screen(ConsentScreen(code), after_consent)
            return
        self._new_session(code, confirm_again=bool(sessions))

    def _new_session(self, code: str, *, confirm_again: bool) -> None:
        def start(confirmed: bool | None) -> None:
            if not confirmed:
                return
            participant = get_participant(self.ctx.db, code)
            assert participant is not None
            session_id = store.open_session(
                self.ctx.db,
                participant_id=participant.id,
                study_id=self.ctx.study_id,
                interviewer_id=self.ctx.interviewer_id,
                place=self.ctx.place,
                started_at=utc_iso(self.ctx.clock()),
            )
            self._enter(session_id)

        if confirm_again:
            self.app.push_screen(ConfirmDialog(f"{code} was interviewed before. Start another session?"), start)
        else:
            start(True)

    def _enter(self, session_id: int) -> None:
        from interview_tui.tui.screens.interview import InterviewScreen

        self.app.push_screen(InterviewScreen(session_id))

    def action_view_sessions(self) -> None:
        from interview_tui.tui.screens.session_view import SessionViewScreen

        code = self._require_code()
        if not code:
            return
        sessions = store.participant_sessions(self.ctx.db, code)
        if not sessions:
            self.notify(f"{code} has no interview sessions yet.")
        elif len(sessions) == 1:
            self.app.push_screen(SessionViewScreen(sessions[0].id))
        else:
            options = [(str(s.id), f"{s.started_at[:16].replace('T', ' ')} UTC · {s.state}"
                        f" · {s.event_count} events") for s in sessions]

            def show(choice: str | None) -> None:
                if choice:
                    self.app.push_screen(SessionViewScreen(int(choice)))

            self.app.push_screen(PickDialog(f"Sessions of {code}", options), show)

    def action_transcription(self) -> None:
        """Open the transcription queue. It is installed once, so work queued there goes on
        while the interviewer goes back and uses the rest of the app."""
        from interview_tui.tui.screens.transcription import TranscriptionScreen

        if not self.app.is_screen_installed("transcription"):
            self.app.install_screen(TranscriptionScreen(self.ctx.project), name="transcription")
        self.app.push_screen("transcription")

    def action_review(self) -> None:
        """Listen to and correct the selected participant's transcript (the review screen)."""
        from interview_tui.tui.screens.review import open_review

        code = self._require_code()
        if code:
            self._sync_interviewer()  # the sign-off offers the name on screen
            open_review(self.app, self.ctx.db, code)

    # -- withdrawal (privacy area: storage.withdrawal) -----------------------------------------

    def action_withdraw(self) -> None:
        """Withdraw the selected participant and erase all their data, after asking."""
        code = self._require_code()
        if not code:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(f"Erasing {code}'s data…", title="Withdrawal")
                self._withdraw(code, self.query_one("#interviewer", Input).value.strip() or None)

        question = (f"{code} withdraws: erase ALL their data (recordings, transcripts, answers, notes, "
                    "exports, key-file entry)? This cannot be undone.")
        self.app.push_screen(ConfirmDialog(question, yes="Withdraw and erase", no="Cancel"), answered)

    def _offer_unfinished_withdrawal(self) -> None:
        """A withdrawal that stopped half-way (busy database, crash): offer to finish it now."""
        from interview_tui.storage.withdrawal import unfinished_withdrawals

        codes = unfinished_withdrawals(self.ctx.db)
        if not codes:
            return
        code = codes[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self.notify(f"Finishing the withdrawal of {code}…", title="Withdrawal")
                self._withdraw(code, self.query_one("#interviewer", Input).value.strip() or None)
            else:
                self.notify(f"The withdrawal of {code} is still unfinished; it is offered again at the next start "
                            f"(or run `interview-tui withdraw {code} --yes`).", title="Withdrawal", severity="warning")

        question = (f"The withdrawal of {code} did not finish (the database was busy or the app stopped). "
                    "Finish erasing their data now?")
        self.app.push_screen(ConfirmDialog(question, yes="Finish withdrawal", no="Later"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _withdraw(self, code: str, actor: str | None) -> None:
        # Deleting files and VACUUM block: a worker with its own connection (connections are per thread).
        from interview_tui.export.erase import erase_participant_exports
        from interview_tui.storage import open_db
        from interview_tui.storage.withdrawal import withdraw_participant

        db = open_db(self.ctx.project.db_path)
        try:
            report = withdraw_participant(db, self.ctx.project, code, actor, erase_exports=erase_participant_exports)
        except Exception as error:  # shown to the user; the command can be run again
            self.post_message(WithdrawalFinished(code, None, str(error)))
            return
        finally:
            db.close()
        self.post_message(WithdrawalFinished(code, report, None))

    def on_withdrawal_finished(self, message: WithdrawalFinished) -> None:
        if message.error is not None:
            self.refresh_participants()
            self.notify(f"Withdrawal of {message.code} stopped: {message.error}. It is offered again at the next "
                        f"start, or run `interview-tui withdraw {message.code} --yes`.", title="Withdrawal",
                        severity="error", timeout=30)
            return
        report = message.report
        assert report is not None  # a withdrawal without an error always has its report
        self.refresh_participants()
        text = (f"{message.code} withdrawn: {sum(report.rows_deleted.values())} record(s) and "
                f"{len(report.files_deleted)} file(s) erased.")
        warnings = list(report.warnings)
        # Files that may hold their data but are not provably this project's exports: the user decides.
        warnings += [f"Not deleted, check by hand: {path} ({why})." for path, why in report.left]
        self.notify(" ".join([text, *warnings]), title="Withdrawal", severity="warning" if warnings else "information",
                    timeout=15)


class StudyErrorScreen(Screen[None]):
    """Shown instead of the app when the study file cannot be loaded: every problem, file:line:col."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit")]

    def __init__(self, message: str, heading: str | None = None) -> None:
        super().__init__()
        self.message = message
        self.heading = heading

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="study-error"):
            if self.heading:
                yield Static(f"[b $error]{escape(self.heading)}[/]")
            else:
                yield Static("[b $error]The study file cannot be used.[/] Fix these problems and start again "
                             "(check with: interview-tui guide validate FILE):")
            yield Static(escape(self.message), id="study-error-text")
        yield Footer(show_command_palette=False, compact=True)
