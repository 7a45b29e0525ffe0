"""An interview's figures: time per section and question against the guide's budgets, and talk time.

The same numbers feed the charts of the closing summary and session view and the session's
export (`figures` in session-events.json), so what one sees is what one hands off.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from interview_tui.domain.session import SessionState
from interview_tui.domain.study import Guide, Section


@dataclass(frozen=True)
class SectionTime:
    """Time spent on a budgeted section's questions (sub-sections included) against its budget."""

    id: str
    title: str
    spent_s: float
    budget_s: float


@dataclass(frozen=True)
class QuestionTime:
    """Time a main question was current; `budget_share_s` is its even share of its section's budget
    (the guide budgets sections, not questions), None outside any budgeted section."""

    id: str
    number: int
    text: str
    section_id: str | None
    spent_s: float
    budget_share_s: float | None


@dataclass(frozen=True)
class TalkTime:
    """Seconds of transcript per role, from segment speaker labels (overlap and unlabelled apart)."""

    interviewer_s: float
    participant_s: float
    other_s: float

    @property
    def interviewer_share(self) -> float:
        """The interviewer's share of interviewer + participant talk (0..1)."""
        both = self.interviewer_s + self.participant_s
        return self.interviewer_s / both if both else 0.0


@dataclass(frozen=True)
class Figures:
    sections: tuple[SectionTime, ...]
    questions: tuple[QuestionTime, ...]
    talk: TalkTime | None

    def as_dict(self) -> dict[str, Any]:
        """Plain numbers for JSON (seconds rounded to tenths, the share to thousandths)."""
        talk = None
        if self.talk is not None:
            talk = {k: round(v, 1) for k, v in asdict(self.talk).items()}
            talk["interviewer_share"] = round(self.talk.interviewer_share, 3)
        return {
            "sections": [{"id": s.id, "title": s.title, "spent_s": round(s.spent_s, 1),
                          "budget_s": round(s.budget_s, 1)} for s in self.sections],
            "questions": [{"id": q.id, "number": q.number, "section_id": q.section_id,
                           "spent_s": round(q.spent_s, 1),
                           "budget_share_s": None if q.budget_share_s is None else round(q.budget_share_s, 1)}
                          for q in self.questions],
            "talk_time": talk,
        }


def _budgeted(sections: Iterable[Section]) -> Iterable[Section]:
    for section in sections:
        if section.time_budget_min:
            yield section
        yield from _budgeted(section.sections)


def _budget_section(path: tuple[Section, ...]) -> Section | None:
    """The innermost budgeted section on a question's path (as the interview clock counts it)."""
    for section in reversed(path):
        if section.time_budget_min:
            return section
    return None


def _budgeted_below(section: Section) -> Iterable[Section]:
    """The nearest budgeted sections under `section` (not those inside them)."""
    for sub in section.sections:
        if sub.time_budget_min:
            yield sub
        else:
            yield from _budgeted_below(sub)


def _own_budget_s(section: Section) -> float:
    """The part of a section's budget left for its own questions once its budgeted sub-sections
    have theirs (a 50-minute theme with 44 minutes in sub-themes leaves 6 for its direct questions)."""
    inner = sum(s.time_budget_min or 0 for s in _budgeted_below(section))
    return max(0.0, ((section.time_budget_min or 0) - inner) * 60)


def section_times(state: SessionState, now_s: float | None = None) -> tuple[SectionTime, ...]:
    """Every budgeted section, outer ones before their sub-sections, in guide order."""
    now = state.duration_s if now_s is None else now_s
    return tuple(SectionTime(s.id, s.title, state.section_seconds(s.id, now), (s.time_budget_min or 0) * 60)
                 for s in _budgeted(state.guide.sections))


def question_times(state: SessionState, now_s: float | None = None) -> tuple[QuestionTime, ...]:
    """Every main question in guide order (numbered from 1), closing question last."""
    now = state.duration_s if now_s is None else now_s
    guide: Guide = state.guide
    walked = list(guide.walk())
    counts: dict[str, int] = {}
    for path, _ in walked:
        budget = _budget_section(path)
        if budget is not None:
            counts[budget.id] = counts.get(budget.id, 0) + 1
    own = {s.id: _own_budget_s(s) for s in _budgeted(guide.sections)}
    out = []
    for number, (path, question) in enumerate(walked, 1):
        budget = _budget_section(path)
        share = own[budget.id] / counts[budget.id] if budget is not None else None
        out.append(QuestionTime(question.id, number, " ".join(question.text.split()),
                                budget.id if budget is not None else None,
                                state.question_seconds(question.id, now), share))
    return tuple(out)


INTERVIEWER_NAMES = ("interviewer",)
PARTICIPANT_NAMES = ("participant",)


def talk_time(
    segments: Iterable[tuple[str | None, float, float]],
    *,
    interviewer: str | None = None,
    participant: str | None = None,
) -> TalkTime | None:
    """Talk time from (speaker label, start, end) segments; None when no segment names either role.

    A label is the interviewer's when it is their name or starts with "Interviewer", the
    participant's when it is their code or starts with "Participant" (the stereo path labels
    channels with the name and the code; mono attribution with the role words). Overlap,
    a mono stream's single label and unknown labels count as other.
    """
    mine = {x.casefold() for x in (interviewer,) if x}
    theirs = {x.casefold() for x in (participant,) if x}
    seconds = {"interviewer": 0.0, "participant": 0.0, "other": 0.0}
    for label, start, end in segments:
        length = max(0.0, end - start)
        name = (label or "").strip().casefold()
        if name in mine or (name.startswith(INTERVIEWER_NAMES) and "+" not in name):
            seconds["interviewer"] += length
        elif name in theirs or (name.startswith(PARTICIPANT_NAMES) and "+" not in name):
            seconds["participant"] += length
        else:
            seconds["other"] += length
    if not seconds["interviewer"] and not seconds["participant"]:
        return None
    return TalkTime(seconds["interviewer"], seconds["participant"], seconds["other"])


def figures(state: SessionState, talk: TalkTime | None = None, now_s: float | None = None) -> Figures:
    """The session's figures (time so far when it is still open)."""
    return Figures(section_times(state, now_s), question_times(state, now_s), talk)
