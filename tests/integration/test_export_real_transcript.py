"""From speech to a coded REFI-QDA project: a real recording transcribed by a real Whisper model
(tiny.en from PyPI) through the transcription batch job, aligned to the guide by the session's
question events, then exported; the coded passages hold what was said under each question."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from interview_tui.cli import main
from interview_tui.storage import sessions
from interview_tui.storage.recordings import finish_recording, list_recordings
from tests.fixtures.export import SeededStudy

pytestmark = [pytest.mark.model, pytest.mark.slow]

XSD = Path(__file__).resolve().parents[1] / "data" / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


def test_transcribed_interview_exports_coded_by_question(export_seeded: SeededStudy, tiny_en, interview_clip, tmp_path: Path) -> None:
    from interview_tui.transcription.batch import Settings, recording_job
    from interview_tui.transcription.engine import TranscribeOptions

    db, project = export_seeded.db, export_seeded.project
    [rec] = list_recordings(db, "P01")
    audio = project.root / rec.path
    audio.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(interview_clip.path, audio)
    duration = interview_clip.timeline[-1].end_s
    finish_recording(db, rec.id, duration_s=duration, sha256="0" * 64)
    # The interviewer moved to each question as it was asked (offsets on the recording's timeline).
    asked = {"intro-describe": interview_clip.timeline[0].start_s, "alliance-contact": interview_clip.timeline[2].start_s}
    for qid, at in asked.items():
        sessions.add_event(db, rec.session_id, "question_reached", question_id=qid, session_offset_s=at,
                           recording_id=rec.id, recording_offset_s=at)

    job = recording_job(db, project, rec.id, Settings(model="tiny.en", options=TranscribeOptions(language="en")))
    result = job.run(lambda *args, **kwargs: None, None)
    assert result.ok, result.message

    out = tmp_path / "study.qdpx"
    cli = CliRunner().invoke(main, ["--data-dir", str(project.root), "export", "qdpx", "-p", "P01", str(out)],
                             catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    with zipfile.ZipFile(out) as zf:
        qde = etree.fromstring(zf.read("project.qde"))
        etree.XMLSchema(etree.parse(str(XSD))).assertValid(qde)
        source = qde.find(".//q:AudioSource/q:Transcript", NS)
        text = zf.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
    # code names are cut to MAXQDA's 63 characters; the description holds the full question
    codes = {c.get("guid"): c.find("q:Description", NS).text for c in qde.iter("{urn:QDA-XML:project:1.0}Code")}
    position = {p.get("guid"): int(p.get("position")) for p in source.findall("q:SyncPoint", NS)}
    coded = {}
    for sel in source.findall("q:TranscriptSelection", NS):
        ref = sel.find("q:Coding/q:CodeRef", NS)
        if ref is not None and codes[ref.get("targetGUID")].startswith("Guide question"):
            coded[codes[ref.get("targetGUID")].split(": ", 1)[1]] = text[position[sel.get("fromSyncPoint")] : position[sel.get("toSyncPoint")]].lower()
    first = next(v for k, v in coded.items() if k.startswith("Can you describe what it is like"))
    second = next(v for k, v in coded.items() if "contact" in k.lower())
    # Words of each answer land under their question, not the other (tiny.en hears these reliably).
    assert "nurse" in first and "nurse" not in second, coded
    assert "trust" in second and "trust" not in first, coded
    # sync points: every one inside the text and the audio
    transcript = qde.find(".//q:AudioSource/q:Transcript", NS)
    points = [(int(p.get("timeStamp")), int(p.get("position"))) for p in transcript.findall("q:SyncPoint", NS)]
    assert points and all(0 <= ms <= duration * 1000 + 500 and 0 <= pos <= len(text) for ms, pos in points)
