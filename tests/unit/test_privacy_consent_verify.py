"""`consent verify`: a changed consent text, decision or item list is found and the exit code says so."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.storage.integrity import verify_consent_records
from tests.fixtures.audio import enroll

pytestmark = pytest.mark.usefixtures("no_network")


def _verify(project):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), "consent", "verify"])


def test_untouched_records_verify(project, db) -> None:
    enroll(db, "P01")
    enroll(db, "P02", audio_consent=False)
    out = _verify(project)
    assert out.exit_code == 0 and "All 2 consent record(s) match" in out.output


@pytest.mark.parametrize(
    "tamper, message",
    [
        ("UPDATE consent_records SET text = replace(text, 'voluntary', 'compulsory') WHERE id = 1",
         "consent record 1 (P01): the consent text does not match its stored sha256"),
        ("UPDATE consent_records SET decision = 'given' WHERE id = 2",
         "consent record 2 (P02): decision is 'given' but was recorded as 'declined'"),
        ("UPDATE consent_records SET items_declined = '[]' WHERE id = 2",
         "consent record 2 (P02): items_declined is [] but was recorded as ['audio_recording']"),
    ],
)
def test_tampering_is_detected(project, db, tamper: str, message: str) -> None:
    enroll(db, "P01")
    enroll(db, "P02", audio_consent=False)
    with db.conn:
        changed = db.execute(tamper).rowcount
    assert changed == 1
    [problem] = verify_consent_records(db).problems
    assert str(problem).startswith(message)
    out = _verify(project)
    assert out.exit_code == 1 and message in out.output and "1 problem(s) in 2 consent record(s)" in out.output
