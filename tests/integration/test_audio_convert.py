"""Importing audio files, archival copies and per-question clips (real ffmpeg via pydub)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile

from interview_tui.audio.convert import ConversionError, archive_recording, import_audio, probe_audio
from interview_tui.audio.wavfile import CrashSafeWavWriter
from interview_tui.fileio import sha256_file
from interview_tui.storage import recordings as store
from interview_tui.storage.sessions import add_event, open_session
from tests.fixtures.audio import enroll, known_signal, write_wav

CLI = [sys.executable, "-m", "interview_tui"]
pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """The same 2 s of signal as wav, flac, mp3, m4a, ogg and opus, plus two damaged files."""
    folder = tmp_path_factory.mktemp("sources")
    wav = write_wav(folder / "John Smith interview.wav", known_signal(1.5, lead_silence_s=0.5))
    files = {"wav": wav}
    for fmt in ("flac", "mp3", "m4a", "ogg", "opus"):
        files[fmt] = folder / f"John Smith interview.{fmt}"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(wav), str(files[fmt])], check=True)
    broken = bytearray(files["mp3"].read_bytes())
    third = len(broken) // 3
    files["damaged"] = folder / "damaged.mp3"
    files["damaged"].write_bytes(bytes(broken[:third]) + bytes(3000) + bytes(broken[third:]))
    files["junk"] = folder / "junk.m4a"
    files["junk"].write_bytes(np.random.default_rng(3).bytes(5000))
    files["text"] = folder / "notes.txt"
    files["text"].write_text("not audio")
    return files


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "m4a", "ogg", "opus"])
def test_import_each_format(db, project, sources, fmt):
    enroll(db)
    rec_id = import_audio(db, project, sources[fmt], "P01")
    row = store.get_recording(db, rec_id)
    stored = project.root / row.path
    assert row.path.startswith("recordings/P01/P01-") and row.path.endswith(f"-import.{fmt}")
    assert "John" not in row.path and "Smith" not in str(store.list_recordings(db))
    assert stored.read_bytes() == sources[fmt].read_bytes()
    assert row.sha256 == sha256_file(stored)
    assert (row.source, row.state, row.channels) == ("import", "complete", 1)
    assert row.sample_rate == 48000
    assert row.duration_s == pytest.approx(2.0, abs=0.06)  # lossy codecs pad a few ms


@pytest.mark.parametrize(
    "name, message",
    [
        ("damaged", "damaged.mp3: the audio is damaged or unreadable"),
        ("junk", "junk.m4a: no audio stream found: the file is damaged"),
        ("text", "notes.txt: unsupported file type .txt"),
    ],
)
def test_import_refuses_bad_files(db, project, sources, name, message):
    enroll(db)
    with pytest.raises(ConversionError, match=message):
        import_audio(db, project, sources[name], "P01")
    assert store.list_recordings(db) == []
    assert not (project.recordings_dir / "P01").exists() or not any((project.recordings_dir / "P01").iterdir())


def test_import_cli(db, project, sources):
    enroll(db)
    ok = subprocess.run([*CLI, "--data-dir", str(project.root), "import-audio", str(sources["flac"]),
                         "--participant", "P01"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "Imported as recording 1: recordings/P01/P01-" in ok.stdout and "2.0 s, 48000 Hz, 1 ch" in ok.stdout
    bad = subprocess.run([*CLI, "--data-dir", str(project.root), "import-audio", str(sources["junk"]),
                          "--participant", "P01"], capture_output=True, text=True)
    assert bad.returncode == 1 and "Error: Not imported: junk.m4a" in bad.stderr
    nobody = subprocess.run([*CLI, "--data-dir", str(project.root), "import-audio", str(sources["flac"]),
                             "--participant", "P07"], capture_output=True, text=True)
    assert nobody.returncode == 1 and "no participant P07; add them first" in nobody.stderr


def _recording(db, project, seconds: float = 6.0, session_id=None):
    samples = known_signal(seconds - 0.5, lead_silence_s=0.5)
    rel = "recordings/P01/P01-S1-20261128T101500Z.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    writer = CrashSafeWavWriter(project.root / rel, 48000, 1)
    writer.write(samples.tobytes())
    writer.close()
    rec_id = store.start_recording(db, participant_code="P01", path=rel, session_id=session_id,
                                   sample_rate=48000, channels=1)
    store.finish_recording(db, rec_id, duration_s=seconds, sha256=sha256_file(project.root / rel))
    return rec_id, samples


@pytest.mark.parametrize("fmt, exact", [("flac", True), ("opus", False)])
def test_archival_copy(db, project, fmt, exact):
    enroll(db)
    rec_id, samples = _recording(db, project, 2.0)
    out = archive_recording(db, project, rec_id, fmt)
    assert store.get_recording(db, rec_id).compressed_path == str(out.relative_to(project.root))
    info = probe_audio(out)
    assert info.duration_s == pytest.approx(2.0, abs=0.03) and info.codec == fmt
    if exact:  # FLAC is lossless
        data, _ = soundfile.read(out, dtype="int16")
        assert np.array_equal(data, samples)


def test_clips_per_question_from_session_events(db, project, tmp_path):
    enroll(db)
    session_id = open_session(db, participant_id=store.participant_row(db, "P01").id, study_id=1)
    rec_id, samples = _recording(db, project, 6.0, session_id)
    for seq, (qid, off) in enumerate([("intro-describe", 0.0), ("alliance-contact", 2.5), ("bond-define", 4.0)]):
        add_event(db, session_id, "question_reached", question_id=qid, session_offset_s=float(seq),
                  recording_id=rec_id, recording_offset_s=off)
    result = subprocess.run([*CLI, "--data-dir", str(project.root), "clips", str(session_id),
                             "--out", str(tmp_path / "clips")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    names = [line.rsplit("/", 1)[-1] for line in result.stdout.split()]
    assert names == [f"P01-S{session_id}-01-intro-describe.wav", f"P01-S{session_id}-02-alliance-contact.wav",
                     f"P01-S{session_id}-03-bond-define.wav"]
    cuts = [soundfile.read(tmp_path / "clips" / n, dtype="int16")[0] for n in names]
    assert [len(c) for c in cuts] == [120000, 72000, 96000]
    assert np.array_equal(np.concatenate(cuts), samples)  # together, exactly the recording

    empty = subprocess.run([*CLI, "--data-dir", str(project.root), "clips", "999"], capture_output=True, text=True)
    assert empty.returncode == 1 and "no session 999" in empty.stderr
