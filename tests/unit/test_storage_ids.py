"""Ids are never given out twice: after a withdrawal erases rows, new rows get new ids."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from interview_tui.storage import open_db
from interview_tui.storage.migrations import migrations
from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.storage.sessions import open_session
from interview_tui.storage.studies import register_study
from interview_tui.storage.transcripts import save_transcript
from interview_tui.export.erase import erase_participant_exports
from interview_tui.storage.withdrawal import withdraw_participant
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from tests.fixtures.audio import enroll


def _recording_with_transcript(db, project, code: str) -> tuple[int, int, int]:
    from interview_tui.domain.loader import default_study
    from interview_tui.storage.participants import get_participant

    study_id = register_study(db, default_study())
    sid = open_session(db, participant_id=get_participant(db, code).id, study_id=study_id)
    rel = f"recordings/{code}/{code}.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    (project.root / rel).write_bytes(b"RIFF")
    rid = start_recording(db, participant_code=code, path=rel, session_id=sid)
    finish_recording(db, rid, duration_s=1.0, sha256="0" * 64)
    tid = save_transcript(db, rid, Transcript(meta=TranscriptMeta("tiny", None, "test", "en", {}), segments=[Segment(0.0, 1.0, "hello")]))
    return sid, rid, tid


def test_ids_of_a_withdrawn_participant_are_never_reused(db, project) -> None:
    enroll(db, "P01")
    enroll(db, "P02")
    _recording_with_transcript(db, project, "P01")
    withdrawn = _recording_with_transcript(db, project, "P02")  # the highest ids: SQLite would reuse them
    withdraw_participant(db, project, "P02", erase_exports=erase_participant_exports)
    enroll(db, "P03")
    fresh = _recording_with_transcript(db, project, "P03")
    for old, new in zip(withdrawn, fresh):
        assert new > old


def test_pre_m004_database_keeps_its_rows_and_skips_ids_the_audit_trail_named(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m004_ids_never_reused")
    with old.atomic():
        old.execute("INSERT INTO participants (code, study_slug, created_at) VALUES ('P01', 's', 'now')")
        old.execute("INSERT INTO recordings (participant_id, path, source, state, started_at)"
                    " VALUES (1, 'recordings/P01/a.wav', 'import', 'complete', 'now')")
        old.execute("INSERT INTO transcripts (recording_id, version, kind, created_at) VALUES (1, 1, 'machine', 'now')")
        # Recording 7 existed once (a withdrawal erased it); only the audit trail remembers it.
        old.execute("INSERT INTO audit_log (at, action, details) VALUES ('now', 'recording.imported',"
                    " '{\"recording_id\": 7}')")
    old.close()
    db = open_db(path)
    assert "AUTOINCREMENT" in db.execute("SELECT sql FROM sqlite_master WHERE name = 'recordings'").fetchone()[0]
    assert db.execute("SELECT id, path FROM recordings").fetchall() == [(1, "recordings/P01/a.wav")]
    assert db.execute("SELECT recording_id FROM transcripts").fetchall() == [(1,)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    rid = start_recording(db, participant_code="P01", path="recordings/P01/b.wav", source="import")
    assert rid == 8
