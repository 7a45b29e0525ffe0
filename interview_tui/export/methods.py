"""The methods-section report: recruitment, sample and data collection, as text, Markdown or CSV.

The sample description (paragraph, table rows, CSV rows) is the records
area's (`domain.demographics_report`, from `domain.demographics.summarize`);
the recruitment counts are `storage.consent.recruitment_counts` (participants
and the recruitment log); the saturation sentences are `domain.saturation`'s.
This module adds what only the interviews know: interview dates, durations
(range, mean, SD), who interviewed how many and where, and puts it together
in the seed paper's order: recruitment, saturation, sample, data collection.
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
from interview_tui.domain.saturation import SaturationEntry, saturation_text
from interview_tui.domain.saturation import table_rows as saturation_rows
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
    #: place -> interviews held there, most first (None: place not recorded)
    places: tuple[tuple[str | None, int], ...] = ()
    saturation: tuple[SaturationEntry, ...] = ()
    #: reasons given for declining, most frequent first
    decline_reasons: tuple[tuple[str, int], ...] = ()


def build_report(
    project: ExportProject,
    summary: DemographicSummary,
    recruitment: dict[str, int],
    saturation: list[SaturationEntry] | tuple[SaturationEntry, ...] = (),
    decline_reasons: list[tuple[str, int]] | tuple[tuple[str, int], ...] = (),
) -> MethodsReport:
    """Combine the demographic summary, recruitment counts and saturation log with the interviews in `project`."""
    sessions = [s for p in project.participants for s in p.sessions]
    durations = numeric_stats([s.duration_s / 60 for s in sessions if s.duration_s is not None])
    sessions.sort(key=lambda s: s.started_at)
    counts = Counter(s.interviewer or NO_INTERVIEWER for s in sessions)
    # Most interviews first; ties in the order the interviewers started (as a paper lists authors).
    by = tuple(sorted(counts.items(), key=lambda kv: -kv[1]))
    days = sorted(s.started_at[:10] for s in sessions)
    places = Counter((s.place or "").strip() or None for s in sessions)
    return MethodsReport(
        summary, dict(recruitment), durations, by, days[0] if days else None, days[-1] if days else None,
        places=tuple(sorted(places.items(), key=lambda kv: -kv[1])),
        saturation=tuple(saturation),
        decline_reasons=tuple(decline_reasons),
    )


def _month(day: str) -> str:
    return date.fromisoformat(day).strftime("%B %Y")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def recruitment_text(counts: dict[str, int]) -> str:
    """'Sixteen eligible candidates were contacted; of these, six individuals refused to participate.'"""
    contacted, declined, withdrawn = counts.get("contacted", 0), counts.get("declined", 0), counts.get("withdrawn", 0)
    invited = counts.get("invited", 0)
    if not contacted:
        return ""
    text = f"{number_word(contacted, capital=True)} eligible candidate{'s were' if contacted != 1 else ' was'} contacted"
    tail = []
    if declined:
        tail.append(f"{number_word(declined)} individual{'s' if declined != 1 else ''} refused to participate")
    if invited:
        tail.append(f"{number_word(invited)} had not answered")
    if withdrawn:
        tail.append(f"{number_word(withdrawn)} withdrew after taking part")
    if len(tail) > 2:
        tail = [", ".join(tail[:-1]), tail[-1]]
    return text + ("; of these, " + " and ".join(tail) if tail else "") + "."


def _place(name: str) -> str:
    """A place as written mid-sentence: 'the participant's workplace', 'the University of Bergen'.

    The first letter is lowered unless a later word is capitalised too (a proper
    name such as "University of Bergen"); "the" is added unless there is an article.
    """
    words = name.split()
    proper = any(w[:1].isupper() for w in words[1:])
    text = name if proper or (len(words[0]) > 1 and words[0][1:2].isupper()) else name[:1].lower() + name[1:]
    return text if words[0].lower() in ("the", "a", "an") else "the " + text


def places_text(report: MethodsReport) -> str:
    """Where the interviews were held: 'The interviews were conducted at either A or at B.'"""
    known = [(p, k) for p, k in report.places if p is not None]
    unknown = sum(k for p, k in report.places if p is None)
    total = sum(k for _, k in report.places)
    if not known:
        return ""
    names = [_place(p) for p, _ in known]
    subject = "The interview was" if total == 1 else "The interviews were"
    if len(names) == 1:
        where = f"at {names[0]}"
        subject = subject if total == 1 or unknown else "All interviews were"
    elif len(names) == 2:
        where = f"at either {names[0]} or at {names[1]}"
    else:
        where = "at " + ", ".join(names[:-1]) + " or " + names[-1]
    gap = f" (place not recorded for {number_word(unknown)})" if unknown else ""
    return f"{subject} conducted {where}{gap}."


def _minutes(x: float) -> str:
    return fmt_mean(round(x, 1)) if x != round(x) else str(int(round(x)))


def collection_text(report: MethodsReport) -> str:
    """When, by whom and how long: the data-collection sentences."""
    if report.first_interview is None:
        # Nothing to say yet; a methods section does not announce it.
        return ""
    first, last = _month(report.first_interview), _month(report.last_interview or report.first_interview)
    who = "The participant was" if report.summary.n == 1 else "Participants were"
    sentences = [f"{who} interviewed in {first}." if first == last else f"{who} interviewed between {first} and {last}."]
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
        held = sum(k for _, k in report.interviews_by)
        gap = f" (length not recorded for {number_word(held - d.n)})" if held > d.n else ""
        if d.n == 1:
            sentences.append(f"{'The' if held == 1 else 'One'} interview lasted {_minutes(d.min)} min{gap}.")
        elif d.min == d.max:
            sentences.append(f"{'Each' if not gap else number_word(d.n, capital=True)} interview"
                             f"{'s' if gap else ''} lasted {_minutes(d.min)} min{gap}.")
        else:
            stats = f"M = {fmt_mean(d.mean)}" + (f", SD = {fmt_sd(d.sd)}" if d.sd is not None else "")
            stats += f"; n = {d.n}" if gap else ""
            sentences.append(f"Interviews lasted {_minutes(d.min)}{DASH}{_minutes(d.max)} min ({stats}).")
    sentences.append(places_text(report))
    return " ".join(s for s in sentences if s)


def paragraph(report: MethodsReport) -> str:
    """Recruitment, saturation, sample and data collection as one paragraph."""
    # The report holds only participants whose latest consent decision is "given" (see gather).
    n = report.summary.n
    consent = ("Informed consent was obtained from the participant." if n == 1
               else "Informed consent was obtained from all participants." if n else "")
    parts = [
        recruitment_text(report.recruitment),
        saturation_text(list(report.saturation)),
        methods_paragraph(report.summary),
        collection_text(report),
        consent,
    ]
    return " ".join(p for p in parts if p)


def extra_rows(report: MethodsReport) -> list[tuple[str, str, bool]]:
    """Table rows for recruitment and interviews (characteristic, value, is_sub_row)."""
    r = report.recruitment
    rows = [("Recruitment", "", False), ("Contacted", str(r.get("contacted", 0)), True),
            ("Declined", str(r.get("declined", 0)), True)]
    if r.get("withdrawn"):
        rows.append(("Withdrew", str(r["withdrawn"]), True))
    if r.get("invited"):
        rows.append(("No answer yet", str(r["invited"]), True))
    rows.append(("Included", str(r.get("included", 0)), True))
    if report.decline_reasons:
        rows.append(("Reasons for declining", "", False))
        rows += [(reason, str(k), True) for reason, k in report.decline_reasons]
    d = report.durations
    if d is not None:
        if d.min == d.max:
            value = f"{_minutes(d.min)}{' (all)' if d.n > 1 else ''}, n = {d.n}"
        else:
            sd = f", SD = {fmt_sd(d.sd)}" if d.sd is not None else ""
            value = f"M = {fmt_mean(d.mean)}{sd}, range {_minutes(d.min)}{DASH}{_minutes(d.max)}, n = {d.n}"
        rows.append(("Interview duration (min)", value, False))
    if report.interviews_by:
        rows.append(("Interviews per interviewer", "", False))
        rows += [(who, str(k), True) for who, k in report.interviews_by]
    if report.places:
        rows.append(("Interviews per place", "", False))
        rows += [(p or "place not recorded", str(k), True) for p, k in report.places]
    return rows + saturation_rows(list(report.saturation))


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
    for key in ("contacted", "declined", "invited", "withdrawn", "included"):
        writer.writerow(["recruitment", "Recruitment", key, "", report.recruitment.get(key, 0)])
    for reason, k in report.decline_reasons:
        writer.writerow(["recruitment", "Recruitment", "decline_reason", reason, k])
    d = report.durations
    if d is not None:
        for stat in ("n", "min", "max", "mean", "sd"):
            writer.writerow(["interview_duration_min", "Interview duration (min)", stat, "", csv_number(getattr(d, stat))])
    for who, k in report.interviews_by:
        writer.writerow(["interviews", "Interviews per interviewer", "count", who, k])
    if report.first_interview:
        writer.writerow(["interview_dates", "Interview dates", "first", "", report.first_interview])
        writer.writerow(["interview_dates", "Interview dates", "last", "", report.last_interview])
    for place, k in report.places:
        writer.writerow(["interview_places", "Interviews per place", "count", place or "", k])
    seen: set[str] = set()
    for e in report.saturation:
        seen.update(t.casefold() for t in e.new_themes)
        writer.writerow(["saturation", "New themes per interview", "new_themes", e.interview, len(e.new_themes)])
        writer.writerow(["saturation", "New themes per interview", "cumulative_themes", e.interview, len(seen)])
        if e.review_point:
            writer.writerow(["saturation", "New themes per interview", "review_point", e.interview, 1])
    return out.getvalue()


def render(report: MethodsReport, fmt: str = "text") -> str:
    """The report in one of FORMATS."""
    renderers = {"text": render_text, "markdown": render_markdown, "csv": render_csv}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](report)
