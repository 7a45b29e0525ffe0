"""Tampering with a project's records around the app: the audit trail and the consent records.

Each case builds a real project with the real CLI, changes `interview.db` directly (as anyone
with the file could, after dropping the append-only triggers), and runs `audit verify` or
`consent verify` in a real process: every change must end in exit status 1 and a message
saying what was found, without the user having noted a head hash (`--expect-head`).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Callable

import pytest

from interview_tui.privacy.anchor import anchor_path
from interview_tui.privacy.hashchain import GENESIS, entry_hash
from tests.fixtures.cli_process import no_traceback, run_cli
from tests.fixtures.study import MINIMAL_STUDY

STUDY = str(MINIMAL_STUDY)


def _cli(project: Path, *args: str):
    run = run_cli("--data-dir", project, *args)
    assert no_traceback(run), run.stderr
    return run


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two interviewers, three participants, consent given (P01, P03) and declined (P02), via the CLI;
    built once: (project folder, its anchor receipt)."""
    base = tmp_path_factory.mktemp("template")
    root, state = base / "project", base / "state"
    for args in (
        ("interviewers", "add", "MP"),
        ("interviewers", "add", "KNH"),
        ("participants", "add", "--study", STUDY),
        ("participants", "add", "--study", STUDY),
        ("participants", "add", "--study", STUDY),
        ("consent", "record", "P01", "--form-version", "c1", "--item", "rec", "--interviewer", "MP", "--study", STUDY),
        ("consent", "record", "P02", "--form-version", "c1", "--declined", "--interviewer", "KNH", "--study", STUDY),
        ("consent", "record", "P03", "--form-version", "c1", "--item", "rec", "--item", "quotes", "--study", STUDY),
    ):
        run = run_cli("--data-dir", root, *args, env={"INTERVIEW_TUI_STATE_DIR": str(state)})
        assert no_traceback(run) and run.returncode == 0, run.stdout + run.stderr
    (receipt,) = (state / "audit-anchors").glob("*.json")
    return root, receipt


@pytest.fixture
def project(template: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the template project, with its anchor receipt carried over to the copy's path."""
    root, receipt = template
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    data = json.loads(receipt.read_text("utf-8"))
    data["database"] = str((copy / "interview.db").resolve())
    target = anchor_path(copy / "interview.db")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data), encoding="utf-8")
    return copy


def _sql(project: Path, *statements: str) -> None:
    with sqlite3.connect(project / "interview.db") as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            conn.execute(statement)


def _rehash(project: Path) -> None:
    """Recompute every hash and link, as someone covering their tracks would."""
    with sqlite3.connect(project / "interview.db") as conn:
        rows = conn.execute("SELECT id, at, actor, action, participant_code, details FROM audit_log ORDER BY id").fetchall()
        prev = GENESIS
        for row in rows:
            digest = entry_hash(*row, prev)
            conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, row[0]])
            prev = digest


def empty_the_trail(project: Path) -> None:
    _sql(project, "DELETE FROM audit_log")


def cut_off_the_last_entries(project: Path) -> None:
    _sql(project, "DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 2 FROM audit_log)")


def rewrite_and_rehash(project: Path) -> None:
    _sql(project, "UPDATE audit_log SET actor = 'someone else' WHERE id = 2")
    _rehash(project)


def rewrite_a_decision_everywhere(project: Path) -> None:
    """Change P02's consent to 'given' in the record and in its audit entry, then re-hash the chain."""
    _sql(project,
         "UPDATE consent_records SET decision = 'given' WHERE id = 2",
         "UPDATE audit_log SET details = replace(details, '\"decision\": \"declined\"', '\"decision\": \"given\"') "
         "WHERE action = 'consent.record' AND participant_code = 'P02'")
    _rehash(project)


def replace_with_an_older_copy(project: Path) -> None:
    """Restore an earlier copy of the database over the current one (entries made since vanish)."""
    _sql(project, "DELETE FROM audit_log WHERE id > 3")
    _rehash(project)


def damage_the_anchor(project: Path) -> None:
    anchor_path(project / "interview.db").write_text("{", encoding="utf-8")


def empty_the_trail_and_delete_the_anchor(project: Path) -> None:
    empty_the_trail(project)
    anchor_path(project / "interview.db").unlink()


# (case id, tampering, message part)
AUDIT_TAMPERING: list[tuple[str, Callable[[Path], None], str]] = [
    ("issue: emptied trail after dropping the triggers", empty_the_trail, "the trail has 0 entries, but entry"),
    ("last entries cut off", cut_off_the_last_entries, "entries were deleted"),
    ("issue: history rewritten and re-hashed", rewrite_and_rehash, "the history up to this entry was rewritten"),
    ("consent decision rewritten in record and trail", rewrite_a_decision_everywhere, "was rewritten"),
    ("database replaced by an older copy", replace_with_an_older_copy, "entries were deleted"),
    ("anchor receipt damaged", damage_the_anchor, "is damaged"),
    ("emptied trail, anchor deleted too", empty_the_trail_and_delete_the_anchor,
     "the trail is empty, but the project holds 3 participant(s)"),
]


def test_untouched_trail_is_intact_and_says_what_was_checked(project: Path) -> None:
    run = _cli(project, "audit", "verify")
    assert run.returncode == 0, run.stderr
    assert "Audit trail intact" in run.stdout
    assert "every entry's hash and its link" in run.stdout and "the append-only triggers" in run.stdout
    assert "is unchanged since it was anchored" in run.stdout


@pytest.mark.parametrize(("tamper", "message"), [c[1:] for c in AUDIT_TAMPERING], ids=[c[0] for c in AUDIT_TAMPERING])
def test_audit_tampering_found_without_expect_head(project: Path, tamper, message: str) -> None:
    tamper(project)
    run = _cli(project, "audit", "verify")
    assert run.returncode == 1, run.stdout + run.stderr
    assert message in run.stderr and "tampered" in run.stderr
    # Later commands must not paper over it by anchoring the tampered head.
    _cli(project, "interviewers", "add", "New person")
    again = _cli(project, "audit", "verify")
    assert again.returncode == 1 and message in again.stderr


def test_anchor_lost_is_said_not_hidden(project: Path) -> None:
    """Without its receipt (a moved or copied project) verify says what it could not check."""
    anchor_path(project / "interview.db").unlink()
    run = _cli(project, "audit", "verify")
    assert run.returncode == 0
    assert "Not checked: no anchor for this database yet" in run.stdout


def test_copied_project_starts_its_own_anchor(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    first = _cli(copy, "audit", "verify")
    assert first.returncode == 0 and "Not checked: no anchor" in first.stdout
    assert "is unchanged since it was anchored" in _cli(copy, "audit", "verify").stdout


def test_restored_backup_can_be_reanchored_on_purpose(project: Path) -> None:
    replace_with_an_older_copy(project)
    assert _cli(project, "audit", "verify").returncode == 1
    run = _cli(project, "audit", "verify", "--reanchor")
    assert run.returncode == 0 and "Re-anchored at entry 4" in run.stdout
    assert _cli(project, "audit", "verify").returncode == 0
    listed = _cli(project, "audit", "list", "--action", "audit.reanchored").stdout
    assert "audit.reanchored" in listed and '"old_entry"' in listed


def test_reanchor_refused_when_the_chain_is_broken(project: Path) -> None:
    _sql(project, "UPDATE audit_log SET actor = 'x' WHERE id = 2")
    run = _cli(project, "audit", "verify", "--reanchor")
    assert run.returncode == 1 and "not re-anchored" in run.stderr


def test_anchor_follows_entries_logged_inside_transactions(project: Path) -> None:
    """participant.add is logged inside the insert's transaction: the anchor still reaches it."""
    _cli(project, "participants", "add", "--study", STUDY)
    with sqlite3.connect(project / "interview.db") as conn:
        last = conn.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
        action = conn.execute("SELECT action FROM audit_log WHERE id = ?", [last]).fetchone()[0]
    anchored = json.loads(anchor_path(project / "interview.db").read_text("utf-8"))
    assert action == "participant.add" and anchored["entry_id"] == last


# -- consent records --------------------------------------------------------------------------

# (case id, SQL on consent_records, message part)
CONSENT_TAMPERING = [
    ("issue: recorded_at", "UPDATE consent_records SET recorded_at = '2020-01-01T00:00:00+00:00' WHERE id = 1",
     "consent record 1 (P01): recorded_at is '2020-01-01T00:00:00+00:00' but was recorded as"),
    ("issue: interviewer_id", "UPDATE consent_records SET interviewer_id = 2 WHERE id = 1",
     "consent record 1 (P01): interviewer_id is 2 but was recorded as 1"),
    ("interviewer removed", "UPDATE consent_records SET interviewer_id = NULL WHERE id = 2",
     "consent record 2 (P02): interviewer_id is None but was recorded as 2"),
    ("decision", "UPDATE consent_records SET decision = 'given' WHERE id = 2",
     "consent record 2 (P02): decision is 'given' but was recorded as 'declined'"),
    ("items given", "UPDATE consent_records SET items_given = '[\"rec\", \"quotes\"]', items_declined = '[]' WHERE id = 1",
     "consent record 1 (P01): items_given is ['rec', 'quotes'] but was recorded as ['rec']"),
    ("method", "UPDATE consent_records SET method = 'app' WHERE id = 1",
     "consent record 1 (P01): method is 'app' but was recorded as 'paper'"),
    ("form version", "UPDATE consent_records SET form_version = 'c2' WHERE id = 1",
     "consent record 1 (P01): form_version is 'c2' but was recorded as 'c1'"),
    ("form title", "UPDATE consent_records SET form_title = 'Other' WHERE id = 1",
     "consent record 1 (P01): form_title is 'Other' but was recorded as 'Consent'"),
    ("text and its hash changed together",
     "UPDATE consent_records SET text = 'You agree to anything.', "
     "text_hash = '" + __import__("hashlib").sha256(b"You agree to anything.").hexdigest() + "' WHERE id = 1",
     "consent record 1 (P01): text_hash is"),
    ("text alone", "UPDATE consent_records SET text = text || ' Or not.' WHERE id = 1",
     "consent record 1 (P01): the consent text does not match its stored sha256"),
    ("study", "UPDATE consent_records SET study_id = NULL WHERE id = 1",
     "consent record 1 (P01): study_id is None but was recorded as 1"),
    ("moved to another participant", "UPDATE consent_records SET participant_id = 2 WHERE id = 3",
     "consent record 3 (P02): belongs to P02 but was recorded for P03"),
    ("record deleted", "DELETE FROM consent_records WHERE id = 2",
     "consent record 2 (P02): is in the audit trail but no longer in the database"),
]


def test_untouched_consent_records_verify(project: Path) -> None:
    run = _cli(project, "consent", "verify")
    assert run.returncode == 0 and "All 3 consent record(s) match" in run.stdout


@pytest.mark.parametrize(("sql", "message"), [c[1:] for c in CONSENT_TAMPERING], ids=[c[0] for c in CONSENT_TAMPERING])
def test_consent_tampering_found(project: Path, sql: str, message: str) -> None:
    with sqlite3.connect(project / "interview.db") as conn:
        assert conn.execute(sql).rowcount == 1
    run = _cli(project, "consent", "verify")
    assert run.returncode == 1, run.stdout + run.stderr
    assert message in run.stderr
