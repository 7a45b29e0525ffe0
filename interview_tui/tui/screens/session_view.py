"""A session, read-only: the end-of-interview summary, its figures as charts, and every event."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Footer, Header, Static

from interview_tui.domain.figures import QuestionTime, SectionTime, TalkTime, figures
from interview_tui.domain.session import SessionState, budget_status, summarize
from interview_tui.domain.timecode import m_ss
from interview_tui.domain.study import Guide
from interview_tui.export.gather import session_talk_time
from interview_tui.storage import sessions as store
from interview_tui.storage.rows import Recording
from interview_tui.tui.context import ContextScreen, study_of_session
from interview_tui.tui.widgets.activity import describe
from interview_tui.tui.widgets.figures import QuestionChart, SectionChart, TalkChart


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def question_lists(guide: Guide, groups: list[tuple[str, list[str]]]) -> Group:
    """Headed lists of questions, each wrapped under its own start (a hanging indent)."""
    parts: list[Text | Table] = []
    for heading, ids in groups:
        parts.append(Text.from_markup(heading))
        table = Table(box=None, show_header=False, show_edge=False, pad_edge=False, expand=True, padding=(0, 1))
        table.add_column(no_wrap=True, width=3)
        table.add_column(ratio=1, overflow="fold")
        for q in ids:
            table.add_row("  •", " ".join(guide.question(q).text.split()))
        if not ids:
            table.add_row("", "none")
        parts.append(table)
    return Group(*parts)


def minutes(seconds: float) -> str:
    return m_ss(seconds)


def section_lines(sections: tuple[SectionTime, ...]) -> str:
    """The section chart's numbers, with the word the colour says (over budget)."""
    lines = []
    for i, sec in enumerate(sections, 1):
        status = budget_status(sec.spent_s, sec.budget_s / 60)
        word = {"ok": "", "near": "  [b $warning]near budget[/]", "over": "  [b reverse $error] OVER budget [/]"}[status]
        lines.append(f"{i}. {escape(sec.title)}: [b]{minutes(sec.spent_s)}[/] of {sec.budget_s / 60:g} min{word}")
    return "\n".join(lines) or "No section of this guide has a time budget."


def question_table(questions: tuple[QuestionTime, ...]) -> Table:
    """Number, time, budget share and the full question (wrapped, never cut)."""
    table = Table(box=None, show_edge=False, pad_edge=False, expand=True, padding=(0, 1))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    table.add_column("question", ratio=1, overflow="fold")
    for q in questions:
        share = minutes(q.budget_share_s) if q.budget_share_s is not None else "–"
        table.add_row(str(q.number), minutes(q.spent_s), share, q.text)
    return table


def talk_line(talk: TalkTime | None) -> str:
    if talk is None:
        return ("No talk-time share yet: it needs a transcript whose segments name the interviewer and "
                "the participant (a stereo recording with one microphone each, or speaker attribution).")
    share = talk.interviewer_share * 100
    return (f"Interviewer [b]{share:.0f}%[/] ({minutes(talk.interviewer_s)}) · participant "
            f"[b]{100 - share:.0f}%[/] ({minutes(talk.participant_s)})"
            + (f" · overlap or unattributed {minutes(talk.other_s)}" if talk.other_s else ""))


def event_table(events: list, guide: Guide) -> Table:
    """Every event, the description wrapped in its column (a data table cut them)."""
    table = Table(box=None, show_edge=False, pad_edge=False, expand=True, padding=(0, 1))
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("recording", justify="right", no_wrap=True)
    table.add_column("event", ratio=1, overflow="fold")
    for e in events:
        rec = m_ss(e.recording_offset_s) if e.recording_offset_s is not None else ""
        table.add_row(str(e.seq), m_ss(e.session_offset_s), rec, describe(e, guide))
    return table


#: where the recordings go in the summary text (filled in, and again while one is being finished).
RECORDINGS_SLOT = "\0recordings"


def recording_line(recording: Recording) -> str:
    """One recording: duration, file (relative to the project folder) and what happened to it."""
    if recording.state == "recording":
        return f"Audio: {escape(recording.path)} [$text-muted](being finished…)[/]"
    length = m_ss(recording.duration_s) if recording.duration_s is not None else "?"
    state = {"complete": "", "recovered": " [$warning](recovered after a crash)[/]",
             "failed": f" [$error](failed: {escape(recording.error or '')})[/]"}.get(recording.state, "")
    lost = (f" [$error]{recording.overflow_count} block(s) lost[/]" if recording.overflow_count else "")
    return f"Audio [b]{length}[/] · {escape(recording.path)}{state}{lost}"


class SessionViewScreen(ContextScreen[None]):
    """Summary (duration, covered, skipped, never reached, notes, bookmarks) and the event list."""

    BINDINGS = [Binding("escape,q", "back", "Back"), Binding("r", "review", "Review transcript")]

    def __init__(self, session_id: int, *, just_closed: bool = False) -> None:
        super().__init__()
        self.session_id = session_id
        self.just_closed = just_closed
        self.parts: list[str] = []
        self._polls = 0

    def compose(self) -> ComposeResult:
        session = store.get_session(self.ctx.db, self.session_id)
        assert session is not None
        self.session = session
        self.guide = guide = study_of_session(self.ctx, session).guide
        self.events = store.session_events(self.ctx.db, self.session_id)
        self.state = SessionState.replay(guide, self.events)
        talk = session_talk_time(self.ctx.db, self.session_id, interviewer=session.interviewer,
                                 participant=session.participant_code)
        self.figures = figures(self.state, talk)
        yield Header()
        # The pictures first (time against budgets, talk time), then the lists they summarize.
        with VerticalScroll(id="summary"):
            yield Static(id="summary-text")
            yield Static("[b]Time per section against the guide's budgets[/]", classes="figures-head")
            if self.figures.sections:
                yield SectionChart(self.figures.sections, classes="chart")
            yield Static(section_lines(self.figures.sections), classes="figures-text")
            yield Static("[b]Talk time[/] (the interviewer should mostly listen)", classes="figures-head")
            if self.figures.talk is not None:
                yield TalkChart(self.figures.talk, classes="chart -talk")
            yield Static(talk_line(self.figures.talk), classes="figures-text")
            yield Static(id="summary-lists", classes="figures-head")
            yield Static("[b]Time per question[/]", classes="figures-head")
            yield QuestionChart(self.figures.questions, classes="chart")
            yield Static(question_table(self.figures.questions), classes="figures-text")
            yield Static("[b]All events[/]", classes="figures-head")
            yield Static(event_table(self.events, guide), id="events")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        session, guide = self.session, self.guide
        s = summarize(self.state)
        self.title = f"{session.participant_code} · {'interview closed' if self.just_closed else 'session'}"
        self.sub_title = "read-only"
        head = "[b]Interview closed. Summary:[/]" if self.just_closed else "[b]Session (read-only)[/]"
        where = ", ".join(escape(x) for x in (session.interviewer, session.place) if x)
        parts = [
            head,
            f"{session.participant_code} · {session.started_at[:16].replace('T', ' ')} UTC"
            + (f" · {where}" if where else "") + f" · state: {session.state}",
            f"Duration [b]{m_ss(s.duration_s)}[/] · {len(s.covered)} covered · {len(s.skipped)} skipped"
            f" · {len(s.never_reached)} never reached · {plural(s.probes_opened, 'follow-up')} asked"
            f" · {plural(len(s.notes), 'note')} · {plural(len(s.bookmarks), 'bookmark')}",
            RECORDINGS_SLOT,
            "",
            "[b]Notes and bookmarks[/]",
        ]
        marks = sorted(s.notes + s.bookmarks, key=lambda e: e.seq)
        parts += [f"  {m_ss(e.session_offset_s):>7}  {escape(describe(e, guide))}" for e in marks] or ["  none"]
        self.parts = parts
        self.show_recordings()
        groups = [("[b]✓ Covered[/]", s.covered), ("[b]– Skipped[/]", s.skipped),
                  ("[b]Never reached[/]", s.never_reached)]
        if s.visited_unmarked:
            groups.append(("[b]Visited, not marked[/]", s.visited_unmarked))
        self.query_one("#summary-lists", Static).update(question_lists(guide, groups))

    def show_recordings(self) -> None:
        """Fill in the session's recordings; one the recorder is still finishing is looked at again shortly."""
        from interview_tui.storage.recordings import list_recordings

        recordings = list_recordings(self.ctx.db, session_id=self.session_id)
        lines = [recording_line(r) for r in recordings] or ["Audio: no recording in this session"]
        text = "\n".join(lines)
        self.query_one("#summary-text", Static).update("\n".join(text if p == RECORDINGS_SLOT else p
                                                                 for p in self.parts))
        if any(r.state == "recording" for r in recordings) and self._polls < 60:
            self._polls += 1
            self.set_timer(0.5, self.show_recordings)

    def action_review(self) -> None:
        """Review this interview's one transcript (all its recordings), e.g. the live transcript
        that was ready when the interview closed."""
        from interview_tui.review.interview import InterviewReview
        from interview_tui.review.session import ReviewError
        from interview_tui.tui.screens.review import ReviewScreen

        try:
            review = InterviewReview.open(self.ctx.db, self.session_id)
        except ReviewError:
            self.notify("This interview has no transcript yet: transcribe its recordings first "
                        "(t on the start screen).", title="Review", severity="warning")
            return
        self.app.push_screen(ReviewScreen(review))

    def action_back(self) -> None:
        if self.just_closed:  # the post-interview memo comes next; Escape there skips it
            from interview_tui.tui.screens.memo import MemoScreen

            self.app.switch_screen(MemoScreen(self.session_id))
            return
        self.app.pop_screen()
