"""Review edits keep word timestamps on the words that carry them, through any sequence of edits."""

from __future__ import annotations

import pytest

from interview_tui.review import edits as ed
from interview_tui.review.replace import apply_replace, plan_replace
from interview_tui.review.text import align_words, plain_text, tokens, word_tokens
from interview_tui.domain.transcript import Segment, Word


def W(word: str, start: float, end: float, p: float = 0.9) -> Word:
    return Word(word, start, end, p)


def seg(text: str, words: list[Word], speaker: str = "Interviewer", q: str | None = "q1") -> Segment:
    return Segment(words[0].start if words else 0.0, words[-1].end if words else 1.0, text, words, speaker, q)


@pytest.fixture
def two() -> list[Segment]:
    a = seg("I worked (.) as a [nurce? 00:02] for years.",
            [W("I", 0.0, 0.2), W("worked", 0.2, 0.6), W("as", 1.0, 1.1), W("a", 1.1, 1.2),
             W("nurce", 1.2, 1.6, 0.2), W("for", 1.7, 1.9), W("years.", 1.9, 2.4)], "P01")
    b = seg("Trust matters.", [W("Trust", 3.0, 3.4), W("matters.", 3.4, 4.0)], "P01")
    return [a, b]


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("a (.) b", ["a", None, "b"]),
        ("a (3 s) b (..)", ["a", None, "b", None]),
        ("[nurce? 01:02] ok", ["nurce", "ok"]),
        ("[laughter] yes [inaudible 00:04]", [None, "yes", None]),
        ("(hello) world.", ["(hello)", "world."]),
    ],
)
def test_tokens_tell_words_from_marks(text: str, kinds: list[str | None]) -> None:
    assert [t.word for t in tokens(text)] == kinds


def test_fixing_a_word_keeps_every_time_and_gives_the_fix_the_old_time(two) -> None:
    out = ed.set_text(two, 0, "I worked (.) as a nurse for years.")
    words = out[0].words
    assert [w.word for w in words] == ["I", "worked", "as", "a", "nurse", "for", "years."]
    assert [(w.start, w.end) for w in words] == [(w.start, w.end) for w in two[0].words]
    assert words[4].probability == 1.0 and words[0].probability == 0.9
    assert two[0].text.startswith("I worked (.) as a [nurce?")  # the input list is untouched


def test_inserted_and_deleted_words(two) -> None:
    out = ed.set_text(two, 0, "I really worked as a nurse for many years.")
    words = out[0].words
    assert [w.word for w in words] == ["I", "really", "worked", "as", "a", "nurse", "for", "many", "years."]
    assert words[1].start == words[1].end == 0.2  # no gap between "I" and "worked": placed at the seam
    assert 1.9 >= words[7].start >= 1.9 and words[8].start == 1.9
    out = ed.set_text(out, 0, "I worked for years.")
    assert [(w.word, w.start) for w in out[0].words] == [("I", 0.0), ("worked", 0.2), ("for", 1.7), ("years.", 1.9)]


def test_split_at_cursor_divides_words_and_times(two) -> None:
    text = two[0].text
    pos = text.index(" for")
    out = ed.split(two, 0, pos)
    assert len(out) == 3
    left, right = out[0], out[1]
    assert left.text == "I worked (.) as a [nurce? 00:02]" and right.text == "for years."
    assert (left.start, left.end, right.start, right.end) == (0.0, 1.6, 1.7, 2.4)
    assert [w.word for w in left.words] == ["I", "worked", "as", "a", "nurce"]
    assert left.speaker == right.speaker == "P01" and left.question_id == right.question_id == "q1"


def test_split_inside_a_word_shares_its_time(two) -> None:
    out = ed.split(two, 1, len("Tru"))
    assert out[1].text == "Tru" and out[2].text == "st matters."
    assert out[1].end == pytest.approx(3.0 + 0.4 * 3 / 5) == out[2].start


@pytest.mark.parametrize("pos", [0, 10_000])
def test_split_at_an_edge_is_refused(two, pos: int) -> None:
    with pytest.raises(ed.EditError, match="cursor inside"):
        ed.split(two, 0, pos)


def test_merge_then_split_round_trips(two) -> None:
    merged = ed.merge_next(two, 0)
    assert len(merged) == 1 and merged[0].end == 4.0
    assert [w.word for w in merged[0].words][-2:] == ["Trust", "matters."]
    again = ed.split(merged, 0, merged[0].text.index("Trust"))
    assert [s.text for s in again] == [s.text for s in two]
    assert [[(w.start, w.end) for w in s.words] for s in again] == [[(w.start, w.end) for w in s.words] for s in two]


def test_merge_refuses_two_speakers_and_the_last_segment(two) -> None:
    changed = ed.set_speaker(two, 1, "Interviewer")
    with pytest.raises(ed.EditError, match="change one speaker first"):
        ed.merge_next(changed, 0)
    with pytest.raises(ed.EditError, match="last segment"):
        ed.merge_next(two, 1)


def test_rename_speaker_everywhere(two) -> None:
    out, n = ed.rename_speaker(two + [seg("Why?", [W("Why?", 5, 5.5)], "Speaker A (left)")], "P01", "Anna (P01)")
    assert n == 2 and [s.speaker for s in out] == ["Anna (P01)", "Anna (P01)", "Speaker A (left)"]
    with pytest.raises(ed.EditError, match="no segment has the speaker"):
        ed.rename_speaker(two, "Nobody", "X")
    with pytest.raises(ed.EditError, match="empty"):
        ed.set_speaker(two, 0, "  ")


def test_marker_never_breaks_a_word_and_is_not_a_word(two) -> None:
    out = ed.insert_marker(two, 1, 2, "laughter")  # cursor inside "Trust"
    assert out[1].text == "Trust [laughter] matters."
    assert [w.word for w in out[1].words] == ["Trust", "matters."]
    out = ed.insert_marker(out, 1, len(out[1].text), "inaudible", at_s=63.2)
    assert out[1].text.endswith("[inaudible 01:03]")
    with pytest.raises(ed.EditError, match="unknown marker"):
        ed.insert_marker(two, 0, 0, "snore")


def test_resolving_every_unsure_mark_drops_the_unsure_flag(two) -> None:
    two[0].flags.append("unsure")
    assert "unsure" in ed.set_text(two, 0, "I worked as a [nurce? 00:02] for many years.")[0].flags
    assert "unsure" not in ed.set_text(two, 0, "I worked as a nurse for many years.")[0].flags


def test_confirm_unwraps_unsure_marks(two) -> None:
    two[0].flags.append("unsure")
    out = ed.confirm(two, 0)
    assert out[0].text == "I worked (.) as a nurce for years."
    assert all(w.probability == 1.0 for w in out[0].words) and out[0].flags == ["checked"]


def test_clean_text_without_fillers_gets_matching_words() -> None:
    words = [W("Um,", 0, 0.3), W("I", 0.5, 0.6), W("think", 0.6, 0.9), W("uh", 1.0, 1.2), W("so.", 1.3, 1.5)]
    [s] = ed.normalized([seg("I think so.", words)])
    assert [(w.word, w.start) for w in s.words] == [("I", 0.5), ("think", 0.6), ("so.", 1.3)]


def test_words_without_times_are_spread_over_the_segment() -> None:
    words = align_words([], "one two three four", span=(10.0, 14.0))
    assert [(w.start, w.end) for w in words] == [(10.0, 11.0), (11.0, 12.0), (12.0, 13.0), (13.0, 14.0)]


def test_empty_text_is_refused(two) -> None:
    with pytest.raises(ed.EditError, match="empty"):
        ed.set_text(two, 0, "   ")
    with pytest.raises(ed.EditError, match="no segment 9"):
        ed.set_text(two, 8, "x")


def test_find_replace_preview_then_apply(two) -> None:
    plan = plan_replace(two, "years", "decades")
    assert [(r.index, r.after, r.count) for r in plan] == [(0, "I worked (.) as a [nurce? 00:02] for decades.", 1)]
    out = apply_replace(two, plan)
    assert out[0].words[-1].word == "decades." and out[0].words[-1].start == 1.9
    assert plan_replace(two, "TRUST", "faith", case=True) == []
    assert plan_replace(two, "rust", "x") == []  # whole words only by default
    assert len(plan_replace(two, "rust", "x", whole_word=False)) == 1
    assert plan_replace(two, r"y\w+s", "time", regex=True)[0].after.endswith("for time.")
    assert plan_replace(two, "trust", "faith")[0].after == "Faith matters."  # a capital stays a capital
    assert plan_replace(two, "trust", "faith", case=True) == []
    assert plan_replace(two, "matters", "a\\1")[0].after == "Trust a\\1."  # literal text, not a group reference
    with pytest.raises(ed.EditError, match="regular expression"):
        plan_replace(two, "(", "x", regex=True)
    with pytest.raises(ed.EditError, match="changed since the preview"):
        apply_replace(ed.set_text(two, 0, "Other."), plan)


def test_plain_text_drops_marks() -> None:
    assert plain_text("I (.) [laughter] [nurce? 00:02] ok (3 s)") == "I nurce ok"
    assert len(word_tokens("a [b? 00:01] (..) c")) == 3


def test_a_swap_without_names_needs_exactly_two_speakers() -> None:
    """One rule for the single recording and the whole interview: the only two, or say which."""
    import pytest

    from interview_tui.review.edits import EditError, the_two_speakers

    assert the_two_speakers(["MP", "P01"]) == ("MP", "P01")
    for names in ([], ["P01"], ["MP", "P01", "P02"]):
        with pytest.raises(EditError, match=f"has {len(names)} speakers.*say which two to swap"):
            the_two_speakers(names)
