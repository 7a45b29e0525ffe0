"""The study model: interview guide, consent form and demographic form.

These dataclasses are what a study YAML file (see `guides/README.md`) loads
into.  They are immutable; `line` fields remember where in the file each part
was defined so that later checks can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator, Literal

FieldType = Literal["integer", "decimal", "single_choice", "multiple_choice", "text", "date"]
FIELD_TYPES: tuple[str, ...] = (
    "integer",
    "decimal",
    "single_choice",
    "multiple_choice",
    "text",
    "date",
)


@dataclass(frozen=True)
class Prompt:
    """A follow-up prompt under a question, or a conditional probe when `condition` is set.

    Prompts nest: a probe ("If yes") has its own prompts, which may have more.
    """

    id: str
    text: str
    condition: str | None = None
    note: str | None = None
    prompts: tuple["Prompt", ...] = ()
    line: int = 0
    #: a sub-theme heading (`text` is its title) grouping follow-ups; not itself asked.
    is_theme: bool = False

    @property
    def is_probe(self) -> bool:
        return self.condition is not None

    def walk(self, depth: int = 0) -> Iterator[tuple[int, "Prompt"]]:
        """This prompt and every prompt below it, with their nesting depth."""
        yield depth, self
        for child in self.prompts:
            yield from child.walk(depth + 1)


#: Parts of a study that a study file can mark as added to its published source (`not_in_source`).
ADDABLE_PARTS: dict[str, str] = {
    "opening": "the opening script",
    "time_budgets": "the section time budgets",
    "final_prompt": "the final prompt's wording",
    "consent": "the consent form's text, items and statements",
}


@dataclass(frozen=True)
class Question:
    """A main question of the guide."""

    id: str
    text: str
    note: str | None = None
    prompts: tuple[Prompt, ...] = ()
    line: int = 0

    def walk_prompts(self) -> Iterator[tuple[int, Prompt]]:
        """Every follow-up and probe below this question, depth-first, with depth (0 = direct)."""
        for prompt in self.prompts:
            yield from prompt.walk(0)


@dataclass(frozen=True)
class Section:
    """An ordered group of questions; sections may hold sub-sections (sub-themes)."""

    id: str
    title: str
    questions: tuple[Question, ...] = ()
    sections: tuple["Section", ...] = ()
    note: str | None = None
    time_budget_min: float | None = None
    line: int = 0

    def walk(self, path: tuple["Section", ...] = ()) -> Iterator[tuple[tuple["Section", ...], Question]]:
        """Every question in this section and its sub-sections, in guide order, with its section path."""
        here = path + (self,)
        for question in self.questions:
            yield here, question
        for sub in self.sections:
            yield from sub.walk(here)


#: Answer id of the end-of-interview prompt ("anything further ...?") in transcripts and exports.
FINAL_PROMPT_ID = "_final_prompt"


@dataclass(frozen=True)
class Guide:
    """A semi-structured interview guide."""

    title: str
    sections: tuple[Section, ...]
    closing: Question
    introduction: str | None = None
    final_prompt: str = "Is there anything further you would like to add that we did not cover?"
    planned_min: float = 45
    planned_max: float = 75

    def walk(self) -> Iterator[tuple[tuple[Section, ...], Question]]:
        """Every main question in order (sections, sub-sections, then the closing question)."""
        for section in self.sections:
            yield from section.walk()
        yield (), self.closing

    def questions(self) -> list[Question]:
        """All main questions in order, closing question last."""
        return [q for _, q in self.walk()]

    def question(self, question_id: str) -> Question:
        """The main question with this id (KeyError if none)."""
        for _, q in self.walk():
            if q.id == question_id:
                return q
        raise KeyError(question_id)

    def answer_headings(self) -> dict[str, str]:
        """Heading text per answer id in interview order: every main question, then the final prompt.

        The answer to the final prompt is kept apart from the closing question's, under
        `FINAL_PROMPT_ID` (which no guide id can take: guide ids start with a letter or digit).
        """
        headings = {q.id: q.text for q in self.questions()}
        headings[FINAL_PROMPT_ID] = self.final_prompt
        return headings

    def section_of(self, question_id: str) -> tuple[Section, ...]:
        """The section path (outermost first) of a main question; () for the closing question."""
        for path, q in self.walk():
            if q.id == question_id:
                return path
        raise KeyError(question_id)


@dataclass(frozen=True)
class ConsentItem:
    id: str
    text: str
    required: bool = True
    line: int = 0


@dataclass(frozen=True)
class ConsentForm:
    version: str
    title: str
    text: str
    items: tuple[ConsentItem, ...]
    #: id of the item that permits audio recording; recording is refused without it.
    recording_item: str | None = None

    def item(self, item_id: str) -> ConsentItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    @property
    def required_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items if i.required)


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    #: plural noun for methods prose, e.g. "women" for the choice "Woman".
    plural: str | None = None


@dataclass(frozen=True)
class DemographicField:
    id: str
    type: FieldType
    label: str
    required: bool = True
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    choices: tuple[Choice, ...] = ()
    prefer_not_to_say: bool = False
    help: str | None = None
    line: int = 0

    def choice(self, choice_id: str) -> Choice:
        for c in self.choices:
            if c.id == choice_id:
                return c
        raise KeyError(choice_id)


@dataclass(frozen=True)
class DemographicForm:
    fields: tuple[DemographicField, ...]

    def field(self, field_id: str) -> DemographicField:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


@dataclass(frozen=True)
class Study:
    """One study file: its guide, consent form and demographic form."""

    id: str
    title: str
    version: str
    guide: Guide
    consent: ConsentForm
    demographics: DemographicForm
    #: faster-whisper language code of the interviews (e.g. "en", "no").
    language: str = "en"
    #: optional model name or folder for transcription.
    model: str | None = None
    #: people to tell apart by voice on mono recordings (None: 2, interviewer and participant).
    speakers: int | None = None
    #: places where interviews take place (offered on the start screen).
    places: tuple[str, ...] = ()
    #: after this date new recordings are refused (data-protection end of project).
    end_date: date | None = None
    description: str | None = None
    source: Path | None = field(default=None, compare=False)
    #: sha256 of the file's bytes: the exact version used by a session.
    content_hash: str = ""
    #: age public keys (`age1...`): recordings are encrypted to them as they are written.
    encryption_recipients: tuple[str, ...] = ()
    #: the published guide this study reproduces (citation), if any.
    reference: str | None = None
    #: parts (keys of ADDABLE_PARTS) this study adds to `reference`, which does not give them.
    not_in_source: tuple[str, ...] = ()

    def added(self, part: str) -> bool:
        """True when `part` (see ADDABLE_PARTS) is the study's own, not its published source's."""
        return part in self.not_in_source
