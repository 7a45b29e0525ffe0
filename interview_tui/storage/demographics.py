"""Demographic answers per participant: validated against the form, saved all or nothing."""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from sqlite_utils import Database

from interview_tui.domain.demographics import (
    MISSING,
    PREFER_NOT,
    DemographicValueError,
    field_name,
    validate_value,
)
from interview_tui.domain.demographics_csv import CsvRow
from interview_tui.domain.study import DemographicForm
from interview_tui.storage import audit
from interview_tui.domain.clock import now_iso
from interview_tui.storage.permission import refusal, require_permission
from interview_tui.storage.studies import load_registered_study
from interview_tui.domain.participant_codes import code_number
from interview_tui.storage.rows import Participant
from interview_tui.storage.participants import (
    ParticipantError,
    add_participant,
    get_participant,
    normalize_code,
)


class DemographicsError(ValueError):
    """Answers that cannot be saved; `.errors` lists every reason (nothing was saved)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def check_answers(
    form: DemographicForm, values: Mapping[str, Any], prefer_not: Iterable[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """Validate answers against `form`: (field_id -> normalized value, MISSING or PREFER_NOT), errors."""
    known = {f.id for f in form.fields}
    prefer = set(prefer_not)
    result: dict[str, Any] = {}
    errors: list[str] = []
    for field_id in list(values) + sorted(prefer - set(values)):
        if field_id not in known:
            errors.append(f"{field_id}: not a field of the demographic form (fields: {', '.join(sorted(known))})")
    for f in form.fields:
        if f.id in prefer:
            if f.id in values and values[f.id] not in (None, MISSING, PREFER_NOT):
                errors.append(f"{field_name(f)}: has a value and 'prefer not to say'; give only one")
            elif not f.prefer_not_to_say:
                errors.append(f"{field_name(f)}: 'prefer not to say' is not offered for this field")
            else:
                result[f.id] = PREFER_NOT
        elif f.id in values:
            value = values[f.id]
            if value is None or value is MISSING or value is PREFER_NOT:
                if value is PREFER_NOT and not f.prefer_not_to_say:
                    errors.append(f"{field_name(f)}: 'prefer not to say' is not offered for this field")
                result[f.id] = MISSING if value is None else value
                continue
            try:
                result[f.id] = validate_value(f, value)
            except DemographicValueError as err:
                errors.append(str(err))
    return result, errors


def _write(db: Database, participant_id: int, answers: Mapping[str, Any], updated_by: str | None) -> None:
    now = now_iso()
    for field_id, value in answers.items():
        if value is MISSING:
            db.execute(
                "DELETE FROM demographic_values WHERE participant_id = ? AND field_id = ?", [participant_id, field_id]
            )
            continue
        stored = None if value is PREFER_NOT else json.dumps(value, ensure_ascii=False)
        db.execute(
            "INSERT INTO demographic_values (participant_id, field_id, value, prefer_not_to_say, updated_at, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (participant_id, field_id) DO UPDATE SET "
            "value = excluded.value, prefer_not_to_say = excluded.prefer_not_to_say, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            [participant_id, field_id, stored, int(value is PREFER_NOT), now, updated_by],
        )


def _form_for(db: Database, participant: Participant, form: DemographicForm | None) -> DemographicForm:
    if form is not None:
        return form
    study = load_registered_study(db, participant.study_slug)
    if study is None:
        raise DemographicsError(
            [f"no study file registered for study {participant.study_slug!r}; load the study first"]
        )
    return study.demographics


def save_demographics(
    db: Database,
    code: str,
    values: Mapping[str, Any],
    prefer_not: Iterable[str] = frozenset(),
    updated_by: str | None = None,
    *,
    form: DemographicForm | None = None,
) -> None:
    """Validate and save answers for `code` (raw strings or typed values; None clears a field).

    Every value is checked against `form` (default: the participant's
    registered study) first; any error raises `DemographicsError` and nothing
    is saved.  Fields not mentioned keep their answers.
    """
    participant = require_permission(db, code, "demographics")
    answers, errors = check_answers(_form_for(db, participant, form), values, prefer_not)
    if errors:
        raise DemographicsError(errors)
    with db.atomic():
        _write(db, participant.id, answers, updated_by)
        audit.log(
            db,
            "demographics.save",
            actor=updated_by,
            participant_code=participant.code,
            details={"fields": sorted(answers)},
        )


def _decode(rows: Iterable[tuple[str, str | None, int]]) -> dict[str, Any]:
    return {fid: PREFER_NOT if pn else json.loads(value) for fid, value, pn in rows}


def get_demographics(db: Database, code: str) -> dict[str, Any]:
    """The saved answers of `code`: field_id -> value, or PREFER_NOT; unanswered fields are absent."""
    participant = get_participant(db, code)
    if participant is None:
        raise ParticipantError(f"no participant {normalize_code(code)}")
    rows = db.execute(
        "SELECT field_id, value, prefer_not_to_say FROM demographic_values WHERE participant_id = ?",
        [participant.id],
    ).fetchall()
    return _decode(rows)


def all_demographics(db: Database, *, include_declined: bool = False) -> dict[str, dict[str, Any]]:
    """Answers of every participant in the sample, by code (those without answers included, as {}).

    Withdrawn participants are left out, and so are those whose latest consent
    decision is 'declined' (unless `include_declined`): their answers must not
    enter the sample description.
    """
    declined = "" if include_declined else """
        AND COALESCE((SELECT c.decision FROM consent_records c WHERE c.participant_id = p.id
                      ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1), '') != 'declined'"""
    participants = db.execute(f"SELECT p.id, p.code FROM participants p WHERE p.withdrawn_at IS NULL {declined}").fetchall()
    result: dict[str, dict[str, Any]] = {}
    for pid, code in sorted(participants, key=lambda r: (code_number(r[1]), r[1])):
        rows = db.execute(
            "SELECT field_id, value, prefer_not_to_say FROM demographic_values WHERE participant_id = ?", [pid]
        ).fetchall()
        result[code] = _decode(rows)
    return result


def import_demographics(
    db: Database,
    rows: list[CsvRow],
    *,
    study_slug: str,
    add_missing: bool = False,
    updated_by: str | None = None,
) -> dict[str, int]:
    """Save already checked rows in ONE transaction; returns counts (participants, values, added).

    Unknown participants raise `ParticipantError` (listing all) unless
    `add_missing`, which adds them under `study_slug`.  MISSING answers do
    not overwrite saved ones: an empty cell never deletes data.
    """
    unknown = [r.code for r in rows if get_participant(db, r.code) is None]
    if unknown and not add_missing:
        raise ParticipantError(
            f"unknown participant(s) {', '.join(unknown)}; add them first (interview-tui participants add "
            "--code CODE) or import with --add-missing"
        )
    refused = [str(r) for r in (refusal(db, row.code, "demographics") for row in rows if row.code not in unknown)
               if r is not None]
    if refused:
        raise ParticipantError("\n".join(refused))
    counts = {"participants": 0, "values": 0, "added": 0}
    with db.atomic():
        for row in rows:
            if row.code in unknown:
                add_participant(db, study_slug, row.code, actor=updated_by)
                counts["added"] += 1
            participant = require_permission(db, row.code, "demographics")
            answers = {k: v for k, v in row.answers.items() if v is not MISSING}
            _write(db, participant.id, answers, updated_by)
            counts["participants"] += 1
            counts["values"] += len(answers)
            audit.log(
                db,
                "demographics.import",
                actor=updated_by,
                participant_code=participant.code,
                # field ids only: file names and values may identify someone
                details={"fields": sorted(answers), "method": "csv"},
            )
    return counts
