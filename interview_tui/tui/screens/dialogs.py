"""Small modal dialogs; each returns a typed value with `dismiss()`."""

from __future__ import annotations

from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from interview_tui.domain.safe_text import text_problem
from interview_tui.storage.rows import SessionRow


class ConfirmDialog(ModalScreen[bool]):
    """Yes/no question: y/Enter confirms, n/Escape declines."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="primary")
                yield Button(f"{self.no} (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class NoteDialog(ModalScreen[str | None]):
    """One line of note text; Enter saves, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self.title_text, self.placeholder = title, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=self.placeholder, id="note-text")
            yield Static("Enter saves · Escape cancels", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = text_problem(event.value.strip(), multiline=True)
        if problem:  # e.g. pasted terminal output: say so and keep the dialog open
            self.notify(f"The note {problem}.", title="Not saved", severity="error")
            return
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickDialog(ModalScreen[str | None]):
    """Pick one of a few options (Enter), or Escape for none; returns the option id."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]], hint: str = "") -> None:
        super().__init__()
        self.title_text, self.options, self.hint = title, options, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label, id=key) for key, label in self.options], id="pick")
            yield Static(self.hint or "Enter chooses · Escape cancels", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ResumeDialog(PickDialog):
    """Offer the sessions left open (the app was killed mid-interview); returns the session id as text."""

    def __init__(self, sessions: list[SessionRow], describe: Callable[[str], str] = str) -> None:
        options = [
            (
                str(s.id),
                f"{s.participant_code} · started {s.started_at[:16].replace('T', ' ')} UTC"
                f" · {s.event_count} events · at: "
                + (describe(s.current_question_id) if s.current_question_id else "-"),
            )
            for s in sessions
        ]
        super().__init__(
            "An interview was left open. Resume it?",
            options,
            "Enter resumes where it stopped, with every event kept · Escape: later (it stays open)",
        )
