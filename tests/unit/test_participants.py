"""Participants, interviewers and studies: codes, duplicates, status flags, withdrawal."""

from __future__ import annotations

import pytest

from interview_tui.domain.demographics import PREFER_NOT
from interview_tui.domain.participant_codes import ParticipantError, normalize_code
from interview_tui.storage import audit
from interview_tui.storage.consent import record_consent
from interview_tui.storage.demographics import (
    DemographicsError,
    all_demographics,
    get_demographics,
    save_demographics,
)
from interview_tui.storage.interviewers import get_or_add_interviewer, list_interviewers
from interview_tui.storage.participants import (
    add_participant,
    get_participant,
    next_code,
    withdraw_participant,
)
from interview_tui.storage.roster import list_participants
from interview_tui.storage.studies import load_registered_study, register_study
from interview_tui.domain.clock import now_iso
from tests.fixtures.records import make_study

STUDY = make_study()
FORM = STUDY.demographics
COMPLETE = {"age": "46", "gender": "woman", "profession": "psychiatrist", "years_experience": "18",
            "years_involuntary": "7,5"}


@pytest.mark.parametrize(
    "raw, code",
    [("P01", "P01"), ("p1", "P01"), (" P7 ", "P07"), ("P007", "P07"), ("P99", "P99"), ("P100", "P100"),
     ("p123", "P123")],
)
def test_normalize_code(raw: str, code: str) -> None:
    assert normalize_code(raw) == code


@pytest.mark.parametrize("raw", ["", "P", "P0", "P00", "Q01", "01", "P-1", "P1a", "participant 1"])
def test_bad_codes(raw: str) -> None:
    with pytest.raises(ParticipantError, match="is not a participant code; codes are P followed by a number"):
        normalize_code(raw)


def test_codes_count_up_with_two_digits_until_p99(db) -> None:
    assert next_code(db) == "P01"
    assert [add_participant(db, STUDY.id).code for _ in range(3)] == ["P01", "P02", "P03"]
    add_participant(db, STUDY.id, "P98")
    assert add_participant(db, STUDY.id).code == "P99"
    assert next_code(db) == "P100"
    assert add_participant(db, STUDY.id).code == "P100"
    assert next_code(db) == "P101"


def test_duplicates_are_refused_with_what_to_do(db) -> None:
    add_participant(db, STUDY.id, "P07")
    with pytest.raises(ParticipantError, match=r"P07 already exists .*leave the code out to get the next free one \(P08\)"):
        add_participant(db, STUDY.id, "p7")
    assert db["participants"].count == 1


def test_add_and_get(db) -> None:
    row = add_participant(db, STUDY.id, "P03")
    assert row.code == "P03" and row.study_slug == STUDY.id and row.withdrawn_at is None
    assert get_participant(db, "p3") == row
    assert get_participant(db, "P04") is None
    assert get_participant(db, "nonsense") is None
    assert audit.entries(db, participant_code="P03")[0].action == "participant.add"


def test_interviewers(db) -> None:
    mp = get_or_add_interviewer(db, "MP", "master student")
    assert get_or_add_interviewer(db, "  MP ") == mp
    knh = get_or_add_interviewer(db, "KNH")
    assert get_or_add_interviewer(db, "KNH", "master student") == knh  # role filled in
    assert [(r.name, r.role) for r in list_interviewers(db)] == [("KNH", "master student"), ("MP", "master student")]
    with pytest.raises(ValueError, match="needs a name"):
        get_or_add_interviewer(db, "  ")


def test_register_study_once_per_content(db, tmp_path) -> None:
    first = register_study(db, STUDY)
    assert register_study(db, STUDY) == first
    changed = make_study(consent_version="2.0")
    assert register_study(db, changed) != first
    assert db["studies"].count == 2


def test_register_study_file_keeps_exact_content(db, repo_root) -> None:
    from interview_tui.domain.loader import default_study

    study = default_study()
    study_id = register_study(db, study)
    row = db["studies"].get(study_id)
    assert row["content"].encode("utf-8") == study.source.read_bytes()
    assert row["content_hash"] == study.content_hash
    assert load_registered_study(db, study.id) == study


def _status(db, code, study=STUDY):
    return next(s for s in list_participants(db, study, include_withdrawn=True) if s.code == code)


def test_status_flags_follow_the_tables(db) -> None:
    pid = add_participant(db, STUDY.id, "P01").id
    s = _status(db, "P01")
    assert (s.consent, s.demographics_done, s.interviewed, s.recorded, s.transcribed) == ("none", False, False, False, False)

    record_consent(db, "P01", STUDY.consent, given=["participate", "record_audio"], declined=[], decision="given",
                   method="paper")
    assert _status(db, "P01").consent == "given"
    # a new consent form version means the participant must be asked again
    assert _status(db, "P01", make_study(consent_version="2.0")).consent == "none"

    save_demographics(db, "P01", dict(COMPLETE, gender=None) | {"age": "46"}, form=FORM)
    assert not _status(db, "P01").demographics_done  # gender is required and missing
    save_demographics(db, "P01", {}, prefer_not={"gender"}, form=FORM)
    assert _status(db, "P01").demographics_done  # prefer not to say counts as answered

    study_id = register_study(db, STUDY)
    now = now_iso()
    session = db["sessions"].insert(dict(participant_id=pid, study_id=study_id, state="open", started_at=now)).last_pk
    assert not _status(db, "P01").interviewed
    db["sessions"].update(session, dict(state="closed", ended_at=now))
    assert _status(db, "P01").interviewed

    db["recordings"].insert(dict(participant_id=pid, path="recordings/a.wav", source="microphone", state="failed",
                                 started_at=now))
    assert not _status(db, "P01").recorded
    rec = db["recordings"].insert(dict(participant_id=pid, path="recordings/b.wav", source="microphone",
                                       state="complete", started_at=now)).last_pk
    assert _status(db, "P01").recorded
    db["transcripts"].insert(dict(recording_id=rec, version=1, kind="machine", created_at=now))
    assert _status(db, "P01").transcribed


def test_declined_consent_shows(db) -> None:
    add_participant(db, STUDY.id, "P02")
    record_consent(db, "P02", STUDY.consent, given=[], declined=[], decision="declined", method="paper")
    assert _status(db, "P02").consent == "declined"


def test_withdrawn_are_excluded_by_default(db) -> None:
    for code in ("P01", "P02", "P10"):
        add_participant(db, STUDY.id, code)
    save_demographics(db, "P02", {"age": "50"}, form=FORM)
    withdraw_participant(db, "P02")
    assert [s.code for s in list_participants(db, STUDY)] == ["P01", "P10"]
    assert [s.code for s in list_participants(db, STUDY, include_withdrawn=True)] == ["P01", "P02", "P10"]
    assert list(all_demographics(db)) == ["P01", "P10"]
    assert next_code(db) == "P11"


def test_list_uses_the_registered_study_when_none_given(db) -> None:
    from interview_tui.domain.loader import default_study

    study = default_study()
    register_study(db, study)
    add_participant(db, study.id, "P01")
    save_demographics(db, "P01", {"gender": "woman", "age": "40", "profession": "psychiatrist",
                                  "years_experience": "10", "years_involuntary": "2"})  # form from the DB
    [status] = list_participants(db)
    assert status.demographics_done


def test_save_demographics_all_or_nothing(db) -> None:
    add_participant(db, STUDY.id, "P01")
    save_demographics(db, "P01", {"age": "40"}, form=FORM, updated_by="MP")
    with pytest.raises(DemographicsError) as info:
        save_demographics(db, "P01", {"age": "41", "gender": "female", "years_experience": "99", "shoe": "44"},
                          prefer_not={"profession"}, form=FORM)
    assert info.value.errors == [
        "shoe: not a field of the demographic form (fields: age, gender, interview_date, profession, special_education, "
        "workplace, years_experience, years_involuntary)",
        "gender: 'female' is not one of the choices: woman (Woman), man (Man), other (Other)",
        "profession: 'prefer not to say' is not offered for this field",
        "Years of experience in their field (years_experience): 99 is above the maximum 60 years",
    ]
    assert get_demographics(db, "P01") == {"age": 40}  # the valid age 41 was not saved either


def test_save_and_get_typed_values(db) -> None:
    add_participant(db, STUDY.id, "P01")
    without_gender = {k: v for k, v in COMPLETE.items() if k != "gender"}
    save_demographics(db, "P01", dict(without_gender, special_education="cbt|mbt", interview_date="2017-10-03"),
                      prefer_not={"gender"}, form=FORM, updated_by="MP")
    assert get_demographics(db, "P01") == {
        "age": 46, "gender": PREFER_NOT, "profession": "psychiatrist", "years_experience": 18.0,
        "years_involuntary": 7.5, "special_education": ["cbt", "mbt"], "interview_date": "2017-10-03",
    }
    save_demographics(db, "P01", {"gender": "woman", "age": 47, "special_education": []}, form=FORM)
    answers = get_demographics(db, "P01")
    assert (answers["gender"], answers["age"], answers["special_education"]) == ("woman", 47, [])
    save_demographics(db, "P01", {"interview_date": None}, form=FORM)  # None clears
    assert "interview_date" not in get_demographics(db, "P01")
    with pytest.raises(DemographicsError, match="has a value and 'prefer not to say'"):
        save_demographics(db, "P01", {"gender": "man"}, prefer_not={"gender"}, form=FORM)
    with pytest.raises(ParticipantError, match="no participant P02"):
        save_demographics(db, "P02", {"age": "40"}, form=FORM)
