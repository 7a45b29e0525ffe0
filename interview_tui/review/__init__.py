"""Transcript review: edits that keep word timestamps, the attention queue, diffs, progress.

Pure Python over `interview_tui.domain.transcript`; no Textual, no sounddevice.  The
review screen (`interview_tui.tui.screens.review`) and the `review` CLI are thin layers over it.
"""
