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
        # the KNH interview has no known length: the figures are over 3 of the 4 interviews
        "MP performed 2 interviews and KNH 1. Interviews lasted 45\u201375 min (M = 56.83, SD = 15.97; n = 3)."
    )
    assert report.durations.n == 3  # the session without a known length is not counted as 0
    assert "interviewer not recorded" in render(report, "markdown")


def test_no_interviews_yet_and_unknown_format() -> None:
    report = build_report(_project(), summarize(FORM, []), {"contacted": 0})
    # A methods section does not announce that nothing happened yet (the TUI may; the report says nothing).
    assert collection_text(report) == ""
    assert "No interviews" not in render(report, "text")
    with pytest.raises(ValueError, match="text, markdown, csv"):
        render(report, "pdf")
    assert render(replace(report), "csv").startswith("field_id,field_label,statistic,category,value\n")


def _at_places(*rows: tuple[str | None, float | None]) -> ExportProject:
    participants = tuple(
        ExportParticipant(f"P{i + 1:02d}", sessions=(
            ExportSession(i + 1, f"2017-10-{i + 3:02d}T09:00:00+00:00", None, "MP", place=place, duration_s=secs),))
        for i, (place, secs) in enumerate(rows)
    )
    return ExportProject("s", "S", "1", "2026-01-01T00:00:00+00:00", participants)


WORK, UIB = "Participant's workplace", "University of Bergen"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the paper: "conducted at either the participant's workplace or at the University of Bergen"
        ([(WORK, 2700), (UIB, 4500), (WORK, 3000)],
         "Participants were interviewed in October 2017. MP performed 3 interviews. "
         "Interviews lasted 45\u201375 min (M = 56.67, SD = 16.07). "
         "The interviews were conducted at either the participant's workplace or at the University of Bergen."),
        # one interview: no range "0.2-0.2 min", no mean of one
        ([(UIB, 12)], "The participant was interviewed in October 2017. MP performed 1 interview. "
                      "The interview lasted 0.2 min. The interview was conducted at the University of Bergen."),
        # equal lengths: no "45-45"
        ([(UIB, 2700), (UIB, 2700)], "Participants were interviewed in October 2017. MP performed 2 interviews. "
                                     "Each interview lasted 45 min. All interviews were conducted at the University of Bergen."),
        ([(UIB, 2700), (None, None)], "Participants were interviewed in October 2017. MP performed 2 interviews. "
                                      "One interview lasted 45 min (length not recorded for one). The interviews were conducted at the "
                                      "University of Bergen (place not recorded for one)."),
        ([("The clinic", 2700), ("home office", 2700), ("Video call", 2700)],
         "Participants were interviewed in October 2017. MP performed 3 interviews. Each interview lasted 45 min. "
         "The interviews were conducted at the clinic, the home office or the video call."),
    ],
)
def test_places_and_small_interview_counts(rows, expected: str) -> None:
    report = build_report(_at_places(*rows), summarize(FORM, [{}] * len(rows)), {"contacted": len(rows)})
    assert collection_text(report) == expected


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"contacted": 0}, ""),
        ({"contacted": 18, "declined": 6, "invited": 2, "included": 10},
         "Eighteen eligible candidates were contacted; of these, six individuals refused to participate and two had not answered."),
        ({"contacted": 19, "declined": 6, "invited": 2, "withdrawn": 1, "included": 10},
         "Nineteen eligible candidates were contacted; of these, six individuals refused to participate, two had not "
         "answered and one withdrew after taking part."),
    ],
)
def test_recruitment_with_open_invitations(counts: dict[str, int], expected: str) -> None:
    assert recruitment_text(counts) == expected


def test_saturation_goes_after_recruitment_and_into_the_table() -> None:
    from interview_tui.domain.saturation import SaturationEntry

    log = [SaturationEntry(1, "P01", ("bond", "coercion as care")), SaturationEntry(2, "P02", (), True),
           SaturationEntry(3, "P03", ())]
    report = build_report(_at_places((UIB, 2700)), summarize(FORM, [{}]), {"contacted": 3, "declined": 2},
                          log, [("no time", 2)])
    text = render(report, "text")
    assert text.startswith(
        "Three eligible candidates were contacted; of these, two individuals refused to participate. "
        "The sample size was decided based on the stability of findings, reviewed after 2 participants. "
        "The last 2 of the 3 interviews added no new themes. In all, 2 themes came up over 3 interviews. One individual"
    )
    assert "Interview 1" in text and "2 (2): bond; coercion as care" in text
    assert "Interview 2 (review point)" in text and "0 (2): none" in text
    assert "| no time | 2 |" in render(report, "markdown")
    assert "saturation,New themes per interview,cumulative_themes,3,2" in render(report, "csv")
