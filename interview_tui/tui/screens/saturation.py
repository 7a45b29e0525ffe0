"""After an interview: which new themes it raised (if any), for the saturation log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Static

from interview_tui.storage.saturation import record_saturation, saturation_log
from interview_tui.tui.context import ContextScreen


def split_themes(text: str) -> list[str]:
    """Themes typed on one line, separated by ';' (blank ones dropped, repeats once)."""
    return list(dict.fromkeys(" ".join(t.split()) for t in text.split(";") if t.strip()))


class SaturationScreen(ContextScreen[bool]):
    """Record the themes one participant's interview added; returns True when saved."""

    CSS_PATH = "saturation.tcss"
    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "back", "Back")]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="saturation"):
            yield Static(id="saturation-log")
            yield Label(f"[b]New themes in {escape(self.code)}'s interview[/] [$text-muted](separate with ;)[/]")
            yield Input(placeholder="e.g. coercion as care; trust", id="themes")
            yield Checkbox("No new themes", id="no-new", compact=True)
            yield Checkbox("Planned review point (decide whether to recruit more)", id="review", compact=True)
            yield Static("", id="saturation-error")
        with Horizontal(id="saturation-buttons"):
            yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
            yield Button("Back (esc)", id="back", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.title = f"{self.code} · saturation"
        entries = saturation_log(self.ctx.db)
        lines = [f"Interview {e.interview} ({e.code}): {'; '.join(e.new_themes) or 'no new themes'}"
                 + (" · review point" if e.review_point else "") for e in entries]
        mine = next((e for e in entries if e.code == self.code), None)
        if mine is not None:
            self.query_one("#themes", Input).value = "; ".join(mine.new_themes)
            self.query_one("#no-new", Checkbox).value = not mine.new_themes
            self.query_one("#review", Checkbox).value = mine.review_point
        self.query_one("#saturation-log", Static).update(
            escape("\n".join(lines)) if lines else "[$text-muted]Nothing logged yet.[/]")
        self.query_one("#saturation-error").display = False
        self.query_one("#themes", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_back()

    def _error(self, text: str) -> None:
        message = self.query_one("#saturation-error", Static)
        message.update(escape(text))
        message.display = True

    def action_save(self) -> None:
        themes = split_themes(self.query_one("#themes", Input).value)
        none = self.query_one("#no-new", Checkbox).value
        if bool(themes) == none:
            self._error("Type the new themes, or tick 'No new themes' (not both).")
            return
        record_saturation(self.ctx.db, self.code, themes, review_point=self.query_one("#review", Checkbox).value)
        self.notify(f"Saturation log: {len(themes) or 'no'} new theme{'s' if len(themes) != 1 else ''} for {self.code}.")
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
