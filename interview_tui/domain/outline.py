"""A plain-text outline of a study: the guide as an interviewer reads it, then both forms."""

from __future__ import annotations

import textwrap

from interview_tui.domain.study import (
    ConsentForm,
    DemographicField,
    DemographicForm,
    Prompt,
    Question,
    Section,
    Study,
)

WIDTH = 96


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    """Wrap one paragraph (or several, blank-line separated) under an indent."""
    hanging = indent if hanging is None else hanging
    out: list[str] = []
    for i, para in enumerate(p for p in text.split("\n\n") if p.strip()):
        out += textwrap.wrap(
            " ".join(para.split()),
            WIDTH,
            initial_indent=indent if i == 0 else hanging,
            subsequent_indent=hanging,
            break_on_hyphens=False,
        ) or [indent]
    return out


def _minutes(value: float | None) -> str:
    return "" if value is None else f"  [{value:g} min]"


ADDED = "(added by this study; not in its source)"


def _prompt_lines(prompt: Prompt, indent: str) -> list[str]:
    label = f"{prompt.condition}: " if prompt.condition else ""
    bullet = "→ " if prompt.condition else "- "
    if prompt.is_theme:
        lines = _wrap(f"Sub-theme: {prompt.text}  [{prompt.id}]", indent, indent + "  ")
    else:
        lines = _wrap(f"{bullet}{label}{prompt.text}  [{prompt.id}]", indent, indent + "  ")
    if prompt.note:
        lines += _wrap(f"({prompt.note})", indent + "  ")
    for child in prompt.prompts:
        lines += _prompt_lines(child, indent + "    ")
    return lines


def _question_lines(number: int, question: Question, indent: str) -> list[str]:
    head = f"Q{number}. "
    lines = _wrap(f"{head}{question.text}  [{question.id}]", indent, indent + " " * len(head))
    if question.note:
        lines += _wrap(f"Note: {question.note}", indent + " " * len(head))
    for prompt in question.prompts:
        lines += _prompt_lines(prompt, indent + " " * len(head))
    return lines


def _section_lines(section: Section, number: str, indent: str, counter: list[int]) -> list[str]:
    lines = [f"{indent}{number} {section.title}{_minutes(section.time_budget_min)}  [{section.id}]"]
    inner = indent + "   "
    if section.note:
        lines += _wrap(f"Note: {section.note}", inner)
    for question in section.questions:
        counter[0] += 1
        lines += _question_lines(counter[0], question, inner)
    for i, sub in enumerate(section.sections, start=1):
        lines += _section_lines(sub, f"{number}{i}.", inner, counter)
    return lines


def _consent_lines(form: ConsentForm, added: bool = False) -> list[str]:
    lines = [f"Consent form: {form.title} (version {form.version})" + (f" {ADDED}" if added else "")]
    for item in form.items:
        tags = ["required" if item.required else "optional"]
        if item.id == form.recording_item:
            tags.append("permits audio recording")
        lines += _wrap(f"[{'x' if item.required else ' '}] {item.text}  [{item.id}; {', '.join(tags)}]", "  ", "      ")
    return lines


def _field_summary(f: DemographicField) -> str:
    kind = f.type.replace("_", " ")
    parts = [kind]
    if f.min is not None or f.max is not None:
        low = "" if f.min is None else f"{f.min:g}"
        high = "" if f.max is None else f"{f.max:g}"
        parts.append(f"{low}–{high}")
    if f.unit:
        parts.append(f.unit)
    detail = " ".join(parts)
    flags = ["required" if f.required else "optional"]
    if f.prefer_not_to_say:
        flags.append("prefer not to say allowed")
    text = f"{f.label} ({detail}; {', '.join(flags)})  [{f.id}]"
    if f.choices:
        text += ": " + " | ".join(c.label for c in f.choices)
    return text


def _demographic_lines(form: DemographicForm) -> list[str]:
    lines = ["Demographic form:"]
    for f in form.fields:
        lines += _wrap(f"- {_field_summary(f)}", "  ", "    ")
    return lines


def format_outline(study: Study) -> str:
    """The study as readable text: guide sections, numbered questions, indented follow-ups and probes, forms."""
    guide = study.guide
    budget = sum(s.time_budget_min or 0 for s in guide.sections)
    lines = [
        study.title,
        f"  study {study.id}, version {study.version}, language {study.language}"
        + (f", model {study.model}" if study.model else ""),
    ]
    if study.places:
        lines.append(f"  places: {'; '.join(study.places)}")
    if study.end_date:
        lines.append(f"  no new recordings after {study.end_date.isoformat()}")
    lines.append(
        f"  planned duration {guide.planned_min:g}–{guide.planned_max:g} min"
        + (f"; section budgets total {budget:g} min" if budget else "")
        + (f" {ADDED}" if budget and study.added("time_budgets") else "")
    )
    if study.reference:
        lines += _wrap(f"source: {study.reference}", "  ", "    ")
    lines += ["", f"Guide: {guide.title}"]
    if guide.introduction:
        # "Opening script", not "Introduction": a guide's first section is often called that.
        mark = f" {ADDED}" if study.added("opening") else ""
        lines += _wrap(f"Opening script{mark}: {guide.introduction}", "  ", "    ")
    counter = [0]
    for i, section in enumerate(guide.sections, start=1):
        lines.append("")
        lines += _section_lines(section, f"{i}.", "", counter)
    lines += ["", "Closing"]
    lines += _question_lines(counter[0] + 1, guide.closing, "   ")
    mark = f" {ADDED}" if study.added("final_prompt") else ""
    lines += _wrap(f"Final prompt{mark}: {guide.final_prompt}", "   ", "     ")
    lines += [""] + _consent_lines(study.consent, study.added("consent"))
    lines += [""] + _demographic_lines(study.demographics)
    return "\n".join(lines) + "\n"
