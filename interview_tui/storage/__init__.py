"""Storage: the only package that knows table names.

`open_db()` gives a migrated sqlite-utils `Database`; the modules beside it
hold the queries for one area each (participants, consent, demographics,
sessions, recordings, transcripts).
"""

from interview_tui.storage.db import open_db

__all__ = ["open_db"]
