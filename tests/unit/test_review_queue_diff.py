"""Attention queue, correction figures and heard-audio progress, from hand-made segments."""

from __future__ import annotations

import numpy as np
import pytest

from interview_tui.review.attention import AttentionSettings, Loudness, build_queue, next_item, quiet_frames
from interview_tui.review.diff import compare, diff_lines
from interview_tui.review.progress import furthest, heard_seconds, heard_share, merge_spans
from interview_tui.domain.transcript import Segment, Word


def S(start: float, end: float, text: str, speaker: str = "P01", probs: list[float] | None = None, flags=None) -> Segment:
    toks = text.split()
    step = (end - start) / max(1, len(toks))
    probs = probs or [0.9] * len(toks)
    words = [Word(t, start + i * step, start + (i + 1) * step, p) for i, (t, p) in enumerate(zip(toks, probs))]
    return Segment(start, end, text, words, speaker, None, flags=list(flags or []))


def test_queue_finds_each_kind_in_time_order() -> None:
    segs = [
        S(0, 2, "hello there", probs=[0.9, 0.1]),
        S(2, 4, "thank you thank you thank you"),
        S(4, 6, "it was fine"),
        S(6, 8, "it was fine"),
        S(8, 50, "a very long turn"),
        S(50, 52, "both talking", flags=["overlap"]),
        S(52, 54, "some [inaudible 00:53] words"),
        S(60, 62, "words in silence"),
    ]
    quiet = np.zeros(3200, dtype=bool)
    quiet[int(60 / 0.02):int(62 / 0.02)] = True
    items = build_queue(segs, AttentionSettings(), Loudness(quiet))
    assert [(i.kind, i.index) for i in items] == [
        ("unsure", 0), ("repeat", 1), ("repeat", 3), ("long", 4), ("overlap", 5), ("inaudible", 6), ("silence", 7),
    ]
    assert items[0].start_s == 1.0 and "there" in items[0].reason
    assert "'thank you' 3+ times" in items[1].reason
    assert next_item(items, items[1]) is items[2]
    assert next_item(items, items[-1]) is items[0]  # wraps
    assert next_item(items, None, 49.0) is items[4]
    assert next_item([], None) is None


def test_a_confirmed_segment_leaves_the_queue() -> None:
    from interview_tui.review.edits import confirm

    segs = [S(0, 2, "thank you thank you thank you", probs=[0.9, 0.2, 0.9, 0.9, 0.9, 0.9]), S(2, 40, "long one")]
    assert [i.kind for i in build_queue(segs)] == ["repeat", "unsure", "long"]
    assert [i.kind for i in build_queue(confirm(confirm(segs, 0), 1))] == []


def test_quiet_frames_relative_to_the_recording() -> None:
    db = np.array([-80.0] * 50 + [-20.0] * 50)
    quiet = quiet_frames(db)
    assert quiet[:50].all() and not quiet[50:].any()


def test_correction_rate_counts_word_and_speaker_changes() -> None:
    machine = [S(0, 2, "I worked as a nurce"), S(2, 4, "for years", speaker="Interviewer")]
    reviewed = [S(0, 2, "I worked (.) as a nurse,"), S(2, 4, "for many years", speaker="P01")]
    c = compare(machine, reviewed)
    assert (c.reviewed_words, c.machine_words) == (8, 7)
    assert (c.substitutions, c.deletions, c.insertions) == (1, 1, 0)
    assert c.rate == pytest.approx(2 / 8)
    assert c.speaker_changed_words == 0  # "Interviewer" -> "P01" everywhere it occurs is a rename, not a correction
    relabelled = [S(0, 1, "I worked as", speaker="Interviewer"), S(1, 2, "a nurse,"), S(2, 4, "for many years")]
    # the machine's P01 words split 3 (Interviewer) : 2 (P01); the 2 against the majority count
    assert compare(machine, relabelled).speaker_changed_words == 2
    assert "correction rate 25.0%" in c.summary()
    assert compare(machine, machine).rate == 0
    assert diff_lines(machine, reviewed) == [
        "[00:00] P01: I worked as a [-nurce-]{+nurse,+}", "[00:02] P01: for {+many+} years",
    ]
    assert diff_lines(machine, machine) == []


@pytest.mark.parametrize(
    "spans, merged, seconds",
    [
        ([], [], 0.0),
        ([(0, 5), (3, 8)], [(0, 8)], 8.0),
        ([(10, 12), (0, 2), (2, 3)], [(0, 3), (10, 12)], 5.0),
        ([(5, 5), (7, 6)], [], 0.0),
    ],
)
def test_heard_spans_union(spans, merged, seconds) -> None:
    assert merge_spans(spans) == merged
    assert heard_seconds(spans) == seconds


def test_heard_share_and_furthest() -> None:
    assert heard_share([(0, 30), (20, 60)], 120) == 0.5
    assert heard_share([(0, 300)], 120) == 1.0
    assert heard_share([(0, 10)], None) == 0.0
    assert furthest([(0, 10), (40, 45), (20, 30)]) == 45
