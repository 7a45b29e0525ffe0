"""Checking stored consent records against their own hashes and the audit trail.

A consent record keeps the exact text shown and its sha256; `record_consent`
also wrote a hash-chained audit entry with the decision and items.  So an
edited text is caught by its hash, and an edited decision, item list, method
or form version by disagreeing with that audit entry (whose own edit the
audit chain catches).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

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


_COMPARED = ("form_version", "decision", "method", "items_given", "items_declined")


def verify_consent_records(db: Database) -> ConsentCheck:
    """Re-hash every consent record's text and compare its decision with its audit entry."""
    logged: dict[int, dict] = {}
    for (details,) in db.execute("SELECT details FROM audit_log WHERE action = 'consent.record' ORDER BY id"):
        data = json.loads(details) if details else {}
        if isinstance(data.get("record_id"), int):
            logged[data["record_id"]] = data
    rows = db.execute(
        "SELECT c.id, p.code, c.text, c.text_hash, c.form_version, c.decision, c.method, c.items_given,"
        " c.items_declined FROM consent_records c JOIN participants p ON p.id = c.participant_id ORDER BY c.id"
    ).fetchall()
    problems: list[ConsentProblem] = []
    for rid, code, text, text_hash, form_version, decision, method, given, declined in rows:
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != text_hash:
            problems.append(ConsentProblem(rid, code, "the consent text does not match its stored sha256: "
                                                      "the text (or its hash) was changed after consent"))
        entry = logged.get(rid)
        if entry is None:
            problems.append(ConsentProblem(rid, code, "no consent.record entry in the audit trail for this record"))
            continue
        stored = {"form_version": form_version, "decision": decision, "method": method,
                  "items_given": json.loads(given), "items_declined": json.loads(declined)}
        for key in _COMPARED:
            if key in entry and entry[key] != stored[key]:
                problems.append(ConsentProblem(rid, code, f"{key} is {stored[key]!r} but was recorded as "
                                                          f"{entry[key]!r} (audit trail)"))
    return ConsentCheck(len(rows), tuple(problems))
