"""Encrypted recordings (`*.wav.ageseg`) cannot be archived, clipped, played or transcribed on the recording
machine (no private key there): every path says so and where to decrypt, instead of an FFmpeg error."""

from __future__ import annotations

import re
import threading

import pytest
from click.testing import CliRunner

from interview_tui.audio.clips import cut_clips
from interview_tui.audio.convert import ConversionError, archive_recording
from interview_tui.audio.playback import AudioSource, PlaybackError
from interview_tui.cli import main
from interview_tui.privacy.segments import MAGIC, encrypted_recording_message
from interview_tui.storage import recordings as store
from interview_tui.storage.sessions import add_event, open_session
from interview_tui.transcription.audio_input import AudioInputError, load_audio
from interview_tui.transcription.batch import JobResult, Settings, recording_ids_to_do, recording_job, run_batch
from tests.fixtures.audio import enroll

NAME = "P01-20261128-0900.wav.ageseg"


def _says_encrypted(action: str) -> str:
    return re.escape(f"recording {NAME} is encrypted for this study and cannot {action} on this machine; "
                     f"decrypt it on the analysis machine with `interview-tui decrypt {NAME} --identity KEY`")


@pytest.fixture
def encrypted(db, project) -> dict:
    """A finished encrypted recording of P01 in a session that reached one question (the file: magic only)."""
    enroll(db)
    rel = f"recordings/P01/{NAME}"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    (project.root / rel).write_bytes(MAGIC)
    session_id = open_session(db, participant_id=store.participant_row(db, "P01").id, study_id=1)
    rid = store.start_recording(db, participant_code="P01", path=rel, session_id=session_id,
                                sample_rate=48000, channels=1)
    store.finish_recording(db, rid, duration_s=5.0, sha256="0" * 64)
    add_event(db, session_id, "question_reached", question_id="intro-describe", session_offset_s=0.0,
              recording_id=rid, recording_offset_s=0.0)
    return {"id": rid, "path": project.root / rel, "session_id": session_id}


def test_message_names_the_file_the_command_and_the_key() -> None:
    assert encrypted_recording_message(f"/data/recordings/P01/{NAME}", "be played") == (
        f"recording {NAME} is encrypted for this study and cannot be played on this machine; decrypt it on the "
        f"analysis machine with `interview-tui decrypt {NAME} --identity KEY` (KEY: the study's private key file)"
    )


def test_archive_and_playback_say_it_is_encrypted(db, project, encrypted) -> None:
    with pytest.raises(ConversionError, match=_says_encrypted("be archived")):
        archive_recording(db, project, encrypted["id"], "flac")
    assert store.get_recording(db, encrypted["id"]).compressed_path is None
    assert not list(encrypted["path"].parent.glob("*.flac"))
    with pytest.raises(PlaybackError, match=_says_encrypted("be played")):
        AudioSource(encrypted["path"])


def test_clips_refuse_with_the_message(db, project, encrypted, tmp_path) -> None:
    with pytest.raises(ValueError, match=_says_encrypted("be cut into clips")):
        cut_clips(db, project, encrypted["session_id"], tmp_path / "clips")
    result = CliRunner().invoke(main, ["--data-dir", str(project.root), "clips", str(encrypted["session_id"]),
                                       "--out", str(tmp_path / "clips")])
    assert result.exit_code == 1 and "is encrypted for this study" in result.output, result.output
    assert not list((tmp_path / "clips").glob("*.wav"))


def test_transcription_skips_it_and_goes_on(db, project, encrypted) -> None:
    with pytest.raises(AudioInputError, match=_says_encrypted("be transcribed")):
        load_audio(encrypted["path"])
    ids, notes = recording_ids_to_do(db, all_pending=True, recording_ids=[], session_ids=[], force=False)
    assert ids == [] and len(notes) == 1
    assert re.fullmatch(f"recording {encrypted['id']}: " + _says_encrypted("be transcribed") + ".*", notes[0])

    # Named explicitly (or queued in the TUI): a failed result with the message, and the batch goes on.
    unfinished = store.start_recording(db, participant_code="P01", path="recordings/P01/later.wav")
    results: list[JobResult] = []

    class Listener:
        def job_started(self, index, total, job) -> None: ...
        def job_progress(self, done_s, total_s) -> None: ...
        def job_finished(self, result: JobResult) -> None:
            results.append(result)

    jobs = [recording_job(db, project, rid, Settings()) for rid in (encrypted["id"], unfinished)]
    report = run_batch(jobs, Listener(), threading.Event())
    assert [r.ok for r in report.results] == [False, False] and results == report.results
    assert re.match(f"recording {encrypted['id']} \\(P01\\): " + _says_encrypted("be transcribed"),
                    report.results[0].message)
    assert "not finished" in report.results[1].message
    assert "unexpected" not in report.results[0].message  # an expected JobError, reported as such


def test_cli_transcribe_all_reports_and_skips_it(project, encrypted) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(project.root), "transcribe", "--all"])
    assert result.exit_code == 0, result.output
    assert f"skipped: recording {encrypted['id']}: recording {NAME} is encrypted for this study" in result.output
    assert "Nothing to transcribe." in result.output
