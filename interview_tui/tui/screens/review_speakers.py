"""Review screen: find speakers by voice (v) and swap the two speakers everywhere (w).

A mixin of `ReviewScreen`.  Finding speakers decodes the audio and runs the voice encoder, so
it runs in a thread worker that only computes; the result comes back by message and is applied
on the UI thread through `ReviewSession.apply_speakers`, as one saved edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import work
from textual.message import Message

from interview_tui.diarization.attribute import SpeakerPlan, WordSpeakers
from interview_tui.domain.speakers import MONO_LABEL
from interview_tui.tui.screens.dialogs import ConfirmDialog


@dataclass
class SpeakersFound(Message):
    found: WordSpeakers | None
    error: str | None = None


class ReviewSpeakers:
    """Speaker actions of the review screen (uses its review, ctx, `_edit`)."""

    def announce_speakers(self) -> None:
        """Say once how the machine transcript's speakers were named (when found by voice)."""
        review = self.review  # type: ignore[attr-defined]
        prov = review.speaker_attribution if review is not None else None
        if prov and prov.get("summary"):
            self.notify(f"{prov['summary']}. Wrong way round? w swaps them.", title="Speakers",  # type: ignore[attr-defined]
                        severity="information" if prov.get("confident") else "warning", timeout=8)

    def action_find_speakers(self) -> None:
        from interview_tui.diarization.plan import plan_for_recording

        review = self.review  # type: ignore[attr-defined]
        if review is None or not review.audio_relpath:
            self.notify("The recording's audio is not available.", severity="warning")  # type: ignore[attr-defined]
            return
        plan = plan_for_recording(self.ctx.db, self.recording_id)  # type: ignore[attr-defined]
        path = self.ctx.project.root / review.audio_relpath  # type: ignore[attr-defined]
        segments = list(review.segments)

        def start(go: bool | None) -> None:
            if go and plan is not None:
                self.notify("Listening for who speaks when…", timeout=3)  # type: ignore[attr-defined]
                self._find_speakers(path, segments, plan)

        named = [s for s in review.speakers() if s != MONO_LABEL]
        if named:
            self.app.push_screen(  # type: ignore[attr-defined]
                ConfirmDialog(f"Find the speakers by voice again? This replaces {', '.join(named)} "
                              "in every segment (as one edit)."), start)
        else:
            start(True)

    @work(thread=True, exit_on_error=False, group="speakers", exclusive=True)
    def _find_speakers(self, path: Path, segments: list, plan: SpeakerPlan) -> None:
        from interview_tui.transcription.diarize import SpeakersError, find_speakers

        try:
            self.post_message(SpeakersFound(find_speakers(path, segments, plan)))  # type: ignore[attr-defined]
        except SpeakersError as exc:
            self.post_message(SpeakersFound(None, str(exc)))  # type: ignore[attr-defined]

    def on_speakers_found(self, message: SpeakersFound) -> None:
        review = self.review  # type: ignore[attr-defined]
        if message.found is None or review is None:
            self.notify(message.error or "No speakers found.", title="Speakers", severity="error", timeout=10)  # type: ignore[attr-defined]
            return
        ws = message.found
        if self._edit(review.apply_speakers, ws.names, ws.unsure, ws.provenance):  # type: ignore[attr-defined]
            self.notify(f"{ws.provenance.get('summary')}. {ws.provenance.get('unsure_words', 0)} words to check (n).",
                        title="Speakers", timeout=8)  # type: ignore[attr-defined]

    def action_swap_speakers(self) -> None:
        review = self.review  # type: ignore[attr-defined]
        if review is None:
            return
        names = review.speakers()
        if len(names) != 2:
            self.notify(f"Swap needs exactly two speakers; this transcript has {len(names)}. "  # type: ignore[attr-defined]
                        "Use Rename (R) instead.", severity="warning")
            return

        def swap(go: bool | None) -> None:
            if go and self._edit(review.swap_speakers):  # type: ignore[attr-defined]
                self.notify(f"Swapped {names[0]} and {names[1]} in the whole transcript.", timeout=3)  # type: ignore[attr-defined]

        self.app.push_screen(ConfirmDialog(f"Swap {names[0]} and {names[1]} in every segment?"), swap)  # type: ignore[attr-defined]
