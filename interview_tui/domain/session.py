"""Interview session state, rebuilt from the stored event list.

Every action during an interview is one `Event`, written to the database the
moment it happens.  The state (current question, covered and skipped marks,
opened probes, notes, bookmarks, time per section, phase) is never stored on
its own: it is the replay of the events.  That is how resume after a crash
works, and why nothing shown on screen can be lost.

`Interview` ties a guide, a clock, a recording clock and an event writer
together; it is what the interview screen drives.  No Textual in here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Iterable, Literal

from interview_tui.domain.clock import now
from interview_tui.domain.timecode import m_ss
from interview_tui.domain.safe_text import check_text
from interview_tui.domain.study import Guide, Question

EventKind = Literal[
    "session_started",
    "question_reached",
    "covered",
    "skipped",
    "probe_opened",
    "note",
    "bookmark",
    "closing_reached",
    "final_prompt",
    "session_closed",
    # written when the interview screen opens a session left open (after a crash or a quit):
    # when the app was last known to run, then the resume
    "session_interrupted",
    "session_resumed",
    # written by the recorder
    "pause",
    "resume",
    "recording_started",
    "recording_stopped",
]

Phase = Literal["not_started", "interview", "closing", "final_prompt", "closed"]
Mark = Literal["covered", "skipped"]
TimeStatus = Literal["ok", "near", "over"]


@dataclass(frozen=True)
class Event:
    """One stored session event.  `seq` is 0 until the event writer stored it."""

    kind: str
    at: str
    session_offset_s: float
    question_id: str | None = None
    prompt_id: str | None = None
    text: str | None = None
    recording_id: int | None = None
    recording_offset_s: float | None = None
    seq: int = 0


def utc_iso(moment: datetime) -> str:
    """A datetime as the ISO 8601 UTC text stored everywhere."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    """Parse a stored timestamp (always timezone-aware)."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def seconds_between(start_iso: str, moment: datetime) -> float:
    """Seconds from a stored start timestamp to `moment` (never negative)."""
    return max(0.0, (moment - parse_iso(start_iso)).total_seconds())


def time_status(elapsed_s: float, low_s: float, high_s: float) -> TimeStatus:
    """'ok' before `low_s`, 'near' inside [low, high], 'over' past `high_s`."""
    if elapsed_s > high_s:
        return "over"
    if elapsed_s >= low_s:
        return "near"
    return "ok"


def budget_status(spent_s: float, budget_min: float | None) -> TimeStatus:
    """A section's time against its budget: 'near' from 80 %, 'over' past it."""
    if not budget_min:
        return "ok"
    return time_status(spent_s, 0.8 * budget_min * 60, budget_min * 60)


@dataclass
class SessionState:
    """What the events say about an interview so far."""

    guide: Guide
    phase: Phase = "not_started"
    current_id: str | None = None
    visited: list[str] = field(default_factory=list)
    marks: dict[str, Mark] = field(default_factory=dict)
    probes: dict[str, list[str]] = field(default_factory=dict)
    notes: list[Event] = field(default_factory=list)
    bookmarks: list[Event] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: seconds spent on each main question (time while it was current).
    question_time: dict[str, float] = field(default_factory=dict)
    _current_since: float = 0.0
    last_offset_s: float = 0.0

    @classmethod
    def replay(cls, guide: Guide, events: Iterable[Event]) -> "SessionState":
        """The state after applying `events` in order."""
        state = cls(guide)
        for event in events:
            state.apply(event)
        return state

    def apply(self, event: Event) -> None:
        """Update the state with one event (unknown kinds are kept but change nothing)."""
        if event.kind == "session_resumed" and self.events:
            # downtime is no question's time
            self._current_since += max(0.0, event.session_offset_s - self.events[-1].session_offset_s)
        self.events.append(event)
        self.last_offset_s = max(self.last_offset_s, event.session_offset_s)
        kind = event.kind
        if kind == "session_started":
            self.phase = "interview"
        elif kind in ("question_reached", "closing_reached") and event.question_id:
            self._leave_current(event.session_offset_s)
            self.current_id = event.question_id
            self._current_since = event.session_offset_s
            if event.question_id not in self.visited:
                self.visited.append(event.question_id)
            if kind == "closing_reached" and self.phase == "interview":
                self.phase = "closing"
        elif kind in ("covered", "skipped") and event.question_id:
            self.marks[event.question_id] = kind  # the latest mark wins
        elif kind == "probe_opened" and event.question_id and event.prompt_id:
            opened = self.probes.setdefault(event.question_id, [])
            if event.prompt_id not in opened:
                opened.append(event.prompt_id)
        elif kind == "note":
            self.notes.append(event)
        elif kind == "bookmark":
            self.bookmarks.append(event)
        elif kind == "final_prompt":
            self.phase = "final_prompt"
        elif kind == "session_closed":
            self._leave_current(event.session_offset_s)
            self.phase = "closed"

    def _leave_current(self, offset_s: float) -> None:
        if self.current_id is not None and self.phase != "closed":
            spent = max(0.0, offset_s - self._current_since)
            self.question_time[self.current_id] = self.question_time.get(self.current_id, 0.0) + spent
            self._current_since = offset_s

    # -- questions -----------------------------------------------------------------

    @property
    def current(self) -> Question | None:
        return self.guide.question(self.current_id) if self.current_id else None

    def status_of(self, question_id: str) -> str:
        """'covered', 'skipped', 'current', 'visited' or 'not_reached'."""
        if question_id in self.marks:
            return self.marks[question_id]
        if question_id == self.current_id:
            return "current"
        return "visited" if question_id in self.visited else "not_reached"

    def ids_in_order(self) -> list[str]:
        return [q.id for q in self.guide.questions()]

    def neighbour(self, step: int) -> str | None:
        """The question `step` places from the current one in guide order (None at the ends)."""
        ids = self.ids_in_order()
        if self.current_id is None:
            return ids[0] if ids and step > 0 else None
        i = ids.index(self.current_id) + step
        return ids[i] if 0 <= i < len(ids) else None

    def next_open(self) -> str | None:
        """The next question after the current one not yet covered or skipped, wrapping round.

        Semi-structured interviews jump about; after marking a question the
        interviewer wants the next one still to ask, not merely the next in order.
        """
        closing = self.guide.closing.id
        ids = [q for q in self.ids_in_order() if q != closing]
        start = ids.index(self.current_id) + 1 if self.current_id in ids else 0
        for qid in ids[start:] + ids[:start]:
            if qid not in self.marks and qid != self.current_id:
                return qid
        # The closing question comes only once every other question is dealt with.
        return closing if closing != self.current_id and closing not in self.marks else None

    @property
    def covered(self) -> list[str]:
        return [q for q in self.ids_in_order() if self.marks.get(q) == "covered"]

    @property
    def skipped(self) -> list[str]:
        return [q for q in self.ids_in_order() if self.marks.get(q) == "skipped"]

    @property
    def never_reached(self) -> list[str]:
        return [q for q in self.ids_in_order() if q not in self.visited and q not in self.marks]

    def probes_for(self, question_id: str) -> list[str]:
        return list(self.probes.get(question_id, []))

    # -- time ----------------------------------------------------------------------

    def question_seconds(self, question_id: str, now_offset_s: float) -> float:
        """Time spent on a question, counting the running interval if it is current."""
        spent = self.question_time.get(question_id, 0.0)
        if question_id == self.current_id and self.phase != "closed":
            spent += max(0.0, now_offset_s - self._current_since)
        return spent

    def section_seconds(self, section_id: str, now_offset_s: float) -> float:
        """Time spent on the questions of a section, sub-sections included."""
        total = 0.0
        for path, question in self.guide.walk():
            if any(s.id == section_id for s in path):
                total += self.question_seconds(question.id, now_offset_s)
        return total

    @property
    def duration_s(self) -> float:
        """The session's length so far by its events (the offset of the last one)."""
        return self.last_offset_s


_REACHED = ("question_reached", "closing_reached")


def downtime_s(events: Iterable[Event]) -> float:
    """Seconds the interview was not running: from the last event stored before each
    `session_resumed` (the crash or quit) to the resume."""
    total, last = 0.0, None
    for e in events:
        if e.kind == "session_resumed" and last is not None:
            total += max(0.0, e.session_offset_s - last)
        last = e.session_offset_s
    return total


def interview_duration_s(events: Iterable[Event], now_offset_s: float | None = None) -> float | None:
    """THE interview duration, used by the screen clock, the summary, exports and the methods report.

    From the first question reached (consent and demographics before it do not count) to the
    end (`session_closed`; while open, `now_offset_s` or the last event), minus the downtime
    between a crash or quit and the resume.  None when no question was ever reached.
    """
    events = list(events)
    start = next((e.session_offset_s for e in events if e.kind in _REACHED), None)
    if start is None:
        return None
    closed = next((e.session_offset_s for e in events if e.kind == "session_closed"), None)
    end = closed if closed is not None else max([e.session_offset_s for e in events] + [now_offset_s or 0.0])
    down = downtime_s(e for e in events if e.session_offset_s > start and (closed is None or e.session_offset_s <= closed))
    return round(max(0.0, end - start - down), 3)


@dataclass(frozen=True)
class Summary:
    """The end-of-interview summary."""

    duration_s: float
    covered: list[str]
    skipped: list[str]
    never_reached: list[str]
    visited_unmarked: list[str]
    notes: list[Event]
    bookmarks: list[Event]
    probes_opened: int


def summarize(state: SessionState) -> Summary:
    """Duration, covered/skipped/never reached questions, notes and bookmarks."""
    unmarked = [q for q in state.ids_in_order() if q in state.visited and q not in state.marks]
    return Summary(
        duration_s=interview_duration_s(state.events) or 0.0,
        covered=state.covered,
        skipped=state.skipped,
        never_reached=state.never_reached,
        visited_unmarked=unmarked,
        notes=list(state.notes),
        bookmarks=list(state.bookmarks),
        probes_opened=sum(len(v) for v in state.probes.values()),
    )


#: Stores an event at once and returns it with its `seq`.
EventWriter = Callable[[Event], Event]
#: The running recording, if any: (recording id, seconds on its timeline).
RecordingClock = Callable[[], "tuple[int, float] | None"]
#: A moment: wall clock and recording position.
Stamp = tuple[datetime, "tuple[int, float] | None"]


class Interview:
    """Drives a session: every action becomes an event, stored, then applied.

    `clock` returns the current time (injectable so tests are deterministic);
    `recording_clock` is asked for every event's recording offset.
    """

    def __init__(
        self,
        guide: Guide,
        started_at: str,
        writer: EventWriter,
        events: Iterable[Event] = (),
        *,
        clock: Callable[[], datetime] = now,
        recording_clock: RecordingClock | None = None,
    ) -> None:
        self.guide = guide
        self.started_at = started_at
        self.writer = writer
        self.clock = clock
        self.recording_clock = recording_clock
        self.state = SessionState.replay(guide, events)

    def stamp(self) -> "Stamp":
        """The moment now: wall clock and recording position (to stamp an event written later)."""
        return self.clock(), (self.recording_clock() if self.recording_clock else None)

    def elapsed_s(self) -> float:
        """Seconds since the session started, by the clock (the session offset of now)."""
        return seconds_between(self.started_at, self.clock())

    def interview_s(self) -> float:
        """Interview time so far (`interview_duration_s`): 0 until the first question."""
        return interview_duration_s(self.state.events, self.elapsed_s()) or 0.0

    def record(
        self,
        kind: str,
        *,
        question_id: str | None = None,
        prompt_id: str | None = None,
        text: str | None = None,
        stamp: "Stamp | None" = None,
    ) -> Event:
        """Stamp (now, or with `stamp` taken earlier), store and apply one event; returns it as stored."""
        now, rec = stamp or self.stamp()
        event = Event(
            kind=kind,
            at=utc_iso(now),
            session_offset_s=round(seconds_between(self.started_at, now), 3),
            question_id=question_id,
            prompt_id=prompt_id,
            text=text,
            recording_id=rec[0] if rec else None,
            recording_offset_s=round(rec[1], 3) if rec else None,
        )
        stored = self.writer(event)
        self.state.apply(stored)
        return stored

    # -- actions ---------------------------------------------------------------------

    def resume(self, last_alive: datetime | None = None) -> Event | None:
        """Note that a session left open (crash or quit) goes on now; the time between is downtime.

        `last_alive` (e.g. when an interrupted recording was last written) is when the app
        stopped, if later than the last event: a `session_interrupted` event is stamped then.
        """
        if self.state.phase in ("not_started", "closed"):
            return None
        last = self.state.events[-1] if self.state.events else None
        if last_alive is not None and last is not None and last_alive > parse_iso(last.at):
            self.record("session_interrupted", text="the app stopped (crash or quit)",
                        stamp=(min(last_alive, self.clock()), None))
        gap = seconds_between(self.state.events[-1].at, self.clock()) if self.state.events else 0.0
        return self.record("session_resumed", text=f"after {m_ss(gap)} down")

    def start(self) -> None:
        """Begin the interview at the guide's first question (no-op when resumed)."""
        if self.state.phase != "not_started":
            return
        self.record("session_started")
        first = self.guide.questions()[0]
        self.go_to(first.id)

    def go_to(self, question_id: str) -> Event | None:
        """Make a question current (the closing question starts the closing phase)."""
        self.guide.question(question_id)  # KeyError for an unknown id
        if question_id == self.state.current_id:
            return None
        kind = "closing_reached" if question_id == self.guide.closing.id else "question_reached"
        return self.record(kind, question_id=question_id)

    def step(self, delta: int) -> Event | None:
        """Move to the next (+1) or previous (-1) question in guide order."""
        target = self.state.neighbour(delta)
        return self.go_to(target) if target else None

    def mark(self, kind: Mark, *, advance: bool = True) -> Event | None:
        """Mark the current question covered or skipped, then go to the next open one."""
        qid = self.state.current_id
        if qid is None:
            return None
        event = self.record(kind, question_id=qid)
        if advance and qid != self.guide.closing.id:
            target = self.state.next_open()
            if target:
                self.go_to(target)
        return event

    def open_probe(self, prompt_id: str) -> Event:
        """Note that a follow-up or probe of the current question was asked."""
        qid = self.state.current_id
        question = self.guide.question(qid) if qid else None
        if question is None or prompt_id not in {p.id for _, p in question.walk_prompts()}:
            raise KeyError(prompt_id)
        return self.record("probe_opened", question_id=qid, prompt_id=prompt_id)

    def note(self, text: str, stamp: "Stamp | None" = None) -> Event:
        """A time-stamped note on the current question (`stamp`: when the interviewer began it)."""
        check_text(text.strip(), "note", multiline=True)
        return self.record("note", question_id=self.state.current_id, text=text.strip(), stamp=stamp)

    def bookmark(self, text: str = "") -> Event:
        """A bookmark on a quotable moment (optional label)."""
        check_text(text.strip(), "bookmark label")
        return self.record("bookmark", question_id=self.state.current_id, text=text.strip() or None)

    def reach_closing(self) -> Event | None:
        """Go to the guide's closing question."""
        return self.go_to(self.guide.closing.id)

    def final_prompt(self) -> Event:
        """Ask the end-of-interview prompt ("anything further ...?")."""
        if self.state.current_id != self.guide.closing.id:
            self.reach_closing()
        return self.record("final_prompt", text=self.guide.final_prompt)

    def close(self) -> Event:
        """End the interview; the session is read-only afterwards."""
        return self.record("session_closed")

    def summary(self) -> Summary:
        return summarize(self.state)

