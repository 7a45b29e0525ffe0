"""The transcription screen: queue recordings, watch progress, keep working meanwhile.

Transcription runs in one thread worker with its own database connection; it consumes a
thread-safe queue, so recordings queued while it runs are picked up by the same worker.
Progress comes back as messages that coalesce (`can_replace`), so a busy UI only draws the
newest.  Install the screen once (`app.install_screen(TranscriptionScreen(project),
"transcription")`) so that leaving it does not stop the work; popping an uninstalled
screen cancels the worker and nothing partial is stored.
"""

from __future__ import annotations

import queue
import threading
import time

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Log, ProgressBar, Select, Static
from textual.worker import get_current_worker

from interview_tui.config import Project
from interview_tui.domain.timecode import m_ss
from interview_tui.tui.messages import JobFinished, JobProgress, JobStarted, ModelsFound, QueueIdle
from interview_tui.tui.widgets.tickbox import TickBox

AUTO_MODEL = "__auto__"


def eta_text(done_s: float, total_s: float, elapsed_s: float) -> str:
    """`ETA 3:12` from the pace so far (blank until there is a pace)."""
    if done_s <= 0 or elapsed_s <= 0 or total_s <= done_s:
        return ""
    return f"ETA {m_ss((total_s - done_s) * elapsed_s / done_s)}"


class _Listener:
    """Turns batch callbacks (worker thread) into messages for the screen."""

    def __init__(self, screen: "TranscriptionScreen", recording_id: int) -> None:
        self.screen, self.recording_id, self.t0 = screen, recording_id, time.monotonic()

    def job_started(self, index: int, total: int, job) -> None:
        self.t0 = time.monotonic()
        self.screen.post_message(JobStarted(self.recording_id, job.label, job.duration_s, self.screen.pending.qsize()))

    def job_progress(self, done_s: float, total_s: float) -> None:
        self.screen.post_message(JobProgress(self.recording_id, done_s, total_s, time.monotonic() - self.t0))

    def job_finished(self, result) -> None:
        self.screen.post_message(JobFinished(self.recording_id, result.ok, result.message))


class TranscriptionScreen(Screen[None]):
    """Recordings with their transcript versions; queue them and follow the work."""

    CSS_PATH = "transcription.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "queue_all", "Queue all untranscribed"),
        Binding("enter", "queue_selected", "Queue selected"),
        Binding("c", "cancel", "Cancel"),
    ]

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.pending: "queue.Queue[int]" = queue.Queue()
        self.queued: set[int] = set()
        self.cancel_event = threading.Event()
        self.running = False
        self._db = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="transcription"):
            with Horizontal(id="transcription-controls"):
                yield Select([("automatic", AUTO_MODEL)], value=AUTO_MODEL, allow_blank=False, id="model")
                yield TickBox("Clean text (no fillers)", id="clean")  # also drops pauses and review marks
                yield TickBox("Fast (less accurate)", id="fast")  # batched decoding
            # a row of its own: beside the options the buttons fell off an 80-column terminal
            with Horizontal(id="transcription-actions"):
                yield Button("Queue all untranscribed", id="queue-all", variant="primary")
                yield Button("Cancel", id="cancel", variant="error", disabled=True)
                yield Static("Enter: queue the selected recording", id="transcription-hint")
            yield DataTable(id="recordings", cursor_type="row", zebra_stripes=True)
            yield Static("Idle.", id="current")
            yield ProgressBar(id="progress", show_eta=False)
            yield Log(id="transcription-log", max_lines=500)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        from interview_tui.storage import open_db

        self.title = "Transcription"
        self.sub_title = "runs locally; you can keep using the app"
        self._db = open_db(self.project.ensure().db_path)  # this (UI) thread's own connection
        table = self.query_one("#recordings", DataTable)
        table.add_columns("id", "participant", "session", "length", "state", "versions", "status")
        self.refresh_table()
        table.focus()  # letters typed on the model Select would jump between models
        self.find_models()

    def on_unmount(self) -> None:
        self.cancel_event.set()
        if self._db is not None:
            self._db.close()

    # -- table --------------------------------------------------------------------------

    def refresh_table(self, status: dict[int, str] | None = None) -> None:
        from interview_tui.storage.transcripts import recordings_overview

        table = self.query_one("#recordings", DataTable)
        keep = {str(k.value): table.get_row(k)[-1] for k in table.rows} if table.row_count else {}
        table.clear()
        for r in recordings_overview(self._db):
            length = m_ss(r.duration_s) if r.duration_s else "?"
            state = (status or {}).get(r.id) or keep.get(str(r.id)) or ""
            table.add_row(str(r.id), r.participant_code, str(r.session_id or "-"), length,
                          r.state, str(r.versions), state, key=str(r.id))

    def _set_status(self, recording_id: int, text: str) -> None:
        table = self.query_one("#recordings", DataTable)
        if str(recording_id) in {str(k.value) for k in table.rows}:
            # update_width: the column was as wide as "queued", and "running" showed as "runnin".
            table.update_cell(str(recording_id), table.ordered_columns[-1].key, text, update_width=True)

    # -- models (found in a worker: assembling the packaged model takes a moment) -------

    @work(thread=True, exit_on_error=False, group="models")
    def find_models(self) -> None:
        from interview_tui.transcription.models import INSTALL_HINT, ModelError, local_models

        try:
            names = [m.name for m in local_models()]
            self.post_message(ModelsFound(names, None if names else f"No Whisper model installed. {INSTALL_HINT}"))
        except ModelError as exc:
            self.post_message(ModelsFound([], str(exc)))

    def on_models_found(self, message: ModelsFound) -> None:
        select = self.query_one("#model", Select)
        select.set_options([("automatic", AUTO_MODEL)] + [(n, n) for n in message.names])
        if message.problem:
            self.query_one("#transcription-log", Log).write_line(message.problem)

    # -- queueing -----------------------------------------------------------------------

    def enqueue(self, ids: list[int]) -> int:
        """Queue recordings (each once) and start the worker if idle; returns how many were added."""
        added = 0
        for rid in ids:
            if rid not in self.queued:
                self.queued.add(rid)
                self.pending.put(rid)
                self._set_status(rid, "queued")
                added += 1
        if added and not self.running:
            self.running = True
            self.cancel_event.clear()
            self.query_one("#cancel", Button).disabled = False
            self._start_worker()
        return added

    def action_queue_all(self) -> None:
        from interview_tui.storage.transcripts import untranscribed_recordings

        added = self.enqueue([r.id for r in untranscribed_recordings(self._db)])
        self.notify(f"Queued {added} recording(s)." if added else "Nothing new to transcribe.")

    def action_queue_selected(self) -> None:
        table = self.query_one("#recordings", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.enqueue([int(key.value)])

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.query_one("#current", Static).update("Cancelling after the current segment...")

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "queue-all":
            self.action_queue_all()
        elif event.button.id == "cancel":
            self.action_cancel()

    # -- the worker ---------------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="transcription")
    def transcribe_queue(self, model: str | None, clean: bool, fast: bool) -> None:
        """Transcribe queued recordings one by one (own DB connection; only messages go out)."""
        from interview_tui.storage import open_db
        from interview_tui.transcription.batch import Settings, recording_job, run_batch
        from interview_tui.transcription.engine import FAST, TranscribeOptions

        worker = get_current_worker()
        db = open_db(self.project.db_path)
        options = (FAST if fast else TranscribeOptions()).with_(verbatim=not clean)
        settings = Settings(model=model, options=options, force=True)
        cancelled = False
        try:
            while not cancelled:
                try:
                    rid = self.pending.get_nowait()
                except queue.Empty:
                    break
                if worker.is_cancelled:
                    self.cancel_event.set()
                job = recording_job(db, self.project, rid, settings)
                report = run_batch([job], _Listener(self, rid), self.cancel_event)
                cancelled = report.cancelled
        finally:
            db.close()
            self.post_message(QueueIdle(cancelled))

    def on_job_started(self, message: JobStarted) -> None:
        length = m_ss(message.duration_s) if message.duration_s else "?"
        self.query_one("#current", Static).update(
            f"Transcribing {message.label} ({length}); {message.remaining} more queued")
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=message.duration_s or 100, progress=0)
        self._set_status(message.recording_id, "running")

    def on_job_progress(self, message: JobProgress) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=message.total_s, progress=message.done_s)
        pct = 100 * message.done_s / message.total_s if message.total_s else 0
        self._set_status(message.recording_id, f"{pct:.0f}% {eta_text(message.done_s, message.total_s, message.elapsed_s)}")

    def on_job_finished(self, message: JobFinished) -> None:
        self.queued.discard(message.recording_id)
        log = self.query_one("#transcription-log", Log)
        log.write_line(f"{'done' if message.ok else 'FAILED'}: recording {message.recording_id}: {message.text}")
        self.refresh_table({message.recording_id: "done" if message.ok else "failed"})

    def on_queue_idle(self, message: QueueIdle) -> None:
        self.running = False
        self.query_one("#cancel", Button).disabled = True
        self.query_one("#current", Static).update("Cancelled; nothing partial was stored." if message.cancelled else "Idle.")
        if message.cancelled:  # what was still queued stays untranscribed
            while not self.pending.empty():
                self._set_status(self.pending.get_nowait(), "")
            self.queued.clear()
        elif not self.pending.empty():  # queued between the last get and the worker's end
            self.running = True
            self._start_worker()

    def _start_worker(self) -> None:
        model = self.query_one("#model", Select).value
        self.transcribe_queue(None if model == AUTO_MODEL else str(model),
                              bool(self.query_one("#clean", Checkbox).value),
                              bool(self.query_one("#fast", Checkbox).value))
