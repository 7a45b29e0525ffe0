"""Which study applies: one rule (the file a session stored, else the participant's latest), parsed once."""

from __future__ import annotations

from pathlib import Path

from interview_tui.domain.loader import default_study, load_study
from interview_tui.storage.participants import add_participant, withdraw_participant
from interview_tui.storage.interviewers import get_or_add_interviewer
from interview_tui.storage.studies import (
    load_registered_study,
    participant_study_slugs,
    register_study,
    study_by_id,
    study_for_recording,
)
from tests.fixtures.export import add_interview
from tests.fixtures.records import make_study


def _edited_copy(tmp_path: Path):
    original = default_study()
    text = original.source.read_text("utf-8").replace(original.title, original.title + " (second version)", 1)
    path = tmp_path / "edited.yaml"
    path.write_text(text, "utf-8")
    return original, load_study(path)


def test_a_recording_gets_its_session_s_file_a_later_one_the_latest(db, project, tmp_path) -> None:
    first, second = _edited_copy(tmp_path)
    assert first.id == second.id and first.title != second.title
    first_id = register_study(db, first)
    add_participant(db, first.id, "P01")
    interviewer = get_or_add_interviewer(db, "MP")
    _, early = add_interview(db, project, "P01", first_id, interviewer, day=1, minutes=1)
    second_id = register_study(db, second)
    _, late = add_interview(db, project, "P01", second_id, interviewer, day=2, minutes=1)
    assert study_for_recording(db, early).title == first.title
    assert study_for_recording(db, late).title == second.title
    assert load_registered_study(db, first.id).title == second.title  # by slug: the latest
    assert study_for_recording(db, 9999) is None


def test_a_stored_file_is_parsed_once(db) -> None:
    study_id = register_study(db, default_study())
    assert study_by_id(db, study_id) is study_by_id(db, study_id) is load_registered_study(db, default_study().id)


def test_a_study_built_in_code_has_no_file_to_rebuild(db) -> None:
    study = make_study()
    study_id = register_study(db, study)
    assert study_by_id(db, study_id) is None and load_registered_study(db, study.id) is None
    assert study_by_id(db, study_id + 1) is None


def test_participant_study_slugs(db) -> None:
    add_participant(db, "b-study", "P01")
    add_participant(db, "a-study", "P02")
    add_participant(db, "a-study", "P03")
    withdraw_participant(db, "P01")
    assert participant_study_slugs(db, include_withdrawn=True) == ["a-study", "b-study"]
    assert participant_study_slugs(db, include_withdrawn=False) == ["a-study"]
