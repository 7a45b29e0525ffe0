"""Demographics for a methods section: a paragraph in the seed paper's style, a table, a CSV.

The prose is built from the form, not from a known study: the first
single-choice field whose choices have a `plural` (gender, usually) and the
field `age` make the opening sentence ("A total of 10 individuals were
recruited, including 8 women and 2 men aged 40–66 years (M = 51, SD = 8.81).");
every other field gets a sentence of its own.
"""

from __future__ import annotations

import io
import re
from typing import Literal

from interview_tui.domain.demographics import DemographicSummary, FieldSummary
from interview_tui.domain.safe_text import SpreadsheetWriter
from interview_tui.domain.study import DemographicField

Format = Literal["text", "markdown", "csv"]
FORMATS: tuple[str, ...] = ("text", "markdown", "csv")
DASH = "\u2013"  # en dash, as in "40–66"

_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
).split()


def fmt_mean(x: float) -> str:
    """A mean or other value as the paper prints it: up to 2 decimals, no trailing zeros (51, 21.6, 7.25)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_sd(x: float) -> str:
    """A standard deviation with 2 decimals (8.81, 10.28)."""
    return f"{x:.2f}"


def number_word(n: int, *, capital: bool = False) -> str:
    """A count in words up to twenty (for sentence starts), else digits."""
    word = _WORDS[n] if 0 <= n < len(_WORDS) else str(n)
    return word[:1].upper() + word[1:] if capital else word


def _lower_first(text: str) -> str:
    """Lowercase the first letter for use mid-sentence, unless it starts an acronym (CBT)."""
    text = text.strip()
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _third_person(label: str) -> str:
    """Form labels address the participant ("your field"); the methods prose speaks of them."""
    return re.sub(r"\byour\b", "their", re.sub(r"\bYour\b", "Their", label))


def _join(parts: list[str], *, oxford: bool = False) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    last_sep = ", and " if oxford else " and "
    return ", ".join(parts[:-1]) + last_sep + parts[-1]


def _m_sd(fs: FieldSummary, n_total: int) -> str:
    stats = fs.numeric
    assert stats is not None
    inner = f"M = {fmt_mean(stats.mean)}"
    if stats.sd is not None:
        inner += f", SD = {fmt_sd(stats.sd)}"
    if stats.n < n_total:
        inner += f"; n = {stats.n}"
    return f"({inner})"


def _unit(f: DemographicField) -> str:
    return f" {f.unit}" if f.unit else ""


def _gaps(fs: FieldSummary) -> str:
    notes = []
    if fs.prefer_not:
        notes.append(f"{fs.prefer_not} preferred not to say")
    if fs.missing:
        notes.append(f"{fs.missing} not reported")
    return f" ({', '.join(notes)})" if notes else ""


def _has_plurals(fs: FieldSummary) -> bool:
    return fs.field.type == "single_choice" and any(c.plural for c in fs.field.choices)


def _noun(choice_label: str, plural: str | None, count: int) -> str:
    """'women' for several, 'woman' for one (the label is the singular)."""
    return _lower_first(choice_label) if count == 1 or not plural else plural


def _plural_counts(fs: FieldSummary) -> list[tuple[int, str]]:
    return [(fs.counts[c.id], _noun(c.label, c.plural, fs.counts[c.id])) for c in fs.field.choices if fs.counts[c.id]]


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def _opening(summary: DemographicSummary, lead: FieldSummary | None, age: FieldSummary | None) -> str:
    n = summary.n
    sentence = f"A total of {n} individual{'s were' if n != 1 else ' was'} recruited"
    if lead is not None:
        sentence += ", including " + _join([f"{k} {noun}" for k, noun in _plural_counts(lead)]) + _gaps(lead)
    if age is not None and age.numeric is not None:
        stats = age.numeric
        sentence += "," if lead is None else ""
        sentence += f" aged {fmt_mean(stats.min)}{DASH}{fmt_mean(stats.max)}{_unit(age.field)} {_m_sd(age, n)}"
    return sentence + "."


def _numeric_sentence(fs: FieldSummary, n_total: int) -> str:
    stats = fs.numeric
    assert stats is not None
    what = _lower_first(_third_person(fs.field.label))
    if stats.min == stats.max:
        return f"The {what} was {fmt_mean(stats.min)}{_unit(fs.field)} for all {stats.n}."
    return (
        f"The {what} ranged from {fmt_mean(stats.min)} to {fmt_mean(stats.max)}{_unit(fs.field)} "
        f"{_m_sd(fs, n_total)}{_gaps(fs)}."
    )


def _plural_sentence(fs: FieldSummary) -> str:
    parts = [f"{k} was {_article(noun)}" if k == 1 else f"{k} were {noun}" for k, noun in _plural_counts(fs)]
    first_count = _plural_counts(fs)[0][0]
    parts[0] = number_word(first_count, capital=True) + parts[0][len(str(first_count)) :]
    return _join(parts, oxford=True) + _gaps(fs) + "."


def _choice_sentence(fs: FieldSummary) -> str:
    listed = [
        f"{_lower_first(c.label)} (n = {fs.counts[c.id]})" for c in fs.field.choices if fs.counts[c.id]
    ]
    label = _third_person(fs.field.label.strip())
    if fs.field.type == "single_choice":
        return f"{label}: {_join(listed)}{_gaps(fs)}."
    sentence = f"{label} included {_join(listed)}{_gaps(fs)}." if listed else f"{label}: none reported."
    extra = []
    if fs.several:
        extra.append(f"{number_word(fs.several)} reported more than one")
    if fs.none and listed:
        extra.append(f"{number_word(fs.none)} reported none")
    if extra:
        tail = ", and ".join(extra)
        sentence += " " + tail[:1].upper() + tail[1:] + "."
    return sentence


def methods_paragraph(summary: DemographicSummary) -> str:
    """The sample described in one paragraph, in the style of the seed paper's methods section."""
    answered = [fs for fs in summary.fields if fs.answered]
    lead = next((fs for fs in answered if _has_plurals(fs)), None)
    age = next((fs for fs in answered if fs.field.id == "age" and fs.numeric is not None), None)
    sentences = [_opening(summary, lead, age)]
    for fs in answered:
        if fs is lead or fs is age:
            continue
        if fs.numeric is not None:
            sentences.append(_numeric_sentence(fs, summary.n))
        elif _has_plurals(fs):
            sentences.append(_plural_sentence(fs))
        elif fs.field.type in ("single_choice", "multiple_choice"):
            sentences.append(_choice_sentence(fs))
        elif fs.field.type == "date" and fs.first:
            sentences.append(f"{fs.field.label.strip()} ranged from {fs.first} to {fs.last}.")
    return " ".join(sentences)


def _pct(k: int, n: int) -> str:
    return f"{k} ({round(100 * k / n)}%)" if n else str(k)


def table_rows(summary: DemographicSummary) -> list[tuple[str, str, bool]]:
    """(characteristic, value, is_sub_row) for every field, in form order."""
    n = summary.n
    rows: list[tuple[str, str, bool]] = [("Participants", str(n), False)]
    for fs in summary.fields:
        f = fs.field
        label = f"{f.label} ({f.unit})" if f.unit else f.label
        if fs.numeric is not None:
            s = fs.numeric
            sd = f", SD = {fmt_sd(s.sd)}" if s.sd is not None else ""
            value = f"M = {fmt_mean(s.mean)}{sd}, range {fmt_mean(s.min)}{DASH}{fmt_mean(s.max)}, n = {s.n}"
            rows.append((label, value, False))
        elif f.type in ("single_choice", "multiple_choice"):
            rows.append((label, f"n = {fs.answered}", False))
            rows.extend((c.label, _pct(fs.counts[c.id], n), True) for c in f.choices)
            if f.type == "multiple_choice":
                rows.append(("More than one", _pct(fs.several or 0, n), True))
                rows.append(("None", _pct(fs.none or 0, n), True))
        elif f.type == "date" and fs.first:
            rows.append((label, f"{fs.first} {DASH} {fs.last}, n = {fs.answered}", False))
        else:
            rows.append((label, f"n = {fs.answered}", False))
        if fs.prefer_not:
            rows.append(("Prefer not to say", _pct(fs.prefer_not, n), True))
        if fs.missing:
            rows.append(("Not reported", _pct(fs.missing, n), True))
    return rows


Row = tuple[str, str, bool]


def text_report(paragraph: str, rows: list[Row]) -> str:
    """A paragraph, then an aligned plain-text table of (characteristic, value, is_sub_row)."""
    shown = [(("  " + c) if sub else c, v) for c, v, sub in rows]
    width = max(len("Characteristic"), *(len(c) for c, _ in shown))
    lines = [paragraph, "", f"{'Characteristic':<{width}}  Value", "-" * (width + 2 + 30)]
    lines += [f"{c:<{width}}  {v}".rstrip() for c, v in shown]
    return "\n".join(lines) + "\n"


def markdown_report(paragraph: str, rows: list[Row], heading: str | None = None) -> str:
    """A paragraph, then a Markdown table (field rows in bold)."""
    lines = [f"## {heading}", ""] if heading else []
    lines += [paragraph, "", "| Characteristic | Value |", "| --- | --- |"]
    for c, v, sub in rows:
        name = c.replace("|", "\\|")
        lines.append(f"| {name} | {v} |" if sub else f"| **{name}** | {v} |")
    return "\n".join(lines) + "\n"


def render_text(summary: DemographicSummary) -> str:
    """The paragraph, then an aligned plain-text table."""
    return text_report(methods_paragraph(summary), table_rows(summary))


def render_markdown(summary: DemographicSummary) -> str:
    """The paragraph, then a Markdown table (field rows in bold)."""
    return markdown_report(methods_paragraph(summary), table_rows(summary))


def csv_number(x: float | int | None) -> str:
    """A figure for CSV: unrounded, empty when there is none."""
    if x is None:
        return ""
    return str(x) if isinstance(x, int) else f"{x:.10g}"


def csv_rows(summary: DemographicSummary) -> list[list[str]]:
    """One row per statistic: field_id, field_label, statistic, category, value (unrounded)."""
    rows = [["", "", "n", "", str(summary.n)]]
    for fs in summary.fields:
        f = fs.field

        def add(stat: str, value: float | int | None, category: str = "") -> None:
            rows.append([f.id, f.label, stat, category, csv_number(value)])

        add("answered", fs.answered)
        add("missing", fs.missing)
        add("prefer_not_to_say", fs.prefer_not)
        if fs.numeric is not None:
            for stat in ("min", "max", "mean", "sd"):
                add(stat, getattr(fs.numeric, stat))
        for choice in f.choices:
            add("count", fs.counts.get(choice.id, 0), choice.id)
        if f.type == "multiple_choice":
            add("several", fs.several)
            add("none", fs.none)
        if fs.first:
            rows.append([f.id, f.label, "first", "", fs.first])
            rows.append([f.id, f.label, "last", "", fs.last or ""])
    return rows


def render_csv(summary: DemographicSummary) -> str:
    out = io.StringIO()
    writer = SpreadsheetWriter(out, lineterminator="\n")
    writer.writerow(["field_id", "field_label", "statistic", "category", "value"])
    writer.writerows(csv_rows(summary))
    return out.getvalue()


def render(summary: DemographicSummary, fmt: str = "text") -> str:
    """The summary in one of FORMATS."""
    renderers = {"text": render_text, "markdown": render_markdown, "csv": render_csv}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](summary)
