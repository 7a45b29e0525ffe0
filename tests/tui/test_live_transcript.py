"""Live transcription through the interview screen: the panel says its state, `t` shows the last
answer, and the transcript is stored when the recording stops."""

from __future__ import annotations

import numpy as np
import pytest

from interview_tui.storage import open_db
from interview_tui.storage import transcripts as store
from tests.fixtures.audio import RATE, write_wav
from tests.fixtures.speech import INTERVIEW_PARTS, compose, wer
from tests.tui.test_recorder_panel import SIZE, _interview, _session, _until

pytestmark = [pytest.mark.anyio, pytest.mark.audio, pytest.mark.model, pytest.mark.slow]


async def test_live_transcript_is_stored_when_recording_stops(virtual_mic, make_app, project, tmp_path, tiny_en):
    speech, _ = compose(INTERVIEW_PARTS)
    n = len(speech) * RATE // 16000
    pcm = (np.interp(np.linspace(0, len(speech) - 1, n), np.arange(len(speech)), speech) * 32767).astype(np.int16)
    source = write_wav(tmp_path / "speech.wav", pcm)
    session_id = _session(project)
    app = make_app(offer_resume=False)
    async with app.run_test(size=SIZE) as pilot:
        screen, panel = await _interview(pilot, session_id)
        panel.device = "pulse"
        live_text = screen.query_one("#live-text")
        assert not live_text.display  # hidden by default
        await pilot.press("t")
        assert live_text.display and "nothing yet" in str(live_text.render())
        await pilot.click("#rec-start")
        await _until(pilot, lambda: panel.state == "recording")
        await _until(pilot, lambda: "live on" in str(panel.query_one("#rec-disk").render()))
        player = virtual_mic.play(source)
        await _until(pilot, lambda: player.poll() is not None, timeout=40)
        await pilot.pause(0.5)
        await pilot.click("#rec-stop")
        await _until(pilot, lambda: "transcript ready" in str(panel.query_one("#rec-disk").render()), timeout=120)
        await pilot.press("t")
        assert not live_text.display
        rid = panel.summary.recording_id
    db = open_db(project.db_path)
    try:
        transcript = store.load_transcript(db, store.list_transcripts(db, rid)[-1].id)
    finally:
        db.close()
    assert transcript.meta.options["live"] is True
    text = " ".join(w.word for s in transcript.segments for w in s.words)
    assert wer(" ".join(t for t, _ in INTERVIEW_PARTS), text) <= 0.35, text
