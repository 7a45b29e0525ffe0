"""Writing a post-interview memo (after the summary, skippable) and project journal entries."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, Static, TextArea

from interview_tui.storage.memos import MemoError, add_journal_entry, add_memo
from interview_tui.tui.context import ContextScreen

#: A contact summary's usual parts (Miles & Huberman): a prompt, not a form; all of it may be rewritten.
MEMO_TEMPLATE = "Setting: \n\nRapport: \n\nMain themes: \n\nWhat to ask next time: \n"


class _WritingScreen(ContextScreen[bool]):
    """A text area; ctrl+s saves, Escape leaves without saving. Dismisses with whether it saved."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "skip", "Skip"),
    ]
    heading = ""
    hint = ""
    template = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="memo"):
            yield Static(self.heading, id="memo-heading")
            yield Static(self.hint, id="memo-hint")
            yield TextArea(self.template, id="memo-text", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="memo-error")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        area = self.query_one("#memo-text", TextArea)
        area.focus()
        area.move_cursor((0, len(self.template.split("\n", 1)[0])))

    def author(self) -> str | None:
        """The interviewer of this app run, else the name typed on the start screen, else unknown."""
        if self.ctx.interviewer_name:
            return self.ctx.interviewer_name
        for screen in self.app.screen_stack:
            for field in screen.query("#interviewer").results(Input):
                if field.value.strip():
                    return " ".join(field.value.split())
        return None

    def text(self) -> str:
        """What was written, without the template's headings left empty."""
        headings = {line.strip() for line in self.template.splitlines() if line.strip()}
        lines = [line for line in self.query_one("#memo-text", TextArea).text.splitlines()
                 if line.strip() not in headings]
        return "\n".join(lines).strip()

    def store(self, text: str) -> None:
        raise NotImplementedError

    def action_save(self) -> None:
        text = self.text()
        if not text.strip():
            self.query_one("#memo-error", Static).update("Nothing written yet: write the memo, or press Escape to skip it.")
            return
        try:
            self.store(text)
        except MemoError as err:
            self.query_one("#memo-error", Static).update(f"Not saved: {err}.")
            return
        self.notify(self.saved_message)
        self.dismiss(True)

    def action_skip(self) -> None:
        self.dismiss(False)

    saved_message = "Saved."


class MemoScreen(_WritingScreen):
    """The post-interview memo (contact summary) for the participant of a just-closed session."""

    template = MEMO_TEMPLATE
    saved_message = "Memo saved; it travels with the exports and is erased if the participant withdraws."

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id

    def on_mount(self) -> None:
        from interview_tui.storage.sessions import get_session

        session = get_session(self.ctx.db, self.session_id)
        assert session is not None
        self.code = session.participant_code
        self.title = f"{self.code} · post-interview memo"
        self.sub_title = "ctrl+s saves · Escape skips"
        self.query_one("#memo-heading", Static).update(f"[b]Post-interview memo for {self.code}[/]")
        self.query_one("#memo-hint", Static).update(
            "While it is fresh: the setting, the rapport, the main themes, and what to ask next time. "
            "No names: use codes.")
        super().on_mount()

    def store(self, text: str) -> None:
        add_memo(self.ctx.db, self.code, text, author=self.author(), session_id=self.session_id)


class JournalScreen(_WritingScreen):
    """A new entry in the project's reflexive journal."""

    saved_message = "Journal entry saved."

    def on_mount(self) -> None:
        self.title = "Project journal · new entry"
        self.sub_title = "ctrl+s saves · Escape leaves"
        self.query_one("#memo-heading", Static).update("[b]Project journal[/]")
        self.query_one("#memo-hint", Static).update(
            "Reflexive notes on the research as it goes: your assumptions, decisions, what surprised you. "
            "No participant's name.")
        super().on_mount()

    def store(self, text: str) -> None:
        add_journal_entry(self.ctx.db, text, author=self.author())
