"""Consent records: each decision with the exact wording it was given on.

Records are only ever added: a later decision (a new form version, a
withdrawal) is a new record, and the latest one counts.
"""

from __future__ import annotations

import json
from typing import Iterable

from sqlite_utils import Database

from interview_tui.domain.consent import (
    METHODS,
    ConsentError,
    check_decision,
    consent_text,
    consent_text_hash,
)
from interview_tui.domain.study import ConsentForm
from interview_tui.storage import audit
from interview_tui.domain.clock import now_iso
from interview_tui.storage.participants import normalize_code, require_participant
from interview_tui.storage.recruitment import log_counts
from interview_tui.storage.rows import ConsentRecord, from_row

_SELECT = """
    SELECT c.*, p.code AS participant_code, i.name AS interviewer
    FROM consent_records c
    JOIN participants p ON p.id = c.participant_id
    LEFT JOIN interviewers i ON i.id = c.interviewer_id
"""


def _decode(row: dict) -> ConsentRecord:
    return from_row(ConsentRecord, {**row, "items_given": json.loads(row["items_given"]),
                                    "items_declined": json.loads(row["items_declined"])})


def record_consent(
    db: Database,
    code: str,
    form: ConsentForm,
    *,
    given: Iterable[str],
    declined: Iterable[str],
    decision: str,
    method: str,
    interviewer_id: int | None = None,
    study_id: int | None = None,
    actor: str | None = None,
) -> int:
    """Store one consent decision for participant `code`; returns the record id.

    Stores the form version, title, the exact text shown and its hash, the
    items given and declined (items in neither list count as declined), the method ('app' or 'paper') and the
    interviewer.  Raises `ConsentError` (every reason) for an invalid
    decision and `ParticipantError` for an unknown or withdrawn participant.
    The record is committed (synchronous=FULL: on disk) when this returns.
    """
    given_ids = list(dict.fromkeys(given))
    declined_ids = list(dict.fromkeys(declined))
    errors = check_decision(form, given_ids, declined_ids, decision)
    if method not in METHODS:
        errors.append(f"method must be 'app' or 'paper', not {method!r}")
    if errors:
        raise ConsentError(errors)
    participant = require_participant(db, code)
    # Every item is accounted for: one not given was not agreed to.
    declined_ids += [i.id for i in form.items if i.id not in given_ids and i.id not in declined_ids]
    order = {item.id: n for n, item in enumerate(form.items)}
    given_ids.sort(key=order.__getitem__)
    declined_ids.sort(key=order.__getitem__)
    if db.conn.in_transaction:
        # Our commit must be the caller's commit too; refuse rather than leave consent unflushed.
        raise RuntimeError("record_consent must not run inside an open transaction")
    recorded_at = now_iso()
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO consent_records (participant_id, study_id, form_version, form_title, text, text_hash, "
            "decision, items_given, items_declined, method, interviewer_id, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                participant.id,
                study_id,
                form.version,
                form.title,
                consent_text(form),
                consent_text_hash(form),
                decision,
                json.dumps(given_ids),
                json.dumps(declined_ids),
                method,
                interviewer_id,
                recorded_at,
            ],
        )
        record_id = int(cursor.lastrowid)
        audit.log(
            db,
            "consent.record",
            actor=actor,
            participant_code=participant.code,
            details={
                "record_id": record_id,
                "form_version": form.version,
                "decision": decision,
                "method": method,
                "items_given": given_ids,
                "items_declined": declined_ids,
                # The rest of the stored record, so `consent verify` covers every field of it.
                "form_title": form.title,
                "text_hash": consent_text_hash(form),
                "interviewer_id": interviewer_id,
                "study_id": study_id,
                "recorded_at": recorded_at,
            },
        )
    return record_id


def latest_consent(db: Database, code: str, form_version: str | None = None) -> ConsentRecord | None:
    """The latest consent record of `code` (for one form version, or any), items decoded; None if none."""
    sql = _SELECT + " WHERE p.code = ?"
    params: list = [normalize_code(code)]
    if form_version is not None:
        sql += " AND c.form_version = ?"
        params.append(form_version)
    rows = list(db.query(sql + " ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1", params))
    return _decode(rows[0]) if rows else None


def consent_on_file(db: Database, code: str, form_version: str) -> ConsentRecord | None:
    """The latest record for this form version, or None (a new form version means: ask again)."""
    return latest_consent(db, code, form_version)


def consent_history(db: Database, code: str) -> list[ConsentRecord]:
    """Every consent record of `code`, oldest first."""
    rows = db.query(_SELECT + " WHERE p.code = ? ORDER BY c.recorded_at, c.id", [normalize_code(code)])
    return [_decode(r) for r in rows]


def has_consent_item(db: Database, code: str, item_id: str) -> bool:
    """True when the participant's latest consent record is 'given' and includes `item_id`.

    A later 'declined' record (consent withdrawn) turns every item off.
    """
    record = latest_consent(db, code)
    return bool(record and record.decision == "given" and item_id in record.items_given)


def recruitment_counts(db: Database) -> dict[str, int]:
    """Recruitment for a methods section, from each participant's latest consent decision.

    contacted: participants with any consent record plus the people in the
    recruitment log who never became participants; declined: latest decision
    declined, or declined in the log; invited: invited in the log, no answer
    yet; included: latest decision given and not withdrawn; withdrawn: withdrew
    after consenting.
    """
    rows = db.execute(
        """
        SELECT c.decision, p.withdrawn_at IS NOT NULL
        FROM consent_records c JOIN participants p ON p.id = c.participant_id
        WHERE c.id = (
            SELECT c2.id FROM consent_records c2 WHERE c2.participant_id = c.participant_id
            ORDER BY c2.recorded_at DESC, c2.id DESC LIMIT 1
        )
        """
    ).fetchall()
    # A withdrawal erases the consent records; the hash-chained audit trail still says consent was given.
    erased = db.execute(
        """
        SELECT COUNT(*) FROM participants p
        WHERE p.withdrawn_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM consent_records c WHERE c.participant_id = p.id)
          AND EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'consent.record' AND a.participant_code = p.code
                      AND json_extract(a.details, '$.decision') = 'given')
        """
    ).fetchone()[0]
    rows += [("given", True)] * erased
    counts = {"contacted": len(rows), "declined": 0, "included": 0, "withdrawn": 0}
    for decision, withdrawn in rows:
        if decision == "declined":
            counts["declined"] += 1
        elif withdrawn:
            counts["withdrawn"] += 1
        else:
            counts["included"] += 1
    return _with_log(counts, log_counts(db))


def _with_log(counts: dict[str, int], log: dict[str, int]) -> dict[str, int]:
    """Add the recruitment log to the counts from participants.

    Declines and open invitations in the log were never participants, so they
    add to `contacted`.  Accepted entries are people who became participants:
    they add only where the log counts more of them than there are participants
    (a log kept in full, participants still to be entered).  A decline entered as
    a participant whose consent was declined, with no log entry, counts too.
    """
    took_part = counts["included"] + counts["withdrawn"]
    out = dict(counts)
    out["declined"] += log["declined"]
    if log["invited"]:
        out["invited"] = log["invited"]
    out["contacted"] += log["declined"] + log["invited"] + max(0, log["accepted"] - took_part)
    return out


def recruitment_sentence(counts: dict[str, int]) -> str:
    """The recruitment in the seed paper's words ("Sixteen eligible candidates were contacted; ...")."""
    from interview_tui.domain.demographics_report import number_word

    contacted = number_word(counts["contacted"], capital=True)
    text = f"{contacted} eligible candidates were contacted; of these, {number_word(counts['declined'])} refused to participate"
    if counts.get("withdrawn"):
        text += f" and {number_word(counts['withdrawn'])} withdrew"
    included = counts["included"]
    return text + f". A total of {included} {'was' if included == 1 else 'were'} included."
