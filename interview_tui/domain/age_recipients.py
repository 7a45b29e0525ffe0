"""Whether a study file's `encryption.recipients` entry is an age public key.

The study loader reports a bad key at FILE:LINE:COL like any other field, so the check lives
with the study model; pyrage parses the key (loaded only when a study names recipients).
"""

from __future__ import annotations


def recipient_problem(text: str) -> str | None:
    """Why `text` is not an age X25519 public key (`age1...`), or None when it is one."""
    from pyrage import x25519

    text = text.strip()
    if text.startswith("AGE-SECRET-KEY-"):
        return "this is a private key (AGE-SECRET-KEY-...); put only the public key (age1...) in the study file"
    try:
        x25519.Recipient.from_str(text)
    except Exception:  # pyrage raises its own RecipientError
        return f"not an age public key: expected 'age1' followed by 58 letters/digits, found {text[:20]!r}"
    return None
