"""The in-place editor of one segment's text: save, split at the cursor, insert a marker, listen, cancel.

The text area's own keys (ctrl+x cut, ctrl+z undo...) stay; ours avoid them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea


class SegmentEditor(TextArea):
    """A TextArea whose keys (priority, so they win over the text area's own) report to the screen."""

    BINDINGS = [
        Binding("ctrl+s", "done('save')", "Save", priority=True),
        Binding("ctrl+n", "done('split')", "New segment here", priority=True),
        Binding("ctrl+o", "done('marker')", "Marker here", priority=True),
        Binding("ctrl+p", "done('play')", "Play/pause", priority=True),
        Binding("ctrl+r", "done('replay')", "Replay", priority=True),
        Binding("escape", "done('cancel')", "Cancel", priority=True),
    ]

    @dataclass
    class Done(Message):
        """What the reviewer asked for; `offset` is the cursor's place in `text`."""

        action: str
        text: str
        offset: int

    def action_done(self, action: str) -> None:
        offset = self.document.get_index_from_location(self.cursor_location)
        self.post_message(self.Done(action, self.text, offset))

    def tidy_offset(self, offset: int) -> int:
        """The cursor's place once the text is tidied (single spaces, no leading space), as segments store it."""
        raw = self.text[:offset]
        tidy = " ".join(raw.split())
        return len(tidy) + (1 if tidy and raw[-1:].isspace() else 0)
