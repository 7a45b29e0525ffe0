"""The demographic form, generated from the study: one widget per field type, inline checks."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, SelectionList, Static

from interview_tui.domain.demographics import (
    MISSING,
    NONE_LITERAL,
    PREFER_NOT,
    DemographicValueError,
    is_complete,
    parse_value,
    to_raw,
)
from interview_tui.domain.participant_codes import ParticipantError
from interview_tui.domain.study import DemographicField
from interview_tui.storage.demographics import DemographicsError, get_demographics, save_demographics
from interview_tui.tui.context import ContextScreen
from interview_tui.tui.screens.dialogs import ConfirmDialog
from interview_tui.tui.widgets.tickbox import TickBox, TickList

#: the extra option of a multiple-choice list meaning "none of these" (an empty answer, not a missing one).
NONE_ID = "__none__"


def _num(x: float) -> str:
    return f"{x:g}"


def hint(field: DemographicField) -> str:
    """The placeholder: what the field accepts."""
    if field.type in ("integer", "decimal"):
        low = _num(field.min) if field.min is not None else ""
        high = _num(field.max) if field.max is not None else ""
        rng = f"{low}–{high}" if low or high else ("whole number" if field.type == "integer" else "number")
        return f"{rng} {field.unit or ''}".strip()
    return "YYYY-MM-DD" if field.type == "date" else ""


class DemographicsScreen(ContextScreen[bool]):
    """Fill in or edit one participant's demographics; returns True when saved."""

    BINDINGS = [Binding("ctrl+s", "save", "Save"), Binding("escape", "back", "Back")]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code
        self.dirty = False
        #: the labels of the fields a save refused; the status line follows them until they are fixed.
        self.refused: list[str] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="demographics"):
            for field in self.ctx.study.demographics.fields:
                with Vertical(classes="field-row", id=f"row-{field.id}"):
                    mark = "" if field.required else " [$text-muted](optional)[/]"
                    yield Label(f"[b]{escape(field.label)}[/]{mark}", classes="field-label")
                    if field.help:
                        yield Static(escape(field.help), classes="field-help")
                    with Horizontal(classes="field-input"):
                        yield self._widget(field)
                        if field.prefer_not_to_say:
                            yield TickBox("Prefer not to say", id=f"pn-{field.id}", classes="prefer-not", compact=True)
                    yield Static("", id=f"err-{field.id}", classes="field-error")
        with Horizontal(id="demographics-buttons"):
            yield Static(id="demographics-status")
            yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
            yield Button("Back (esc)", id="back", compact=True)
        yield Footer(show_command_palette=False)

    def _widget(self, field: DemographicField) -> Widget:
        wid = f"f-{field.id}"
        if field.type == "single_choice":
            return Select([(c.label, c.id) for c in field.choices], prompt="Choose…", id=wid)
        if field.type == "multiple_choice":
            options = [(c.label, c.id) for c in field.choices] + [("None of these", NONE_ID)]
            return TickList[str](*options, id=wid)
        # Bordered (not compact): where the cursor is must be plain, also without colour.
        return Input(placeholder=hint(field), id=wid, classes=f"-{field.type}")

    def on_mount(self) -> None:
        self.title = f"{self.code} · demographics"
        saved = get_demographics(self.ctx.db, self.code)
        for field in self.ctx.study.demographics.fields:
            value = saved.get(field.id, MISSING)
            if value is PREFER_NOT:
                self.query_one(f"#pn-{field.id}", Checkbox).value = True
                self.query_one(f"#f-{field.id}").disabled = True
            elif value is not MISSING:
                self._set(field, value)
        self._status()
        self.dirty = False
        self.query_one(f"#f-{self.ctx.study.demographics.fields[0].id}").focus()

    def _set(self, field: DemographicField, value: Any) -> None:
        widget = self.query_one(f"#f-{field.id}")
        if isinstance(widget, Select):
            widget.value = value
        elif isinstance(widget, SelectionList):
            for choice_id in value or [NONE_ID]:
                widget.select(choice_id)
        elif isinstance(widget, Input):
            widget.value = to_raw(value)

    def raw(self, field: DemographicField) -> str:
        """The field's current entry as raw text for `parse_value`."""
        widget = self.query_one(f"#f-{field.id}")
        if isinstance(widget, Select):
            return widget.value if isinstance(widget.value, str) else ""
        if isinstance(widget, SelectionList):
            chosen = list(widget.selected)
            if NONE_ID in chosen:
                return NONE_LITERAL if len(chosen) == 1 else "|".join(chosen)  # both: refused below
            return ";".join(chosen)
        assert isinstance(widget, Input)
        return widget.value

    def check(self, field: DemographicField) -> tuple[Any, str | None]:
        """Parse one field; shows and returns the error message (field name and reason) if any."""
        error: str | None = None
        value: Any = MISSING
        if self._prefer_not(field):
            value = PREFER_NOT
        else:
            raw = self.raw(field)
            if NONE_ID in raw:
                error = f"{field.label}: 'None of these' cannot be ticked together with other choices"
            else:
                try:
                    value = parse_value(field, raw)
                except DemographicValueError as err:
                    error = f"{field.label}: {err.reason}"
        message = self.query_one(f"#err-{field.id}", Static)
        message.update(escape(error or ""))
        message.display = error is not None
        self.query_one(f"#row-{field.id}").set_class(error is not None, "-invalid")
        if self.refused is not None:
            self._follow_refusal(field, error)
        return value, error

    def _follow_refusal(self, field: DemographicField, error: str | None) -> None:
        """After a refused save, keep `Not saved. Fix: …` true as fields are fixed (or broken)."""
        assert self.refused is not None
        if error is None and field.label in self.refused:
            self.refused.remove(field.label)
        elif error is not None and field.label not in self.refused:
            self.refused.append(field.label)
        status = self.query_one("#demographics-status", Static)
        if self.refused:
            status.update(f"[b $error]Not saved.[/] Fix: {escape(', '.join(self.refused))}")
        else:
            status.update("[b $success]✓ Every field is valid now.[/] Press ctrl+s to save.")

    def _prefer_not(self, field: DemographicField) -> bool:
        return field.prefer_not_to_say and self.query_one(f"#pn-{field.id}", Checkbox).value

    def _field(self, widget_id: str | None) -> DemographicField | None:
        """The form field a widget (`f-<field id>`) belongs to."""
        if widget_id and widget_id.startswith("f-"):
            return self.ctx.study.demographics.field(widget_id[2:])
        return None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # The row with the cursor gets its label reversed (visible without colour too).
        for row in self.query(".field-row"):
            row.set_class(event.widget in row.query("*"), "-focused")

    # -- inline validation ------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self.dirty = True
        field = self._field(event.input.id)
        if field is not None and (event.input.value.strip() or self.refused is not None):
            self.check(field)
        elif field is not None:
            self.query_one(f"#err-{field.id}", Static).display = False
            self.query_one(f"#row-{field.id}").remove_class("-invalid")

    def on_select_changed(self, event: Select.Changed) -> None:
        self.dirty = True
        field = self._field(event.select.id)
        if field is not None and self.refused is not None:
            self.check(field)

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self.dirty = True
        field = self._field(event.selection_list.id)
        if field is not None:
            self.check(field)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.dirty = True
        if event.checkbox.id and event.checkbox.id.startswith("pn-"):
            fid = event.checkbox.id[3:]
            self.query_one(f"#f-{fid}").disabled = event.value
            self.check(self.ctx.study.demographics.field(fid))

    # -- saving ---------------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_back()

    def action_save(self) -> None:
        values: dict[str, Any] = {}
        prefer_not: set[str] = set()
        bad: list[DemographicField] = []
        saved = get_demographics(self.ctx.db, self.code)
        for field in self.ctx.study.demographics.fields:
            value, error = self.check(field)
            if error:
                bad.append(field)
            elif value is PREFER_NOT:
                prefer_not.add(field.id)
            elif value is MISSING:
                if field.id in saved:
                    values[field.id] = None  # cleared on purpose
            else:
                values[field.id] = value
        status = self.query_one("#demographics-status", Static)
        if bad:
            self.refused = [f.label for f in bad]
            names = ", ".join(self.refused)
            # Say where the cursor went: jumping there silently had people typing into the wrong field.
            status.update(f"[b $error]Not saved.[/] Fix: {escape(names)}. "
                          f"The cursor is now in [b]{escape(bad[0].label)}[/].")
            self.query_one(f"#f-{bad[0].id}").focus()
            return
        try:
            save_demographics(self.ctx.db, self.code, values, prefer_not, self.ctx.interviewer_name or None,
                              form=self.ctx.study.demographics)
        except DemographicsError as error:
            status.update("[b $error]Not saved:[/] " + escape("; ".join(error.errors)))
            return
        except ParticipantError as error:  # declined or withdrew meanwhile: storage.permission
            status.update("[b $error]Not saved:[/] " + escape(str(error)))
            return
        self.dirty = False
        self.notify(f"{self.code}: demographics saved.")
        self.dismiss(True)

    def _status(self) -> None:
        answers = get_demographics(self.ctx.db, self.code)
        complete = is_complete(self.ctx.study.demographics, answers)
        self.query_one("#demographics-status", Static).update(
            "[$success]Complete[/] · edit and save again any time" if complete
            else "Can be filled before or after the interview; saved answers can be edited later."
        )

    def action_back(self) -> None:
        if not self.dirty:
            self.dismiss(False)
            return

        def leave(yes: bool | None) -> None:
            if yes:
                self.dismiss(False)

        self.app.push_screen(ConfirmDialog("Leave without saving the changes?", "Leave", "Stay"), leave)
