"""The saturation log: after each interview, did new themes come up, and which.

One entry per participant (a later entry replaces the earlier one).  The
interviews are ordered by the participant's first session, so "interview 6"
is the sixth interview held; entries of withdrawn participants are erased
with the rest of their data (the foreign key to participants).
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from interview_tui.domain.saturation import SaturationEntry
from interview_tui.storage import audit
from interview_tui.domain.clock import now_iso
from interview_tui.storage.participants import require_participant


def record_saturation(
    db: Database,
    code: str,
    new_themes: list[str],
    *,
    review_point: bool = False,
    note: str | None = None,
    actor: str | None = None,
) -> None:
    """Record (or replace) what participant `code`'s interview added; [] means no new themes.

    Raises `ParticipantError` for an unknown or withdrawn participant.
    """
    participant = require_participant(db, code)
    themes = list(dict.fromkeys(" ".join(t.split()) for t in new_themes if t.strip()))
    with db.atomic():
        db.execute(
            "INSERT INTO saturation_log (participant_id, new_themes, review_point, note, recorded_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (participant_id) DO UPDATE SET new_themes = excluded.new_themes, "
            "review_point = excluded.review_point, note = excluded.note, recorded_at = excluded.recorded_at",
            [participant.id, json.dumps(themes, ensure_ascii=False), int(review_point), note, now_iso()],
        )
        audit.log(db, "saturation.record", actor=actor, participant_code=participant.code,
                  details={"new_themes": len(themes), "review_point": review_point})


def saturation_log(db: Database) -> list[SaturationEntry]:
    """Every entry of a participant still in the study, in interview order (first session, then code)."""
    rows = db.execute(
        """
        SELECT p.code, s.new_themes, s.review_point, s.note,
               (SELECT MIN(x.started_at) FROM sessions x WHERE x.participant_id = p.id) AS first_session
        FROM saturation_log s JOIN participants p ON p.id = s.participant_id
        WHERE p.withdrawn_at IS NULL
        ORDER BY first_session IS NULL, first_session, s.recorded_at
        """
    ).fetchall()
    return [
        SaturationEntry(n + 1, code, tuple(json.loads(themes)), bool(review), note)
        for n, (code, themes, review, note, _first) in enumerate(rows)
    ]
