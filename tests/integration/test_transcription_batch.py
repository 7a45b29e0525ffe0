"""Batches over a real project database: guide alignment, versions, resume, failures, outputs, CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.fixtures.audio import enroll
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.domain.loader import default_study
from interview_tui.transcription.formats import from_json
from interview_tui.storage import transcripts as store
from interview_tui.storage.interviewers import get_or_add_interviewer
from interview_tui.storage.participants import get_participant
from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.storage.sessions import add_event, open_session
from interview_tui.storage.studies import register_study
from interview_tui.transcription.batch import JobResult, Settings, file_jobs, recording_ids_to_do, recording_job, run_batch
from interview_tui.transcription.engine import TranscribeOptions
from tests.fixtures.speech import normalize_for_wer

pytestmark = [pytest.mark.model, pytest.mark.slow]


class Collect:
    def __init__(self) -> None:
        self.progress: list[tuple[float, float]] = []
        self.finished: list[JobResult] = []

    def job_started(self, index, total, job) -> None:
        pass

    def job_progress(self, done_s: float, total_s: float) -> None:
        self.progress.append((done_s, total_s))

    def job_finished(self, result: JobResult) -> None:
        self.finished.append(result)


def add_recording(db, project, code: str, src: Path, name: str, session_id: int | None = None) -> int:
    rel = f"recordings/{code}/{name}"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, project.root / rel)
    rid = start_recording(db, participant_code=code, path=rel, source="import", session_id=session_id)
    finish_recording(db, rid, duration_s=10.0, sha256="0" * 64)
    return rid


@pytest.fixture
def interview(db, project, interview_clip):
    """A session of P01 with MP, a recording of it, and question events on the recording's timeline."""
    study = default_study()
    study_id = register_study(db, study)
    enroll(db, "P01")  # audio is transcribed only with audio-recording consent (storage.permission)
    participant = get_participant(db, "P01")
    interviewer = get_or_add_interviewer(db, "MP", "interviewer")
    session_id = open_session(db, participant_id=participant.id, study_id=study_id, interviewer_id=interviewer)
    rid = add_recording(db, project, "P01", interview_clip.path, "P01-S1.wav", session_id)
    q1, q2 = [q.id for q in study.guide.questions()[:2]]
    second_question_at = interview_clip.timeline[2].start_s
    add_event(db, session_id, "session_started", session_offset_s=0.0)
    add_event(db, session_id, "question_reached", question_id=q1, session_offset_s=1.0,
              recording_id=rid, recording_offset_s=0.0)
    add_event(db, session_id, "note", question_id=q1, text="nods", session_offset_s=3.0,
              recording_id=rid, recording_offset_s=2.0)
    add_event(db, session_id, "question_reached", question_id=q2, session_offset_s=second_question_at + 1,
              recording_id=rid, recording_offset_s=second_question_at - 0.3)
    return {"study": study, "recording_id": rid, "session_id": session_id, "q1": q1, "q2": q2}


def test_segments_aligned_to_guide_questions_and_stored_with_provenance(db, project, tiny_en, interview) -> None:
    # One synthetic voice: speakers by voice off (test_speakers.py covers them).
    settings = Settings(model="tiny.en", language="en", formats=["md", "json"], speakers=0)
    job = recording_job(db, project, interview["recording_id"], settings)
    listener = Collect()
    report = run_batch([job], listener)
    assert [r.ok for r in report.results] == [True], report.results[0].message
    assert listener.progress and listener.progress[-1][0] == pytest.approx(listener.progress[-1][1])

    t = store.load_transcript(db, report.results[0].transcript_id)
    by_question: dict[str, str] = {}
    for s in t.segments:
        by_question[s.question_id] = by_question.get(s.question_id, "") + " " + normalize_for_wer(s.text)
    assert set(by_question) == {interview["q1"], interview["q2"]}
    assert "nurse" in by_question[interview["q1"]] and "psychiatric" in by_question[interview["q1"]]
    assert "trust" in by_question[interview["q2"]] and "alliance" in by_question[interview["q2"]]
    assert {s.speaker for s in t.segments} == {"Speaker (mono)"}
    assert t.meta.model == "tiny.en" and t.meta.engine.startswith("faster-whisper ")
    assert t.meta.options["beam_size"] == 2 and t.meta.language == "en"
    assert all(s.words and s.confidence is not None for s in t.segments)

    md_path = next(p for p in report.results[0].outputs if p.suffix == ".md")
    md = md_path.read_text()
    q2_text = interview["study"].guide.question(interview["q2"]).text
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == [interview["study"].guide.question(interview["q1"]).text, q2_text]
    assert "trust" in md.split(f"## {q2_text}")[1]
    json_path = next(p for p in report.results[0].outputs if p.suffix == ".json")
    again = from_json(json_path.read_text())
    assert [(s.start, s.text, s.question_id) for s in again.segments] == [(s.start, s.text, s.question_id) for s in t.segments]


def test_batch_resumes_and_retranscribing_keeps_the_old_version(db, project, tiny_en, interview, english_clip) -> None:
    other = add_recording(db, project, "P01", english_clip.path, "P01-extra.wav")
    ids, _ = recording_ids_to_do(db, all_pending=True, recording_ids=[], session_ids=[], force=False)
    assert ids == [interview["recording_id"], other]
    settings = Settings(model="tiny.en", language="en")
    # "Interrupted" after the first recording: only it was stored.
    run_batch([recording_job(db, project, ids[0], settings)], Collect())
    ids, _ = recording_ids_to_do(db, all_pending=True, recording_ids=[], session_ids=[], force=False)
    assert ids == [other]
    run_batch([recording_job(db, project, other, settings)], Collect())
    assert recording_ids_to_do(db, all_pending=True, recording_ids=[], session_ids=[], force=False)[0] == []

    ids, notes = recording_ids_to_do(db, all_pending=False, recording_ids=[other], session_ids=[], force=False)
    assert ids == [] and "already transcribed" in notes[0]
    ids, _ = recording_ids_to_do(db, all_pending=False, recording_ids=[other], session_ids=[], force=True)
    clean = Settings(model="tiny.en", language="en", options=TranscribeOptions(verbatim=False))
    run_batch([recording_job(db, project, other, clean)], Collect())
    versions = store.list_transcripts(db, other)
    assert [v.version for v in versions] == [1, 2]
    assert [v.options["verbatim"] for v in versions] == [True, False]
    assert all(v.segment_count > 0 for v in versions)


def test_failures_are_reported_and_the_batch_goes_on(tmp_path, tiny_en, english_clip, norwegian_clip, model_cache) -> None:
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt " + b"\x07" * 300)
    empty = tmp_path / "empty.m4a"
    empty.write_bytes(b"")
    text_file = tmp_path / "notes.mp3"
    text_file.write_text("this is not audio")
    good = shutil.copy(english_clip.path, tmp_path / "good.wav")
    nb = shutil.copy(norwegian_clip.path, tmp_path / "nb.wav")
    out = tmp_path / "out"

    fmts = ["txt", "srt", "vtt", "json", "md"]
    jobs = file_jobs([corrupt, empty, text_file, Path(good)], Settings(model="tiny.en", language="en", formats=fmts, out_dir=out))
    jobs += file_jobs([Path(nb)], Settings(model="tiny.en", language="nb", formats=fmts, out_dir=out))
    jobs += file_jobs([Path(nb)], Settings(model="large-v3", language="nb", formats=fmts, out_dir=out))
    jobs += file_jobs([Path(nb)], Settings(model=str(tmp_path / "no-such-model"), language="nb", formats=fmts, out_dir=out))
    from interview_tui.config import GUIDES_DIR
    from interview_tui.domain.loader import load_study

    nb_study = load_study(GUIDES_DIR / "peer-support-workers-nb.yaml")  # a Norwegian study file
    jobs += file_jobs([Path(nb)], Settings(model="tiny.en", study=nb_study, formats=fmts, out_dir=out))
    report = run_batch(jobs, Collect())
    msgs = [r.message for r in report.results]
    assert [r.ok for r in report.results] == [False, False, False, True, False, False, False, False]
    assert "English-only" in msgs[7] and "'no'" in msgs[7]
    assert "cannot decode" in msgs[0] and "corrupt" in msgs[0]
    assert "empty" in msgs[1]
    assert "cannot decode" in msgs[2]
    assert "English-only" in msgs[4] and "'no'" in msgs[4]
    assert "not available" in msgs[5] and "pip install 'interview-tui[models]'" in msgs[5]
    assert "does not exist" in msgs[6] and "pip install" in msgs[6]

    outputs = {p.suffix: p for p in report.results[3].outputs}
    assert set(outputs) == {".txt", ".srt", ".vtt", ".json", ".md"}
    doc = from_json(outputs[".json"].read_text())
    n = len(doc.segments)
    txt = outputs[".txt"].read_text()
    turns = re.findall(r"^\[(\d\d):(\d\d):(\d\d)\] ([^:]+): (.+)$", txt, flags=re.M)
    assert turns and turns[0][3] == "Speaker (mono)"
    # Subtitle-sized cues (at most 2 lines of 42 characters): every segment starts a cue at its
    # own time, and the cues hold exactly the segments' text, in order.
    srt = outputs[".srt"].read_text().strip().split("\n\n")
    assert len(srt) >= n
    cues: list[tuple[float, str]] = []
    for i, cue in enumerate(srt, 1):
        idx, times, *lines = cue.split("\n")
        assert int(idx) == i and 1 <= len(lines) <= 2 and all(len(line) <= 42 for line in lines), cue
        h, m, s, ms = map(int, re.match(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> ", times).groups())
        cues.append((h * 3600 + m * 60 + s + ms / 1000, " ".join(lines)))
    assert " ".join(text for _, text in cues) == " ".join(f"{seg.speaker}: {seg.text}" for seg in doc.segments)
    starts = [start for start, _ in cues]
    for seg in doc.segments:
        assert any(start == pytest.approx(seg.start, abs=0.001) for start in starts), seg
    vtt = outputs[".vtt"].read_text()
    assert vtt.startswith("WEBVTT\n")
    voices = re.findall(r"^\d\d:\d\d:\d\d\.\d\d\d --> \d\d:\d\d:\d\d\.\d\d\d\n<v ([^>]+)>(.*)$", vtt, flags=re.M)
    # every cue names its voice; a segment's cues all name its speaker
    assert len(voices) == len(cues) and {v[0] for v in voices} == {s.speaker for s in doc.segments}
    assert json.loads(outputs[".json"].read_text())["meta"]["model"] == "tiny.en"

    # Run again: the finished file is skipped (resume), the rest fail again.
    again = run_batch(file_jobs([Path(good)], Settings(model="tiny.en", language="en", formats=fmts, out_dir=out)), Collect())
    assert again.results[0].skipped


def test_cli_transcribes_a_plain_file_and_lists_models(tmp_path, tiny_en, english_clip, model_cache) -> None:
    runner = CliRunner()
    src = Path(shutil.copy(english_clip.path, tmp_path / "dictaphone.wav"))
    result = runner.invoke(main, ["transcribe", str(src), "--model", "tiny.en", "--language", "en", "--clean", "--format", "txt,vtt"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dictaphone.txt").is_file() and (tmp_path / "dictaphone.vtt").is_file()
    assert "(.)" not in (tmp_path / "dictaphone.txt").read_text()

    bad = runner.invoke(main, ["transcribe", str(src), "--format", "docx"])
    assert bad.exit_code == 2 and "unknown format docx" in bad.output

    listed = runner.invoke(main, ["models", "list"])
    assert listed.exit_code == 0
    assert re.search(r"^base\s+multilingual", listed.output, flags=re.M)
    assert re.search(r"^tiny\.en\s+English only", listed.output, flags=re.M)


def test_models_download_fails_clearly_without_network(model_cache, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the same failure as a machine without internet, without trying
    result = CliRunner().invoke(main, ["models", "download", "small"])
    assert result.exit_code == 1
    assert "Could not download model 'small'" in result.output and "interview-tui[models]" in result.output
    assert not (model_cache / "small").exists()
    unknown = CliRunner().invoke(main, ["models", "download", "gigantic"])
    assert unknown.exit_code == 1 and "Unknown model 'gigantic'" in unknown.output


def test_cli_transcribes_all_project_recordings_then_resumes(db, project, tiny_en, interview) -> None:
    args = ["--data-dir", str(project.root), "transcribe", "--all", "--model", "tiny.en", "--language", "en",
            "--format", "md,srt"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Transcribed 1, skipped 0, failed 0." in first.output
    rid = interview["recording_id"]
    assert (project.exports_dir / "transcripts" / f"P01-rec{rid}-v1.md").is_file()
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "Nothing to transcribe." in again.output
    named = CliRunner().invoke(main, ["--data-dir", str(project.root), "transcribe", "--recording", str(rid)])
    assert "already transcribed (use --force for a new version)" in named.output
    both = CliRunner().invoke(main, ["transcribe", "x.wav", "--all"])
    assert both.exit_code == 2 and "not both" in both.output
