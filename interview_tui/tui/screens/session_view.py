"""A session, read-only: the end-of-interview summary and every event."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from interview_tui.domain.session import SessionState, summarize
from interview_tui.domain.timecode import m_ss
from interview_tui.domain.study import Guide
from interview_tui.storage import sessions as store
from interview_tui.tui.context import AppContext, study_of_session
from interview_tui.tui.widgets.activity import describe
from interview_tui.tui.widgets.outline import short


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def question_list(guide: Guide, ids: list[str]) -> str:
    if not ids:
        return "  none"
    return "\n".join(f"  • {escape(short(guide.question(q).text, 100))}" for q in ids)


#: where the recordings go in the summary text (filled in, and again while one is being finished).
RECORDINGS_SLOT = "\0recordings"


def recording_line(recording: dict) -> str:
    """One recording: duration, file (relative to the project folder) and what happened to it."""
    if recording["state"] == "recording":
        return f"Audio: {escape(recording['path'])} [$text-muted](being finished…)[/]"
    length = m_ss(recording["duration_s"]) if recording["duration_s"] is not None else "?"
    state = {"complete": "", "recovered": " [$warning](recovered after a crash)[/]",
             "failed": f" [$error](failed: {escape(recording['error'] or '')})[/]"}.get(recording["state"], "")
    lost = (f" [$error]{recording['overflow_count']} block(s) lost[/]" if recording.get("overflow_count") else "")
    return f"Audio [b]{length}[/] · {escape(recording['path'])}{state}{lost}"


class SessionViewScreen(Screen[None]):
    """Summary (duration, covered, skipped, never reached, notes, bookmarks) and the event list."""

    BINDINGS = [Binding("escape,q", "back", "Back")]

    def __init__(self, session_id: int, *, just_closed: bool = False) -> None:
        super().__init__()
        self.session_id = session_id
        self.just_closed = just_closed
        self.parts: list[str] = []
        self._polls = 0

    @property
    def ctx(self) -> AppContext:
        return self.app.ctx  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary"):
            yield Static(id="summary-text")
            yield DataTable(id="events", cursor_type="row", zebra_stripes=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        session = store.get_session(self.ctx.db, self.session_id)
        assert session is not None
        guide = study_of_session(self.ctx, session).guide
        events = store.session_events(self.ctx.db, self.session_id)
        state = SessionState.replay(guide, events)
        s = summarize(state)
        self.title = f"{session['participant_code']} · {'interview closed' if self.just_closed else 'session'}"
        self.sub_title = "read-only"
        head = "[b]Interview closed. Summary:[/]" if self.just_closed else "[b]Session (read-only)[/]"
        where = ", ".join(escape(x) for x in (session["interviewer"], session["place"]) if x)
        parts = [
            head,
            f"{session['participant_code']} · {session['started_at'][:16].replace('T', ' ')} UTC"
            + (f" · {where}" if where else "") + f" · state: {session['state']}",
            f"Duration [b]{m_ss(s.duration_s)}[/] · {len(s.covered)} covered · {len(s.skipped)} skipped"
            f" · {len(s.never_reached)} never reached · {plural(s.probes_opened, 'follow-up')} asked"
            f" · {plural(len(s.notes), 'note')} · {plural(len(s.bookmarks), 'bookmark')}",
            RECORDINGS_SLOT,
            "",
            "[b $success]Covered[/]", question_list(guide, s.covered),
            "[b $warning]Skipped[/]", question_list(guide, s.skipped),
            "[b]Never reached[/]", question_list(guide, s.never_reached),
        ]
        if s.visited_unmarked:
            parts += ["[b]Visited, not marked[/]", question_list(guide, s.visited_unmarked)]
        parts.append("[b]Notes and bookmarks[/]")
        marks = sorted(s.notes + s.bookmarks, key=lambda e: e.seq)
        parts += [f"  {m_ss(e.session_offset_s):>7}  {escape(describe(e, guide))}" for e in marks] or ["  none"]
        parts += ["", "[b]All events[/]"]
        self.parts = parts
        self.show_recordings()
        table = self.query_one("#events", DataTable)
        table.add_columns("#", "time", "recording", "event")
        for e in events:
            rec = f"{m_ss(e.recording_offset_s)}" if e.recording_offset_s is not None else ""
            table.add_row(str(e.seq), m_ss(e.session_offset_s), rec, describe(e, guide))

    def show_recordings(self) -> None:
        """Fill in the session's recordings; one the recorder is still finishing is looked at again shortly."""
        from interview_tui.storage.recordings import list_recordings

        recordings = list_recordings(self.ctx.db, session_id=self.session_id)
        lines = [recording_line(r) for r in recordings] or ["Audio: no recording in this session"]
        text = "\n".join(lines)
        self.query_one("#summary-text", Static).update("\n".join(text if p == RECORDINGS_SLOT else p
                                                                 for p in self.parts))
        if any(r["state"] == "recording" for r in recordings) and self._polls < 60:
            self._polls += 1
            self.set_timer(0.5, self.show_recordings)

    def action_back(self) -> None:
        if self.just_closed:  # the post-interview memo comes next; Escape there skips it
            from interview_tui.tui.screens.memo import MemoScreen

            self.app.switch_screen(MemoScreen(self.session_id))
            return
        self.app.pop_screen()
