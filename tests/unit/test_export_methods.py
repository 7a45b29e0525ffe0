"""Methods report wording from hand-built models (the DB-backed figures are in integration)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from interview_tui.domain.demographics import summarize
from interview_tui.domain.study import DemographicField, DemographicForm
from interview_tui.export.methods import build_report, collection_text, recruitment_text, render
from interview_tui.export.model import ExportParticipant, ExportProject, ExportSession

FORM = DemographicForm((DemographicField("age", "integer", "Age", unit="years"),))


def _project(*sessions: tuple[str, str | None, float | None]) -> ExportProject:
    participants = tuple(
        ExportParticipant(f"P{i + 1:02d}", sessions=(ExportSession(i + 1, day, None, who, duration_s=secs),))
        for i, (day, who, secs) in enumerate(sessions)
    )
    return ExportProject("s", "S", "1", "2026-01-01T00:00:00+00:00", participants)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"contacted": 16, "declined": 6, "included": 10}, "Sixteen eligible candidates were contacted; of these, six individuals refused to participate."),
        ({"contacted": 1, "declined": 0, "included": 1}, "One eligible candidate was contacted."),
        ({"contacted": 12, "declined": 1, "withdrawn": 2, "included": 9}, "Twelve eligible candidates were contacted; of these, one individual refused to participate and two withdrew after taking part."),
        ({"contacted": 25, "declined": 3, "included": 22}, "25 eligible candidates were contacted; of these, three individuals refused to participate."),
    ],
)
def test_recruitment_wording(counts: dict[str, int], expected: str) -> None:
    assert recruitment_text(counts) == expected


def test_unequal_interviewers_months_and_missing_durations() -> None:
    project = _project(
        ("2017-10-03T09:00:00+00:00", "MP", 45 * 60),
        ("2017-11-03T09:00:00+00:00", "MP", 50 * 60 + 30),
        ("2018-02-03T09:00:00+00:00", "KNH", None),
        ("2017-12-03T09:00:00+00:00", None, 75 * 60),
    )
    report = build_report(project, summarize(FORM, [{"age": 40}] * 4), {"contacted": 4, "declined": 0, "included": 4})
    assert collection_text(report) == (
        "Participants were interviewed between October 2017 and February 2018. "
        # 45, 50.5, 75: M = 56.83; squared deviations 140.03 + 40.11 + 330.03 = 510.17 -> SD = sqrt(255.08)
        "MP performed 2 interviews and KNH 1. Interviews lasted 45\u201375 min (M = 56.83, SD = 15.97)."
    )
    assert report.durations.n == 3  # the session without a known length is not counted as 0
    assert "interviewer not recorded" in render(report, "markdown")


def test_no_interviews_yet_and_unknown_format() -> None:
    report = build_report(_project(), summarize(FORM, []), {"contacted": 0})
    assert collection_text(report) == "No interviews have been held yet."
    with pytest.raises(ValueError, match="text, markdown, csv"):
        render(report, "pdf")
    assert render(replace(report), "csv").startswith("field_id,field_label,statistic,category,value\n")
