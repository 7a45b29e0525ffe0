"""age (https://age-encryption.org) keys through pyrage: parsing recipients and identities with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from pyrage import x25519

from interview_tui.domain.age_recipients import recipient_problem


class AgeKeyError(ValueError):
    """A public key (recipient) or private key (identity) that age cannot use; the message says which."""


def parse_recipients(texts: Iterable[str]) -> list[x25519.Recipient]:
    """age recipients from their `age1...` strings; raises `AgeKeyError` naming the bad one."""
    out = []
    for n, text in enumerate(texts, 1):
        problem = recipient_problem(text)
        if problem:
            raise AgeKeyError(f"recipient {n}: {problem}")
        out.append(x25519.Recipient.from_str(text.strip()))
    if not out:
        raise AgeKeyError("no recipient: encryption needs at least one age public key")
    return out


def load_identities(path: Path) -> list[x25519.Identity]:
    """Private keys from an age identity file (as written by `age-keygen`; `#` lines are comments)."""
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as exc:
        raise AgeKeyError(f"cannot read the private key file {path}: {exc.strerror or exc}") from exc
    out = []
    for lineno, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            out.append(x25519.Identity.from_str(line))
        except Exception:
            raise AgeKeyError(
                f"{path}:{lineno}: not an age private key (expected AGE-SECRET-KEY-1...)"
            ) from None
    if not out:
        raise AgeKeyError(f"{path}: holds no private key (AGE-SECRET-KEY-1...)")
    return out


def generate_keypair() -> tuple[str, str]:
    """A new (private key, public key) pair as age strings, for `interview-tui keygen` and tests."""
    identity = x25519.Identity.generate()
    return str(identity), str(identity.to_public())
