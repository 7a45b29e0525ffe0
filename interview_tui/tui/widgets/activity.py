"""The running list of what happened in the session (every stored event, newest last)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import RichLog

from interview_tui.domain.session import Event
from interview_tui.domain.timecode import mm_ss
from interview_tui.domain.study import Guide
from interview_tui.tui.widgets.outline import short

STYLES = {"note": "bold", "bookmark": "bold bright_magenta", "covered": "green", "skipped": "dark_orange3"}


def describe(event: Event, guide: Guide, limit: int | None = None) -> str:
    """A human description of an event: the full question, or its first `limit` characters."""

    def cut(text: str, width: int) -> str:
        return short(text, limit or width) if limit else " ".join(text.split())

    def q() -> str:
        try:
            return cut(guide.question(event.question_id or "").text, 40)
        except KeyError:
            return event.question_id or ""

    kind = event.kind
    if kind == "session_started":
        return "Interview started"
    if kind == "question_reached":
        return f"→ {q()}"
    if kind == "closing_reached":
        return f"→ closing: {q()}"
    if kind in ("covered", "skipped"):
        return f"{kind.capitalize()}: {q()}"
    if kind == "probe_opened":
        prompt = next((p for _, p in guide.question(event.question_id or "").walk_prompts()
                       if p.id == event.prompt_id), None)
        return f"Asked: {cut(prompt.text, 50) if prompt else event.prompt_id}"
    if kind == "note":
        return f"Note: {event.text}"
    if kind == "bookmark":
        return f"Bookmark{': ' + event.text if event.text else ''}"
    if kind == "final_prompt":
        return "Final prompt asked"
    if kind == "session_closed":
        return "Interview closed"
    return kind.replace("_", " ").capitalize() + (f": {event.text}" if event.text else "")


class ActivityLog(RichLog):
    """Every event of the session with its time since the start, wrapped (never cut)."""

    def __init__(self, guide: Guide, **kwargs) -> None:
        # min_width: RichLog wraps to at least 78 columns by default, and the 52 beside the outline cut the rest.
        super().__init__(wrap=True, markup=False, highlight=False, min_width=20, **kwargs)
        self.guide = guide

    def add(self, event: Event) -> None:
        line = Text(f"{mm_ss(event.session_offset_s)}  ", style="dim")
        line.append(describe(event, self.guide), style=STYLES.get(event.kind, ""))
        self.write(line)
