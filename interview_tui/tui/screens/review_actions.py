"""Review screen actions that go through dialogs: markers, merge, OK, speakers, find/replace, sign-off.

A mixin of `ReviewScreen`; `ReviewHost` is what it needs from the screen.  Every edit runs
through the host's `_edit`, which saves it through the `InterviewReview` before the screen redraws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from interview_tui.domain.timecode import mm_ss
from interview_tui.review.edits import MARKERS, marker_text
from interview_tui.review.text import word_tokens
from interview_tui.storage.reviews import ReviewStateError
from interview_tui.tui.screens.dialogs import FindReplaceDialog, LineDialog, PickDialog, ReplaceRequest, TextDialog
from interview_tui.tui.widgets.review_segments import SegmentList

if TYPE_CHECKING:
    from textual.app import App

    from interview_tui.audio.playback import Player
    from interview_tui.review.attention import AttentionItem
    from interview_tui.review.interview import InterviewReview
    from interview_tui.tui.context import AppContext

NEW_SPEAKER = "__new__"


def marker_for(kind: str, at: float | None, fallback: float) -> str:
    """Marker text for `kind` at `at` seconds (the segment's start when there is no audio position)."""
    return marker_text(kind, at if at is not None else fallback)


class ReviewHost(Protocol):
    """What the review screen's mixins use of the screen."""

    review: InterviewReview | None
    player: Player | None
    attention: list[AttentionItem]

    @property
    def app(self) -> App[Any]: ...

    @property
    def ctx(self) -> AppContext: ...

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...

    def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...

    def post_message(self, message: Any) -> bool: ...

    def current(self) -> int | None:
        """The highlighted segment."""

    def text_index(self) -> int | None:
        """The highlighted segment when it is transcript text (a recording boundary is not; it says so)."""

    def redraw(self) -> None: ...

    def _edit(self, action: Callable[..., Any], *args: Any, redraw: bool = True) -> bool:
        """Run an edit of the review, saved before it returns; problems are shown, not raised."""

    def _pick_marker(self, then: Callable[[str], Any]) -> None: ...


class ReviewActions:
    """Dialog-driven edits of the review screen."""

    def _pick_marker(self: ReviewHost, then: Callable[[str], Any]) -> None:
        options = [(key, label) for key, (label, _text) in MARKERS.items()]

        def chosen(kind: str | None) -> None:
            if kind:
                then(kind)

        self.app.push_screen(PickDialog("Insert a marker", options), chosen)

    def action_marker(self: ReviewHost) -> None:
        """A marker where the audio is now (inside the highlighted segment), else at its end."""
        index = self.text_index()
        review = self.review
        if index is None or review is None:
            return
        seg = review.segments[index]
        at = self.player.position if self.player is not None else seg.end
        pos = len(seg.text)
        if seg.start <= at <= seg.end:
            for tok, word in zip(word_tokens(seg.text), seg.words):
                if word.start >= at:
                    pos = tok.start
                    break
        else:
            at = seg.end
        self._pick_marker(lambda kind: self._edit(review.insert_marker, index, pos, kind, at))

    def action_merge(self: ReviewHost) -> None:
        index = self.text_index()
        if index is not None and self.review is not None:
            if self._edit(self.review.merge_next, index):
                self.notify("Merged with the next segment.", timeout=2)

    def action_confirm(self: ReviewHost) -> None:
        index = self.text_index()
        if index is not None and self.review is not None and self._edit(self.review.confirm, index):
            self.query_one(SegmentList).go_to(min(index + 1, len(self.review.segments) - 1))

    def action_speaker(self: ReviewHost) -> None:
        index = self.text_index()
        review = self.review
        if index is None or review is None:
            return
        current = review.segments[index].speaker
        # The transcript's speakers first, then the usual two labels of an interview.
        names = review.speakers() + ["Interviewer", review.participant_code or "Participant"]
        options = [(s, s) for s in dict.fromkeys(names) if s != current] + [(NEW_SPEAKER, "Another name…")]

        def chosen(choice: str | None) -> None:
            if choice == NEW_SPEAKER:
                self.app.push_screen(LineDialog("Speaker of this segment", current or ""),
                                     lambda name: name and self._edit(review.set_speaker, index, name))
            elif choice:
                self._edit(review.set_speaker, index, choice)

        self.app.push_screen(PickDialog(f"Who speaks at {mm_ss(review.segments[index].start)}?", options), chosen)

    def action_rename(self: ReviewHost) -> None:
        review = self.review
        if review is None:
            return
        index = self.current()
        current = review.segments[index].speaker if index is not None else None
        names = review.speakers()
        options = [(s, s) for s in ([current] if current in names else []) + [s for s in names if s != current]]

        def renamed(old: str, new: str | None) -> None:
            if new and self._edit(review.rename_speaker, old, new):
                self.notify(f"{old} is now {new} in the whole transcript.", timeout=3)

        def chosen(old: str | None) -> None:
            if old:
                self.app.push_screen(LineDialog(f"Rename {old!r} everywhere to", old),
                                     lambda new: renamed(old, new))

        self.app.push_screen(PickDialog("Rename which speaker (every segment)?", options), chosen)

    def action_find_replace(self: ReviewHost) -> None:
        review = self.review
        if review is None:
            return

        def done(request: ReplaceRequest | None) -> None:
            if request:
                count = sum(r.count for r in request.plan)
                if self._edit(review.replace, request.plan, request.find, request.replace):
                    self.notify(f"Replaced {count} match(es) in {len(request.plan)} segment(s).", timeout=3)

        self.app.push_screen(FindReplaceDialog(review.searchable()), done)

    def action_figures(self: ReviewHost) -> None:
        """What review changed so far: the correction figures and every changed turn."""
        if self.review is None:
            return
        from rich.text import Text

        body = Text(self.review.correction().summary() + "\n\n")
        for line in self.review.diff_lines() or ["No words changed yet."]:
            body.append(line + "\n")
        body.highlight_regex(r"\[-.*?-\]", "strike red")
        body.highlight_regex(r"\{\+.*?\+\}", "bold green")
        self.app.push_screen(TextDialog("Compared with the machine version", body))

    def action_sign_off(self: ReviewHost) -> None:
        review = self.review
        if review is None:
            return
        left = len(self.attention)
        hint = (f"{left} item(s) still marked to check. " if left else "") + \
            f"Heard {review.progress():.0%} of the audio. Enter signs off · Escape cancels"
        several = len(review.recording_ids) > 1
        what = f"the whole interview ({len(review.recording_ids)} recordings)" if several \
            else "this transcript"

        def signed(name: str | None) -> None:
            if not name:
                return
            try:
                review.sign_off(name)
            except ReviewStateError as exc:
                self.notify(str(exc), severity="error")
                return
            self.redraw()
            self.notify(f"Signed off by {name}. Exports now use this version. {review.correction().summary()}",
                        title="Reviewed", timeout=10)

        self.app.push_screen(LineDialog(f"Sign off {what} as reviewed by", self.ctx.interviewer_name or "",
                                        hint), signed)
