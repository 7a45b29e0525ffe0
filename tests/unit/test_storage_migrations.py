"""The schema: migrations on an empty database and on one holding m001-era data; connection settings."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from interview_tui.storage import open_db
from interview_tui.storage.migrations import migrations

M001_TABLES = {
    "studies", "interviewers", "participants", "consent_records", "demographic_values", "sessions",
    "recordings", "session_events", "transcripts", "segments", "audit_log", "settings",
}


def _all_names() -> list[str]:
    return [m.name for m in migrations._migrations]


def test_empty_database_gets_every_migration(tmp_path) -> None:
    db = open_db(tmp_path / "new.db")
    assert M001_TABLES <= set(db.table_names())
    assert [m.name for m in migrations.applied(db)] == _all_names()
    assert migrations.pending(db) == []
    db.close()


def test_settings_wal_foreign_keys_synchronous_full(tmp_path) -> None:
    db = open_db(tmp_path / "x.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        with db.atomic():
            db.execute(
                "INSERT INTO consent_records (participant_id, form_version, form_title, text, text_hash, decision, "
                "items_given, items_declined, method, recorded_at) VALUES (999, '1', 't', 't', 'h', 'given', '[]', "
                "'[]', 'app', 'now')"
            )
    db.close()


def test_database_with_m001_data_is_migrated_and_keeps_it(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    old.enable_wal()
    later = _all_names()[1:]
    migrations.apply(old, stop_before=later[0] if later else None)
    assert [m.name for m in migrations.applied(old)] == ["m001_initial"]
    with old.atomic():
        old.execute("INSERT INTO participants (code, study_slug, created_at) VALUES ('P01', 's', '2017-10-01')")
        old.execute(
            "INSERT INTO consent_records (participant_id, form_version, form_title, text, text_hash, decision, "
            "items_given, items_declined, method, recorded_at) VALUES (1, '1.0', 'T', 'text', 'h', 'given', "
            "'[\"participate\"]', '[]', 'paper', '2017-10-01')"
        )
        old.execute("INSERT INTO audit_log (at, action, participant_code) VALUES ('2017-10-01', 'x', 'P01')")
    old.close()

    db = open_db(path)
    assert [m.name for m in migrations.applied(db)] == _all_names()
    first_applied = [(m.name, m.applied_at) for m in migrations.applied(db)]
    assert db.execute("SELECT code FROM participants").fetchall() == [("P01",)]
    assert db["consent_records"].count == 1 and db["audit_log"].count == 1
    db.close()

    again = open_db(path)  # reopening applies nothing and keeps everything
    assert [(m.name, m.applied_at) for m in migrations.applied(again)] == first_applied
    assert again.execute("SELECT code, created_at FROM participants").fetchall() == [("P01", "2017-10-01")]
    from interview_tui.storage.consent import has_consent_item

    assert has_consent_item(again, "P01", "participate")
    again.close()
