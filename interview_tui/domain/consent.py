"""Consent: the exact text a participant agrees to, and checks on a decision.

Pure functions only; storing a decision is `interview_tui.storage.consent`.
The text shown to the participant (on screen or on paper) is
`consent_text(form)`; its hash identifies the wording that was agreed to, so
a record stays meaningful after the study file changes.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Literal

from interview_tui.domain.study import ConsentForm

Decision = Literal["given", "declined"]
DECISIONS: tuple[str, ...] = ("given", "declined")
METHODS: tuple[str, ...] = ("app", "paper")


class ConsentError(ValueError):
    """A consent decision that cannot be recorded; `.errors` lists every reason."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


def consent_text(form: ConsentForm) -> str:
    """The full consent wording as shown: title, version, body text and every item.

    This is the snapshot stored with each record and the text the app shows,
    so the hash below covers exactly what the participant read.
    """
    lines = [form.title, f"Version {form.version}", "", form.text.strip(), ""]
    for number, item in enumerate(form.items, start=1):
        kind = "required" if item.required else "optional"
        lines.append(f"{number}. {' '.join(item.text.split())} ({kind})")
    return "\n".join(lines) + "\n"


def consent_text_hash(form: ConsentForm) -> str:
    """sha256 (hex) of `consent_text(form)` in UTF-8."""
    return hashlib.sha256(consent_text(form).encode("utf-8")).hexdigest()


def check_decision(
    form: ConsentForm,
    given: Iterable[str],
    declined: Iterable[str],
    decision: str,
) -> list[str]:
    """Every reason why this decision cannot be recorded against `form` (empty when valid)."""
    given_ids = list(dict.fromkeys(given))
    declined_ids = list(dict.fromkeys(declined))
    known = {item.id for item in form.items}
    errors: list[str] = []
    if decision not in DECISIONS:
        errors.append(f"decision must be 'given' or 'declined', not {decision!r}")
    unknown = [i for i in given_ids + declined_ids if i not in known]
    if unknown:
        errors.append(
            f"unknown consent item(s) {', '.join(unknown)} for form version {form.version}; "
            f"the form's items are {', '.join(item.id for item in form.items)}"
        )
    both = [i for i in given_ids if i in declined_ids]
    if both:
        errors.append(f"item(s) {', '.join(both)} are both given and declined")
    if decision == "given":
        missing = [i for i in form.required_ids if i not in given_ids]
        if missing:
            errors.append(
                f"required item(s) {', '.join(missing)} not given: consent cannot be 'given' "
                "without every required item (record the decision as declined instead)"
            )
    return errors


def split_items(form: ConsentForm, given: Iterable[str]) -> tuple[list[str], list[str]]:
    """Given item ids in form order, and every other item of the form as declined."""
    chosen = set(given)
    ordered = [item.id for item in form.items]
    return [i for i in ordered if i in chosen], [i for i in ordered if i not in chosen]
