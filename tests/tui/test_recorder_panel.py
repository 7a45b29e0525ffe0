"""The recorder panel inside the interview screen: Record button, levels, pause/resume, stop, events."""

from __future__ import annotations

import time

import numpy as np
import pytest
import soundfile
from textual.widgets import Static

from interview_tui.audio.levels import Level
from interview_tui.storage import open_db
from interview_tui.storage import recordings as store
from interview_tui.storage.sessions import open_session, session_events
from interview_tui.tui.messages import Notice
from interview_tui.tui.screens.interview import InterviewScreen
from interview_tui.tui.widgets.level_meter import meter_bar
from interview_tui.tui.widgets.recorder import RecorderPanel
from tests.fixtures.audio import align, enroll
from tests.fixtures.tui import T0

pytestmark = pytest.mark.anyio
SIZE = (120, 40)


def _session(project, audio_consent: bool = True, archive: str | None = None) -> int:
    db = open_db(project.db_path)
    try:
        enroll(db, audio_consent=audio_consent)
        if archive:
            store.set_setting(db, store.ARCHIVE_FORMAT_KEY, archive)
        participant = store.participant_row(db, "P01")
        study_id = db.execute("SELECT id FROM studies").fetchone()[0]
        return open_session(db, participant_id=participant.id, study_id=study_id,
                            started_at=T0.isoformat(timespec="microseconds"))
    finally:
        db.close()


async def _until(pilot, condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the recorder"
        await pilot.pause(0.05)


async def _interview(pilot, session_id: int) -> tuple[InterviewScreen, RecorderPanel]:
    await pilot.pause()
    screen = InterviewScreen(session_id)
    await pilot.app.push_screen(screen)
    await pilot.pause()
    panel = screen.query_one(RecorderPanel)
    return screen, panel


def test_meter_bar():
    assert meter_bar(0.0, -30.0, 10) == "█████▓▓▓▓▓"
    assert meter_bar(-120.0, -120.0, 10) == "░" * 10
    assert meter_bar(-30.0, -45.0, 8) == "██▓▓░░░░"


@pytest.mark.audio
async def test_record_through_the_interview_screen(virtual_mic, make_app, project, known_audio, clock):
    source_path, source = known_audio
    session_id = _session(project, archive="flac")
    levels: list[Level] = []
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE, message_hook=lambda m: isinstance(m, RecorderPanel.LevelChanged)
                            and levels.append(m.level)) as pilot:
        screen, panel = await _interview(pilot, session_id)
        panel.device = "pulse"
        assert panel.recording_clock() is None
        await pilot.click("#rec-start")
        await _until(pilot, lambda: panel.state == "recording")
        assert str(panel.query_one("#rec-state", Static).render()) == "● REC"
        player = virtual_mic.play(source_path)
        await _until(pilot, lambda: panel.recording_clock()[1] > 1.5)
        clock.advance(60)
        await pilot.press("n")  # next question while recording: its event carries the recording offset
        await _until(pilot, lambda: player.poll() is not None, timeout=20)
        meter = str(panel.query_one("#rec-meter-0").render())
        assert "peak" in meter and "█" in meter
        await pilot.click("#rec-pause")
        await _until(pilot, lambda: panel.state == "paused")
        paused_at = panel.recording_clock()[1]
        await pilot.pause(0.4)
        await pilot.click("#rec-pause")  # now labelled Resume
        await _until(pilot, lambda: panel.state == "recording")
        await _until(pilot, lambda: panel.recording_clock()[1] > paused_at + 0.3)
        await pilot.click("#rec-stop")
        await _until(pilot, lambda: panel.state == "stopped")
        assert panel.recording_clock() is None
        summary = panel.summary
        assert summary is not None and summary.overflow_count == 0
        elapsed = str(panel.query_one("#rec-elapsed", Static).render())
        assert elapsed and elapsed[-2:].isdigit()

    # Levels reached the UI at block rate (50 ms), and the signal showed on the meter.
    assert len(levels) >= 10 * summary.duration_s * 0.9
    assert max(level.peak for level in levels) > -12

    db = open_db(project.db_path)
    try:
        row = store.get_recording(db, summary.recording_id)
        assert (row.state, row.session_id, row.device) == ("complete", session_id, "pulse")
        recorded, _ = soundfile.read(project.root / row.path, dtype="int16")
        archived, _ = soundfile.read(project.root / row.compressed_path, dtype="int16")
        assert row.compressed_path.endswith(".flac") and np.array_equal(archived, recorded)
        assert len(recorded) == round(row.duration_s * 48000)
        lag = align(recorded, source)
        assert np.array_equal(recorded[lag:lag + len(source)], source)  # paused after the signal ended

        events = [e for e in session_events(db, session_id) if e.recording_id is not None]
        kinds = [e.kind for e in events]
        assert kinds == ["recording_started", "question_reached", "pause", "resume", "recording_stopped"]
        assert all(e.recording_id == summary.recording_id for e in events)
        offsets = [e.recording_offset_s for e in events]
        assert offsets[0] == 0.0 and offsets == sorted(offsets)
        assert 1.5 < offsets[1] < offsets[2] == pytest.approx(offsets[3], abs=0.2)
        assert offsets[4] <= row.duration_s
        assert events[1].question_id == screen.interview.guide.questions()[1].id
        assert events[1].session_offset_s == 60.0  # the interview's own (manual) clock
    finally:
        db.close()


async def test_record_refused_without_audio_consent(make_app, project):
    session_id = _session(project, audio_consent=False)
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        _screen, panel = await _interview(pilot, session_id)
        await pilot.click("#rec-start")
        await _until(pilot, lambda: panel.state == "idle" and panel.error_text)
        warning = str(panel.query_one("#rec-warning", Static).render())
        assert "P01 has not given consent to audio recording" in warning
        assert not panel.query_one("#rec-start").disabled
    db = open_db(project.db_path)
    try:
        assert store.list_recordings(db) == []
    finally:
        db.close()


async def test_no_signal_and_clipping_warnings(make_app, project):
    session_id = _session(project)
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        _screen, panel = await _interview(pilot, session_id)
        panel.silence_warning_s = 0.2
        panel.state = "recording"  # drive the meter directly: no device needed for the drawing logic
        silent = Level((-120.0,), (-120.0,), 1.0)
        panel.post_message(RecorderPanel.LevelChanged(silent))
        await pilot.pause(0.3)
        panel.post_message(RecorderPanel.LevelChanged(silent))
        await pilot.pause()
        warning = panel.query_one("#rec-warning", Static)
        assert "is the microphone muted?" in str(warning.render()) and warning.has_class("-warn")
        panel.post_message(RecorderPanel.LevelChanged(Level((0.0,), (-3.0,), 2.0)))
        await pilot.pause()
        assert str(warning.render()).startswith("Clipping")
        assert "peak    0.0  rms   -3.0 dBFS" in str(panel.query_one("#rec-meter-0").render())
        panel.state = "idle"


@pytest.mark.audio
async def test_choose_the_microphone(virtual_mic, make_app, project):
    session_id = _session(project)
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        _screen, panel = await _interview(pilot, session_id)
        await pilot.click("#rec-device")
        await pilot.pause()
        options = app.screen.query_one("#pick")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("pulse (ALSA" in label for label in labels)
        options.highlighted = next(i for i, label in enumerate(labels) if "] pulse (" in label and "stereo" in label)
        await pilot.press("enter")
        await pilot.pause()
        assert panel.device == "pulse" and panel.config.channels == 2
        assert [m.name_label for m in panel.query("LevelMeter")] == ["L", "R"]  # one meter per channel
    db = open_db(project.db_path)
    try:
        assert store.get_input_device(db) == "pulse"
        assert store.get_capture_format(db) == (48000, 2)
    finally:
        db.close()


async def test_unfinished_recording_is_recovered_when_the_app_starts(make_app, project):
    from interview_tui.audio.wavfile import CrashSafeWavWriter

    session_id = _session(project)
    rel = f"recordings/P01/P01-S{session_id}-20260302T093000Z.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    writer = CrashSafeWavWriter(project.root / rel, 48000, 1)
    writer.write(bytes(9600))
    writer.close()
    with open(project.root / rel, "ab") as f:
        f.write(bytes(4800))  # audio the header does not count yet (a power cut)
    db = open_db(project.db_path)
    rec_id = store.start_recording(db, participant_code="P01", path=rel, session_id=session_id,
                                   sample_rate=48000, channels=1)
    db.close()
    notes = []
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE, message_hook=lambda m: notes.append(m) if isinstance(
            m, Notice) else None) as pilot:
        await _until(pilot, lambda: notes)  # at start-up, before any interview opens
        assert not isinstance(pilot.app.screen, InterviewScreen)
        await _interview(pilot, session_id)
        await pilot.pause(0.3)
    [note] = notes  # once: opening the interview does not recover again
    assert note.title == "Interrupted recording found" and not note.failed
    assert f"recording {rec_id} (P01" in note.text and "recovered 0.1 s" in note.text
    db = open_db(project.db_path)
    try:
        row = store.get_recording(db, rec_id)
        assert (row.state, row.duration_s, row.session_id) == ("recovered", 0.15, session_id)
    finally:
        db.close()


@pytest.mark.audio
async def test_encrypted_recording_is_not_archived(virtual_mic, make_app, project, age_keys, tmp_path):
    """An encrypted study's recording has no archival copy here (no key to decode it), and no error notice."""
    from interview_tui.domain.loader import load_study
    from interview_tui.storage.consent import record_consent
    from interview_tui.storage.participants import add_participant
    from interview_tui.storage.studies import register_study
    from tests.fixtures.privacy import study_variant

    _, public = age_keys
    db = open_db(project.db_path)
    try:
        study = load_study(study_variant(tmp_path, recipients=(public,)))
        study_id = register_study(db, study)
        add_participant(db, study.id, "P01")
        record_consent(db, "P01", study.consent, given=[i.id for i in study.consent.items], declined=[],
                       decision="given", method="paper", study_id=study_id)
        store.set_setting(db, store.ARCHIVE_FORMAT_KEY, "flac")
        session_id = open_session(db, participant_id=store.participant_row(db, "P01").id, study_id=study_id,
                                  started_at=T0.isoformat(timespec="microseconds"))
    finally:
        db.close()
    notices: list[Notice] = []
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE, message_hook=lambda m: isinstance(m, Notice)
                            and notices.append(m)) as pilot:
        _, panel = await _interview(pilot, session_id)
        panel.device = "pulse"
        await pilot.click("#rec-start")
        await _until(pilot, lambda: panel.state == "recording")
        await _until(pilot, lambda: panel.recording_clock()[1] > 1.0)
        await pilot.click("#rec-stop")
        await _until(pilot, lambda: panel.state == "stopped")
        await pilot.pause(0.3)
        summary = panel.summary
    assert summary is not None and summary.path.name.endswith(".wav.ageseg")
    assert [n.text for n in notices if n.failed] == []
    db = open_db(project.db_path)
    try:
        row = store.get_recording(db, summary.recording_id)
        assert row.state == "complete" and row.compressed_path is None
    finally:
        db.close()
    assert not list(summary.path.parent.glob("*.flac"))
