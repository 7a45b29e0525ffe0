"""Figures of an interview: time per section/question against budgets, and talk-time share."""

from __future__ import annotations

from pathlib import Path

import pytest

from interview_tui.domain.figures import figures, talk_time
from interview_tui.domain.loader import default_study, load_study
from interview_tui.domain.session import Interview
from tests.fixtures.tui import T0, ManualClock


@pytest.mark.parametrize(
    "segments, expected",
    [
        # the stereo path: the interviewer's name and the participant's code
        ([("MP", 0, 10), ("P01", 10, 40), ("MP + P01", 40, 42)], (10, 30, 2)),
        # role words (mono attribution), any case, numbered
        ([("Interviewer", 0, 5), ("participant 1", 5, 20)], (5, 15, 0)),
        # a mono stream with one label names no role: nothing to compare
        ([("Speaker (mono)", 0, 60)], None),
        ([(None, 0, 3)], None),
        ([], None),
        # only the participant spoke (interviewer share 0)
        ([("P01", 0, 8), ("Unknown", 8, 9)], (0, 8, 1)),
    ],
)
def test_talk_time_by_speaker_label(segments, expected) -> None:
    talk = talk_time(segments, interviewer="MP", participant="P01")
    if expected is None:
        assert talk is None
    else:
        assert (talk.interviewer_s, talk.participant_s, talk.other_s) == pytest.approx(expected)


def test_interviewer_share() -> None:
    talk = talk_time([("MP", 0, 25), ("P01", 25, 100)], interviewer="MP", participant="P01")
    assert talk is not None and talk.interviewer_share == pytest.approx(0.25)


def test_time_per_section_and_question_against_the_budgets() -> None:
    # The Norwegian example study nests budgeted sub-themes inside a budgeted theme.
    guide = load_study(Path(__file__).parents[2] / "guides" / "peer-support-workers-nb.yaml").guide
    clock = ManualClock()
    run = Interview(guide, T0.isoformat(), lambda e: e, clock=clock)
    run.start()
    first = guide.questions()[0]
    clock.advance(240)
    run.go_to("samarbeid-opplevelse")
    clock.advance(500)
    run.close()
    result = figures(run.state)
    by_id = {s.id: s for s in result.sections}
    intro = guide.section_of(first.id)[-1]
    assert by_id[intro.id].spent_s == pytest.approx(240)
    assert by_id[intro.id].budget_s == pytest.approx(intro.time_budget_min * 60)
    questions = {q.id: q for q in result.questions}
    assert questions[first.id].spent_s == pytest.approx(240) and questions[first.id].number == 1
    assert questions["samarbeid-opplevelse"].spent_s == pytest.approx(500)
    # a question's budget is an even share of its budgeted section's
    inner_section = [q for q in result.questions if q.section_id == questions["samarbeid-opplevelse"].section_id]
    assert sum(q.budget_share_s for q in inner_section) == pytest.approx(by_id[inner_section[0].section_id].budget_s)
    # ... and a theme's direct questions share what its budgeted sub-themes leave of its budget
    theme = guide.sections[1]
    assert theme.sections, "the example study's second theme has budgeted sub-themes"
    inner = sum(s.time_budget_min for s in theme.sections) * 60
    direct = [q for q in result.questions if q.section_id == theme.id]
    assert sum(q.budget_share_s for q in direct) == pytest.approx(theme.time_budget_min * 60 - inner)
    assert result.questions[-1].id == guide.closing.id and result.questions[-1].budget_share_s is None
    data = result.as_dict()
    assert data["talk_time"] is None and data["questions"][0]["spent_s"] == 240.0


def test_the_export_carries_the_same_figures(db, project) -> None:
    from interview_tui.export.gather import gather_participant
    from interview_tui.storage import sessions as store
    from interview_tui.storage.interviewers import get_or_add_interviewer
    from interview_tui.storage.participants import add_participant
    from interview_tui.storage.recordings import finish_recording, start_recording
    from interview_tui.storage.studies import register_study
    from interview_tui.storage.transcripts import save_transcript
    from interview_tui.domain.transcript import Segment, Transcript, TranscriptMeta

    study = default_study()
    study_id = register_study(db, study)
    participant = add_participant(db, study.id)
    session_id = store.open_session(db, participant_id=participant.id, study_id=study_id,
                                    interviewer_id=get_or_add_interviewer(db, "MP"), started_at=T0.isoformat())
    clock = ManualClock()
    run = Interview(study.guide, T0.isoformat(), store.event_writer(db, session_id), clock=clock)
    run.start()
    clock.advance(300)
    run.close()
    store.close_session(db, session_id)
    rid = start_recording(db, participant_code="P01", path="recordings/P01/a.wav", session_id=session_id)
    finish_recording(db, rid, duration_s=300.0, sha256="0" * 64)
    meta = TranscriptMeta("base", None, "faster-whisper 1.2.1", "en", {}, duration_s=300.0)
    save_transcript(db, rid, Transcript(meta, [Segment(0, 60, "q", speaker="MP"), Segment(60, 300, "a", speaker="P01")]))

    [session] = gather_participant(db, project.root, study, "P01").sessions
    data = session.figures
    assert data["sections"][0] == {"id": study.guide.sections[0].id, "title": study.guide.sections[0].title,
                                   "spent_s": 300.0, "budget_s": study.guide.sections[0].time_budget_min * 60}
    assert data["questions"][0]["spent_s"] == 300.0
    assert data["talk_time"] == {"interviewer_s": 60.0, "participant_s": 240.0, "other_s": 0.0,
                                 "interviewer_share": 0.2}
