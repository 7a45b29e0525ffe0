"""Consent: the text hash, decision checks, durable records, the latest decision, recruitment counts."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace

import pytest

from interview_tui.domain.consent import ConsentError, check_decision, consent_text, consent_text_hash
from interview_tui.domain.participant_codes import ParticipantError
from interview_tui.storage import audit
from interview_tui.storage.consent import (
    consent_on_file,
    has_consent_item,
    record_consent,
    recruitment_counts,
    recruitment_sentence,
)
from interview_tui.storage.interviewers import get_or_add_interviewer
from interview_tui.storage.participants import add_participant, withdraw_participant
from interview_tui.storage.studies import register_study
from tests.fixtures.records import make_study, seed_consent_form

FORM = seed_consent_form()
REQUIRED = ["participate", "record_audio"]


def test_consent_text_holds_title_text_and_every_item() -> None:
    text = consent_text(FORM)
    assert text.splitlines()[:2] == [FORM.title, "Version 1.0"]
    assert FORM.text in text
    assert "1. I agree to take part in the interview. (required)" in text
    assert "3. I agree that anonymous quotes may be published. (optional)" in text
    assert consent_text_hash(FORM) == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    "change",
    [
        dict(title="Another title"),
        dict(text="Different wording."),
        dict(version="1.1"),
        dict(items=FORM.items[:2] + (replace(FORM.items[2], text="Quotes may be published."),)),
        dict(items=FORM.items[:2] + (replace(FORM.items[2], required=True),)),
    ],
)
def test_hash_changes_with_anything_shown(change: dict) -> None:
    assert consent_text_hash(replace(FORM, **change)) != consent_text_hash(FORM)


@pytest.mark.parametrize(
    "given, declined, decision, expected",
    [
        (REQUIRED, ["quotes"], "given", []),
        (REQUIRED + ["quotes"], [], "given", []),
        ([], REQUIRED + ["quotes"], "declined", []),
        ([], [], "declined", []),
        (REQUIRED, [], "maybe", ["decision must be 'given' or 'declined', not 'maybe'"]),
        (REQUIRED + ["selfie"], [], "given", ["unknown consent item(s) selfie for form version 1.0"]),
        (REQUIRED, ["record_audio"], "given", ["item(s) record_audio are both given and declined"]),
        (["participate"], ["record_audio"], "given", ["required item(s) record_audio not given"]),
    ],
)
def test_check_decision(given, declined, decision, expected) -> None:
    errors = check_decision(FORM, given, declined, decision)
    assert len(errors) == len(expected)
    for error, start in zip(errors, expected):
        assert error.startswith(start)


def test_check_decision_lists_every_error() -> None:
    errors = check_decision(FORM, ["participate", "x"], ["participate"], "given")
    assert len(errors) == 3


@pytest.fixture
def p01(db):
    study = make_study()
    add_participant(db, study.id, "P01")
    return study


def test_record_consent_stores_the_exact_snapshot(db, p01) -> None:
    interviewer = get_or_add_interviewer(db, "MP")
    study_id = register_study(db, p01)
    record_id = record_consent(
        db, "P01", FORM, given=["record_audio", "participate"], declined=[], decision="given",
        method="app", interviewer_id=interviewer, study_id=study_id,
    )
    row = db["consent_records"].get(record_id)
    assert row["form_version"] == "1.0"
    assert row["form_title"] == FORM.title
    assert row["text"] == consent_text(FORM)
    assert row["text_hash"] == hashlib.sha256(row["text"].encode()).hexdigest()
    assert json.loads(row["items_given"]) == ["participate", "record_audio"]  # form order
    assert json.loads(row["items_declined"]) == ["quotes"]  # not given = declined
    assert (row["decision"], row["method"], row["interviewer_id"], row["study_id"]) == (
        "given", "app", interviewer, study_id)
    on_file = consent_on_file(db, "p1", "1.0")
    assert on_file.id == record_id and on_file.interviewer == "MP"
    [entry] = audit.entries(db, action="consent.record")
    assert entry.participant_code == "P01"
    assert entry.details["items_given"] == ["participate", "record_audio"]


def test_consent_is_on_disk_when_record_consent_returns(project, db, p01) -> None:
    """A process killed right after record_consent returns still leaves the record in the file."""
    script = (
        "import os, signal\n"
        "from interview_tui.storage import open_db\n"
        "from interview_tui.storage.consent import record_consent\n"
        "from tests.fixtures.records import seed_consent_form\n"
        f"db = open_db({str(project.db_path)!r})\n"
        "record_consent(db, 'P01', seed_consent_form(), given=['participate', 'record_audio'], declined=[],\n"
        "               decision='given', method='paper')\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    other = sqlite3.connect(project.db_path)
    assert other.execute("SELECT decision, method FROM consent_records").fetchall() == [("given", "paper")]
    other.close()
    assert not db.conn.in_transaction


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(given=["participate"], declined=[], decision="given", method="app"), "required item(s) record_audio"),
        (dict(given=REQUIRED, declined=[], decision="given", method="email"), "method must be 'app' or 'paper'"),
        (dict(given=REQUIRED + ["nope"], declined=[], decision="given", method="app"), "unknown consent item(s) nope"),
    ],
)
def test_invalid_decisions_are_refused_and_nothing_stored(db, p01, kwargs, message) -> None:
    with pytest.raises(ConsentError) as info:
        record_consent(db, "P01", FORM, **kwargs)
    assert message in str(info.value)
    assert db["consent_records"].count == 0
    assert audit.entries(db, action="consent.record") == []


def test_unknown_and_withdrawn_participants_are_refused(db, p01) -> None:
    with pytest.raises(ParticipantError, match=r"no participant P02; add them first"):
        record_consent(db, "P02", FORM, given=REQUIRED, declined=[], decision="given", method="app")
    withdraw_participant(db, "P01")
    with pytest.raises(ParticipantError, match="P01 withdrew"):
        record_consent(db, "P01", FORM, given=REQUIRED, declined=[], decision="given", method="app")


def test_refused_inside_an_open_transaction(db, p01) -> None:
    with db.atomic():
        with pytest.raises(RuntimeError, match="open transaction"):
            record_consent(db, "P01", FORM, given=REQUIRED, declined=[], decision="given", method="app")


def test_new_form_version_means_ask_again(db, p01) -> None:
    record_consent(db, "P01", FORM, given=REQUIRED, declined=[], decision="given", method="app")
    assert consent_on_file(db, "P01", "1.0").decision == "given"
    assert consent_on_file(db, "P01", "2.0") is None


def test_latest_record_wins(db, p01) -> None:
    record_consent(db, "P01", FORM, given=REQUIRED, declined=["quotes"], decision="given", method="paper")
    assert has_consent_item(db, "P01", "record_audio")
    assert not has_consent_item(db, "P01", "quotes")
    record_consent(db, "P01", FORM, given=REQUIRED + ["quotes"], declined=[], decision="given", method="app")
    assert has_consent_item(db, "P01", "quotes")
    assert consent_on_file(db, "P01", "1.0").method == "app"
    # withdrawing consent (a later 'declined' record) turns every item off
    record_consent(db, "P01", FORM, given=[], declined=[], decision="declined", method="app")
    assert not has_consent_item(db, "P01", "record_audio")
    assert consent_on_file(db, "P01", "1.0").decision == "declined"


def test_no_record_means_no_item(db, p01) -> None:
    assert not has_consent_item(db, "P01", "record_audio")
    assert consent_on_file(db, "P01", "1.0") is None


def test_recruitment_counts_of_the_seed_study(db) -> None:
    """16 contacted, 6 refused, 10 included, as in the seed paper."""
    study = make_study()
    for n in range(1, 17):
        code = add_participant(db, study.id).code
        if n <= 10:
            record_consent(db, code, FORM, given=REQUIRED, declined=[], decision="given", method="paper")
        else:
            record_consent(db, code, FORM, given=[], declined=[], decision="declined", method="paper")
    add_participant(db, study.id)  # added, never asked: not contacted
    counts = recruitment_counts(db)
    assert counts == {"contacted": 16, "declined": 6, "included": 10, "withdrawn": 0}
    assert recruitment_sentence(counts) == (
        "Sixteen eligible candidates were contacted; of these, six refused to participate. "
        "A total of 10 were included."
    )
    withdraw_participant(db, "P03")
    assert recruitment_counts(db) == {"contacted": 16, "declined": 6, "included": 9, "withdrawn": 1}
