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

from interview_tui.domain.demographics import DemographicSummary, FieldSummary
from interview_tui.domain.safe_text import SpreadsheetWriter
from interview_tui.domain.study import DemographicField

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
    if stats.min == stats.max:
        # One value (or several alike): a mean and SD would only repeat it.
        return f"(n = {stats.n})" if stats.n < n_total else ""
    inner = f"M = {fmt_mean(stats.mean)}"
    if stats.sd is not None:
        inner += f", SD = {fmt_sd(stats.sd)}"
    if stats.n < n_total:
        inner += f"; n = {stats.n}"
    return f"({inner})"


def _unit(f: DemographicField) -> str:
    return f" {f.unit}" if f.unit else ""


def _span(fs: FieldSummary) -> str:
    """'40–66 years', or '52 years' when every answer is the same."""
    stats = fs.numeric
    assert stats is not None
    if stats.min == stats.max:
        return f"{fmt_mean(stats.min)}{_unit(fs.field)}"
    return f"{fmt_mean(stats.min)}{DASH}{fmt_mean(stats.max)}{_unit(fs.field)}"


def _people(k: int, n_total: int, *, capital: bool = True) -> str:
    """'One participant', 'Two participants', or 'The participant' when there is only one."""
    if n_total == 1:
        return "The participant" if capital else "the participant"
    return f"{number_word(k, capital=capital)} participant{'s' if k != 1 else ''}"


def _gap_sentence(fs: FieldSummary, n_total: int) -> str:
    """Who did not answer, as a sentence of its own ('' when everybody answered)."""
    what = _lower_first(_third_person(fs.field.label.strip()))
    parts = []
    if fs.prefer_not:
        parts.append(f"{_people(fs.prefer_not, n_total)} preferred not to state their {what}")
    if fs.missing:
        if parts:
            parts.append(f"{number_word(fs.missing)} did not report it")
        else:
            parts.append(f"{_people(fs.missing, n_total)} did not report their {what}")
    return " and ".join(parts) + "." if parts else ""


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
    if n == 1:
        sentence = "One individual was recruited"
        if lead is not None and lead.answered:
            sentence += ", " + _article(_plural_counts(lead)[0][1])
    else:
        sentence = f"A total of {n} individuals were recruited"
        if lead is not None and lead.answered:
            sentence += ", including " + _join([f"{k} {noun}" for k, noun in _plural_counts(lead)])
    if age is not None and age.numeric is not None:
        sentence += "," if lead is None or not lead.answered else ""
        sentence += f" aged {_span(age)}"
        stats = _m_sd(age, n)
        sentence += f" {stats}" if stats else ""
    return sentence + "."


def _numeric_sentence(fs: FieldSummary, n_total: int) -> str:
    stats = fs.numeric
    assert stats is not None
    what = _lower_first(_third_person(fs.field.label))
    if stats.min == stats.max:
        everyone = stats.n == n_total
        who = " for both" if everyone and stats.n == 2 else f" for all {stats.n}" if everyone and stats.n > 2 else ""
        m_sd = _m_sd(fs, n_total)
        return f"The {what} was {_span(fs)}{who}{' ' + m_sd if m_sd else ''}."
    return f"The {what} ranged from {fmt_mean(stats.min)} to {_span(fs).split(DASH)[1]} {_m_sd(fs, n_total)}."


def _plural_sentence(fs: FieldSummary, n_total: int) -> str:
    counts = _plural_counts(fs)
    if n_total == 1:
        return f"The participant was {_article(counts[0][1])}."
    parts = [f"{k} was {_article(noun)}" if k == 1 else f"{k} were {noun}" for k, noun in counts]
    first_count = counts[0][0]
    parts[0] = number_word(first_count, capital=True) + parts[0][len(str(first_count)) :]
    return _join(parts, oxford=True) + "."


def _combination(fs: FieldSummary, combo: tuple[str, ...]) -> str:
    return _join([_lower_first(fs.field.choice(i).label) for i in combo])


def _several_text(fs: FieldSummary) -> str:
    """'three reported more than one (both A and B)', naming the combinations."""
    combos = sorted(fs.combinations.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
    if len(combos) == 1:
        combo = combos[0][0]
        which = ("both " if len(combo) == 2 else "") + _combination(fs, combo)
        if fs.several and fs.several > 1:
            which = "all " + which if len(combo) > 2 else which
    elif len(combos) <= 3:
        which = "; ".join(f"{_combination(fs, combo)}, n = {k}" for combo, k in combos)
    else:  # many different combinations: name the most common one
        which = f"most often {_combination(fs, combos[0][0])}, n = {combos[0][1]}"
    return f"{number_word(fs.several or 0)} reported more than one ({which})"


def _choice_sentence(fs: FieldSummary) -> str:
    listed = [
        f"{_lower_first(c.label)} (n = {fs.counts[c.id]})" for c in fs.field.choices if fs.counts[c.id]
    ]
    label = _third_person(fs.field.label.strip())
    if fs.field.type == "single_choice":
        return f"{label}: {_join(listed)}."
    if not listed:  # everyone who answered chose "none of these"
        return f"{label}: none (n = {fs.none})." if fs.none else f"{label}: none reported."
    sentence = f"{label} included {_join(listed)}."
    extra = []
    if fs.several:
        extra.append(_several_text(fs) if fs.combinations else f"{number_word(fs.several)} reported more than one")
    if fs.none and listed:
        extra.append(f"{number_word(fs.none)} reported none")
    if extra:
        tail = ", and ".join(extra)
        sentence += " " + tail[:1].upper() + tail[1:] + "."
    return sentence


def methods_paragraph(summary: DemographicSummary) -> str:
    """The sample described in one paragraph, in the style of the seed paper's methods section.

    Counts are over the participants who answered; who preferred not to say or
    did not answer is said in a sentence of its own, never folded into a count.
    """
    n = summary.n
    answered = [fs for fs in summary.fields if fs.answered]
    lead = next((fs for fs in summary.fields if _has_plurals(fs) and (fs.answered or fs.prefer_not)), None)
    age = next((fs for fs in answered if fs.field.id == "age" and fs.numeric is not None), None)
    sentences = [_opening(summary, lead, age)]
    for fs in (lead, age):
        if fs is not None:
            sentences.append(_gap_sentence(fs, n))
    for fs in summary.fields:
        if fs is lead or fs is age:
            continue
        if not fs.answered:
            # Nobody answered: say so only when someone chose not to.
            sentences.append(_gap_sentence(fs, n) if fs.prefer_not else "")
            continue
        if fs.numeric is not None:
            sentences.append(_numeric_sentence(fs, n))
        elif _has_plurals(fs):
            sentences.append(_plural_sentence(fs, n))
        elif fs.field.type in ("single_choice", "multiple_choice"):
            sentences.append(_choice_sentence(fs))
        elif fs.field.type == "date" and fs.first:
            if fs.first == fs.last:
                sentences.append(f"{fs.field.label.strip()}: {fs.first}.")
            else:
                sentences.append(f"{fs.field.label.strip()} ranged from {fs.first} to {fs.last}.")
        else:
            continue
        sentences.append(_gap_sentence(fs, n))
    return " ".join(s for s in sentences if s)


def _pct(k: int, n: int) -> str:
    return f"{k} ({round(100 * k / n)}%)" if n else str(k)


def _answered(fs: FieldSummary, n: int) -> str:
    return f"n = {fs.answered}" if fs.answered == n else f"n = {fs.answered} of {n}"


def table_rows(summary: DemographicSummary) -> list[tuple[str, str, bool]]:
    """(characteristic, value, is_sub_row) for every field, in form order.

    Percentages are over the participants who answered the field; those who
    preferred not to say or did not answer are counted beside them, without one.
    """
    n = summary.n
    rows: list[tuple[str, str, bool]] = [("Participants", str(n), False)]
    for fs in summary.fields:
        f = fs.field
        label = f"{f.label} ({f.unit})" if f.unit else f.label
        if fs.numeric is not None:
            s = fs.numeric
            if s.min == s.max:
                value = f"{fmt_mean(s.min)}{' (all)' if s.n > 1 else ''}, {_answered(fs, n)}"
            else:
                sd = f", SD = {fmt_sd(s.sd)}" if s.sd is not None else ""
                value = f"M = {fmt_mean(s.mean)}{sd}, range {fmt_mean(s.min)}{DASH}{fmt_mean(s.max)}, {_answered(fs, n)}"
            rows.append((label, value, False))
        elif f.type in ("single_choice", "multiple_choice"):
            rows.append((label, _answered(fs, n), False))
            rows.extend((c.label, _pct(fs.counts[c.id], fs.answered), True) for c in f.choices)
            if f.type == "multiple_choice":
                rows.append(("More than one", _pct(fs.several or 0, fs.answered), True))
                rows.extend(
                    ("– " + " + ".join(f.choice(i).label for i in combo), _pct(k, fs.answered), True)
                    for combo, k in sorted(fs.combinations.items(), key=lambda kv: -kv[1])
                )
                rows.append(("None", _pct(fs.none or 0, fs.answered), True))
        elif f.type == "date" and fs.first:
            span = fs.first if fs.first == fs.last else f"{fs.first} {DASH} {fs.last}"
            rows.append((label, f"{span}, {_answered(fs, n)}", False))
        else:
            rows.append((label, _answered(fs, n), False))
        if fs.prefer_not:
            rows.append(("Prefer not to say", str(fs.prefer_not), True))
        if fs.missing:
            rows.append(("Not reported", str(fs.missing), True))
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
