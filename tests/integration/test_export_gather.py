"""Gathering the export model from a real project database."""

from __future__ import annotations

import pytest

from interview_tui.domain.study import FINAL_PROMPT_ID
from interview_tui.export.gather import ExportError, gather_project
from interview_tui.domain.transcript import Segment
from tests.fixtures.export import WITHDRAWN_TOKEN, SeededStudy, add_transcript

SEGS = (
    Segment(0.0, 2.0, "Can you describe it?", speaker="Interviewer", question_id="intro-describe"),
    Segment(2.0, 5.0, "It is hard.", speaker="P01", question_id="intro-describe"),
)


def _recording_id(export_seeded: SeededStudy, code: str) -> int:
    from interview_tui.storage.recordings import list_recordings

    return list_recordings(export_seeded.db, code)[0].id


def test_withdrawn_and_declined_are_left_out(export_seeded: SeededStudy) -> None:
    project = gather_project(export_seeded.db, export_seeded.project.root, export_seeded.study)
    assert [p.code for p in project.participants] == [f"P{n:02d}" for n in range(1, 11)]
    assert dict(project.skipped) == {f"P{n}": "consent declined" for n in range(11, 17)}
    assert WITHDRAWN_TOKEN not in repr(project)
    with pytest.raises(ExportError, match="P17"):
        gather_project(export_seeded.db, export_seeded.project.root, export_seeded.study, codes=["P17"])
    with pytest.raises(ExportError, match="not a participant code"):
        gather_project(export_seeded.db, export_seeded.project.root, export_seeded.study, codes=["Anna"])
    # codes as people type them
    picked = gather_project(export_seeded.db, export_seeded.project.root, export_seeded.study, codes=["p3", "P3", "p01"])
    assert [p.code for p in picked.participants] == ["P03", "P01"]


def test_latest_reviewed_version_wins_over_later_machine_and_drafts(export_seeded: SeededStudy) -> None:
    rid = _recording_id(export_seeded, "P01")
    add_transcript(export_seeded.db, rid, 1, "machine", SEGS)
    add_transcript(export_seeded.db, rid, 2, "review", SEGS[:1], reviewed_at="2026-01-20T10:00:00+00:00")
    add_transcript(export_seeded.db, rid, 3, "machine", SEGS)  # a re-run with another model
    add_transcript(export_seeded.db, rid, 4, "review", SEGS, reviewed_at=None)  # a review draft
    rid2 = _recording_id(export_seeded, "P02")
    add_transcript(export_seeded.db, rid2, 1, "machine", SEGS[:1])
    add_transcript(export_seeded.db, rid2, 2, "machine", SEGS)
    project = gather_project(export_seeded.db, export_seeded.project.root, export_seeded.study, codes=["P01", "P02"])
    [t1] = project.participant("P01").transcripts
    assert (t1.version.kind, t1.version.version, t1.version.reviewed_by) == ("review", 2, "MP")
    assert t1.segments == SEGS[:1]
    assert t1.version.label == "reviewed version 2 (reviewed 2026-01-20 by MP)"
    [t2] = project.participant("P02").transcripts
    assert (t2.version.kind, t2.version.version) == ("machine", 2)
    assert "not reviewed" in t2.version.label
    assert t2.audio_path is None  # the fixture made no audio file for P02


def test_demographics_are_typed_with_choice_labels(export_seeded: SeededStudy) -> None:
    project = gather_project(export_seeded.db, export_seeded.project.root, export_seeded.study)
    p05 = project.participant("P05")
    assert p05.demographic("years_involuntary").value == 7.5
    assert p05.demographic("age").value == 48
    assert p05.demographic("special_education").value == ()
    p04 = project.participant("P04")
    assert p04.demographic("profession").value == "Clinical psychologist"
    assert p04.demographic("special_education").value == (
        "Cognitive behavioural therapy",
        "Mentalisation-based therapy",
    )
    p01 = project.participant("P01")
    assert p01.interviewers == ("MP",) and p01.interview_duration_s == 45 * 60
    assert p01.consent.decision == "given" and "audio_recording" in p01.consent.items_given
    # the guide is the code system: sections holding questions, closing question, then the final prompt
    assert [c.id for c in project.guide_codes][-2:] == ["conclusion", FINAL_PROMPT_ID]
    assert "intro-describe" in {c.id for c in project.all_codes() if c.kind == "question"}
