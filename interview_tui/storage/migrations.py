"""The database schema, as sqlite-utils migrations.

Migrations only ever add: a released migration is never edited.  Append a
new `@migrations()` function for every schema change.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("interview_tui")


@migrations()
def m001_initial(db: Database) -> None:
    """The whole mission's model: studies to transcripts, plus the audit log."""
    db.executescript(
        """
        CREATE TABLE studies (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL,
            title TEXT NOT NULL,
            version TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            source_path TEXT,
            content TEXT NOT NULL,          -- the exact study file used
            loaded_at TEXT NOT NULL,
            UNIQUE (slug, content_hash)
        );
        CREATE TABLE interviewers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,      -- researcher's name or initials (not a participant)
            role TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE participants (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,      -- pseudonymous code, e.g. P01
            study_slug TEXT NOT NULL,
            created_at TEXT NOT NULL,
            withdrawn_at TEXT
        );
        CREATE TABLE consent_records (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            study_id INTEGER REFERENCES studies(id),
            form_version TEXT NOT NULL,
            form_title TEXT NOT NULL,
            text TEXT NOT NULL,             -- the consent text exactly as shown
            text_hash TEXT NOT NULL,        -- sha256 of text
            decision TEXT NOT NULL CHECK (decision IN ('given', 'declined')),
            items_given TEXT NOT NULL,      -- JSON list of item ids
            items_declined TEXT NOT NULL,   -- JSON list of item ids
            method TEXT NOT NULL CHECK (method IN ('app', 'paper')),
            interviewer_id INTEGER REFERENCES interviewers(id),
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX consent_records_participant ON consent_records(participant_id);
        CREATE TABLE demographic_values (
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            field_id TEXT NOT NULL,
            value TEXT,                     -- JSON; NULL when prefer_not_to_say
            prefer_not_to_say INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            updated_by TEXT,
            PRIMARY KEY (participant_id, field_id)
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            interviewer_id INTEGER REFERENCES interviewers(id),
            study_id INTEGER NOT NULL REFERENCES studies(id),
            place TEXT,
            state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            current_question_id TEXT
        );
        CREATE INDEX sessions_participant ON sessions(participant_id);
        CREATE TABLE recordings (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL REFERENCES participants(id),
            session_id INTEGER REFERENCES sessions(id),
            path TEXT NOT NULL UNIQUE,      -- relative to the project folder
            source TEXT NOT NULL CHECK (source IN ('microphone', 'import')),
            state TEXT NOT NULL CHECK (state IN ('recording', 'complete', 'recovered', 'failed')),
            device TEXT,
            sample_rate INTEGER,
            channels INTEGER,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            duration_s REAL,
            sha256 TEXT,
            overflow_count INTEGER NOT NULL DEFAULT 0,
            compressed_path TEXT,
            error TEXT
        );
        CREATE TABLE session_events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,             -- see interview_tui.domain.session.EventKind
            question_id TEXT,
            prompt_id TEXT,
            text TEXT,
            at TEXT NOT NULL,               -- wall clock, ISO 8601 UTC
            session_offset_s REAL NOT NULL, -- seconds since the session started
            recording_id INTEGER REFERENCES recordings(id),
            recording_offset_s REAL,        -- seconds on that recording's timeline
            UNIQUE (session_id, seq)
        );
        CREATE TABLE transcripts (
            id INTEGER PRIMARY KEY,
            recording_id INTEGER NOT NULL REFERENCES recordings(id),
            version INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('machine', 'review')),
            parent_id INTEGER REFERENCES transcripts(id),
            language TEXT,
            model TEXT,
            model_sha256 TEXT,
            engine TEXT,                    -- e.g. faster-whisper 1.2.1
            options TEXT,                   -- JSON of every option used
            created_at TEXT NOT NULL,
            duration_s REAL,
            reviewed_by TEXT,
            reviewed_at TEXT,
            UNIQUE (recording_id, version)
        );
        CREATE TABLE segments (
            id INTEGER PRIMARY KEY,
            transcript_id INTEGER NOT NULL REFERENCES transcripts(id),
            idx INTEGER NOT NULL,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            text TEXT NOT NULL,
            speaker TEXT,
            question_id TEXT,
            words TEXT,                     -- JSON list of {word,start,end,probability}
            confidence REAL,
            flags TEXT,                     -- JSON list, e.g. ["unsure", "overlap"]
            UNIQUE (transcript_id, idx)
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT,
            action TEXT NOT NULL,
            participant_code TEXT,
            details TEXT                    -- JSON, never identifying values
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """
    )


@migrations()
def m002_privacy_audit_chain(db: Database) -> None:
    """Audit log hash chain (prev_hash, hash) over existing entries, then triggers making it append-only."""
    from interview_tui.privacy.hashchain import GENESIS, entry_hash

    db.execute("ALTER TABLE audit_log ADD COLUMN prev_hash TEXT")
    db.execute("ALTER TABLE audit_log ADD COLUMN hash TEXT")
    prev = GENESIS
    rows = db.execute(
        "SELECT id, at, actor, action, participant_code, details FROM audit_log ORDER BY id"
    ).fetchall()
    for row in rows:
        digest = entry_hash(*row, prev)
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", [prev, digest, row[0]])
        prev = digest
    db.executescript(
        """
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;
        """
    )


@migrations()
def m003_review_progress(db: Database) -> None:
    """Transcript review: every edit logged as it is saved, and the audio spans the reviewer has heard."""
    db.executescript(
        """
        CREATE TABLE review_edits (
            id INTEGER PRIMARY KEY,
            transcript_id INTEGER NOT NULL REFERENCES transcripts(id),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,             -- text, split, merge, speaker, rename, marker, replace, confirm
            details TEXT                    -- JSON: segment index, before/after
        );
        CREATE INDEX review_edits_transcript ON review_edits(transcript_id);
        CREATE TABLE review_spans (
            id INTEGER PRIMARY KEY,
            transcript_id INTEGER NOT NULL REFERENCES transcripts(id),
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX review_spans_transcript ON review_spans(transcript_id);
        """
    )


#: Tables whose rows a withdrawal erases, and the audit-log detail that names their ids.
_NEVER_REUSED = {
    "consent_records": "record_id",
    "sessions": "session_id",
    "session_events": None,
    "recordings": "recording_id",
    "transcripts": "transcript_id",
    "segments": None,
    "review_edits": None,
    "review_spans": None,
}


@migrations(transactional=False)
def m004_ids_never_reused(db: Database) -> None:
    """AUTOINCREMENT ids for everything a withdrawal erases, so no id (in exports, file names,
    .qdpx identifiers) is ever given to a new row again.

    Each table is rebuilt (SQLite cannot add AUTOINCREMENT in place) with foreign keys off, as
    SQLite's documented table rebuild requires, in one transaction; each sequence starts above
    the highest id the table or the audit trail has ever named.  Tables already rebuilt are
    skipped, so an interrupted run simply runs again.
    """
    import re

    db.conn.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
    try:
        with db.atomic():
            for table, detail in _NEVER_REUSED.items():
                _rebuild_with_autoincrement(db, table, detail, re)
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
    finally:
        db.conn.execute("PRAGMA foreign_keys = ON")


def _rebuild_with_autoincrement(db: Database, table: str, detail: str | None, re) -> None:  # noqa: ANN001
    row = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    if row is None or "AUTOINCREMENT" in row[0].upper():
        return
    new_sql, found = re.subn(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b", "id INTEGER PRIMARY KEY AUTOINCREMENT",
                             row[0], count=1, flags=re.IGNORECASE)
    if not found:
        return
    tmp = f"{table}__m004"
    new_sql = re.sub(r"^\s*CREATE\s+TABLE\s+\S+", f'CREATE TABLE "{tmp}"', new_sql, count=1, flags=re.IGNORECASE)
    extras = [r[0] for r in db.execute(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL",
        [table])]
    columns = ", ".join(f'"{r[1]}"' for r in db.execute(f'PRAGMA table_info("{table}")'))
    db.execute(new_sql)
    db.execute(f'INSERT INTO "{tmp}" ({columns}) SELECT {columns} FROM "{table}"')
    db.execute(f'DROP TABLE "{table}"')
    db.execute(f'ALTER TABLE "{tmp}" RENAME TO "{table}"')
    for sql in extras:
        db.execute(sql)
    high = db.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
    if detail is not None:
        audited = db.execute(
            f"SELECT MAX(CAST(json_extract(details, '$.{detail}') AS INTEGER)) FROM audit_log"
            " WHERE json_valid(details)"
        ).fetchone()[0]
        high = max(high, audited or 0)
    db.execute("DELETE FROM sqlite_sequence WHERE name = ?", [table])
    db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, high])


@migrations()
def m006_memos(db: Database) -> None:
    """Post-interview memos (one participant) and the project's reflexive journal (no participant).

    `participant_id` is a foreign key, so withdrawal (which follows foreign keys
    from `participants`) erases a participant's memos with everything else.
    """
    db.executescript(
        """
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('memo', 'journal')),
            participant_id INTEGER REFERENCES participants(id),
            session_id INTEGER REFERENCES sessions(id),
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            author TEXT,                    -- interviewer's name or initials (a researcher)
            created_at TEXT NOT NULL,
            CHECK ((kind = 'memo') = (participant_id IS NOT NULL))
        );
        CREATE INDEX memos_participant ON memos(participant_id);
        """
    )


@migrations()
def m007_recruitment_and_saturation(db: Database) -> None:
    """Recruitment log (people invited, counted but never named) and saturation log (new themes per interview)."""
    db.executescript(
        """
        CREATE TABLE recruitment_log (
            id INTEGER PRIMARY KEY,
            study_id INTEGER REFERENCES studies(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('invited', 'declined', 'accepted')),
            reason TEXT,                    -- optional, why someone declined; never a name
            contacted_on TEXT,              -- ISO date, optional
            recorded_at TEXT NOT NULL
        );
        CREATE TABLE saturation_log (
            id INTEGER PRIMARY KEY,
            participant_id INTEGER NOT NULL UNIQUE REFERENCES participants(id),
            new_themes TEXT NOT NULL,       -- JSON list of theme labels; [] = no new themes
            review_point INTEGER NOT NULL DEFAULT 0,
            note TEXT,
            recorded_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m010_voice_profiles(db: Database) -> None:
    """An interviewer's optional voice profile, to name their turns across interviews.

    Only researchers have one (never participants); it goes with the interviewer's row.
    """
    db.executescript(
        """
        CREATE TABLE voice_profiles (
            interviewer_id INTEGER PRIMARY KEY REFERENCES interviewers(id) ON DELETE CASCADE,
            encoder TEXT NOT NULL,          -- the embedding model's name and sha256: vectors of another
            encoder_sha256 TEXT NOT NULL,   -- model are never compared with it
            embedding BLOB NOT NULL,        -- float32 vector
            seconds REAL NOT NULL,          -- how much of their speech it was made from
            created_at TEXT NOT NULL
        );
        """
    )
