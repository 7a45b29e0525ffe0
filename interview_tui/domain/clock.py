"""The current time, always in UTC: every timestamp the app stores or shows starts here.

Code that must be testable without waiting takes a clock (`Callable[[], datetime]`) whose
default is `now`.
"""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def now_iso() -> str:
    """Now as an ISO 8601 UTC timestamp with microseconds (the format stored everywhere)."""
    return now().isoformat(timespec="microseconds")
