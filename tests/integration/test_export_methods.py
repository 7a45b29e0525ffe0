"""The methods report on the seed paper's sample reproduces hand-computed figures."""

from __future__ import annotations

import csv
import io

import pytest

from interview_tui.export.gather import gather_methods
from interview_tui.export.methods import render
from tests.fixtures.export import SeededStudy

# Hand-computed from tests/data/demographics-10.csv and DURATIONS_MIN (45 52 60 75 58 49 66 71 55 63):
# durations: sum 594 -> M = 59.4; squared deviations sum 826.4 -> SD = sqrt(826.4 / 9) = 9.58.
PAPER_SENTENCES = [
    "Sixteen eligible candidates were contacted; of these, six individuals refused to participate.",
    "A total of 10 individuals were recruited, including 8 women and 2 men aged 40\u201366 years (M = 51, SD = 8.81).",
    "Four were clinical psychologists, and 6 were psychiatrists.",
    "ranged from 8 to 38 years (M = 21.6, SD = 10.28).",
    "ranged from 1.5 to 12 years (M = 7.25, SD = 3.68).",
    "cognitive behavioural therapy (n = 5), psychodynamic therapy (n = 2), psychosocial rehabilitation with "
    "psychosis (n = 2) and mentalisation-based therapy (n = 1).",
    "Participants were interviewed in January 2026.",
    "MP and KNH performed 5 interviews each.",
    "Interviews lasted 45\u201375 min (M = 59.4, SD = 9.58).",
]


def test_paragraph_reproduces_the_seed_paper(export_seeded_paper: SeededStudy) -> None:
    report = gather_methods(export_seeded_paper.db, export_seeded_paper.project.root, export_seeded_paper.study)
    text = render(report, "text")
    paragraph = text.split("\n")[0]
    for sentence in PAPER_SENTENCES:
        assert sentence in paragraph
    assert paragraph.index("Sixteen") < paragraph.index("A total of 10") < paragraph.index("interviewed in")
    assert "Interview duration (min)" in text and "M = 59.4, SD = 9.58, range 45\u201375, n = 10" in text


def test_markdown_table(export_seeded_paper: SeededStudy) -> None:
    md = render(gather_methods(export_seeded_paper.db, export_seeded_paper.project.root, export_seeded_paper.study), "markdown")
    assert "| **Age (years)** | M = 51, SD = 8.81, range 40\u201366, n = 10 |" in md
    assert "| Contacted | 16 |" in md and "| Declined | 6 |" in md and "| Included | 10 |" in md
    assert "| MP | 5 |" in md and "| KNH | 5 |" in md
    assert "Withdrew" not in md


def test_csv_holds_unrounded_figures(export_seeded_paper: SeededStudy) -> None:
    rows = list(csv.DictReader(io.StringIO(render(gather_methods(export_seeded_paper.db, export_seeded_paper.project.root, export_seeded_paper.study), "csv"))))
    got = {(r["field_id"], r["statistic"], r["category"]): r["value"] for r in rows}
    assert got[("recruitment", "contacted", "")] == "16"
    assert got[("recruitment", "declined", "")] == "6"
    assert got[("recruitment", "included", "")] == "10"
    assert float(got[("interview_duration_min", "mean", "")]) == pytest.approx(59.4)
    assert float(got[("interview_duration_min", "sd", "")]) == pytest.approx((826.4 / 9) ** 0.5)
    assert got[("interview_duration_min", "min", "")] == "45" and got[("interview_duration_min", "max", "")] == "75"
    assert got[("interviews", "count", "MP")] == "5" and got[("interviews", "count", "KNH")] == "5"
    assert float(got[("age", "mean", "")]) == 51
    assert got[("gender", "count", "woman")] == "8"


def test_withdrawn_participant_is_not_in_the_report(export_seeded: SeededStudy) -> None:
    """P17 (age 99, 59 years' experience, 30-minute interview by KNH) withdrew: only the count remains."""
    report = gather_methods(export_seeded.db, export_seeded.project.root, export_seeded.study)
    text = render(report, "text")
    assert "aged 40\u201366 years (M = 51, SD = 8.81)" in text
    assert "99" not in text and "59" not in text.replace("59.4", "")
    assert "Interviews lasted 45\u201375 min (M = 59.4, SD = 9.58)." in text
    assert "MP and KNH performed 5 interviews each." in text
    assert "Seventeen eligible candidates were contacted; of these, six individuals refused to participate and one withdrew after taking part." in text
