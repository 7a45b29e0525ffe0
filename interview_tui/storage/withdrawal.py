"""Withdrawal and end of project: erasing a participant's data for good.

`withdraw_participant` removes everything of one participant code: files
(recordings, their compressed copies, repair leftovers, clips, transcript
files, exports), database rows (transcripts and segments, session events and
sessions, demographics, consent records), and the key-file entry.  Deletes
run with `PRAGMA secure_delete=ON` (freed pages are zeroed), then VACUUM and
a `wal_checkpoint(TRUNCATE)`, so neither free pages nor the write-ahead log
keep a copy.  What stays: the participants row (code, study, withdrawn_at:
the code is never reused) and the audit trail, which holds codes, ids and
counts only and is append-only by design; one new entry says "withdrawn".

The procedure is recorded and resumable: it first marks the participant withdrawn
(with a `withdrawal.started` audit entry, taking the write lock up front, so a busy
database stops it before anything is erased), then erases files, the key-file
entry and finally the rows with the `withdrawn` entry in one transaction.  A run
stopped half-way (another program holding the database, a crash) leaves the
participant withdrawn and listed by `unfinished_withdrawals`; running it again
finishes it.  Earlier exports are deleted only where their checksum proves they are
what this project wrote; anything else is reported, not deleted.  That part knows the
export formats, a layer above storage, so the caller passes it in
(`export.erase.erase_participant_exports`).
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from sqlite_utils import Database

from interview_tui.config import DB_NAME, Project
from interview_tui.fileio import is_locked
from interview_tui.domain.participant_codes import ParticipantError, normalize_code
from interview_tui.privacy.keyfile import SETTING_KEY, KeyFile, KeyFileError, resolve_key_path
from interview_tui.storage import audit
from interview_tui.domain.clock import now_iso

WITHDRAWN_ACTION = "withdrawn"
STARTED_ACTION = "withdrawal.started"
#: Folders under exports/ the app fills by itself (named by code): swept by name and content.
APP_EXPORT_FOLDERS = ("clips", "transcripts")
#: Files whose bytes are audio: never searched for a code (random samples can spell one).
AUDIO_SUFFIXES = {".wav", ".flac", ".opus", ".ogg", ".mp3", ".m4a", ".ageseg", ".orig", ".repair"}
#: Files not searched or touched by the sweep (the database is cleaned through SQL).
_DB_FILES = {DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal"}
_MAX_SEARCH_BYTES = 200 * 1024 * 1024


@dataclass
class WithdrawalReport:
    """What a withdrawal erased, and anything the user still has to do."""

    code: str
    withdrawn_at: str
    rows_deleted: dict[str, int] = field(default_factory=dict)
    files_deleted: list[Path] = field(default_factory=list)
    exports_edited: list[Path] = field(default_factory=list)
    #: whole-study exports that mentioned the code and were deleted: export them again.
    exports_to_redo: list[Path] = field(default_factory=list)
    #: True: entry removed; False: key file had none; None: no key file configured/reachable.
    key_entry_removed: bool | None = None
    audit_id: int = 0
    warnings: list[str] = field(default_factory=list)
    #: files that may hold the participant's data but were not provably written by this project: (path, why).
    left: list[tuple[Path, str]] = field(default_factory=list)


class WithdrawalError(Exception):
    """A withdrawal could not start or finish; the message says what was done and how to finish."""


def key_file_path(db: Database, explicit: str | Path | None = None) -> Path | None:
    """The configured key file: explicit path, else `$INTERVIEW_TUI_KEY_FILE`, else the project setting."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [SETTING_KEY]).fetchone()
    return resolve_key_path(explicit, row[0] if row else None)


def set_key_file_path(db: Database, path: Path) -> None:
    """Remember the project's key file path (a path only: no names enter the database)."""
    with db.conn:
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [SETTING_KEY, str(path)],
        )


def identity_of(db: Database, code: str, *, actor: str | None = None, key_file: str | Path | None = None):
    """The key-file entry (`KeyEntry`: name, contact) of `code`, or None when no key file is configured
    or it is not present (e.g. its disk is not mounted).  Each read is audited as `key.access` (code only).

    For the TUI: show a name only when this returns one.  Raises `KeyFileError` for a damaged key file.
    """
    path = key_file_path(db, key_file)
    if path is None or not path.is_file():
        return None
    entry = KeyFile(path).get(code)
    audit.log(db, "key.access", actor=actor, participant_code=code, details={"found": entry is not None})
    return entry


def code_pattern(code: str) -> re.Pattern[bytes]:
    """`code` as a whole token in bytes: P07 but not P070 or XP07."""
    return re.compile(rb"(?<![A-Za-z0-9])" + re.escape(code.encode()) + rb"(?![0-9])")


def _remove(path: Path, report: "WithdrawalReport | AnonymiseReport") -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        else:
            return
        report.files_deleted.append(path)
    except OSError as exc:
        report.warnings.append(f"could not delete {path}: {exc.strerror or exc}; delete it by hand")


def _mentions(path: Path, pattern: re.Pattern[bytes]) -> bool:
    """Whether a (non-audio) file holds the code, also inside zip containers (qdpx, docx)."""
    import zipfile

    try:
        if path.stat().st_size > _MAX_SEARCH_BYTES:
            return False
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                return any(
                    pattern.search(info.filename.encode())
                    or (Path(info.filename).suffix.lower() not in AUDIO_SUFFIXES
                        and info.file_size <= _MAX_SEARCH_BYTES and pattern.search(z.read(info)))
                    for info in z.infolist()
                )
        return bool(pattern.search(path.read_bytes()))
    except (OSError, zipfile.BadZipFile):
        return False


def sweep_files(root: Path, code: str, report: WithdrawalReport, *, skip: set[Path] = frozenset()) -> None:
    """Delete under `root` every file or folder named with `code`, and every non-audio file mentioning it."""
    pattern = code_pattern(code)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts)):
        if not path.exists() or path.name in _DB_FILES or path in skip:
            continue
        if pattern.search(path.name.encode()):
            _remove(path, report)
    for path in sorted(root.rglob("*")):
        if (not path.is_file() or path.name in _DB_FILES or path in skip
                or "".join(path.suffixes[-1:]).lower() in AUDIO_SUFFIXES):
            continue
        if _mentions(path, pattern):
            _remove(path, report)
            report.exports_to_redo.append(path)


def report_mentions(root: Path, code: str, report: WithdrawalReport, *, skip: set[Path] = frozenset()) -> None:
    """List (not delete) files under `root` named with or mentioning `code`: not provably the app's."""
    pattern = code_pattern(code)
    if not root.is_dir():
        return
    left = {p for p, _ in report.left}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path in skip or path in left:
            continue
        named = bool(pattern.search(path.name.encode()))
        if named or ("".join(path.suffixes[-1:]).lower() not in AUDIO_SUFFIXES and _mentions(path, pattern)):
            report.left.append((path, f"{'named with' if named else 'mentions'} {code}, but no export of this "
                                      "project provably wrote it; check it and delete it by hand if it holds their data"))


def unfinished_withdrawals(db: Database) -> list[str]:
    """Codes whose withdrawal started but did not finish (run `withdraw CODE` again to finish it)."""
    return [r[0] for r in db.execute(
        "SELECT DISTINCT s.participant_code FROM audit_log s WHERE s.action = ? AND NOT EXISTS ("
        " SELECT 1 FROM audit_log w WHERE w.action = ? AND w.participant_code = s.participant_code AND w.id > s.id)"
        " ORDER BY s.id", [STARTED_ACTION, WITHDRAWN_ACTION])]


def _foreign_keys(db: Database) -> dict[str, list[tuple[str, str, str]]]:
    """For each table: (child table, child column, parent column) of every foreign key pointing at it."""
    refs: dict[str, list[tuple[str, str, str]]] = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        for fk in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall():
            parent, col, to = fk[2], fk[3], fk[4] or "rowid"
            if parent != table:  # a self-reference (transcripts.parent_id) goes with its own rows
                refs.setdefault(parent, []).append((table, col, to))
    return refs


def _delete_rows(db: Database, pid: int, code: str) -> dict[str, int]:
    """Delete every row that belongs to the participant, following foreign keys from participants.

    Following the schema instead of a fixed list means tables other areas add
    later (review edits, clips, ...) are erased too.  Children go before
    parents, so foreign keys hold at every step.
    """
    refs = _foreign_keys(db)
    where: dict[str, list[str]] = {"participants": ["id = :pid"]}
    depth: dict[str, int] = {"participants": 0}
    frontier = ["participants"]
    while frontier:
        parent = frontier.pop(0)
        for child, col, to in refs.get(parent, []):
            if child == "audit_log":
                continue
            cond = f"[{col}] IN (SELECT [{to}] FROM [{parent}] WHERE {' OR '.join(where[parent])})"
            if cond not in where.setdefault(child, []):
                where[child].append(cond)
            if depth.get(child, -1) < depth[parent] + 1 and depth[parent] < 20:
                depth[child] = depth[parent] + 1
                frontier.append(child)
    # Tables keyed by code without a foreign key (never the audit trail).
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        columns = {r[1] for r in db.execute(f"PRAGMA table_info([{table}])")}
        if table not in ("audit_log", "participants") and "participant_code" in columns:
            where.setdefault(table, []).append("participant_code = :code")
            depth.setdefault(table, 1)
    counts: dict[str, int] = {}
    for table in sorted((t for t in where if t != "participants"), key=lambda t: -depth[t]):
        sql = f"DELETE FROM [{table}] WHERE " + " OR ".join(where[table])
        counts[table] = db.execute(sql, {"pid": pid, "code": code}).rowcount
    return counts


class ErasedExports(Protocol):
    """What an export eraser did (`export.erase.Erased`)."""

    removed: list[Path]
    edited: list[Path]
    redo: list[Path]
    left: list[tuple[Path, str]]

    def log(self, db: Database, root: Path, *, actor: str | None) -> None:
        """Record the new checksums of rewritten export files, in the caller's transaction."""


#: Removes what earlier exports provably wrote for a participant: (db, code, project root) -> what it did.
ExportEraser = Callable[[Database, str, Path], ErasedExports]


def withdraw_participant(
    db: Database, project: Project, code: str, actor: str | None = None, *,
    erase_exports: ExportEraser, key_file: str | Path | None = None,
) -> WithdrawalReport:
    """Erase everything of participant `code` (see the module docstring); returns what was done.

    `erase_exports` cleans earlier exports (`export.erase.erase_participant_exports`); it is
    required so that no caller can forget them.

    Safe to run again: it finishes an interrupted withdrawal.  Raises `ParticipantError`
    for an unknown code and `WithdrawalError` when the database is busy (saying what is
    left to do).  `db` must be the only open connection for the free-page and WAL
    cleanup to complete (else a warning).
    """
    canonical = normalize_code(code)
    row = db.execute("SELECT id, withdrawn_at FROM participants WHERE code = ?", [canonical]).fetchone()
    if row is None:
        raise ParticipantError(f"no participant {canonical} in this project; check the code (interview-tui participants list)")
    pid, already = row
    for (rel,) in db.execute("SELECT path FROM recordings WHERE participant_id = ? AND state = 'recording'", [pid]):
        if is_locked(project.root / rel):
            raise ParticipantError(f"{canonical} is being recorded right now ({rel}); stop the recording, then withdraw")
    report = WithdrawalReport(canonical, already or now_iso())
    retry = f"run `interview-tui withdraw {canonical}` again (or withdraw again in the app)"

    # 1. Record the withdrawal before erasing anything: from here on the participant is withdrawn.
    try:
        with db.atomic():  # BEGIN IMMEDIATE: the busy timeout applies before any change
            if already is None:
                db.execute("UPDATE participants SET withdrawn_at = ? WHERE id = ?", [report.withdrawn_at, pid])
            if canonical not in unfinished_withdrawals(db):
                audit.log(db, STARTED_ACTION, actor=actor, participant_code=canonical)
    except sqlite3.OperationalError as exc:
        raise WithdrawalError(f"the project database is in use by another program ({exc}); nothing was erased. "
                              f"Close the other program or wait for it, then {retry}") from None

    # 2. Files: the rows say where they are, and a rerun finds leftovers by name.
    root = project.root
    for rel, compressed in db.execute("SELECT path, compressed_path FROM recordings WHERE participant_id = ?", [pid]):
        for name in filter(None, (rel, compressed)):
            path = root / name
            for p in (path, path.with_name(path.name + ".orig"), path.with_name(path.name + ".repair")):
                _remove(p, report)
    erased: ErasedExports | None = None
    try:
        erased = erase_exports(db, canonical, root)
        report.files_deleted += erased.removed
        report.exports_edited += erased.edited
        report.exports_to_redo += erased.redo
        report.left += erased.left
    except (OSError, ValueError) as exc:
        report.warnings.append(f"earlier exports could not all be cleaned ({exc}); check them by hand")
    resolved_key = key_file_path(db, key_file)
    skip = {resolved_key} if resolved_key else set()
    # Only the folders the app fills by itself; elsewhere a file is only reported (it may be the user's).
    for folder in (project.recordings_dir, *(project.exports_dir / f for f in APP_EXPORT_FOLDERS)):
        sweep_files(folder, canonical, report, skip=skip)
    report_mentions(project.exports_dir, canonical, report, skip=skip | set(report.files_deleted))

    # 3. The key-file entry (a file apart from the database: before the final commit, so a rerun redoes it).
    report.key_entry_removed = _remove_key_entry(resolved_key, canonical, report)

    # 4. The rows, the trimmed exports' new checksums and the closing audit entry, in one transaction.
    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")
    try:
        try:
            with db.atomic():  # BEGIN IMMEDIATE: the busy timeout applies before any change
                report.rows_deleted = _delete_rows(db, pid, canonical)
                if erased is not None:
                    erased.log(db, root, actor=actor)
                report.audit_id = audit.log(
                    db, WITHDRAWN_ACTION, actor=actor, participant_code=canonical,
                    details={"rows_deleted": sum(report.rows_deleted.values()),
                             "files_deleted": len(report.files_deleted)},
                )
        except sqlite3.OperationalError as exc:
            raise WithdrawalError(
                f"the withdrawal of {canonical} is unfinished: {len(report.files_deleted)} file(s) are erased and "
                f"{canonical} is marked withdrawn, but the database is in use by another program ({exc}), so their "
                f"records are still there. Close the other program, then {retry}") from None
        report.warnings += compact(db)
    finally:
        db.execute(f"PRAGMA secure_delete = {int(previous)}")
    return report


def compact(db: Database) -> list[str]:
    """VACUUM (temp data kept in memory) and truncate the WAL; returns warnings when another connection blocks it."""
    warnings = []
    db.execute("PRAGMA temp_store = MEMORY")  # VACUUM's temporary copy must not land in a temp file
    try:
        db.execute("VACUUM")
    except Exception as exc:  # sqlite3.OperationalError: database is locked
        warnings.append(f"VACUUM did not run ({exc}); close the app and run `interview-tui withdraw` again")
    busy, _log, _done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        warnings.append("the write-ahead log could not be emptied because another program has the project "
                        "open; close it and run the command again")
    return warnings


def _remove_key_entry(path: Path | None, code: str, report: WithdrawalReport) -> bool | None:
    if path is None:
        report.warnings.append("no key file configured: if names are kept elsewhere, delete this participant's entry there")
        return None
    try:
        return KeyFile(path).remove(code)
    except KeyFileError as exc:
        report.warnings.append(f"{exc}; remove {code}'s entry from the key file when it is reachable "
                               f"(interview-tui key remove {code})")
        return None


@dataclass
class AnonymiseReport:
    """What the end-of-project anonymisation deleted and kept."""

    at: str
    key_file: Path | None
    key_file_deleted: bool
    files_deleted: list[Path] = field(default_factory=list)
    recordings: int = 0
    transcripts_kept: int = 0
    warnings: list[str] = field(default_factory=list)
    report_path: Path | None = None

    def text(self, root: Path) -> str:
        """The report as written to the project folder (paths relative to it, codes only)."""
        def rel(p: Path) -> str:
            try:
                return str(p.relative_to(root))
            except ValueError:
                return str(p)

        lines = [
            f"interview-tui anonymisation report, {self.at}",
            "",
            f"Key file (codes to names): {'deleted: ' + str(self.key_file) if self.key_file_deleted else 'none found' if self.key_file is None else 'not present at ' + str(self.key_file)}",
            f"Recordings: {self.recordings} recording(s); {len(self.files_deleted)} file(s) deleted:",
            *[f"  {rel(p)}" for p in self.files_deleted],
            f"Transcripts kept (pseudonymous codes only, no link to names remains): {self.transcripts_kept}",
        ]
        if self.warnings:
            lines += ["", "Warnings:", *[f"  {w}" for w in self.warnings]]
        return "\n".join(lines) + "\n"


def anonymise_project(
    db: Database, project: Project, *, actor: str | None = None, key_file: str | Path | None = None
) -> AnonymiseReport:
    """End of project: delete the key file and every audio file (recordings, copies, clips), keep transcripts.

    Writes `anonymisation-report-<date>.txt` into the project folder and one
    audit entry.  The caller checks the study's end date first.
    """
    report = AnonymiseReport(now_iso(), key_file_path(db, key_file), False)
    root = project.root
    rows = db.execute("SELECT path, compressed_path FROM recordings").fetchall()
    report.recordings = len(rows)
    for rel, compressed in rows:
        for name in filter(None, (rel, compressed)):
            path = root / name
            for p in (path, path.with_name(path.name + ".orig"), path.with_name(path.name + ".repair")):
                _remove(p, report)
    # Anything else audible the app wrote: leftovers in recordings/, cut clips.
    for folder in (project.recordings_dir, project.exports_dir / "clips"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    _remove(path, report)
    if report.key_file is not None:
        try:
            report.key_file_deleted = KeyFile(report.key_file).delete()
        except (OSError, KeyFileError) as exc:
            report.warnings.append(f"could not delete the key file {report.key_file}: {exc}; delete it by hand")
    else:
        report.warnings.append("no key file configured: if names are kept elsewhere, delete that list now")
    report.transcripts_kept = db.execute("SELECT COUNT(*) FROM transcripts").fetchone()[0]
    audit.log(db, "project.anonymised", actor=actor, details={
        "files_deleted": len(report.files_deleted), "key_file_deleted": report.key_file_deleted,
        "transcripts_kept": report.transcripts_kept})
    report.report_path = root / f"anonymisation-report-{report.at[:10]}.txt"
    report.report_path.write_text(report.text(root), encoding="utf-8")
    return report
