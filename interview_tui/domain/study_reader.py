"""Turning a study file's YAML node tree into the `study.py` dataclasses, checking as it goes.

Every reader takes the shared `Issues` log, reports what is wrong where, and
still returns a (possibly incomplete) object so checking can go on; the
loader decides at the end whether the result may be used.  The key names
here are the file format documented in `guides/README.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from yaml.nodes import Node, ScalarNode

from interview_tui.domain.age_recipients import recipient_problem
from interview_tui.domain.languages import LANGUAGE_ALIASES, WHISPER_LANGUAGES
from interview_tui.domain.study import (
    ADDABLE_PARTS,
    FIELD_TYPES,
    Choice,
    ConsentForm,
    ConsentItem,
    DemographicField,
    DemographicForm,
    Guide,
    Prompt,
    Question,
    Section,
    Study,
)
from interview_tui.domain.yaml_reader import Issues, MapReader, closest, line_of

STUDY_KEYS = (
    "id", "title", "version", "language", "model", "speakers", "places", "end_date", "description",
    "guide", "consent", "demographics", "encryption", "reference", "not_in_source",
)
ENCRYPTION_KEYS = ("recipients",)
GUIDE_KEYS = ("title", "introduction", "planned_minutes", "sections", "closing", "final_prompt")
PLANNED_KEYS = ("min", "max")
SECTION_KEYS = ("id", "title", "note", "time_budget_min", "questions", "sections")
QUESTION_KEYS = ("id", "text", "note", "prompts")
PROMPT_KEYS = ("id", "text", "theme", "condition", "note", "prompts")
CONSENT_KEYS = ("version", "title", "text", "items", "recording_item")
CONSENT_ITEM_KEYS = ("id", "text", "required")
FIELD_KEYS = (
    "id", "type", "label", "required", "unit", "min", "max", "choices", "prefer_not_to_say", "help",
)
CHOICE_KEYS = ("id", "label", "plural")
NUMERIC_TYPES = ("integer", "decimal")
CHOICE_TYPES = ("single_choice", "multiple_choice")
DEFAULT_FINAL_PROMPT = "Is there anything further you would like to add that we did not cover?"


@dataclass
class IdRegistry:
    """Ids that must be unique within one scope (the whole guide, one form, one field's choices)."""

    issues: Issues
    scope: str
    seen: dict[str, int] = field(default_factory=dict)

    def claim(self, reader: MapReader, value: str | None) -> str:
        if value is None:
            return ""
        if value in self.seen:
            self.issues.add(
                reader.values.get("id"),
                f"duplicate id '{value}' (already used on line {self.seen[value]}); "
                f"ids must be unique across {self.scope}",
                reader.path + ".id",
            )
        else:
            self.seen[value] = line_of(reader.values.get("id"))
        return value


def read_study(issues: Issues, root: Node) -> Study:
    """The whole study from the document's root node."""
    top = MapReader(issues, root, "", STUDY_KEYS, "the study")
    study_id = top.ident("id") or ""
    title = top.text("title", required=True) or ""
    version = top.text("version", required=True) or ""
    language = _language(top)
    model = top.text("model")
    speakers = top.number("speakers", integer=True, minimum=2)
    places = top.texts("places")
    end_date = top.date("end_date")
    description = top.text("description")
    guide = read_guide(issues, top.get("guide", required=True), title)
    consent = read_consent(issues, top.get("consent", required=True))
    demographics = read_demographics(issues, top)
    encryption = _encryption(top)
    reference = top.text("reference")
    added = _not_in_source(top)
    return Study(
        id=study_id,
        title=title,
        version=version,
        guide=guide,
        consent=consent,
        demographics=demographics,
        language=language,
        model=model,
        speakers=int(speakers) if speakers is not None else None,
        places=places,
        end_date=end_date,
        description=description,
        encryption_recipients=encryption,
        reference=reference,
        not_in_source=added,
    )


def _not_in_source(top: MapReader) -> tuple[str, ...]:
    """`not_in_source: [opening, ...]`: what the study adds to the published guide it reproduces."""
    out: list[str] = []
    for path, item in top.items("not_in_source"):
        value = item.value if isinstance(item, ScalarNode) else None
        if value not in ADDABLE_PARTS:
            hint = closest(str(value), tuple(ADDABLE_PARTS)) if isinstance(value, str) else None
            top.issues.add(
                item,
                f"not_in_source lists {value!r}; use any of {', '.join(ADDABLE_PARTS)}"
                + (f" (did you mean '{hint}'?)" if hint else ""),
                path,
            )
        elif value not in out:
            out.append(value)
    return tuple(out)


def _encryption(top: MapReader) -> tuple[str, ...]:
    """`encryption: {recipients: [age1...]}`: the age public keys recordings are encrypted to."""
    if not top.has("encryption"):
        return ()
    enc = top.child("encryption", ENCRYPTION_KEYS, "the encryption settings")
    out: list[str] = []
    for path, item in enc.items("recipients", required=True, nonempty=True):
        problem = recipient_problem(item.value) if isinstance(item, ScalarNode) and isinstance(item.value, str) else (
            "each recipient must be an age public key (age1...) as text")
        if problem:
            top.issues.add(item, problem, path)
        else:
            out.append(item.value.strip())
    return tuple(out)


def _language(top: MapReader) -> str:
    code = top.text("language", default="en") or "en"
    code = code.lower()
    code = LANGUAGE_ALIASES.get(code, code)
    if code not in WHISPER_LANGUAGES:
        hint = closest(code, WHISPER_LANGUAGES)
        top.issues.add(
            top.values.get("language"),
            f"unknown language {code!r}: use a Whisper language code such as en, no, sv, da, de"
            + (f" (did you mean '{hint}'?)" if hint else ""),
            "language",
        )
    return code


# -- guide ----------------------------------------------------------------------------


def read_guide(issues: Issues, node: Node | None, study_title: str) -> Guide:
    """The interview guide: sections (with sub-sections), closing question, planned duration."""
    g = MapReader(issues, node, "guide", GUIDE_KEYS, "the guide")
    ids = IdRegistry(issues, "the whole guide")
    planned_min, planned_max = _planned(g)
    sections = tuple(
        read_section(issues, n, p, ids) for p, n in g.items("sections", required=g.ok, nonempty=True)
    )
    closing_node = g.get("closing", required=g.ok)
    closing = read_question(issues, closing_node, "guide.closing", ids)
    guide = Guide(
        title=g.text("title") or study_title or "Interview guide",
        sections=sections,
        closing=closing,
        introduction=g.text("introduction"),
        final_prompt=g.text("final_prompt") or DEFAULT_FINAL_PROMPT,
        planned_min=planned_min,
        planned_max=planned_max,
    )
    _check_budgets(issues, g, guide)
    return guide


def _planned(g: MapReader) -> tuple[float, float]:
    p = g.child("planned_minutes", PLANNED_KEYS, "the planned duration in minutes")
    low = p.number("min", minimum=0, required=p.ok)
    high = p.number("max", minimum=0, required=p.ok)
    if low is not None and high is not None and low > high:
        g.issues.add(
            p.values["min"],
            f"planned duration min {low:g} is more than max {high:g}; swap them",
            "guide.planned_minutes",
        )
    return (low if low is not None else 45), (high if high is not None else 75)


def read_section(issues: Issues, node: Node, path: str, ids: IdRegistry) -> Section:
    s = MapReader(issues, node, path, SECTION_KEYS, "a section")
    section_id = ids.claim(s, s.ident())
    title = s.text("title", required=s.ok) or ""
    questions = tuple(read_question(issues, n, p, ids) for p, n in s.items("questions"))
    subs = tuple(read_section(issues, n, p, ids) for p, n in s.items("sections"))
    if s.ok and not questions and not subs:
        issues.add(
            node,
            f"section '{section_id or title}' is empty: give it 'questions' or sub-'sections'",
            path,
        )
    budget = s.number("time_budget_min", minimum=0)
    sub_total = sum(sub.time_budget_min or 0 for sub in subs)
    if budget is not None and sub_total > budget:
        issues.warn(
            s.values["time_budget_min"],
            f"the sub-sections' time budgets add up to {sub_total:g} min, more than this "
            f"section's budget of {budget:g} min (a section's budget includes its sub-sections)",
            path + ".time_budget_min",
        )
    return Section(
        id=section_id,
        title=title,
        questions=questions,
        sections=subs,
        note=s.text("note"),
        time_budget_min=budget,
        line=s.line,
    )


def read_question(issues: Issues, node: Node | None, path: str, ids: IdRegistry) -> Question:
    q = MapReader(issues, node, path, QUESTION_KEYS, "a question")
    return Question(
        id=ids.claim(q, q.ident(required=q.ok)),
        text=q.text("text", required=q.ok) or "",
        note=q.text("note"),
        prompts=tuple(read_prompt(issues, n, p, ids) for p, n in q.items("prompts")),
        line=q.line,
    )


def read_prompt(issues: Issues, node: Node, path: str, ids: IdRegistry) -> Prompt:
    p = MapReader(issues, node, path, PROMPT_KEYS, "a follow-up prompt")
    prompt_id = ids.claim(p, p.ident(required=p.ok))
    theme = p.text("theme")
    if theme is not None and p.has("text"):
        issues.add(p.key_node("theme"), "a prompt is either a sub-theme ('theme') or a follow-up ('text'), not both",
                   path + ".theme")
    if theme is not None and p.has("condition"):
        issues.add(p.key_node("condition"), "a sub-theme ('theme') takes no 'condition'; put it on its follow-ups",
                   path + ".condition")
    prompts = tuple(read_prompt(issues, n, sub, ids) for sub, n in p.items("prompts", required=theme is not None))
    return Prompt(
        id=prompt_id,
        text=theme if theme is not None else (p.text("text", required=p.ok) or ""),
        condition=p.text("condition"),
        note=p.text("note"),
        prompts=prompts,
        line=p.line,
        is_theme=theme is not None,
    )


def _check_budgets(issues: Issues, g: MapReader, guide: Guide) -> None:
    """Warn when the top-level section budgets add up to more than the planned maximum."""
    total = sum(s.time_budget_min for s in guide.sections if s.time_budget_min is not None)
    if total > guide.planned_max:
        issues.warn(
            g.key_node("sections"),
            f"section time budgets add up to {total:g} min, more than the planned maximum of "
            f"{guide.planned_max:g} min; shorten some budgets or raise planned_minutes.max",
            "guide.sections",
        )


# -- consent form ---------------------------------------------------------------------


def read_consent(issues: Issues, node: Node | None) -> ConsentForm:
    """The consent form: versioned text plus the items a participant agrees to one by one."""
    c = MapReader(issues, node, "consent", CONSENT_KEYS, "the consent form")
    version = c.text("version", required=c.ok) or ""
    title = c.text("title", required=c.ok) or ""
    text = c.text("text", required=c.ok) or ""
    ids = IdRegistry(issues, "the consent form's items")
    items = []
    for path, item_node in c.items("items", required=c.ok, nonempty=True):
        r = MapReader(issues, item_node, path, CONSENT_ITEM_KEYS, "a consent item")
        items.append(
            ConsentItem(
                id=ids.claim(r, r.ident(required=r.ok)),
                text=r.text("text", required=r.ok) or "",
                required=r.boolean("required", True),
                line=r.line,
            )
        )
    recording_item = c.text("recording_item")
    if recording_item is not None and recording_item not in ids.seen:
        known = ", ".join(ids.seen) or "none"
        issues.add(
            c.values["recording_item"],
            f"recording_item '{recording_item}' is not one of the consent items ({known})",
            "consent.recording_item",
        )
    elif recording_item is None and c.ok:
        issues.warn(
            node,
            "no 'recording_item': name the consent item that permits audio recording, "
            "or interviews cannot be recorded",
            "consent",
        )
    return ConsentForm(
        version=version,
        title=title,
        text=text,
        items=tuple(items),
        recording_item=recording_item,
    )


# -- demographic form -----------------------------------------------------------------


def read_demographics(issues: Issues, top: MapReader) -> DemographicForm:
    """The demographic form: a list of fields under the top-level `demographics` key."""
    ids = IdRegistry(issues, "the demographic form's fields")
    fields = tuple(
        read_field(issues, n, p, ids) for p, n in top.items("demographics", required=top.ok)
    )
    return DemographicForm(fields=fields)


def read_field(issues: Issues, node: Node, path: str, ids: IdRegistry) -> DemographicField:
    f = MapReader(issues, node, path, FIELD_KEYS, "a demographic field")
    field_id = ids.claim(f, f.ident(required=f.ok))
    kind = f.text("type", required=f.ok) or "text"
    if kind not in FIELD_TYPES:
        hint = closest(kind, FIELD_TYPES)
        issues.add(
            f.values.get("type"),
            f"unknown field type '{kind}'; use one of {', '.join(FIELD_TYPES)}"
            + (f" (did you mean '{hint}'?)" if hint else ""),
            path + ".type",
        )
    known_type = kind in FIELD_TYPES
    # With an unknown type, checks that depend on the type would only repeat the problem.
    low, high = _range(f, kind) if known_type else (None, None)
    return DemographicField(
        id=field_id,
        type=kind,  # type: ignore[arg-type]  # checked above
        label=f.text("label", required=f.ok) or field_id,
        required=f.boolean("required", True),
        unit=f.text("unit"),
        min=low,
        max=high,
        choices=_choices(issues, f, kind) if known_type else (),
        prefer_not_to_say=f.boolean("prefer_not_to_say", False),
        help=f.text("help"),
        line=f.line,
    )


def _range(f: MapReader, kind: str) -> tuple[float | None, float | None]:
    if kind not in NUMERIC_TYPES:
        for key in ("min", "max"):
            if f.has(key):
                f.issues.add(
                    f.values[key], f"'{key}' applies only to integer and decimal fields", f"{f.path}.{key}"
                )
        return None, None
    low = f.number("min", integer=kind == "integer")
    high = f.number("max", integer=kind == "integer")
    if low is not None and high is not None and low > high:
        f.issues.add(f.values["min"], f"min {low:g} is more than max {high:g}; swap them", f.path + ".min")
    return low, high


def _choices(issues: Issues, f: MapReader, kind: str) -> tuple[Choice, ...]:
    if kind not in CHOICE_TYPES:
        if f.has("choices"):
            issues.add(
                f.values["choices"],
                f"'choices' applies only to single_choice and multiple_choice fields, not '{kind}'",
                f.path + ".choices",
            )
        return ()
    if f.ok and not f.has("choices"):
        issues.add(f.node, f"a {kind} field needs 'choices' (a list of id + label)", f.path)
        return ()
    ids = IdRegistry(issues, "one field's choices")
    out = []
    for path, node in f.items("choices", nonempty=True):
        c = MapReader(issues, node, path, CHOICE_KEYS, "a choice (id, label, plural)")
        if not c.ok:
            continue
        out.append(
            Choice(
                id=ids.claim(c, c.ident()),
                label=c.text("label", required=True) or "",
                plural=c.text("plural"),
            )
        )
    return tuple(out)


__all__ = ["read_study"]
