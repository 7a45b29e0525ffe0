"""End of project: no recordings after the study's end date; `anonymise` deletes the key file and the
recordings, keeps the pseudonymous transcripts and writes a report of what it deleted."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interview_tui.audio.recording import ActiveRecording, RecordingRefused
from interview_tui.cli import main
from interview_tui.domain.loader import load_study
from interview_tui.privacy.keyfile import KeyFile
from interview_tui.storage import audit, open_db
from interview_tui.storage.consent import record_consent
from interview_tui.storage.participants import add_participant
from interview_tui.storage.studies import register_study
from interview_tui.storage.withdrawal import set_key_file_path
from interview_tui.domain.transcript import Segment
from tests.fixtures.export import add_interview, add_transcript
from tests.fixtures.privacy import study_variant

pytestmark = pytest.mark.usefixtures("no_network")


def _project(db, project, tmp_path, end_date: str):
    study = load_study(study_variant(tmp_path, end_date=end_date))
    study_id = register_study(db, study)
    key = KeyFile(tmp_path / "usb" / "key.json")
    set_key_file_path(db, key.path)
    for n, code in enumerate(("P01", "P02")):
        add_participant(db, study.id, code)
        record_consent(db, code, study.consent, given=[i.id for i in study.consent.items], declined=[],
                       decision="given", method="paper", study_id=study_id)
        _sid, rid = add_interview(db, project, code, study_id, None, 10 + n, 50, audio=True)
        add_transcript(db, rid, 1, "machine", (Segment(0.0, 2.0, f"words of {code}", speaker=code, question_id=None),))
        key.add(code, f"Person {n}")
    return study, key


def _cli(project, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args], input=input)


def test_no_recording_after_the_end_date(project, db, tmp_path) -> None:
    study, _ = _project(db, project, tmp_path, "2020-06-30")
    assert str(study.end_date) == "2020-06-30"
    with pytest.raises(RecordingRefused, match="The study ended on 2020-06-30"):
        ActiveRecording.start(db, project, "P01", device="no such device")


def test_anonymise_refuses_before_the_end_date(project, db, tmp_path) -> None:
    _project(db, project, tmp_path, "2999-01-01")
    db.close()
    out = _cli(project, "anonymise", "--yes")
    assert out.exit_code == 1 and "ends on 2999-01-01" in out.output
    assert len(list(project.recordings_dir.rglob("*.wav"))) == 2


def test_anonymise_deletes_key_and_recordings_keeps_transcripts(project, db, tmp_path) -> None:
    _, key = _project(db, project, tmp_path, "2020-06-30")
    wavs = sorted(project.recordings_dir.rglob("*.wav"))
    assert len(wavs) == 2 and key.path.exists()
    clip = project.exports_dir / "clips" / "P01-S1" / "01-q.wav"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(wavs[0].read_bytes())
    db.close()
    out = _cli(project, "anonymise", input="y\n")
    assert out.exit_code == 0, out.output
    assert not key.path.exists() and list(key.path.parent.iterdir()) == []
    assert [p for p in project.recordings_dir.rglob("*") if p.is_file()] == [] and not clip.exists()
    [report] = project.root.glob("anonymisation-report-*.txt")
    text = report.read_text()
    assert f"deleted: {key.path}" in text and "2 recording(s); 3 file(s) deleted" in text
    for wav in wavs:
        assert str(wav.relative_to(project.root)) in text
    assert "Transcripts kept" in text and ": 2" in text and "Person" not in text
    db = open_db(project.db_path)
    assert db.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 2
    [entry] = audit.entries(db, action="project.anonymised")
    assert entry.details == {"files_deleted": 3, "key_file_deleted": True, "transcripts_kept": 2}
    db.close()
