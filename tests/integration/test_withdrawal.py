"""Withdrawal erases every trace: a unique token seeded everywhere a participant's data reaches is
found nowhere under the project folder afterwards (database, -wal and -shm included)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.domain.loader import load_study
from interview_tui.transcription.formats import write_outputs
from interview_tui.privacy.keyfile import KeyFile
from interview_tui.storage import audit, open_db
from interview_tui.storage.consent import record_consent
from interview_tui.storage.demographics import get_demographics, save_demographics
from interview_tui.storage.interviewers import get_or_add_interviewer
from interview_tui.storage.participants import add_participant
from interview_tui.storage.sessions import add_event
from interview_tui.storage.studies import register_study
from interview_tui.storage.transcripts import save_transcript
from interview_tui.export.erase import erase_participant_exports
from interview_tui.storage.withdrawal import withdraw_participant
from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta
from tests.fixtures.export import add_interview, seed_study
from tests.fixtures.privacy import study_variant

pytestmark = pytest.mark.usefixtures("no_network")

TOKEN = "QZWDRTOKEN5821"
CODE = "P17"
CODE_RE = re.compile(rb"(?<![A-Za-z0-9])P17(?![0-9])")


def _cli(project, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args], input=input)


def _seed_p17(db, project, tmp_path: Path) -> tuple[int, int]:
    """P17 with the token in a demographic text, a note, a transcript (+ its files), a review edit, clips,
    a compressed copy, the key file and three exports (two in the project, one outside)."""
    study = load_study(study_variant(tmp_path, text_field=True))
    study_id = register_study(db, study)
    add_participant(db, study.id, CODE)
    record_consent(db, CODE, study.consent, given=[i.id for i in study.consent.items], declined=[],
                   decision="given", method="app", study_id=study_id)
    save_demographics(db, CODE, {"gender": "woman", "age": "41", "profession": "psychiatrist",
                                 "years_experience": "12", "years_involuntary": "5",
                                 "workplace_note": f"ward {TOKEN}"}, form=study.demographics)
    sid, rid = add_interview(db, project, CODE, study_id, get_or_add_interviewer(db, "KNH"), 27, 30, audio=True)
    first_q = study.guide.questions()[0].id
    add_event(db, sid, "question_reached", question_id=first_q, session_offset_s=0.0, recording_id=rid,
              recording_offset_s=0.0)
    add_event(db, sid, "note", text=f"note {TOKEN}", session_offset_s=1.0, recording_id=rid, recording_offset_s=1.0)
    meta = TranscriptMeta(model="base", model_sha256=None, engine="faster-whisper 1.2.1", language="en", options={})
    transcript = Transcript(meta, [Segment(0.0, 1.5, f"I am {TOKEN}", speaker=CODE, question_id=first_q)])
    tid = save_transcript(db, rid, transcript)
    write_outputs(transcript, project.exports_dir / "transcripts" / f"{CODE}-rec{rid}-v1", ["txt", "srt", "json"])
    if "review_edits" in db.table_names():  # the review area's table: reached through foreign keys
        with db.conn:
            db.execute("INSERT INTO review_edits (transcript_id, at, kind, details) VALUES (?, 'now', 'text', ?)",
                       [tid, f'{{"after": "{TOKEN}"}}'])
    return sid, rid


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _hits(root: Path, needle: bytes) -> list[Path]:
    return [p for p in _files(root) if needle in p.read_bytes() or needle.decode() in str(p)]


def test_withdraw_erases_every_trace(project, db, tmp_path) -> None:
    seed_study(db, project, withdrawn=False)  # P01-P10 interviewed, P11-P16 declined
    sid, rid = _seed_p17(db, project, tmp_path)
    key = KeyFile(tmp_path / "usb" / "key.json")
    key.add(CODE, f"Name {TOKEN}", "555 0100")
    key.add("P01", "Someone Else")
    outside = tmp_path / "handoff-docx"
    db.close()
    for args in (["clips", str(sid)], ["export", "folder", str(project.exports_dir / "folder")],
                 ["export", "qdpx", str(project.exports_dir / "all.qdpx")], ["export", "docx", str(outside)]):
        result = _cli(project, *args)
        assert result.exit_code == 0, (args, result.output)
    db = open_db(project.db_path)
    from interview_tui.audio.convert import archive_recording

    archive_recording(db, project, rid, "flac")
    db.close()
    # The token really is everywhere before (so the search below can fail) ...
    assert _hits(project.root, TOKEN.encode())
    assert any(CODE in p.name for p in _files(project.exports_dir / "clips"))
    assert any(p.suffix == ".flac" for p in _files(project.recordings_dir / CODE))
    assert any(TOKEN.encode() in p.read_bytes() for p in _files(outside)) or any(CODE in p.name for p in _files(outside))

    result = _cli(project, "withdraw", CODE, "--yes", "--key-file", str(key.path), "--actor", "KNH")
    assert result.exit_code == 0, result.output
    assert f"{CODE} withdrawn:" in result.output and "Key-file entry removed." in result.output
    assert "Warning" not in result.output

    # ... and nowhere after: every file under the project, database, -wal and -shm included.
    assert _hits(project.root, TOKEN.encode()) == []
    assert TOKEN.encode() not in key.path.read_bytes() and set(key.load()) == {"P01"}
    assert [p for p in _files(outside) if CODE_RE.search(p.name.encode()) or TOKEN.encode() in p.read_bytes()] == []
    db_files = {"interview.db", "interview.db-wal", "interview.db-shm"}
    for path in _files(project.root):
        assert not CODE_RE.search(str(path.relative_to(project.root)).encode()), path
        if path.name not in db_files and path.suffix not in (".wav", ".flac"):
            assert not CODE_RE.search(path.read_bytes()), path
    wal = project.root / "interview.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert not (project.root / "recordings" / CODE).exists()

    db = open_db(project.db_path)
    assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0
    # What happened to P17 stays auditable, by code and ids only.
    actions = {e.action for e in audit.entries(db, participant_code=CODE)}
    assert {"consent.record", "demographics.save", "recording.started", "recording.stopped", "transcription.run",
            "withdrawn"} <= actions
    assert len(audit.entries(db, action="withdrawn")) == 1
    assert any(CODE in (e.details or {}).get("participants", []) for e in audit.entries(db, action="export.made"))
    # The code is left only where it must be: the participants row (never reused) and the audit trail.
    for table in db.table_names():
        if table in ("participants", "audit_log"):
            continue
        columns = [c.name for c in db[table].columns]
        where = " OR ".join(f"CAST([{c}] AS TEXT) LIKE '%{CODE}%'" for c in columns)
        assert db.execute(f"SELECT COUNT(*) FROM [{table}] WHERE {where}").fetchone()[0] == 0, table
    row = db.execute("SELECT code, withdrawn_at FROM participants WHERE code = ?", [CODE]).fetchone()
    assert row[0] == CODE and row[1]
    last = audit.entries(db)[-1]
    assert (last.action, last.participant_code, last.actor) == ("withdrawn", CODE, "KNH")
    assert audit.verify(db).ok
    # Everyone else is untouched, and later exports leave P17 out.
    assert get_demographics(db, "P01") and (project.exports_dir / "folder" / "P01").is_dir()
    assert db.execute("SELECT COUNT(*) FROM recordings").fetchone()[0] == 10
    assert db.execute("SELECT COUNT(*) FROM consent_records").fetchone()[0] == 16
    # Recruitment numbers still count P17 as having withdrawn (from the audit trail).
    from interview_tui.storage.consent import recruitment_counts

    assert recruitment_counts(db) == {"contacted": 17, "declined": 6, "included": 10, "withdrawn": 1}
    db.close()
    again = _cli(project, "export", "folder", str(tmp_path / "later"))
    assert again.exit_code == 0, again.output
    assert _hits(tmp_path / "later", TOKEN.encode()) == [] and not (tmp_path / "later" / CODE).exists()


def test_withdraw_asks_first_and_refuses_unknown_codes(project, db) -> None:
    from tests.fixtures.audio import enroll

    enroll(db, "P01")
    db.close()
    declined = _cli(project, "withdraw", "P01", input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    db = open_db(project.db_path)
    assert db.execute("SELECT COUNT(*) FROM consent_records").fetchone()[0] == 1
    db.close()
    unknown = _cli(project, "withdraw", "P09", "--yes")
    assert unknown.exit_code == 1 and "no participant P09" in unknown.output
    bad = _cli(project, "withdraw", "X1", "--yes")
    assert bad.exit_code == 1 and "not a participant code" in bad.output


def test_withdraw_library_call_is_repeatable(project, db) -> None:
    from tests.fixtures.audio import enroll

    enroll(db, "P01")
    first = withdraw_participant(db, project, "p1", actor="MP", erase_exports=erase_participant_exports)
    assert first.rows_deleted["consent_records"] == 1 and first.key_entry_removed is None
    assert any("no key file configured" in w for w in first.warnings)
    second = withdraw_participant(db, project, "P01", erase_exports=erase_participant_exports)
    assert sum(second.rows_deleted.values()) == 0 and second.withdrawn_at == first.withdrawn_at
    with pytest.raises(sqlite3.IntegrityError):
        with db.atomic():
            db.execute("DELETE FROM audit_log")


def test_withdraw_refuses_while_the_participant_is_being_recorded(project, db) -> None:
    import fcntl

    from interview_tui.domain.participant_codes import ParticipantError
    from interview_tui.storage.recordings import start_recording
    from tests.fixtures.audio import enroll

    enroll(db, "P01")
    path = project.recordings_dir / "P01" / "P01-live.wav"
    path.parent.mkdir(parents=True)
    start_recording(db, participant_code="P01", path="recordings/P01/P01-live.wav")
    with open(path, "wb") as live:  # what a running recorder holds
        fcntl.flock(live.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ParticipantError, match="being recorded right now"):
            withdraw_participant(db, project, "P01", erase_exports=erase_participant_exports)
        assert path.exists()
    report = withdraw_participant(db, project, "P01", erase_exports=erase_participant_exports)  # the recorder is gone: now it goes
    assert path in report.files_deleted and not path.exists()
