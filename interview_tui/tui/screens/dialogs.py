"""Every modal dialog of the app; each returns a typed value with `dismiss()`.

The general ones first (confirm, note, pick, resume), then the review screen's (a line of text
with a starting value, find/replace with a preview, read-only text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from interview_tui.domain.safe_text import text_problem
from interview_tui.domain.timecode import mm_ss
from interview_tui.domain.transcript import Segment
from interview_tui.review.edits import EditError
from interview_tui.review.replace import Replacement, plan_replace
from interview_tui.storage.rows import SessionRow
from interview_tui.tui.widgets.tickbox import TickBox


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


# -- the review screen's dialogs ------------------------------------------------------------


class LineDialog(ModalScreen[str | None]):
    """One line of text with a starting value; Enter returns it, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "Enter saves · Escape cancels") -> None:
        super().__init__()
        self.title_text, self.value, self.hint = title, value, hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, id="line")
            yield Static(self.hint, classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


CONTEXT = 30


def changes(before: str, after: str) -> list[tuple[int, int, int, int]]:
    """Where `after` differs from `before`: (i1, i2, j1, j2) spans, whole words, for the preview."""
    import difflib

    words_b, words_a = before.split(" "), after.split(" ")
    pos_b = [0]
    for w in words_b:
        pos_b.append(pos_b[-1] + len(w) + 1)
    pos_a = [0]
    for w in words_a:
        pos_a.append(pos_a[-1] + len(w) + 1)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, words_b, words_a, autojunk=False).get_opcodes():
        if op != "equal":
            out.append((pos_b[i1], max(pos_b[i1], pos_b[i2] - 1), pos_a[j1], max(pos_a[j1], pos_a[j2] - 1)))
    return out


@dataclass(frozen=True)
class ReplaceRequest:
    """What the reviewer confirmed in the find/replace dialog."""

    find: str
    replace: str
    plan: list[Replacement]


class FindReplaceDialog(ModalScreen[ReplaceRequest | None]):
    """Find and replace across the transcript: every change is previewed before ctrl+r applies it."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "apply", "Replace all shown", priority=True),
    ]

    def __init__(self, segments: list[Segment], find: str = "") -> None:
        super().__init__()
        self.segments = segments
        self.initial = find
        self.plan: list[Replacement] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="replace-dialog"):
            yield Label("Find and replace in the whole transcript", classes="dialog-title")
            yield Input(value=self.initial, placeholder="find", id="find")
            yield Input(placeholder="replace with", id="replace")
            with Horizontal(id="replace-options"):
                yield TickBox("Whole words", True, id="whole")
                yield TickBox("Match case", False, id="case")
                yield TickBox("Regular expression", False, id="regex")
            yield Static("", id="replace-summary")
            with VerticalScroll(id="replace-preview"):
                yield Static("", id="replace-preview-text")
            yield Static("ctrl+r replaces everything shown · Escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#find", Input).focus()
        self.update_preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.update_preview()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.update_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "find":
            self.query_one("#replace", Input).focus()
        else:
            self.action_apply()

    def update_preview(self) -> None:
        find = self.query_one("#find", Input).value
        summary = self.query_one("#replace-summary", Static)
        preview = self.query_one("#replace-preview-text", Static)
        self.plan = []
        if not find:
            summary.update("Type what to find.")
            preview.update("")
            return
        try:
            self.plan = plan_replace(
                self.segments, find, self.query_one("#replace", Input).value,
                regex=self.query_one("#regex", Checkbox).value, case=self.query_one("#case", Checkbox).value,
                whole_word=self.query_one("#whole", Checkbox).value,
            )
        except EditError as exc:
            summary.update(Text(str(exc), style="red"))
            preview.update("")
            return
        matches = sum(r.count for r in self.plan)
        summary.update(f"{matches} match(es) in {len(self.plan)} segment(s)")
        out = Text()
        for r in self.plan[:200]:
            seg = self.segments[r.index]
            for i1, i2, j1, j2 in changes(r.before, r.after):
                out.append(f"{mm_ss(seg.start)} {seg.speaker or ''}: ", style="dim")
                out.append(("…" if i1 > CONTEXT else "") + r.before[max(0, i1 - CONTEXT):i1])
                out.append(r.before[i1:i2], style="strike red")
                out.append(" → ", style="dim")
                out.append(r.after[j1:j2], style="bold green")
                out.append(r.before[i2:i2 + CONTEXT] + ("…" if i2 + CONTEXT < len(r.before) else "") + "\n")
        preview.update(out)

    def action_apply(self) -> None:
        if not self.plan:
            self.notify("Nothing to replace.", severity="warning")
            return
        self.dismiss(ReplaceRequest(self.query_one("#find", Input).value, self.query_one("#replace", Input).value,
                                    self.plan))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[None]):
    """Read-only text (e.g. what review changed) in a scrollable box; Escape or q closes it."""

    BINDINGS = [Binding("escape,q", "close", "Close")]

    def __init__(self, title: str, text: Text | str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="text-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            with VerticalScroll(id="text-dialog-body"):
                yield Static(self.text, id="text-dialog-text")
            yield Static("Escape closes", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
