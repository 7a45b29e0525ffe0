"""Review sessions on a real SQLite file: drafts, edits saved at once, sign-off, progress, export choice."""

from __future__ import annotations

import pytest

from interview_tui.export.gather import choose_version
from interview_tui.review.edits import EditError
from interview_tui.review.replace import plan_replace
from interview_tui.review.session import ReviewError, ReviewSession
from interview_tui.storage import open_db
from interview_tui.storage import reviews as store
from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.storage.transcripts import list_transcripts, load_transcript, save_transcript
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta, Word
from tests.fixtures.audio import enroll


def machine_transcript() -> Transcript:
    segs = [
        Segment(0.5, 2.0, "How did you start?", [Word("How", 0.5, 0.8, 0.9), Word("did", 0.8, 1.0, 0.9),
                Word("you", 1.0, 1.2, 0.9), Word("start?", 1.2, 2.0, 0.9)], "Interviewer", "q1"),
        Segment(3.0, 5.0, "As a [nurce? 00:04] long ago.", [Word("As", 3.0, 3.3, 0.9), Word("a", 3.3, 3.5, 0.9),
                Word("nurce", 3.5, 4.0, 0.2), Word("long", 4.0, 4.4, 0.9), Word("ago.", 4.4, 5.0, 0.9)],
                "Interviewer", "q1", flags=["unsure"]),
    ]
    meta = TranscriptMeta("tiny.en", None, "faster-whisper 1.2.1", "en", {"unsure_probability": 0.4}, duration_s=6.0)
    return Transcript(meta, segs)


@pytest.fixture
def recording(db) -> int:
    enroll(db)
    rid = start_recording(db, participant_code="P01", path="recordings/P01/a.wav")
    finish_recording(db, rid, duration_s=6.0, sha256="0" * 64)
    return rid


def test_no_transcript_says_what_to_do(db, recording) -> None:
    with pytest.raises(ReviewError, match="transcribe it first"):
        ReviewSession.open(db, recording)


def test_edits_go_into_a_new_version_and_the_machine_version_stays(db, project, recording) -> None:
    machine_id = save_transcript(db, recording, machine_transcript())
    review = ReviewSession.open(db, recording)
    assert review.draft_id is None and len(list_transcripts(db, recording)) == 1  # looking creates nothing
    assert [i.kind for i in review.attention()] == ["unsure"]

    review.set_text(1, "As a nurse, long ago.")
    review.set_speaker(1, "P01")
    review.split(1, review.segments[1].text.index("long"))
    review.merge_next(1)
    review.insert_marker(1, len(review.segments[1].text), "laughter")
    plan = plan_replace(review.segments, "ago", "back")
    review.replace(plan, "ago", "back")
    with pytest.raises(EditError):
        review.merge_next(0)  # Interviewer then P01

    # Every edit is already in the file: a fresh connection sees them all.
    other = open_db(project.db_path)
    versions = list_transcripts(other, recording)
    assert [(v.version, v.kind, v.parent_id) for v in versions] == [(1, "machine", None), (2, "review", machine_id)]
    stored = load_transcript(other, versions[1].id).segments
    assert [(s.speaker, s.text) for s in stored] == [
        ("Interviewer", "How did you start?"), ("P01", "As a nurse, long back. [laughter]"),
    ]
    assert [(w.word, w.start, w.end) for w in stored[1].words] == [
        ("As", 3.0, 3.3), ("a", 3.3, 3.5), ("nurse,", 3.5, 4.0), ("long", 4.0, 4.4), ("back.", 4.4, 5.0),
    ]
    assert load_transcript(other, machine_id).segments[1].text == "As a [nurce? 00:04] long ago."
    # Only changed rows are written at each edit; the stored draft is still exactly what the session holds.
    assert stored == review.segments
    assert [e.kind for e in store.edits(other, versions[1].id)] == [
        "start", "text", "speaker", "split", "merge", "marker", "replace",
    ]
    other.close()
    assert review.correction().substitutions == 2  # nurce -> nurse, ago -> back


def test_reopening_resumes_the_draft_and_sign_off_freezes_it(db, recording) -> None:
    save_transcript(db, recording, machine_transcript())
    first = ReviewSession.open(db, recording)
    first.confirm(1)
    first.heard(0.0, 2.5)
    first.heard(2.0, 3.0)
    again = ReviewSession.open(db, recording)
    assert again.draft_id == first.draft_id
    assert again.segments[1].text == "As a nurce long ago."
    assert again.progress() == pytest.approx(3.0 / 6.0) and again.resume_at() == 3.0
    assert again.attention() == []

    assert choose_version(list_transcripts(db, recording)).kind == "machine"  # drafts are never exported
    at = again.sign_off("MP")
    chosen = choose_version(list_transcripts(db, recording))
    assert (chosen.kind, chosen.reviewed_by, chosen.reviewed_at) == ("review", "MP", at)
    with pytest.raises(store.ReviewStateError, match="signed off by MP"):
        store.save_segments(db, again.draft_id, again.segments, "text")

    # A later edit starts a new review version from the signed one; the signed one stays as it was.
    signed = again.draft_id
    again.set_text(0, "How did you begin?")
    assert again.draft_id != signed
    rows = list_transcripts(db, recording)
    assert [(r.version, r.kind, r.parent_id, bool(r.reviewed_at)) for r in rows] == [
        (1, "machine", None, False), (2, "review", rows[0].id, True), (3, "review", signed, False),
    ]
    assert load_transcript(db, signed).segments[0].text == "How did you start?"
    assert choose_version(rows).version == 2  # the newest *signed* version is what exports use
    listening = ReviewSession.open(db, recording)
    assert listening.draft_id == again.draft_id  # (the v3 draft)
    third = ReviewSession.open(db, recording)
    assert third.draft_id == again.draft_id and third.machine[1].text.startswith("As a [nurce?")

    overview = store.review_overview(db)
    assert [(o.participant_code, o.machine_version, o.review_version, o.reviewed_at) for o in overview] == [
        ("P01", 1, 3, None)
    ]


def test_listening_to_a_signed_version_starts_no_new_one(db, recording) -> None:
    save_transcript(db, recording, machine_transcript())
    review = ReviewSession.open(db, recording)
    review.heard(0, 2)
    review.sign_off("MP")
    again = ReviewSession.open(db, recording)
    assert again.draft_id is None and again.progress() == pytest.approx(2 / 6)
    again.heard(2, 4)
    assert again.draft_id is None and again.progress() == pytest.approx(4 / 6)
    assert [v.kind for v in list_transcripts(db, recording)] == ["machine", "review"]


def test_sign_off_needs_a_name(db, recording) -> None:
    save_transcript(db, recording, machine_transcript())
    review = ReviewSession.open(db, recording)
    with pytest.raises(store.ReviewStateError, match="who reviewed"):
        review.sign_off("  ")
    assert store.latest_version(db, recording).reviewed_at is None


def test_machine_version_cannot_be_edited(db, recording) -> None:
    machine_id = save_transcript(db, recording, machine_transcript())
    with pytest.raises(store.ReviewStateError, match="machine version"):
        store.save_segments(db, machine_id, [], "text")


def test_the_label_names_a_review_version_only_after_a_real_edit(db, recording) -> None:
    # Listening (what `n` does) keeps heard spans in a draft row, but the help promises that a review
    # version starts with the first edit: the header said `review draft v2` after only pressing `n`.
    save_transcript(db, recording, machine_transcript())
    review = ReviewSession.open(db, recording)
    review.heard(0.0, 2.0)
    assert review.draft_id is not None
    assert review.version_label == "machine v1 (a review version starts with the first edit)"
    review.confirm(1)
    assert review.version_label == "review draft v2 (from machine v1)"
