"""The project's own random identifier, made once and kept in `settings`.

Exports derive their GUIDs from it (REFI-QDA), so the same data exported twice
gets the same GUIDs, and two projects never share one even where their codes
and database ids coincide (P01 in team A is not P01 in team B).
"""

from __future__ import annotations

import uuid

from sqlite_utils import Database

SETTING_KEY = "project_uuid"


def project_uuid(db: Database) -> str:
    """This project's identifier (a random UUID), created on first use."""
    with db.conn:
        # INSERT OR IGNORE: two processes asking at once both end up with the first one's value.
        db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", [SETTING_KEY, str(uuid.uuid4())])
        row = db.execute("SELECT value FROM settings WHERE key = ?", [SETTING_KEY]).fetchone()
    return str(uuid.UUID(row[0]))
