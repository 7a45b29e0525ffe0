"""An interview that took two recordings (a crash and a resume) is exported as one transcript."""

from __future__ import annotations

from interview_tui.export.docx import write_docx
from interview_tui.export.gather import gather_project
from interview_tui.export.model import ExportSegment
from interview_tui.export.qda_text import maxqda_text
from interview_tui.storage import recordings as recs
from interview_tui.storage import sessions as store
from interview_tui.storage.participants import get_participant
from tests.fixtures.export import SeededStudy, add_transcript


def _at(minute: int, second: int = 0) -> str:
    return f"2026-02-02T10:{minute:02d}:{second:02d}.000000+00:00"


def test_crash_and_resume_give_one_transcript_with_the_gap_marked(export_seeded: SeededStudy, tmp_path) -> None:
    db, study = export_seeded.db, export_seeded.study
    pid = get_participant(db, "P01")["id"]
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
    add_transcript(db, r1, 1, "machine", (ExportSegment(2.0, 5.0, "It was hard.", "P01", "intro-describe"),))
    add_transcript(db, r2, 1, "machine", (ExportSegment(1.0, 4.0, "And then better.", "P01", "intro-describe"),
                                          ExportSegment(10.0, 12.0, "Contact.", "P01", "alliance-contact")))

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
