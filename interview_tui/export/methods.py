"""The methods-section report: recruitment, sample and data collection, as text, Markdown or CSV.

The sample description (paragraph, table rows, CSV rows) is the records
area's (`domain.demographics_report`, from `domain.demographics.summarize`);
the recruitment counts are `storage.consent.recruitment_counts`.  This module
adds what only the interviews know: interview dates, durations (range, mean,
SD) and who interviewed how many, and puts it together in the seed paper's
order: recruitment, sample, data collection.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from interview_tui.domain.demographics import DemographicSummary, NumericStats, numeric_stats
from interview_tui.domain.demographics_report import (
    DASH,
    csv_number,
    csv_rows,
    fmt_mean,
    fmt_sd,
    methods_paragraph,
    number_word,
    markdown_report,
    table_rows,
    text_report,
)
from interview_tui.domain.safe_text import SpreadsheetWriter
from interview_tui.export.model import ExportProject

FORMATS: tuple[str, ...] = ("text", "markdown", "csv")
NO_INTERVIEWER = "interviewer not recorded"


#: Interview lengths in minutes (one per session with a known length).
Durations = NumericStats


@dataclass(frozen=True)
class MethodsReport:
    """Everything the methods report states."""

    summary: DemographicSummary
    recruitment: dict[str, int]
    durations: Durations | None
    #: interviewer -> interviews, most first (ties by first interview)
    interviews_by: tuple[tuple[str, int], ...]
    first_interview: str | None
    last_interview: str | None


def build_report(project: ExportProject, summary: DemographicSummary, recruitment: dict[str, int]) -> MethodsReport:
    """Combine the demographic summary and recruitment counts with the interviews in `project`."""
    sessions = [s for p in project.participants for s in p.sessions]
    durations = numeric_stats([s.duration_s / 60 for s in sessions if s.duration_s is not None])
    sessions.sort(key=lambda s: s.started_at)
    counts = Counter(s.interviewer or NO_INTERVIEWER for s in sessions)
    # Most interviews first; ties in the order the interviewers started (as a paper lists authors).
    by = tuple(sorted(counts.items(), key=lambda kv: -kv[1]))
    days = sorted(s.started_at[:10] for s in sessions)
    return MethodsReport(summary, dict(recruitment), durations, by, days[0] if days else None, days[-1] if days else None)


def _month(day: str) -> str:
    return date.fromisoformat(day).strftime("%B %Y")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def recruitment_text(counts: dict[str, int]) -> str:
    """'Sixteen eligible candidates were contacted; of these, six individuals refused to participate.'"""
    contacted, declined, withdrawn = counts.get("contacted", 0), counts.get("declined", 0), counts.get("withdrawn", 0)
    text = f"{number_word(contacted, capital=True)} eligible candidate{'s were' if contacted != 1 else ' was'} contacted"
    tail = []
    if declined:
        tail.append(f"{number_word(declined)} individual{'s' if declined != 1 else ''} refused to participate")
    if withdrawn:
        tail.append(f"{number_word(withdrawn)} withdrew after taking part")
    return text + ("; of these, " + " and ".join(tail) if tail else "") + "."


def _minutes(x: float) -> str:
    return fmt_mean(round(x, 1)) if x != round(x) else str(int(round(x)))


def collection_text(report: MethodsReport) -> str:
    """When, by whom and how long: the data-collection sentences."""
    if report.first_interview is None:
        return "No interviews have been held yet."
    first, last = _month(report.first_interview), _month(report.last_interview or report.first_interview)
    sentences = [
        f"Participants were interviewed in {first}."
        if first == last
        else f"Participants were interviewed between {first} and {last}."
    ]
    named = [(who, k) for who, k in report.interviews_by if who != NO_INTERVIEWER]
    if named:
        counts = {k for _, k in named}
        if len(named) > 1 and len(counts) == 1:
            k = counts.pop()
            sentences.append(f"{_join([w for w, _ in named])} performed {k} interview{'s' if k != 1 else ''} each.")
        else:
            parts = [f"{who} {k}" for who, k in named]
            plural = "s" if named[0][1] != 1 else ""
            parts[0] = f"{named[0][0]} performed {named[0][1]} interview{plural}"
            sentences.append(f"{_join(parts)}.")
    d = report.durations
    if d is not None:
        stats = f"M = {fmt_mean(d.mean)}" + (f", SD = {fmt_sd(d.sd)}" if d.sd is not None else "")
        sentences.append(f"Interviews lasted {_minutes(d.min)}{DASH}{_minutes(d.max)} min ({stats}).")
    return " ".join(sentences)


def paragraph(report: MethodsReport) -> str:
    """Recruitment, sample and data collection as one paragraph."""
    return " ".join([recruitment_text(report.recruitment), methods_paragraph(report.summary), collection_text(report)])


def extra_rows(report: MethodsReport) -> list[tuple[str, str, bool]]:
    """Table rows for recruitment and interviews (characteristic, value, is_sub_row)."""
    r = report.recruitment
    rows = [("Recruitment", "", False), ("Contacted", str(r.get("contacted", 0)), True),
            ("Declined", str(r.get("declined", 0)), True)]
    if r.get("withdrawn"):
        rows.append(("Withdrew", str(r["withdrawn"]), True))
    rows.append(("Included", str(r.get("included", 0)), True))
    d = report.durations
    if d is not None:
        sd = f", SD = {fmt_sd(d.sd)}" if d.sd is not None else ""
        rows.append(("Interview duration (min)",
                     f"M = {fmt_mean(d.mean)}{sd}, range {_minutes(d.min)}{DASH}{_minutes(d.max)}, n = {d.n}", False))
    if report.interviews_by:
        rows.append(("Interviews per interviewer", "", False))
        rows += [(who, str(k), True) for who, k in report.interviews_by]
    return rows


def _rows(report: MethodsReport) -> list[tuple[str, str, bool]]:
    return table_rows(report.summary) + extra_rows(report)


def render_text(report: MethodsReport) -> str:
    return text_report(paragraph(report), _rows(report))


def render_markdown(report: MethodsReport) -> str:
    return markdown_report(paragraph(report), _rows(report), heading="Participants")


def render_csv(report: MethodsReport) -> str:
    """One row per figure: field_id, field_label, statistic, category, value (unrounded)."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out, lineterminator="\n")
    writer.writerow(["field_id", "field_label", "statistic", "category", "value"])
    writer.writerows(csv_rows(report.summary))
    for key in ("contacted", "declined", "withdrawn", "included"):
        writer.writerow(["recruitment", "Recruitment", key, "", report.recruitment.get(key, 0)])
    d = report.durations
    if d is not None:
        for stat in ("n", "min", "max", "mean", "sd"):
            writer.writerow(["interview_duration_min", "Interview duration (min)", stat, "", csv_number(getattr(d, stat))])
    for who, k in report.interviews_by:
        writer.writerow(["interviews", "Interviews per interviewer", "count", who, k])
    if report.first_interview:
        writer.writerow(["interview_dates", "Interview dates", "first", "", report.first_interview])
        writer.writerow(["interview_dates", "Interview dates", "last", "", report.last_interview])
    return out.getvalue()


def render(report: MethodsReport, fmt: str = "text") -> str:
    """The report in one of FORMATS."""
    renderers = {"text": render_text, "markdown": render_markdown, "csv": render_csv}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](report)
