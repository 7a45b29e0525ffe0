"""Review screen: find speakers by voice (v) and swap the two speakers everywhere (w).

A mixin of `ReviewScreen` (what it needs of the screen: `ReviewHost`).  Finding speakers decodes
each recording's audio and runs the voice encoder, so it runs in a thread worker that only
computes; each recording's result comes back by message and is applied on the UI thread through
`InterviewReview.apply_speakers`, as one saved edit of that recording.
"""

from __future__ import annotations

from pathlib import Path

from textual import work

from interview_tui.diarization.attribute import SpeakerPlan
from interview_tui.domain.speakers import MONO_LABEL
from interview_tui.domain.transcript import Segment
from interview_tui.tui.messages import SpeakersFound
from interview_tui.tui.screens.dialogs import ConfirmDialog
from interview_tui.tui.screens.review_actions import ReviewHost

#: One recording to listen to: its index in the interview, audio file, segments and plan.
SpeakerJob = tuple[int, Path, list[Segment], SpeakerPlan]


class ReviewSpeakers:
    """Speaker actions of the review screen."""

    def announce_speakers(self: ReviewHost) -> None:
        """Say once how the machine transcript's speakers were named (when found by voice)."""
        if self.review is None:
            return
        for prov in self.review.speaker_attributions():
            if prov.get("summary"):
                self.notify(f"{prov['summary']}. Wrong way round? w swaps them.", title="Speakers",
                            severity="information" if prov.get("confident") else "warning", timeout=8)

    def action_find_speakers(self: ReviewHost) -> None:
        from interview_tui.diarization.plan import plan_for_recording

        review = self.review
        if review is None:
            return
        jobs: list[SpeakerJob] = []
        for k, (part, session) in enumerate(review.parts):
            if not session.audio_relpath:
                self.notify("The recording's audio is not available.", severity="warning")
                return
            plan = plan_for_recording(self.ctx.db, part.recording_id)
            if plan is not None:
                jobs.append((k, self.ctx.project.root / session.audio_relpath, list(session.segments), plan))

        def start(go: bool | None) -> None:
            if go and jobs:
                self.notify("Listening for who speaks when…", timeout=3)
                self._find_speakers(jobs)  # type: ignore[attr-defined]  # ReviewSpeakers' own worker

        named = [s for s in review.speakers() if s != MONO_LABEL]
        if named:
            self.app.push_screen(
                ConfirmDialog(f"Find the speakers by voice again? This replaces {', '.join(named)} "
                              "in every segment (as one edit)."), start)
        else:
            start(True)

    @work(thread=True, exit_on_error=False, group="speakers", exclusive=True)
    def _find_speakers(self: ReviewHost, jobs: list[SpeakerJob]) -> None:
        from interview_tui.transcription.diarize import SpeakersError, find_speakers

        for k, path, segments, plan in jobs:
            try:
                self.post_message(SpeakersFound(k, find_speakers(path, segments, plan)))
            except SpeakersError as exc:
                self.post_message(SpeakersFound(k, None, str(exc)))

    def on_speakers_found(self: ReviewHost, message: SpeakersFound) -> None:
        review = self.review
        if message.found is None or review is None:
            self.notify(message.error or "No speakers found.", title="Speakers", severity="error", timeout=10)
            return
        ws = message.found
        if self._edit(review.apply_speakers, message.part, ws.names, ws.unsure, ws.provenance):
            self.notify(f"{ws.provenance.get('summary')}. {ws.provenance.get('unsure_words', 0)} words to check (n).",
                        title="Speakers", timeout=8)

    def action_swap_speakers(self: ReviewHost) -> None:
        review = self.review
        if review is None:
            return
        names = review.speakers()
        if len(names) != 2:
            self.notify(f"Swap needs exactly two speakers; this transcript has {len(names)}. "
                        "Use Rename (R) instead.", severity="warning")
            return

        def swap(go: bool | None) -> None:
            if go and self._edit(review.swap_speakers):
                self.notify(f"Swapped {names[0]} and {names[1]} in the whole transcript.", timeout=3)

        self.app.push_screen(ConfirmDialog(f"Swap {names[0]} and {names[1]} in every segment?"), swap)
