"""Which project recordings `transcribe --all` picks, with and without --force."""

from __future__ import annotations

import pytest

from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.storage.transcripts import save_transcript
from interview_tui.transcription.batch import recording_ids_to_do
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from tests.fixtures.audio import enroll


@pytest.fixture
def recordings(db) -> tuple[int, int]:
    """Two finished recordings of P01; the first already transcribed."""
    enroll(db)
    ids = []
    for name in ("a", "b"):
        rid = start_recording(db, participant_code="P01", path=f"recordings/P01/{name}.wav")
        finish_recording(db, rid, duration_s=3.0, sha256="0" * 64)
        ids.append(rid)
    meta = TranscriptMeta("tiny.en", None, "faster-whisper 1.2.1", "en", {}, duration_s=3.0)
    save_transcript(db, ids[0], Transcript(meta, [Segment(0.0, 1.0, "Hello.")]))
    return ids[0], ids[1]


@pytest.mark.parametrize("force, expected", [(False, "untranscribed"), (True, "both")])
def test_all_with_force_redoes_every_recording(db, recordings, force, expected) -> None:
    # The defect: `--all --force` said "Nothing to transcribe." once every recording had a version.
    done, pending = recordings
    ids, _ = recording_ids_to_do(db, all_pending=True, recording_ids=[], session_ids=[], force=force)
    assert ids == {"untranscribed": [pending], "both": [done, pending]}[expected]
