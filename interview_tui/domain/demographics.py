"""Demographic values: parsing typed answers and summary statistics.

Pure functions only; storage is `interview_tui.storage.demographics` and the
methods-section prose and tables are in `demographics_report`.

A value is one of: int (integer), float (decimal), a choice id (single
choice), a list of choice ids in form order (multiple choice; an empty list
means "none of these"), a string (text) or an ISO date string `YYYY-MM-DD`.
"""

from __future__ import annotations

import enum
import re
import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping

from interview_tui.domain.safe_text import text_problem
from interview_tui.domain.study import Choice, DemographicField, DemographicForm

#: Raw answers meaning "the participant preferred not to say" (case-insensitive).
PREFER_NOT_LITERALS: tuple[str, ...] = ("prefer not to say", "-")
#: Raw answer for a multiple-choice field meaning "none of the choices".
NONE_LITERAL = "none"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Answer(enum.Enum):
    """Answers that are not values."""

    MISSING = "missing"
    PREFER_NOT = "prefer not to say"


MISSING = Answer.MISSING
PREFER_NOT = Answer.PREFER_NOT


class DemographicValueError(ValueError):
    """A raw answer that does not fit its field; the message names the field and the reason."""

    def __init__(self, field: DemographicField, reason: str) -> None:
        self.field_id = field.id
        self.label = field.label
        self.reason = reason
        super().__init__(f"{field_name(field)}: {reason}")


def field_name(field: DemographicField) -> str:
    """How messages name a field: `age`, or `Years of experience (years_experience)`."""
    if field.label.strip().lower() == field.id.lower():
        return field.id
    return f"{field.label} ({field.id})"


def _num(x: float) -> str:
    """A number as people write it: 100, 7.5 (no trailing zeros)."""
    return f"{x:.6f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _with_unit(field: DemographicField, x: float) -> str:
    return f"{_num(x)} {field.unit}" if field.unit else _num(x)


def _strip_unit(field: DemographicField, text: str) -> str:
    if field.unit and text.lower().endswith(field.unit.lower()):
        return text[: -len(field.unit)].strip()
    return text


def _check_range(field: DemographicField, value: float, shown: str) -> None:
    if field.min is not None and value < field.min:
        raise DemographicValueError(field, f"{shown} is below the minimum {_with_unit(field, field.min)}")
    if field.max is not None and value > field.max:
        raise DemographicValueError(field, f"{shown} is above the maximum {_with_unit(field, field.max)}")


def _parse_integer(field: DemographicField, text: str) -> int:
    text = _strip_unit(field, text)
    if not re.fullmatch(r"[+-]?\d+", text):
        raise DemographicValueError(field, f"{text!r} is not a whole number")
    value = int(text)
    _check_range(field, value, text.lstrip("+"))
    return value


def _parse_decimal(field: DemographicField, text: str) -> float:
    text = _strip_unit(field, text)
    # A single comma is a decimal comma ("7,5"), as Norwegian and German spreadsheets write it.
    normalized = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", normalized):
        raise DemographicValueError(field, f"{text!r} is not a number (write e.g. 7.5 or 7,5)")
    value = float(normalized)
    _check_range(field, value, text.lstrip("+"))
    return value


def _match_choice(field: DemographicField, text: str) -> Choice | None:
    wanted = text.strip().casefold()
    for choice in field.choices:
        if choice.id.casefold() == wanted or choice.label.strip().casefold() == wanted:
            return choice
    return None


def _choices_hint(field: DemographicField) -> str:
    return ", ".join(c.id if c.id == c.label else f"{c.id} ({c.label})" for c in field.choices)


def _parse_single(field: DemographicField, text: str) -> str:
    choice = _match_choice(field, text)
    if choice is None:
        raise DemographicValueError(field, f"{text!r} is not one of the choices: {_choices_hint(field)}")
    return choice.id


def _parse_multiple(field: DemographicField, text: str) -> list[str]:
    if text.casefold() == NONE_LITERAL and _match_choice(field, text) is None:
        return []
    parts = [p.strip() for p in re.split(r"[;|]", text) if p.strip()]
    chosen: set[str] = set()
    unknown: list[str] = []
    for part in parts:
        choice = _match_choice(field, part)
        if choice is None:
            unknown.append(part)
        else:
            chosen.add(choice.id)
    if unknown:
        listed = ", ".join(repr(u) for u in unknown)
        raise DemographicValueError(
            field,
            f"{listed} {'is' if len(unknown) == 1 else 'are'} not among the choices: {_choices_hint(field)} "
            f"(separate several with ';' or '|', or write '{NONE_LITERAL}')",
        )
    return [c.id for c in field.choices if c.id in chosen]


def _parse_date(field: DemographicField, text: str) -> str:
    if not _ISO_DATE.match(text):
        raise DemographicValueError(field, f"{text!r} is not a date written as YYYY-MM-DD")
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise DemographicValueError(field, f"{text!r} is not a valid calendar date") from None


def parse_value(field: DemographicField, raw: str) -> Any:
    """Parse one raw answer (a form entry or a CSV cell) for `field`.

    Returns the typed value, `MISSING` for an empty answer, or `PREFER_NOT`
    for "prefer not to say" / "-" where the field allows it.  Raises
    `DemographicValueError` naming the field and the reason otherwise.
    """
    text = (raw or "").strip()
    if not text:
        return MISSING
    problem = text_problem(text)
    if problem is not None:
        raise DemographicValueError(field, problem)
    if text.casefold() in PREFER_NOT_LITERALS:
        if field.prefer_not_to_say:
            return PREFER_NOT
        raise DemographicValueError(
            field, "'prefer not to say' is not offered for this field; leave it empty if unknown"
        )
    parser = {
        "integer": _parse_integer,
        "decimal": _parse_decimal,
        "single_choice": _parse_single,
        "multiple_choice": _parse_multiple,
        "text": lambda _f, t: t,
        "date": _parse_date,
    }.get(field.type)
    if parser is None:
        raise DemographicValueError(field, f"unknown field type {field.type!r}")
    return parser(field, text)


def to_raw(value: Any) -> str:
    """A typed value back as raw text that `parse_value` accepts (for re-validating stored values)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(value) if value else NONE_LITERAL
    if isinstance(value, float):
        text = repr(value)
        return f"{value:f}" if "e" in text else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def validate_value(field: DemographicField, value: Any) -> Any:
    """Check an already typed value (or raw string) against `field`; returns the normalized value."""
    return parse_value(field, value if isinstance(value, str) else to_raw(value))


# --- summary statistics -------------------------------------------------------------------


@dataclass(frozen=True)
class NumericStats:
    n: int
    min: float
    max: float
    mean: float
    #: sample standard deviation (n - 1); None with fewer than two values.
    sd: float | None


@dataclass(frozen=True)
class FieldSummary:
    """Statistics of one field over the participants summarized."""

    field: DemographicField
    answered: int
    missing: int
    prefer_not: int
    numeric: NumericStats | None = None
    #: count per choice id, in form order (single and multiple choice).
    counts: dict[str, int] = field(default_factory=dict)
    #: multiple choice: how many chose more than one / none at all.
    several: int | None = None
    none: int | None = None
    #: multiple choice: how many chose each combination of two or more (choice ids in form order).
    combinations: dict[tuple[str, ...], int] = field(default_factory=dict)
    #: date fields: earliest and latest ISO date.
    first: str | None = None
    last: str | None = None


@dataclass(frozen=True)
class DemographicSummary:
    n: int
    fields: tuple[FieldSummary, ...]

    def field(self, field_id: str) -> FieldSummary:
        for fs in self.fields:
            if fs.field.id == field_id:
                return fs
        raise KeyError(field_id)


def numeric_stats(values: list[float]) -> NumericStats | None:
    """n, range, mean and sample SD (n - 1) of `values`; None when there are none."""
    if not values:
        return None
    return NumericStats(
        n=len(values),
        min=min(values),
        max=max(values),
        mean=statistics.mean(values),
        sd=statistics.stdev(values) if len(values) > 1 else None,
    )


def summarize_field(f: DemographicField, answers: list[Any]) -> FieldSummary:
    """Statistics of one field from each participant's answer (value, MISSING or PREFER_NOT)."""
    values = [a for a in answers if a is not MISSING and a is not PREFER_NOT and a is not None]
    missing = sum(1 for a in answers if a is MISSING or a is None)
    prefer_not = sum(1 for a in answers if a is PREFER_NOT)
    base = dict(field=f, answered=len(values), missing=missing, prefer_not=prefer_not)
    if f.type in ("integer", "decimal"):
        return FieldSummary(**base, numeric=numeric_stats([float(v) for v in values]))
    if f.type == "single_choice":
        counts = {c.id: sum(1 for v in values if v == c.id) for c in f.choices}
        return FieldSummary(**base, counts=counts)
    if f.type == "multiple_choice":
        counts = {c.id: sum(1 for v in values if c.id in v) for c in f.choices}
        order = {c.id: n for n, c in enumerate(f.choices)}
        combos: dict[tuple[str, ...], int] = {}
        for v in values:
            if len(v) > 1:
                key = tuple(sorted(v, key=lambda i: order.get(i, len(order))))
                combos[key] = combos.get(key, 0) + 1
        return FieldSummary(
            **base,
            counts=counts,
            combinations=combos,
            several=sum(1 for v in values if len(v) > 1),
            none=sum(1 for v in values if len(v) == 0),
        )
    if f.type == "date" and values:
        return FieldSummary(**base, first=min(values), last=max(values))
    return FieldSummary(**base)


def summarize(form: DemographicForm, records: Iterable[Mapping[str, Any]]) -> DemographicSummary:
    """Summary statistics of every field over `records` (one dict field_id -> answer per participant).

    Fields absent from a record count as missing.
    """
    rows = list(records)
    return DemographicSummary(
        n=len(rows),
        fields=tuple(summarize_field(f, [r.get(f.id, MISSING) for r in rows]) for f in form.fields),
    )


def is_complete(form: DemographicForm, answers: Mapping[str, Any]) -> bool:
    """True when every required field has a value or 'prefer not to say'."""
    return all(
        answers.get(f.id, MISSING) is not MISSING and answers.get(f.id) is not None
        for f in form.fields
        if f.required
    )
