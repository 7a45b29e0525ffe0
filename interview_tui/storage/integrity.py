"""Checking stored consent records against their own hashes and the audit trail.

A consent record keeps the exact text shown and its sha256; `record_consent`
also wrote a hash-chained audit entry with every other stored field (decision,
items, method, form version and title, text hash, interviewer, study, time)
and the participant code.  So an edited text is caught by its hash, and any
other edited field, or text and hash changed together, by disagreeing with that
audit entry (whose own edit the audit chain, and its outside anchor, catch).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database


@dataclass(frozen=True)
class ConsentProblem:
    """One consent record that does not match what was recorded."""

    record_id: int
    participant_code: str
    message: str

    def __str__(self) -> str:
        return f"consent record {self.record_id} ({self.participant_code}): {self.message}"


@dataclass(frozen=True)
class ConsentCheck:
    checked: int
    problems: tuple[ConsentProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


#: Every stored field of a record that its audit entry also holds (entries written before
#: the later fields were added hold only the first five; `recorded_at` is then compared with
#: the entry's own time, written in the same transaction).
_COMPARED = ("form_version", "decision", "method", "items_given", "items_declined",
             "form_title", "text_hash", "interviewer_id", "study_id", "recorded_at")
#: How far apart a record's recorded_at and its audit entry's time may be (same transaction).
_SAME_MOMENT_S = 60


def verify_consent_records(db: Database) -> ConsentCheck:
    """Re-hash every consent record's text and compare each stored field with its audit entry."""
    logged: dict[int, tuple[dict, str | None, str]] = {}
    for details, code, at in db.execute(
        "SELECT details, participant_code, at FROM audit_log WHERE action = 'consent.record' ORDER BY id"
    ):
        data = json.loads(details) if details else {}
        if isinstance(data.get("record_id"), int):
            logged[data["record_id"]] = (data, code, at)
    rows = db.execute(
        "SELECT c.id, COALESCE(p.code, '?'), c.text, c.text_hash, c.form_version, c.decision, c.method, c.items_given,"
        " c.items_declined, c.form_title, c.interviewer_id, c.study_id, c.recorded_at"
        " FROM consent_records c LEFT JOIN participants p ON p.id = c.participant_id ORDER BY c.id"
    ).fetchall()
    problems: list[ConsentProblem] = []
    for (rid, code, text, text_hash, form_version, decision, method, given, declined, form_title, interviewer_id,
         study_id, recorded_at) in rows:
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != text_hash:
            problems.append(ConsentProblem(rid, code, "the consent text does not match its stored sha256: "
                                                      "the text (or its hash) was changed after consent"))
        found = logged.get(rid)
        if found is None:
            problems.append(ConsentProblem(rid, code, "no consent.record entry in the audit trail for this record"))
            continue
        entry, logged_code, logged_at = found
        if logged_code != code:
            problems.append(ConsentProblem(rid, code, f"belongs to {code} but was recorded for {logged_code} "
                                                      "(audit trail): the record was moved to another participant"))
        stored = {"form_version": form_version, "decision": decision, "method": method,
                  "items_given": _json(given), "items_declined": _json(declined), "form_title": form_title,
                  "text_hash": text_hash, "interviewer_id": interviewer_id, "study_id": study_id,
                  "recorded_at": recorded_at}
        for key in _COMPARED:
            if key in entry and entry[key] != stored[key]:
                problems.append(ConsentProblem(rid, code, f"{key} is {stored[key]!r} but was recorded as "
                                                          f"{entry[key]!r} (audit trail)"))
        if "recorded_at" not in entry and not _same_moment(recorded_at, logged_at):
            problems.append(ConsentProblem(rid, code, f"recorded_at is {recorded_at!r} but its audit entry was "
                                                      f"written at {logged_at!r}"))
    # Withdrawal erases a participant's records; any other record in the trail must still exist.
    present = {row[0] for row in rows}
    active = {code for (code,) in db.execute("SELECT code FROM participants WHERE withdrawn_at IS NULL")}
    for rid, (_entry, logged_code, _at) in sorted(logged.items()):
        if rid not in present and logged_code in active:
            problems.append(ConsentProblem(rid, logged_code or "?", "is in the audit trail but no longer in the "
                                                                    "database: it was deleted"))
    return ConsentCheck(len(rows), tuple(problems))


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _same_moment(a: str | None, b: str | None) -> bool:
    try:
        return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) <= _SAME_MOMENT_S  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
