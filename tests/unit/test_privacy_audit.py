"""The audit trail: append-only triggers, hash chain over every entry, verify/list CLI."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from interview_tui.cli import main
from interview_tui.privacy.hashchain import GENESIS, entry_hash, verify_chain
from interview_tui.storage import audit, open_db
from interview_tui.storage.migrations import migrations

pytestmark = pytest.mark.usefixtures("no_network")


def _fill(db, n: int = 5) -> None:
    for i in range(n):
        audit.log(db, "consent.record", actor="MP", participant_code=f"P0{i + 1}", details={"n": i, "ø": "å"})


def _cli(project, *args: str):
    return CliRunner().invoke(main, ["--data-dir", str(project.root), *args])


def test_each_entry_links_to_the_previous_hash(db) -> None:
    _fill(db, 3)
    rows = db.execute("SELECT id, at, actor, action, participant_code, details, prev_hash, hash FROM audit_log").fetchall()
    assert rows[0][6] == GENESIS
    for before, row in zip(rows, rows[1:]):
        assert row[6] == before[7]
    for row in rows:
        assert row[7] == entry_hash(*row[:6], row[6])
    assert audit.verify(db).ok and audit.verify(db).head == rows[-1][7]


@pytest.mark.parametrize("sql", ["UPDATE audit_log SET actor = 'X' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"])
def test_triggers_refuse_update_and_delete(db, sql: str) -> None:
    _fill(db, 3)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        with db.atomic():
            db.execute(sql)
    assert audit.verify(db).ok


@pytest.mark.parametrize(
    "tamper, message",
    [
        ("UPDATE audit_log SET details = '{\"n\": 99}' WHERE id = 3", "entry 3: content does not match"),
        ("UPDATE audit_log SET participant_code = 'P09' WHERE id = 2", "entry 2: content does not match"),
        ("DELETE FROM audit_log WHERE id = 3", "entry 4: link to the previous entry is broken"),
        ("UPDATE audit_log SET hash = NULL WHERE id = 5", "entry 5: has no hash"),
    ],
)
def test_verify_finds_tampering_made_around_the_triggers(project, db, tamper: str, message: str) -> None:
    _fill(db)
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("DROP TRIGGER audit_log_no_delete")
    with db.conn:
        db.execute(tamper)
    result = audit.verify(db)
    assert not result.ok and message in str(result.problems[0])
    out = _cli(project, "audit", "verify")
    assert out.exit_code == 1
    assert message in out.output and "tampered" in out.output and "triggers are missing" in out.output


def test_expected_head_detects_entries_cut_off_at_the_end(project, db) -> None:
    _fill(db, 4)
    head = audit.verify(db).head
    ok = _cli(project, "audit", "verify", "--expect-head", head)
    assert ok.exit_code == 0 and f"4 entries, head {head}" in ok.output
    db.execute("DROP TRIGGER audit_log_no_delete")
    with db.conn:
        db.execute("DELETE FROM audit_log WHERE id = 4")
    assert audit.verify(db).ok  # the chain alone cannot see the tail go ...
    cut = _cli(project, "audit", "verify", "--expect-head", head)
    assert cut.exit_code == 1 and "removed or added at the end" in cut.output  # ... the noted head can


def test_migration_chains_entries_written_before_it(tmp_path) -> None:
    db = Database(sqlite3.connect(str(tmp_path / "old.db")))
    migrations.apply(db, stop_before="m002_privacy_audit_chain")
    for i in range(3):
        db.execute("INSERT INTO audit_log (at, action, participant_code, details) VALUES (?, 'participant.add', ?, ?)",
                   [f"2026-01-0{i + 1}T00:00:00+00:00", f"P0{i + 1}", '{"study": "s"}'])
    db.conn.commit()
    db.close()
    db = open_db(tmp_path / "old.db")
    assert audit.verify(db).ok and audit.verify(db).count == 3
    audit.log(db, "export.made", details={"format": "qdpx"})
    assert audit.verify(db).ok and audit.verify(db).count == 4
    assert [e.action for e in audit.entries(db)] == ["participant.add"] * 3 + ["export.made"]


def test_verify_chain_on_an_empty_trail() -> None:
    result = verify_chain([])
    assert result.ok and result.count == 0 and result.head == GENESIS


def test_audit_list_filters_by_code_and_action(project, db) -> None:
    _fill(db, 3)
    audit.log(db, "withdrawn", participant_code="P02")
    out = _cli(project, "audit", "list", "--participant", "P02")
    assert out.exit_code == 0
    lines = out.output.strip().splitlines()
    assert len(lines) == 2 and "consent.record  P02" in lines[0] and lines[1].endswith("withdrawn  P02")
    only = _cli(project, "audit", "list", "--action", "withdrawn")
    assert len(only.output.strip().splitlines()) == 1


def test_no_network_fixture_blocks_outside_connections() -> None:
    import socket

    from tests.fixtures.privacy import NetworkBlocked

    with pytest.raises(NetworkBlocked):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
