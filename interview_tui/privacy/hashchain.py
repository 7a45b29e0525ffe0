"""The audit trail's hash chain: each entry's hash covers its content and the previous hash.

Editing any field of an entry changes its hash; deleting an entry breaks the
next entry's `prev_hash` link.  The chain alone cannot see the *last* entries
being cut off (or the whole trail rewritten and re-hashed), so the head is also
anchored outside the project (`privacy.anchor`), and `audit verify` prints the
head hash for an auditor who wants to note it down too (`--expect-head`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

#: prev_hash of the first entry.
GENESIS = "0" * 64


def entry_hash(
    id: int, at: str, actor: str | None, action: str, participant_code: str | None, details: str | None,
    prev_hash: str,
) -> str:
    """sha256 (hex) over one entry's stored values (details as the stored JSON text) and `prev_hash`."""
    payload = json.dumps([id, at, actor, action, participant_code, details, prev_hash], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """One place where the stored chain disagrees with the entries."""

    entry_id: int
    message: str

    def __str__(self) -> str:
        where = f"audit entry {self.entry_id}" if self.entry_id else "audit trail"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ChainResult:
    """What verifying the chain found: entry count, head hash, problems (empty: intact)."""

    count: int
    head: str
    problems: tuple[ChainProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(rows: Iterable[Sequence[Any]], expect_head: str | None = None) -> ChainResult:
    """Check rows `(id, at, actor, action, participant_code, details, prev_hash, hash)` in id order.

    Reports an entry whose content no longer matches its hash (edited), whose
    prev_hash does not match the entry before (one deleted or inserted), and
    a head that differs from `expect_head` (entries cut off at the end).
    """
    problems: list[ChainProblem] = []
    prev = GENESIS
    count = 0
    last_id: int | None = None
    for row in rows:
        id_, at, actor, action, code, details, prev_hash, stored = row
        count += 1
        if prev_hash != prev:
            gap = f" (entries after {last_id} missing?)" if last_id is not None and id_ != last_id + 1 else ""
            problems.append(ChainProblem(id_, f"link to the previous entry is broken: an entry before it was "
                                              f"deleted, inserted or altered{gap}"))
        if stored is None:
            problems.append(ChainProblem(id_, "has no hash (written around the chain)"))
        elif entry_hash(id_, at, actor, action, code, details, prev_hash or "") != stored:
            problems.append(ChainProblem(id_, "content does not match its hash: the entry was edited"))
        prev = stored or ""
        last_id = id_
    if expect_head is not None and prev != expect_head:
        problems.append(ChainProblem(last_id or 0, f"head hash {prev[:16]}… differs from the expected "
                                                   f"{expect_head[:16]}…: entries were removed or added at the end"))
    return ChainResult(count, prev if count else GENESIS, tuple(problems))
