"""Level meter maths and the plan for cutting clips per question."""

from __future__ import annotations

import numpy as np
import pytest

from interview_tui.audio.clips import ClipSpec, plan_clips
from interview_tui.audio.levels import FLOOR_DBFS, measure, to_dbfs
from interview_tui.domain.session import Event
from interview_tui.domain.study import FINAL_PROMPT_ID


@pytest.mark.parametrize(
    "value, expected",
    [(1.0, 0.0), (0.5, -6.0206), (0.1, -20.0), (0.0, FLOOR_DBFS), (1e-9, FLOOR_DBFS)],
)
def test_to_dbfs(value, expected):
    assert to_dbfs(value) == pytest.approx(expected, abs=1e-3)


def test_measure_sine_and_silence_per_channel():
    t = np.arange(4800) / 48000
    sine = (np.sin(2 * np.pi * 1000 * t) * 16384).astype(np.int16)
    block = np.stack([sine, np.zeros_like(sine)], axis=1)
    level = measure(block, at_s=2.5)
    assert level.peak_dbfs[0] == pytest.approx(-6.02, abs=0.05)
    assert level.rms_dbfs[0] == pytest.approx(-9.03, abs=0.05)  # a sine's RMS is 3 dB under its peak
    assert level.peak_dbfs[1] == FLOOR_DBFS and level.at_s == 2.5
    assert not level.clipping and not level.silent
    assert measure(np.zeros((480, 1), np.int16)).silent
    assert measure(np.full((480, 1), -32768, np.int16)).clipping


def ev(kind, qid=None, rec=1, off=None, seq=0):
    return Event(kind=kind, at="", session_offset_s=0.0, question_id=qid, recording_id=rec,
                 recording_offset_s=off, seq=seq)


@pytest.mark.parametrize(
    "events, expected",
    [
        # plain walk through three questions: each clip ends where the next question is reached
        ([ev("question_reached", "a", off=0.5), ev("note", "a", off=3.0), ev("question_reached", "b", off=10.0),
          ev("closing_reached", "z", off=20.0)],
         [ClipSpec(1, "a", 1, 0.5, 10.0), ClipSpec(2, "b", 1, 10.0, 20.0), ClipSpec(3, "z", 1, 20.0, None)]),
        # going back to a question: the return visit is a clip of its own
        ([ev("question_reached", "a", off=0.0), ev("question_reached", "b", off=5.0),
          ev("question_reached", "a", off=8.0), ev("question_reached", "c", off=9.0)],
         [ClipSpec(1, "a", 1, 0.0, 5.0), ClipSpec(2, "b", 1, 5.0, 8.0), ClipSpec(3, "a", 1, 8.0, 9.0),
          ClipSpec(4, "c", 1, 9.0, None)]),
        # recording started after the first question was reached: that question's clip starts at 0
        ([ev("question_reached", "a", rec=None), ev("recording_started", rec=4, off=0.0),
          ev("question_reached", "b", rec=4, off=6.0)],
         [ClipSpec(1, "a", 4, 0.0, 6.0), ClipSpec(2, "b", 4, 6.0, None)]),
        # a second recording (after a crash and resume): the clip of the last question on the first
        # runs to its end, and that question's stretch on the second recording is a clip too
        ([ev("question_reached", "a", rec=1, off=1.0), ev("recording_started", rec=2, off=0.0),
          ev("question_reached", "b", rec=2, off=3.0)],
         [ClipSpec(1, "a", 1, 1.0, None), ClipSpec(2, "a", 2, 0.0, 3.0), ClipSpec(3, "b", 2, 3.0, None)]),
        # the answer to the final prompt is its own clip, apart from the closing question's
        ([ev("closing_reached", "z", off=1.0), ev("final_prompt", None, off=4.0), ev("session_closed", off=9.0)],
         [ClipSpec(1, "z", 1, 1.0, 4.0), ClipSpec(2, FINAL_PROMPT_ID, 1, 4.0, None)]),
        # a question changed while the recording was stopped: the stretch before ends with that recording
        ([ev("question_reached", "a", rec=1, off=0.0), ev("question_reached", "b", rec=None),
          ev("recording_started", rec=2, off=0.0), ev("question_reached", "c", rec=2, off=2.0)],
         [ClipSpec(1, "a", 1, 0.0, None), ClipSpec(2, "b", 2, 0.0, 2.0), ClipSpec(3, "c", 2, 2.0, None)]),
        # nothing recorded
        ([ev("question_reached", "a", rec=None)], []),
    ],
)
def test_plan_clips(events, expected):
    assert plan_clips(events) == expected


def test_level_throttle_keeps_every_peak():
    from interview_tui.audio.levels import Level, LevelThrottle

    now = [0.0]
    throttle = LevelThrottle(0.1, clock=lambda: now[0])
    quiet, clip = Level((-40.0,), (-50.0,), 1.0), Level((0.0,), (-45.0,), 1.05)
    assert throttle.push(quiet) == quiet  # the first one is shown at once
    now[0] = 0.05
    assert throttle.push(clip) is None  # too soon: held back ...
    now[0] = 0.11
    merged = throttle.push(quiet)
    assert merged == Level((0.0,), (-45.0,), 1.0)  # ... but its peak is in the next one shown
    now[0] = 0.25
    assert throttle.push(quiet) == quiet
