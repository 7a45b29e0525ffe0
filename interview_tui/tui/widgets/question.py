"""The current question, large, with its follow-ups and its conditional probes set apart."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from interview_tui.domain.study import Prompt, Question, Section
from interview_tui.tui.messages import ProbeChosen


def prompt_label(number: int, depth: int, prompt: Prompt, asked: bool, width: int = 0) -> Content:
    """One follow-up: number key, asked mark, indentation; probes lead with their condition.

    Given the `width` it is shown in, continuation lines hang under the text, not under the
    number, so that each follow-up reads as one item at a glance.
    """
    mark = "[$success]✓[/]" if asked else "[$text-muted]○[/]"
    key = f"[b]{number}[/]" if number <= 9 else " "
    prefix = Content.from_markup(f"{key} {mark} " + "   " * depth)
    text = escape(" ".join(prompt.text.split()))
    if prompt.is_theme:  # a sub-theme heading over the follow-ups below it
        text = f"[b $accent]{text}[/]"
    elif prompt.is_probe:
        condition = escape(prompt.condition or "").strip().rstrip(":")
        condition = condition[:1].upper() + condition[1:]
        if not condition.lower().startswith("if"):
            condition = f"If {condition}"
        text = f"[b $warning]{condition}:[/] [i]{text}[/]"
    note = f" [$text-muted]({escape(prompt.note)})[/]" if prompt.note else ""
    body = Content.from_markup(text + note)
    room = width - prefix.cell_length
    if room < 12:  # not laid out yet (or absurdly narrow): let the list wrap it
        return prefix + body
    lines = body.wrap(room)
    hang = Content(" " * prefix.cell_length)
    return Content("\n").join([prefix + lines[0], *(hang + line for line in lines[1:])])


class PromptList(OptionList):
    """The follow-ups. Their hanging indent is wrapped to this list's width, so it says when that changes."""

    class Resized(Message):
        """The list was laid out at a new size."""

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


class QuestionPanel(VerticalScroll):
    """Shows one main question; Enter or a number key on a follow-up records that it was asked."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prompt_ids: list[str] = []
        #: sub-theme headings: shown among the follow-ups, never recorded as asked
        self.theme_ids: set[str] = set()
        #: what `show` was last given, and the width it wrapped to (shown again on a resize)
        self._shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="q-path")
        yield Static(id="q-text")
        yield Static(id="q-note")
        yield PromptList(id="prompts")
        yield Static(id="q-hint")

    def show(
        self,
        question: Question | None,
        path: tuple[Section, ...],
        asked: list[str],
        *,
        title: str | None = None,
        hint: str = "",
    ) -> None:
        """Display `question` (or just `title`, e.g. the final prompt) with its prompts."""
        crumbs = " › ".join(s.title for s in path) if path else "Closing"
        self.query_one("#q-path", Static).update(escape(crumbs))
        self.query_one("#q-text", Static).update(escape(title or (question.text if question else "")))
        note = question.note if question and not title else None
        self.query_one("#q-note", Static).update(escape(note or ""))
        self.query_one("#q-note").display = bool(note)
        options = self.query_one("#prompts", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        rows = list(question.walk_prompts()) if question and not title else []
        self.prompt_ids = [p.id for _, p in rows]
        self.theme_ids = {p.id for _, p in rows if p.is_theme}
        measured = width = options.scrollable_content_region.width
        if not options.show_vertical_scrollbar:
            # Wrap for the scrollbar a long list of follow-ups will get, or its lines wrap twice.
            width -= options.styles.scrollbar_size_vertical
        self._shown = (question, path, asked, title, hint, measured)
        options.add_options(
            [Option(prompt_label(i, depth, p, p.id in asked, width), id=p.id)
             for i, (depth, p) in enumerate(rows, 1)]
        )
        options.display = bool(rows)
        if rows:
            options.highlighted = min(highlighted or 0, len(rows) - 1)
        self.query_one("#q-hint", Static).update(hint)
        self.query_one("#q-hint").display = bool(hint)
        if rows and width < 12:
            # The list was hidden (the previous question had no follow-ups, e.g. after `p`) and has no
            # width yet: wrap again once it is laid out, or continuation lines lose their indent.
            self.call_after_refresh(self.on_resize)

    def on_prompt_list_resized(self, message: PromptList.Resized) -> None:
        # The list itself was laid out (at start-up it has no width when first shown).
        message.stop()
        self.on_resize()

    def on_resize(self) -> None:
        # The hanging indent is wrapped to the list's width: wrap again for the new one.
        if self._shown is not None:
            question, path, asked, title, hint, width = self._shown
            if self.query_one("#prompts", OptionList).scrollable_content_region.width != width:
                self.show(question, path, asked, title=title, hint=hint)

    def prompt_at(self, number: int) -> str | None:
        """The id of follow-up number `number` (1-based), if there is one."""
        prompt_id = self.prompt_ids[number - 1] if 0 < number <= len(self.prompt_ids) else None
        return None if prompt_id in self.theme_ids else prompt_id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and event.option.id not in self.theme_ids:
            self.post_message(ProbeChosen(event.option.id))
