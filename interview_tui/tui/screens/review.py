"""The review screen: listen to an interview, correct its transcript, sign it off.

An interview may have taken several recordings (stopped and started again, or a crash and a
resume); the screen shows them as one transcript on the interview's timeline, with each
boundary marked, and plays across the files (`ChainedSource`).  Every edit goes through
`InterviewReview`, which saves it into its recording's review version before the screen
redraws, so the database always holds what the screen shows.  The player runs on its own
thread and reports by message; heard spans are stored as they come (progress survives a crash).
Which segment follows the audio is `review.follow.Follower`'s rule.
"""

from __future__ import annotations

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.text_area import Selection

from interview_tui.audio.playback import AudioSource, ChainedSource, PlaybackError, Player
from interview_tui.domain.timecode import mm_ss
from interview_tui.review.attention import AttentionItem, Loudness, next_item, quiet_frames
from interview_tui.review.edits import EditError
from interview_tui.review.follow import Follower
from interview_tui.review.interview import InterviewReview
from interview_tui.review.session import ReviewError
from interview_tui.review.status import interviews_signed
from interview_tui.review.text import word_tokens
from interview_tui.storage.reviews import ReviewStateError, participant_transcribed_recordings, review_overview
from interview_tui.storage.rows import TranscribedRecording
from interview_tui.tui.context import ContextScreen
from interview_tui.tui.messages import LoudnessReady, PlayerHeard, PlayerPosition, PlayerState
from interview_tui.tui.screens.dialogs import PickDialog
from interview_tui.tui.screens.review_actions import ReviewActions, marker_for
from interview_tui.tui.screens.review_speakers import ReviewSpeakers
from interview_tui.tui.widgets.review_editor import SegmentEditor
from interview_tui.tui.widgets.review_segments import SegmentList

STEP_S = 3.0


class ReviewScreen(ReviewActions, ReviewSpeakers, ContextScreen[None]):
    """One interview's transcript under review; keys in the footer."""

    CSS_PATH = "review.tcss"
    BINDINGS = [
        # the footer keeps the keys used on every segment so it fits 80 columns; `?` lists all of them
        Binding("escape", "back", "Back"),
        Binding("question_mark", "keys", "Keys"),
        Binding("space", "play_pause", "Play"),
        Binding("ctrl+r", "replay", "Replay", show=False),  # as in the editor; `r` is Review on the start screen
        Binding("left", "step(-1)", f"-{STEP_S:g}s", show=False),
        Binding("right", "step(1)", f"+{STEP_S:g}s", show=False),
        Binding("s", "slower", "Speed", show=False),
        Binding("n", "next_attention", "Check"),
        Binding("e", "edit", "Edit"),
        Binding("x", "edit_split", "Split", show=False),
        Binding("m", "merge", "Merge", show=False),
        Binding("c", "speaker", "Who"),
        Binding("R", "rename", "Rename", show=False),
        Binding("v", "find_speakers", "Find speakers", show=False),
        Binding("w", "swap_speakers", "Swap speakers", show=False),
        Binding("i", "marker", "Mark"),
        Binding("k", "confirm", "OK"),
        Binding("f", "find_replace", "Find", show=False),
        Binding("d", "figures", "Changes", show=False),
        Binding("S", "sign_off", "Sign off"),
    ]

    def __init__(self, review: InterviewReview) -> None:
        super().__init__()
        self.review: InterviewReview | None = review
        self.player: Player | None = None
        self.source: ChainedSource | None = None
        #: each recording's levels, once measured (the 'text over silence' check needs them)
        self.loudness: list[Loudness | None] | None = None
        self.attention: list[AttentionItem] = []
        self.current_item: AttentionItem | None = None
        self.editing: int | None = None
        self.follower = Follower()

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="review"):
            yield Static(id="review-info")
            yield SegmentList(id="review-segments")
            with Vertical(id="review-editor"):
                yield Static(id="review-editor-hint")
                yield SegmentEditor(id="review-text", soft_wrap=True, show_line_numbers=False)
            yield Static(id="review-status")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        assert self.review is not None
        self.title = "Review"
        self.query_one("#review-editor").display = False
        ids = self.review.recording_ids
        self.sub_title = f"{self.review.participant_code or ''} · " + (
            f"recording {ids[0]}" if len(ids) == 1 else f"recordings {', '.join(map(str, ids))} (one interview)")
        self.attention = self.review.attention()
        self.redraw()
        self.announce_speakers()
        start = self.review.resume_at()
        self._open_audio(start)
        if start:
            self.query_one(SegmentList).go_to(self.review.segment_at(start) or 0)
        self.query_one(SegmentList).focus()
        self.update_status()

    def _open_audio(self, start: float) -> None:
        """The player over every recording of the interview; without it the text can still be edited."""
        assert self.review is not None
        audio = self.review.audio()
        missing = [rid for rid, (rel, _) in zip(self.review.recording_ids, audio) if not rel]
        if missing:
            return
        try:
            self.source = ChainedSource.open([self.ctx.project.root / rel for rel, _ in audio],
                                             [offset for _, offset in audio])
            self.player = Player(
                self.source,
                self._output_device(),
                on_position=lambda t: self.post_message(PlayerPosition(t)),
                on_heard=lambda a, b: self.post_message(PlayerHeard(a, b)),
                on_state=lambda p, e: self.post_message(PlayerState(p, e)),
            )
            self.player.seek(start)
            self.measure_loudness([source.path for source in self.source.sources])
        except (PlaybackError, OSError) as exc:
            self.notify(f"{exc}. You can still edit the text.", title="No audio", severity="warning", timeout=10)

    def _output_device(self) -> int | None:
        from interview_tui.audio.devices import AudioDeviceError
        from interview_tui.audio.playback import OUTPUT_DEVICE_KEY, chosen_output_device
        from interview_tui.storage.recordings import get_setting

        try:
            return chosen_output_device(get_setting(self.ctx.db, OUTPUT_DEVICE_KEY))
        except AudioDeviceError as exc:
            self.notify(f"{exc} Playing on the system default instead.", title="Output device", severity="warning")
            return None

    def on_unmount(self) -> None:
        if self.player is not None:
            self.player.close()
        if self.source is not None:
            self.source.close()

    # -- drawing ------------------------------------------------------------------------------

    def redraw(self) -> None:
        assert self.review is not None
        self.query_one(SegmentList).show(self.review.segments, self.review.questions, self.attention)
        signed, interviews = interviews_signed(review_overview(self.ctx.db))
        self.query_one("#review-info", Static).update(
            f"[b]{self.review.participant_code or ''}[/] · {self.review.version_label} · "
            f"{len(self.review.segments)} segments · {len(self.attention)} to check · "
            f"project: {signed} of {interviews} transcripts reviewed"
        )
        self.update_status()

    def update_status(self) -> None:
        if self.review is None:
            return
        total = mm_ss(self.review.duration_s or 0)
        if self.player is not None:
            state = "▶ playing" if self.player.playing else "⏸ paused"
            audio = f"{state} {mm_ss(self.player.position)} / {total} · speed {self.player.speed:g}x · ←/→ {STEP_S:g} s"
        else:
            audio = "no audio"
        self.query_one("#review-status", Static).update(
            f"{audio} · heard {self.review.progress():.0%} · "
            f"{'signed off' if self.review.signed_off else 'edits are saved at once'}"
        )

    def current(self) -> int | None:
        return self.query_one(SegmentList).highlighted

    def text_index(self) -> int | None:
        """The highlighted segment when it is transcript text; a recording boundary says what it is."""
        index = self.current()
        if index is not None and self.review is not None and self.review.is_boundary(index):
            self.notify("This line marks where a recording resumed; it is not transcript text.", timeout=4)
            return None
        return index

    def _edit(self, action, *args, redraw: bool = True) -> bool:
        """Run an InterviewReview edit; saved before this returns. Problems are shown, not raised."""
        try:
            action(*args)
        except (EditError, ReviewStateError, ReviewError) as exc:
            self.notify(str(exc), title="Not changed", severity="error")
            return False
        assert self.review is not None
        self.attention = self.review.attention(self.loudness)
        if redraw:
            self.redraw()
        return True

    # -- audio --------------------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="loudness")
    def measure_loudness(self, paths: list) -> None:
        """Levels of each recording, for the 'text over silence' check (a long file takes a moment)."""
        found: list[Loudness | None] = []
        for path in paths:
            try:
                source = AudioSource(path)  # its own file handle: the player keeps reading the other
            except (PlaybackError, OSError):
                found.append(None)
                continue
            try:
                found.append(Loudness(quiet_frames(source.frame_db(0.02)), 0.02))
            finally:
                source.close()
        self.post_message(LoudnessReady(found))

    def on_loudness_ready(self, message: LoudnessReady) -> None:
        assert self.review is not None
        self.loudness = message.loudness
        self.attention = self.review.attention(self.loudness)
        self.redraw()

    def on_player_position(self, message: PlayerPosition) -> None:
        if self.review is not None and self.player is not None and self.player.playing and self.editing is None:
            index = self.follower.highlight(self.review.segments, message.seconds)
            if index is not None:
                self.query_one(SegmentList).go_to(index)
        self.update_status()

    def _play_segment_span(self, index: int, start: float, end: float) -> None:
        """Play [start, end] for segment `index`, keeping it highlighted during any lead-in."""
        assert self.player is not None
        self.follower.jumped_to(index)
        self.query_one(SegmentList).go_to(index)
        self.player.play_span(max(0.0, start), end)

    def on_player_heard(self, message: PlayerHeard) -> None:
        if self.review is not None:
            before = self.review.drafts
            try:
                self.review.heard(message.start_s, message.end_s)
            except ReviewStateError:
                pass  # heard while a signed version is shown: nothing to attach it to
            if self.review.drafts != before:  # listening started a review version: say so
                self.redraw()
        self.update_status()

    def on_player_state(self, message: PlayerState) -> None:
        if message.error:
            self.notify(message.error, title="Playback", severity="error", timeout=10)
        self.update_status()

    def _need_player(self) -> Player | None:
        if self.player is None:
            self.notify("The recording's audio is not available; only the text can be edited.", severity="warning")
        return self.player

    def action_play_pause(self) -> None:
        player = self._need_player()
        if player is None or self.review is None:
            return
        if player.playing:
            player.pause()
        else:
            index = self.current()
            start = self.follower.play_from(self.review.segments, index, player.position)
            self.follower.jumped_to(index if start is not None else None)
            player.play(start)
        self.update_status()

    def action_replay(self) -> None:
        player, index = self._need_player(), self.current()
        if player is None or index is None or self.review is None:
            return
        seg = self.review.segments[index]
        self._play_segment_span(index, seg.start - 0.2, seg.end + 0.2)

    def action_step(self, direction: int) -> None:
        player = self._need_player()
        if player is not None:
            player.step(direction * STEP_S)
            if self.review is not None and not player.playing:
                index = self.review.segment_at(player.position)
                if index is not None:
                    self.query_one(SegmentList).go_to(index)
            self.update_status()

    def action_slower(self) -> None:
        player = self._need_player()
        if player is not None:
            try:
                speed = player.next_speed()
            except PlaybackError as exc:
                self.notify(str(exc), severity="error")
                return
            self.notify(f"Playback speed {speed:g}x", timeout=2)
            self.update_status()

    def action_next_attention(self) -> None:
        if not self.attention:
            self.notify("Nothing left that needs attention.", timeout=3)
            return
        # Go on from the item just shown, unless the reviewer moved to another segment since.
        index = self.current() or 0
        shown = self.current_item
        if shown is not None and shown in self.attention and shown.index == index:
            item = next_item(self.attention, shown)
        else:
            item = next((it for it in self.attention if it.index >= index), self.attention[0])
        assert item is not None
        self.current_item = item
        self.query_one(SegmentList).go_to(item.index)
        self.notify(item.label(), title=f"To check ({self.attention.index(item) + 1} of {len(self.attention)})",
                    timeout=6)
        if self.player is not None:
            seg = self.review.segments[item.index] if self.review else None
            if seg is not None and item.kind == "unsure":  # the word with a little context either side
                self._play_segment_span(item.index, max(seg.start, item.start_s - 1.5), min(seg.end, item.end_s + 1.0) + 0.3)
            else:
                self._play_segment_span(item.index, item.start_s - 0.5, item.end_s + 0.5)

    # -- editing --------------------------------------------------------------------------------

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self, hint: str = "") -> None:
        index = self.text_index()
        if index is None or self.review is None:
            return
        self.editing = index
        seg = self.review.segments[index]
        editor = self.query_one("#review-editor")
        editor.display = True
        self.query_one("#review-editor-hint", Static).update(
            hint or f"Editing {mm_ss(seg.start)} {seg.speaker or ''}: ctrl+s save · ctrl+n new segment from the cursor · "
            "ctrl+o marker · ctrl+p play/pause · ctrl+r replay · Escape cancel"
        )
        area = self.query_one("#review-text", SegmentEditor)
        area.load_text(seg.text)
        area.move_cursor(area.document.end)
        item = self.current_item
        if item is not None and item.index == index and item.kind == "unsure":
            # Select the word to check: typing replaces it.
            for tok, word in zip(word_tokens(seg.text), seg.words):
                if abs(word.start - item.start_s) < 1e-6:
                    doc = area.document
                    area.selection = Selection(doc.get_location_from_index(tok.start), doc.get_location_from_index(tok.end))
                    break
        area.focus()

    def action_edit_split(self) -> None:
        """The editor, with the cursor at the word being heard (pause where the new turn starts, then x)."""
        self.action_edit("Split: move the cursor to where the new segment starts, then ctrl+n "
                         "(ctrl+s saves text changes · Escape cancels)")
        index = self.current()
        if self.player is None or index is None or self.review is None:
            return
        seg, at = self.review.segments[index], self.player.position
        if seg.start < at < seg.end:
            for tok, word in zip(word_tokens(seg.text), seg.words):
                if word.end > at:  # the word playing now (or the next one after a pause)
                    area = self.query_one("#review-text", SegmentEditor)
                    area.move_cursor(area.document.get_location_from_index(tok.start))
                    break

    def _close_editor(self) -> None:
        self.editing = None
        self.query_one("#review-editor").display = False
        self.query_one(SegmentList).focus()

    def _save_editor_text(self, text: str) -> bool:
        assert self.review is not None and self.editing is not None
        text = " ".join(text.split())
        if text == self.review.segments[self.editing].text:
            return True
        return self._edit(self.review.set_text, self.editing, text)

    def on_segment_editor_done(self, message: SegmentEditor.Done) -> None:
        if self.editing is None or self.review is None:
            return
        editor = self.query_one("#review-text", SegmentEditor)
        index = self.editing
        if message.action == "cancel":
            self._close_editor()
        elif message.action == "save":
            if self._save_editor_text(message.text):
                self._close_editor()
                self.notify("Saved.", timeout=2)
        elif message.action == "split":
            pos = editor.tidy_offset(message.offset)
            if self._save_editor_text(message.text) and self._edit(self.review.split, index, pos):
                self._close_editor()
                self.query_one(SegmentList).go_to(index + 1)
                self.notify("Split in two; both parts kept their words' times.", timeout=3)
        elif message.action == "marker":
            self._pick_marker(self._marker_in_editor)
        elif message.action == "play":
            self.action_play_pause()
            editor.focus()
        elif message.action == "replay":
            self.action_replay()

    def _marker_in_editor(self, kind: str) -> None:
        assert self.review is not None and self.editing is not None
        editor = self.query_one("#review-text", SegmentEditor)
        at = self.player.position if self.player is not None else None
        editor.insert(f" {marker_for(kind, at, self.review.segments[self.editing].start)} ")
        editor.focus()

    def action_keys(self) -> None:
        """Every key with what it does (the footer cannot hold them all on a narrow terminal)."""
        if self.app.screen.query("HelpPanel"):
            self.app.action_hide_help_panel()
        else:
            self.app.action_show_help_panel()

    def action_back(self) -> None:
        if self.player is not None:
            self.player.pause()
        self.app.pop_screen()



def _interview_label(rows: list[TranscribedRecording]) -> str:
    """A choice in the 'which interview' list: when, how many recordings, how long, versions."""
    first = rows[0]
    when = f"{first.started_at[:16].replace('T', ' ')} UTC"
    if len(rows) == 1:
        return f"recording {first.id} · {when} · {mm_ss(first.duration_s or 0)} · {first.versions} version(s)"
    ids = ", ".join(str(r.id) for r in rows)
    length = mm_ss(sum(r.duration_s or 0 for r in rows))
    return f"interview {when} · recordings {ids} (one transcript) · {length} recorded"


def open_review(app: App, db, code: str) -> None:
    """Open the review screen for participant `code`: an interview's recordings are one transcript
    (asking which interview when there are several)."""
    recordings = participant_transcribed_recordings(db, code)
    if not recordings:
        app.notify(f"{code} has no transcript yet. Transcribe the recording first (t).", severity="warning")
        return
    interviews: dict[object, list[TranscribedRecording]] = {}
    for r in recordings:
        interviews.setdefault(r.session_id if r.session_id is not None else ("recording", r.id), []).append(r)

    def go(choice: str | None) -> None:
        if not choice:
            return
        try:
            review = InterviewReview.for_recording(db, int(choice))
        except ReviewError as exc:  # e.g. its transcript was deleted since the list was drawn
            app.notify(str(exc), severity="error")
            return
        app.push_screen(ReviewScreen(review))

    groups = list(interviews.values())
    if len(groups) == 1:
        go(str(groups[0][0].id))
        return
    options = [(str(rows[0].id), _interview_label(rows)) for rows in groups]
    app.push_screen(PickDialog(f"Review which interview of {code}?", options), go)
