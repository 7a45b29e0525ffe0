"""An interview that took two recordings (a crash and a resume) is exported as one transcript."""

from __future__ import annotations

import pytest

from interview_tui.export.docx import write_docx
from interview_tui.export.gather import gather_project
from interview_tui.domain.transcript import Segment
from interview_tui.export.qda_text import maxqda_text
from interview_tui.storage import recordings as recs
from interview_tui.storage import sessions as store
from interview_tui.storage.participants import get_participant
from tests.fixtures.export import SeededStudy, add_transcript


def _at(minute: int, second: int = 0) -> str:
    return f"2026-02-02T10:{minute:02d}:{second:02d}.000000+00:00"


def _two_recordings(export_seeded: SeededStudy) -> tuple[int, int, int]:
    db = export_seeded.db
    pid = get_participant(db, "P01").id
    sid = store.open_session(db, participant_id=pid, study_id=export_seeded.study_id, started_at=_at(0))
    r1 = recs.start_recording(db, participant_code="P01", path="recordings/P01/a.wav", session_id=sid, started_at=_at(1))
    recs.finish_recording(db, r1, duration_s=100.0, sha256="1" * 64)
    r2 = recs.start_recording(db, participant_code="P01", path="recordings/P01/b.wav", session_id=sid,
                              started_at=_at(4, 50))
    recs.finish_recording(db, r2, duration_s=30.0, sha256="2" * 64)
    for kind, off, qid in [("question_reached", 60.0, "intro-describe"), ("session_interrupted", 160.0, None),
                           ("session_resumed", 280.0, None), ("question_reached", 300.0, "alliance-contact"),
                           ("session_closed", 320.0, None)]:
        store.add_event(db, sid, kind, question_id=qid, session_offset_s=off)
    add_transcript(db, r1, 1, "machine", (Segment(2.0, 5.0, "It was hard.", speaker="P01", question_id="intro-describe"),))
    add_transcript(db, r2, 1, "machine", (Segment(1.0, 4.0, "And then better.", speaker="P01", question_id="intro-describe"),
                                          Segment(10.0, 12.0, "Contact.", speaker="P01", question_id="alliance-contact")))
    return sid, r1, r2


def test_crash_and_resume_give_one_transcript_with_the_gap_marked(export_seeded: SeededStudy, tmp_path) -> None:
    db, study = export_seeded.db, export_seeded.study
    sid, r1, r2 = _two_recordings(export_seeded)
    p01 = gather_project(db, export_seeded.project.root, study, codes=["P01"]).participants[0]
    [t] = [t for t in p01.transcripts if t.recording_id == r1]
    assert t.recording_ids == (r1, r2) and [p.offset_s for p in t.parts] == [0.0, 110.0]
    assert [(s.start, s.text, s.question_id) for s in t.segments] == [
        (2.0, "It was hard.", "intro-describe"),
        (110.0, "[recording resumed after 2 min]", "intro-describe"),
        (111.0, "And then better.", "intro-describe"),
        (120.0, "Contact.", "alliance-contact"),
    ]
    assert all(r2 not in (x.recording_id,) for x in p01.transcripts)  # no second document
    # one duration: first question (60 s) to the end (320 s), less the 120 s the app was down
    [session] = [s for s in p01.sessions if s.id == sid]
    assert session.duration_s == 140.0
    assert "[recording resumed after 2 min]" in maxqda_text(p01, t)
    written = write_docx(gather_project(db, export_seeded.project.root, study, codes=["P01"]), tmp_path)
    assert len(written) == 1
    # REFI-QDA: one text source
    from dataclasses import replace

    from interview_tui.export.qdpx import build_project_xml

    project = gather_project(db, export_seeded.project.root, study, codes=["P01"])
    with_audio = replace(project, participants=(replace(p01, transcripts=(replace(t, audio_path=tmp_path / "a.wav"),)),))
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    tree, files = build_project_xml(with_audio, link_audio=True)
    tags = [el.tag.rsplit("}", 1)[-1] for el in tree.getroot().iter()]
    # one text source for the whole interview; a REFI transcript syncs to one audio file's clock,
    # so a multi-recording interview carries no audio transcript (its audio is in the folder export)
    assert tags.count("TextSource") == 1 and tags.count("Transcript") == 0 and tags.count("SyncPoint") == 0
    [source] = [el for el in tree.getroot().iter() if el.tag.endswith("}TextSource")]
    description = next(el.text for el in source if el.tag.endswith("}Description"))
    assert f"Recordings {t.recording_ids[0]}, {t.recording_ids[1]}, one interview." in description
    # its text names every recording, as the MAXQDA header does
    [text] = [f.data.decode("utf-8") for f in files if f.name.endswith(".txt") and f.data and b"Participant" in f.data]
    first_line = text.splitlines()[0]
    assert first_line.startswith("Participant P01, 2 recordings as one interview - ")
    assert f"(recording {t.recording_ids[0]}, " in first_line and f"(recording {t.recording_ids[1]}, " in first_line


def test_the_interview_is_reviewed_and_signed_off_as_one_transcript(export_seeded: SeededStudy) -> None:
    import pytest

    from interview_tui.review.interview import InterviewReview
    from interview_tui.review.session import ReviewError

    db = export_seeded.db
    sid, r1, r2 = _two_recordings(export_seeded)
    review = InterviewReview.open(db, sid)
    assert review.recording_ids == [r1, r2]
    assert [s.text for s in review.segments] == [
        "It was hard.", "[recording resumed after 2 min]", "And then better.", "Contact."]
    with pytest.raises(ReviewError, match="recording resumed"):
        review.set_text(1, "x")
    with pytest.raises(ReviewError, match="another recording"):
        review.merge_next(0)
    review.set_text(2, "And then much better.")  # goes into recording 2's review draft
    assert review.segments[2].text == "And then much better." and review.segments[2].start == 111.0
    again = InterviewReview.open(db, sid)  # saved as it was made
    assert [s.text for s in again.segments][2] == "And then much better."
    assert again.correction().insertions + again.correction().deletions + again.correction().substitutions == 1
    again.sign_off("MP")
    [t] = [t for t in gather_project(db, export_seeded.project.root, export_seeded.study, codes=["P01"])
           .participants[0].transcripts if t.recording_id == r1]
    assert t.version.kind == "review" and all(p.version.reviewed_at for p in t.parts)
    assert t.segments[2].text == "And then much better."


def test_review_cli_diff_and_signoff_a_whole_interview(export_seeded: SeededStudy) -> None:
    from click.testing import CliRunner

    from interview_tui.cli import main
    from interview_tui.review.interview import InterviewReview

    db, root = export_seeded.db, export_seeded.project.root
    sid, r1, r2 = _two_recordings(export_seeded)

    def run(*args: str):
        return CliRunner().invoke(main, ["--data-dir", str(root), "review", *args], catch_exceptions=False)

    assert "RECORDING_ID or --session" in run("diff").output
    assert "RECORDING_ID or --session" in run("diff", str(r1), "--session", str(sid)).output
    unknown = run("diff", "--session", "999")
    assert unknown.exit_code == 1 and "no session 999" in unknown.output
    refused = run("signoff", "--session", str(sid), "--by", "MP")
    assert refused.exit_code == 1 and "--as-is" in refused.output
    InterviewReview.open(db, sid).set_text(3, "Contact, yes.")
    diff = run("diff", "--session", str(sid))
    # on the interview's timeline (these hand-made segments carry no word times, so lines show whole)
    assert diff.exit_code == 0 and "[02:00] P01: {+Contact, yes.+}" in diff.output
    done = run("signoff", "--session", str(sid), "--by", "MP", "--as-is")
    assert done.exit_code == 0 and f"recordings {r1}, {r2}" in done.output


def test_maxqda_and_nvivo_name_every_recording_of_the_interview(export_seeded: SeededStudy, tmp_path) -> None:
    from interview_tui.export.qda_text import write_maxqda, write_nvivo

    db, study = export_seeded.db, export_seeded.study
    sid, r1, r2 = _two_recordings(export_seeded)
    project = gather_project(db, export_seeded.project.root, study, codes=["P01"])
    write_maxqda(project, tmp_path / "maxqda")
    header = (tmp_path / "maxqda" / "P01.txt").read_text("utf-8-sig").split("\n\n")[0]
    assert ":" not in header  # MAXQDA would take a colon for a speaker
    assert header.startswith(
        f"P01 interview transcript, 2 recordings as one interview - "
        f"a.wav (recording {r1}, machine version 1, started 2026-02-02 10.01 UTC, 1 min 40 s long, "
        f"from 0 s in this transcript), "
        f"b.wav (recording {r2}, machine version 1, started 2026-02-02 10.04 UTC, 30 s long, "
        f"from 1 min 50 s in this transcript) - machine version 1 (")
    write_nvivo(project, tmp_path / "nvivo")  # NVivo files hold no header: versions.txt names them
    versions = (tmp_path / "nvivo" / "versions.txt").read_text("utf-8-sig").splitlines()
    for name in ("P01.txt", "P01.tsv"):
        [line] = [v for v in versions if v.startswith(name + "\t")]
        assert f"a.wav (recording {r1}, machine version 1, started 2026-02-02 10:01 UTC, 1 min 40 s long" in line
        assert f"b.wav (recording {r2}, machine version 1, started 2026-02-02 10:04 UTC, 30 s long, " \
               "from 1 min 50 s in this transcript)" in line


def test_an_edit_past_the_first_hour_keeps_marks_and_places_on_the_recordings_clock(export_seeded: SeededStudy) -> None:
    """A recording resumed an hour into the interview: its marks read `1:00:02` in the review and
    `00:02` as stored, so a split or a marker at a place in the shown text lands at the same words."""
    from interview_tui.review.interview import InterviewReview

    db = export_seeded.db
    pid = get_participant(db, "P01").id
    sid = store.open_session(db, participant_id=pid, study_id=export_seeded.study_id, started_at=_at(0))
    r1 = recs.start_recording(db, participant_code="P01", path="recordings/P01/a.wav", session_id=sid, started_at=_at(0))
    recs.finish_recording(db, r1, duration_s=3590.0, sha256="1" * 64)
    r2 = recs.start_recording(db, participant_code="P01", path="recordings/P01/b.wav", session_id=sid,
                              started_at="2026-02-02T11:00:00.000000+00:00")
    recs.finish_recording(db, r2, duration_s=30.0, sha256="2" * 64)
    add_transcript(db, r1, 1, "machine", (Segment(2.0, 5.0, "It was hard.", speaker="P01", question_id="intro-describe"),))
    add_transcript(db, r2, 1, "machine", (Segment(1.0, 6.0, "It was [hard? 00:02] then, yes.", speaker="P01",
                                                  question_id="intro-describe"),))
    review = InterviewReview.open(db, sid)
    shown = review.segments[2].text
    assert shown == "It was [hard? 1:00:02] then, yes."
    review.split(2, shown.index("then"))
    assert [s.text for s in review.parts[1][1].segments] == ["It was [hard? 00:02]", "then, yes."]
    assert [s.text for s in review.segments[2:]] == ["It was [hard? 1:00:02]", "then, yes."]
    review.insert_marker(3, review.segments[3].text.index("yes"), "laughter", 3604.0)
    assert review.parts[1][1].segments[1].text == "then, [laughter] yes."


def test_whole_interview_edits_reach_every_recording_they_touch(export_seeded: SeededStudy) -> None:
    from interview_tui.review.interview import InterviewReview
    from interview_tui.review.replace import plan_replace

    db = export_seeded.db
    sid, r1, r2 = _two_recordings(export_seeded)
    review = InterviewReview.open(db, sid)
    first, second = (r for _, r in review.parts)
    assert review.rename_speaker("P01", "Participant") == 3
    assert {s.speaker for s in first.segments} == {s.speaker for s in second.segments} == {"Participant"}
    review.set_speaker(0, "MP")
    assert review.swap_speakers() == 3  # its two speakers, in both recordings
    assert [s.speaker for s in review.segments] == ["Participant", None, "MP", "MP"]
    # find/replace looks through the text, not the boundary mark, and saves into the right recording
    assert plan_replace(review.searchable(), "recording", "x") == []
    plan = plan_replace(review.searchable(), "then", "later")
    assert [r.index for r in plan] == [2] and review.replace(plan, "then", "later") == 1
    assert [s.text for s in second.segments] == ["And later better.", "Contact."]
    # speakers found by voice in one recording change that recording only
    n0, n1 = (len(s.words) or 1 for s in second.segments)  # one name per word, as found by voice
    review.apply_speakers(1, ["Interviewer"] * n0 + ["P01"] * n1, [False] * (n0 + n1), {"summary": "by voice"})
    assert [s.speaker for s in second.segments] == ["Interviewer", "P01"] and first.segments[0].speaker == "Participant"
    # a span heard across the boundary is stored with each recording on its own clock
    review.heard(90.0, 115.0)
    from interview_tui.storage import reviews

    assert reviews.heard_spans(db, first.draft_id) == [(90.0, 100.0)]
    assert reviews.heard_spans(db, second.draft_id) == [(0.0, 5.0)]
    assert review.resume_at() == 115.0
    assert review.progress() == pytest.approx(15.0 / 130.0)
    # attention items and the segment at a moment are on the interview's timeline
    assert review.segment_at(111.5) == 2 and review.segment_at(105.0) == 0
