"""Playback across an interview's recordings, without a UI: which recording plays at a moment,
what a heard span covers in each, the samples of the chained files, and which segment the
review list highlights while the audio plays."""

from __future__ import annotations

import numpy as np
import pytest

from interview_tui.audio.playback import AudioSource, ChainedSource
from interview_tui.domain.pieces import Piece, heard_end, piece_at, spans_in, timeline_end, to_local, to_timeline
from interview_tui.domain.transcript import Segment
from interview_tui.review.follow import Follower, segment_at
from tests.fixtures.audio import write_wav

# Recording 1: 10 s from 0; a 5 s gap; recording 2: 4 s from 15; recording 3 starts at 18.5,
# half a second before recording 2 ends (taking out downtime can pull a resume that early).
PIECES = [Piece(0.0, 10.0), Piece(15.0, 4.0), Piece(18.5, 3.0)]


@pytest.mark.parametrize(("t", "piece"), [(0.0, 0), (9.99, 0), (10.0, None), (12.0, None), (15.0, 1),
                                          (18.4, 1), (18.5, 2), (21.4, 2), (21.5, None), (-1.0, None)])
def test_the_recording_heard_at_a_moment(t: float, piece: int | None) -> None:
    assert piece_at(PIECES, t) == piece


def test_a_later_recording_wins_where_two_overlap_and_the_timeline_ends_with_the_last() -> None:
    assert [heard_end(PIECES, k) for k in range(3)] == [10.0, 18.5, 21.5]
    assert timeline_end(PIECES) == 21.5 and timeline_end([]) == 0.0


@pytest.mark.parametrize(("t", "local"), [(3.0, (0, 3.0)), (12.0, (1, 0.0)), (16.0, (1, 1.0)),
                                          (19.0, (2, 0.5)), (30.0, (2, 3.0))])
def test_timeline_time_as_a_place_in_a_recording_and_back(t: float, local: tuple[int, float]) -> None:
    assert to_local(PIECES, t) == pytest.approx(local)
    if piece_at(PIECES, t) is not None:
        assert to_timeline(PIECES, *to_local(PIECES, t)) == pytest.approx(t)


def test_a_heard_span_is_split_over_the_recordings_it_covers_on_their_own_clocks() -> None:
    assert spans_in(PIECES, 8.0, 20.0) == [(0, 8.0, 10.0), (1, 0.0, 3.5), (2, 0.0, 1.5)]
    assert spans_in(PIECES, 11.0, 14.0) == []  # the gap between recordings
    assert spans_in([Piece(0.0, 10.0)], 2.0, 3.0) == [(0, 2.0, 3.0)]


def _ramp(path, seconds: float, rate: int, level: float):
    samples = (np.full(int(seconds * rate), level, dtype=np.float32) * 32767).astype(np.int16)
    return write_wav(path, samples, rate)


def test_a_chained_source_reads_each_file_where_it_lies_with_silence_between(tmp_path) -> None:
    a = _ramp(tmp_path / "a.wav", 2.0, 16000, 0.25)
    b = _ramp(tmp_path / "b.wav", 1.0, 8000, -0.5)  # another rate: resampled to the first file's
    chain = ChainedSource.open([a, b], [0.0, 3.0])
    try:
        assert chain.samplerate == 16000 and chain.duration_s == pytest.approx(4.0)
        out = chain.read(1.5, 3.5)
        assert len(out) == 2 * 16000
        assert out[: 8000] == pytest.approx(0.25, abs=1e-3)             # 1.5..2.0: the first file
        assert np.all(out[8000 + 10: 24000 - 10] == 0.0)              # 2.0..3.0: the gap, silence
        assert out[24000 + 10:] == pytest.approx(-0.5, abs=1e-3)       # 3.0..3.5: the second file
        assert len(chain.read(3.8, 9.0)) == int(0.2 * 16000)          # stops at the timeline's end
    finally:
        chain.close()


def test_a_chain_that_cannot_open_a_file_closes_those_it_opened(tmp_path, monkeypatch) -> None:
    from interview_tui.audio.playback import PlaybackError

    a = _ramp(tmp_path / "a.wav", 1.0, 16000, 0.1)
    closed: list[str] = []
    real_close = AudioSource.close
    monkeypatch.setattr(AudioSource, "close", lambda self: (closed.append(self.path.name), real_close(self)))
    with pytest.raises(PlaybackError, match="missing"):
        ChainedSource.open([a, tmp_path / "gone.wav"], [0.0, 2.0])
    assert closed == ["a.wav"]


def seg(start: float, end: float, text: str = "x") -> Segment:
    return Segment(start, end, text, [], "P01", "q1")


# An interview of two recordings as the review shows it: the second starts at 110 s, after a mark.
DOC = [seg(2.0, 5.0), seg(6.0, 9.0), seg(110.0, 110.0, "[recording resumed after 2 min]"), seg(111.0, 114.0),
       seg(120.0, 122.0)]


@pytest.mark.parametrize(("t", "index"), [(0.0, None), (2.0, 0), (7.0, 1), (60.0, 1), (110.0, 2), (112.0, 3),
                                          (125.0, 4)])
def test_the_segment_at_a_moment_of_the_interview(t: float, index: int | None) -> None:
    assert segment_at(DOC, t) == index


def test_following_crosses_into_the_next_recording_and_a_jump_holds_through_its_lead_in() -> None:
    follower = Follower()
    assert [follower.highlight(DOC, t) for t in (3.0, 8.0, 110.5, 112.0)] == [0, 1, 2, 3]
    follower.jumped_to(3)  # replay segment 3 from 0.2 s before it: the lead-in is in the mark's span
    assert follower.highlight(DOC, 110.8) is None and follower.pinned == 3
    assert follower.highlight(DOC, 8.5) is None  # a late report of the run before the jump
    assert follower.highlight(DOC, 112.0) == 3 and follower.pinned == 3
    assert follower.highlight(DOC, 121.0) == 4 and follower.pinned is None  # reached a later one: following
    assert follower.highlight(DOC, 112.0) == 3


def test_play_starts_at_the_highlighted_segment_only_when_the_reviewer_moved_away() -> None:
    assert Follower.play_from(DOC, 3, 111.2) is None       # the audio is there: play on
    assert Follower.play_from(DOC, 3, 114.4) is None       # just past its end still counts
    assert Follower.play_from(DOC, 3, 5.0) == 111.0        # moved to another recording's segment
    assert Follower.play_from(DOC, None, 5.0) is None
