"""`review list|diff|signoff` through click's runner on a real project database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.review.session import ReviewSession
from interview_tui.storage.transcripts import save_transcript
from tests.unit.test_review_session import machine_transcript


@pytest.fixture
def transcribed(db, project):
    from interview_tui.storage.recordings import finish_recording, start_recording
    from tests.fixtures.audio import enroll

    enroll(db)
    rid = start_recording(db, participant_code="P01", path="recordings/P01/a.wav")
    finish_recording(db, rid, duration_s=6.0, sha256="0" * 64)
    save_transcript(db, rid, machine_transcript())
    return rid


def run(project, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), "review", *args], catch_exceptions=False)


def test_list_diff_signoff(db, project, transcribed) -> None:
    out = run(project, "list")
    assert out.exit_code == 0 and "not started" in out.output and "0 of 1 transcripts reviewed" in out.output

    missing = run(project, "diff", str(transcribed))
    assert missing.exit_code == 1 and "no review yet" in missing.output
    refused = run(project, "signoff", str(transcribed), "--by", "MP")
    assert refused.exit_code == 1 and "--as-is" in refused.output

    review = ReviewSession.open(db, transcribed)
    review.set_text(1, "As a nurse long ago.")
    review.heard(0, 3)
    diff = run(project, "diff", str(transcribed))
    assert diff.exit_code == 0, diff.output
    assert "correction rate 11.1%" in diff.output
    assert "[00:03] Interviewer: As a [-nurce-]{+nurse+} long ago." in diff.output
    assert "How did you start" not in diff.output  # unchanged turns are not listed

    listed = json.loads(run(project, "list", "--json").output)
    [row] = listed["transcripts"]
    assert (row["state"], row["edits"], row["heard"], row["correction_rate"]) == ("in review", 1, 0.5, 0.1111)

    signed = run(project, "signoff", str(transcribed), "--by", "MP")
    assert signed.exit_code == 0 and "Signed off" in signed.output
    again = run(project, "signoff", str(transcribed), "--by", "MP")
    assert again.exit_code == 1 and "already signed off" in again.output
    final = run(project, "list")
    assert "signed off" in final.output and "1 of 1 transcripts reviewed" in final.output
    assert "pooled correction rate 11.1% over 9 reviewed words" in final.output
    assert run(project, "diff", str(transcribed), "--summary").exit_code == 0


def test_unknown_recording_is_a_clear_error(project) -> None:
    out = run(project, "diff", "99")
    assert out.exit_code == 1 and "has no transcript yet" in out.output and "Traceback" not in out.output


def test_every_review_command_has_help() -> None:
    from interview_tui.cli.review import review

    for name, command in review.commands.items():
        assert command.help, name


def test_transcripts_are_counted_per_interview_not_per_recording() -> None:
    """An interview of two recordings is one transcript: signed off only when both recordings are;
    a recording with no session (an import) is a transcript of its own."""
    from types import SimpleNamespace as Row

    from interview_tui.review.status import interviews_signed

    def row(recording_id: int, session_id: int | None, signed: bool) -> Row:
        return Row(recording_id=recording_id, session_id=session_id, reviewed_at="2026-12-01" if signed else None)

    assert interviews_signed([row(1, 7, True), row(2, 7, False), row(3, None, True)]) == (1, 2)
    assert interviews_signed([row(1, 7, True), row(2, 7, True), row(3, None, False)]) == (1, 2)
    assert interviews_signed([row(1, 7, True), row(2, 7, True), row(3, None, True), row(4, 8, False)]) == (2, 3)
    assert interviews_signed([]) == (0, 0)
