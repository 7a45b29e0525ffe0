"""The transcription screen: queue a real recording, transcribe it in a thread worker, see it done."""

from __future__ import annotations

import shutil

import pytest

from tests.fixtures.audio import enroll
from textual.app import App
from textual.widgets import Checkbox, DataTable, Log, Select

from interview_tui.domain.loader import default_study
from interview_tui.storage.recordings import finish_recording, start_recording
from interview_tui.storage.studies import register_study
from interview_tui.storage.transcripts import list_transcripts
from interview_tui.tui.screens.transcription import TranscriptionScreen, eta_text

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.anyio]


class Host(App[None]):
    def __init__(self, project) -> None:
        super().__init__()
        self.project = project

    def on_mount(self) -> None:
        self.push_screen(TranscriptionScreen(self.project))


async def test_eta_from_pace() -> None:
    from interview_tui.domain.timecode import m_ss

    assert eta_text(30, 90, 10) == "ETA " + m_ss(20)  # 60 s left at 3 s of audio per second
    assert eta_text(0, 90, 10) == "" and eta_text(90, 90, 10) == ""


async def test_queue_all_transcribes_in_a_worker_and_updates_the_table(db, project, tiny_en, english_clip) -> None:
    study = default_study()
    register_study(db, study)
    enroll(db, "P01")  # audio is transcribed only with audio-recording consent (storage.permission)
    rel = "recordings/P01/P01-import.wav"
    (project.root / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(english_clip.path, project.root / rel)
    rid = start_recording(db, participant_code="P01", path=rel, source="import")
    finish_recording(db, rid, duration_s=10.0, sha256="0" * 64)

    app = Host(project)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = app.screen
        assert isinstance(screen, TranscriptionScreen)
        await app.workers.wait_for_complete()  # the model list
        select = screen.query_one("#model", Select)
        select.value = "tiny.en"
        screen.query_one("#fast", Checkbox).value = True
        table = screen.query_one("#recordings", DataTable)
        assert table.get_row(str(rid))[5] == "0"
        assert app.focused is table
        await pilot.press("a")  # queued; the worker may already be done with a 10-s clip
        assert select.value == "tiny.en"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        assert table.get_row(str(rid))[5] == "1" and table.get_row(str(rid))[6] == "done"
        log_text = "\n".join(screen.query_one("#transcription-log", Log).lines)
        assert f"done: recording {rid}: version 1" in log_text
        await pilot.press("a")  # nothing left: no new work
        assert not screen.running
    versions = list_transcripts(db, rid)
    assert [v.model for v in versions] == ["tiny.en"]
    assert versions[0].options["batched"] is True and versions[0].options["verbatim"] is True
