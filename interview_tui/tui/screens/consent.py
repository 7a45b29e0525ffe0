"""Informed consent: the form text, its items as a checklist, and the interviewer's confirmation."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, Checkbox, Footer, Header, Static

from interview_tui.domain.consent import split_items
from interview_tui.domain.study import ConsentItem
from interview_tui.storage.consent import consent_on_file, record_consent
from interview_tui.storage.rows import ConsentRecord
from interview_tui.tui.context import ContextScreen
from interview_tui.tui.screens.dialogs import ConfirmDialog
from interview_tui.tui.widgets.tickbox import TickBox


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of each paragraph so the text wraps to the terminal's width."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


class ItemLabel(Static):
    """An item's full text beside its checkbox (a checkbox label cannot wrap); a click toggles it."""

    def __init__(self, text: str, box_id: str) -> None:
        super().__init__(text, classes="consent-item-text")
        self.box_id = box_id

    def on_click(self) -> None:
        box = self.screen.query_one(f"#{self.box_id}", Checkbox)
        if not box.disabled:
            box.toggle()
            box.focus()


class ConsentScreen(ContextScreen[str | None]):
    """Returns 'given', 'declined', or None when left without a decision.

    Consent already on file for this form version is shown, not asked again;
    a new form version (or an earlier refusal) asks again.
    """

    BINDINGS = [
        Binding("ctrl+s", "give", "Consent given"),
        Binding("ctrl+d", "decline", "Declines"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.on_file: ConsentRecord | None = None
        #: ctrl+s was refused for missing required items (the status then follows the ticks).
        self.refused = False

    def compose(self) -> ComposeResult:
        form = self.ctx.study.consent
        yield Header()
        with Vertical(id="consent"):
            with VerticalScroll(id="consent-body"):
                yield Static(f"[b]{escape(form.title)}[/]\n[$text-muted]Form version {escape(form.version)}[/]",
                             id="consent-title")
                yield Static(escape(reflow(form.text)), id="consent-text")
                yield Static("[b]Tick each item the participant agrees to[/] (Space ticks, Tab moves):",
                             id="consent-items-label")
                for number, item in enumerate(form.items, 1):
                    kind = "required" if item.required else "optional"
                    with Horizontal(classes=f"consent-item -{kind}"):
                        yield TickBox(f"{number}.", id=f"item-{item.id}", compact=True)
                        yield ItemLabel(f"{escape(' '.join(item.text.split()))} "
                                        f"[$text-muted]({kind})[/]", f"item-{item.id}")
                yield TickBox("Signed on a paper form (kept separately)", id="paper")
            yield Static(id="consent-status")
            with Horizontal(id="consent-buttons"):
                yield Button("Consent given (ctrl+s)", id="give", variant="success", compact=True)
                yield Button("Participant declines (ctrl+d)", id="decline", variant="error", compact=True)
                yield Button("Back (esc)", id="back", compact=True)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.title = f"{self.code} · consent"
        form = self.ctx.study.consent
        self.on_file = consent_on_file(self.ctx.db, self.code, form.version)
        status = self.query_one("#consent-status", Static)
        if self.on_file and self.on_file.decision == "given":
            for item in form.items:
                box = self.query_one(f"#item-{item.id}", Checkbox)
                box.value = item.id in self.on_file.items_given
                box.disabled = True
            self.query_one("#paper", Checkbox).display = False
            by = f" by {self.on_file.interviewer}" if self.on_file.interviewer else ""
            status.update(f"[b $success]Consent on file[/] for form {escape(form.version)}: given "
                          f"{self.on_file.recorded_at[:16].replace('T', ' ')} UTC{escape(by)}. "
                          "It is not asked again.")
            self.query_one("#give", Button).label = "Continue (ctrl+s)"
            self.query_one("#decline", Button).label = "Record withdrawal (ctrl+d)"
        elif self.on_file:
            status.update(f"[b $warning]Declined[/] on {self.on_file.recorded_at[:10]}. "
                          "Asking again records a new decision.")
        else:
            status.update("Read with ↓/PgDn · Tab to the items, Space ticks · required items must be ticked "
                          "before the interview can start.")
        # The text first: ↓/PgDn read on, Tab goes to the items (and scrolls them into view).
        self.query_one("#consent-body").focus() if not self.on_file else self.query_one("#give").focus()

    def ticked(self) -> list[str]:
        return [item.id for item in self.ctx.study.consent.items
                if self.query_one(f"#item-{item.id}", Checkbox).value]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        {"give": self.action_give, "decline": self.action_decline, "back": self.action_back}[event.button.id]()

    def action_give(self) -> None:
        if self.on_file and self.on_file.decision == "given":
            self.dismiss("given")
            return
        form = self.ctx.study.consent
        given, declined = split_items(form, self.ticked())
        missing = self._missing()
        if missing:
            self.refused = True
            self._show_missing(missing)
            box = self.query_one(f"#item-{missing[0][1].id}", Checkbox)
            box.focus(scroll_visible=False)
            # The message just grew and shrank the scrolled text: bring the item into view after that layout.
            self.call_after_refresh(lambda: box.parent.scroll_visible(animate=False))  # type: ignore[union-attr]
            return
        self._record("given", given, declined)

    def _missing(self) -> list[tuple[int, ConsentItem]]:
        """Required items not ticked, with their numbers on screen."""
        ticked = set(self.ticked())
        return [(n, i) for n, i in enumerate(self.ctx.study.consent.items, 1) if i.required and i.id not in ticked]

    def _show_missing(self, missing: list[tuple[int, ConsentItem]]) -> None:
        status = self.query_one("#consent-status", Static)
        if missing:
            numbers = ", ".join(str(n) for n, _ in missing)
            status.update(
                f"[b $error]Required item{'s' if len(missing) > 1 else ''} {numbers} not ticked:[/] the interview "
                "cannot start without them. Tick them if the participant agrees, or press ctrl+d if they decline."
            )
        else:
            status.update("[b $success]Every required item is ticked.[/] Press ctrl+s when the participant agrees.")

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        # After a refusal the message follows the ticks, so it never names an item already ticked.
        if self.refused:
            self._show_missing(self._missing())

    def action_decline(self) -> None:
        def confirmed(yes: bool | None) -> None:
            if yes:
                form = self.ctx.study.consent
                given, declined = split_items(form, [] if self.on_file else self.ticked())
                self._record("declined", given, declined)

        what = "withdraws consent" if self.on_file and self.on_file.decision == "given" else "declines"
        self.app.push_screen(
            ConfirmDialog(f"Record that {self.code} {what}? No interview will be held.", "Record", "Cancel"),
            confirmed,
        )

    def _record(self, decision: str, given: list[str], declined: list[str]) -> None:
        paper = self.query_one("#paper", Checkbox).value
        record_consent(
            self.ctx.db, self.code, self.ctx.study.consent, given=given, declined=declined, decision=decision,
            method="paper" if paper else "app", interviewer_id=self.ctx.interviewer_id,
            study_id=self.ctx.study_id, actor=self.ctx.interviewer_name or None,
        )
        self.notify(f"{self.code}: consent {decision} recorded.", severity="information" if decision == "given"
                    else "warning")
        self.dismiss(decision)

    def action_back(self) -> None:
        self.dismiss(None)
