"""Charts of an interview's figures (textual-plotext): minutes per section and per question
against the guide's budgets, and the talk-time share.

Series differ by their bar glyph as well as by colour (█ spent, ░ budget), so the charts
read on a monochrome terminal and with NO_COLOR; the exact numbers are in the text beside them.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from interview_tui.domain.figures import QuestionTime, SectionTime, TalkTime

SPENT, BUDGET = "█", "░"


class _Chart(PlotextPlot):
    """Draws its figure afresh on every render: plotext keeps layout from the size it was first
    built at, so a chart first drawn before layout settled came out shifted."""

    def render(self) -> RenderResult:
        self.plt.clear_figure()
        self.draw()
        return super().render()

    def draw(self) -> None:
        raise NotImplementedError


class SectionChart(_Chart):
    """Minutes spent per budgeted section beside its budget."""

    def __init__(self, sections: tuple[SectionTime, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.sections = sections

    def draw(self) -> None:
        plt = self.plt
        if not self.sections:
            plt.title("No section of this guide has a time budget")
            return
        # Numbers, as in the list of titles under the chart: plotext places long tick labels
        # differently from run to run, and at 80 columns they ran together.
        labels = [str(i) for i in range(1, len(self.sections) + 1)]
        spent = [round(s.spent_s / 60, 1) for s in self.sections]
        budget = [round(s.budget_s / 60, 1) for s in self.sections]
        plt.multiple_bar(labels, [spent, budget], marker=[SPENT, BUDGET], color=["blue+", "gray"], width=0.8)
        plt.title(f"Minutes per section (numbered as below): {SPENT} spent  {BUDGET} budget")


class QuestionChart(_Chart):
    """Minutes per main question (numbered as in the list below it) beside its share of the budget."""

    def __init__(self, questions: tuple[QuestionTime, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.questions = questions

    def draw(self) -> None:
        plt = self.plt
        labels = [str(q.number) for q in self.questions]
        spent = [round(q.spent_s / 60, 1) for q in self.questions]
        share = [round((q.budget_share_s or 0) / 60, 1) for q in self.questions]
        plt.multiple_bar(labels, [spent, share], marker=[SPENT, BUDGET], color=["blue+", "gray"], width=0.8)
        plt.title(f"Minutes per question: {SPENT} spent  {BUDGET} even share of its section's budget")


class TalkChart(_Chart):
    """Share of talk time, interviewer and participant (the interviewer should mostly listen)."""

    def __init__(self, talk: TalkTime, **kwargs) -> None:
        super().__init__(**kwargs)
        self.talk = talk

    def draw(self) -> None:
        plt = self.plt
        share = self.talk.interviewer_share * 100
        plt.bar(["Interviewer", "Participant"], [round(share), round(100 - share)], orientation="horizontal",
                marker=SPENT, color="blue+", width=0.5)
        plt.xlim(0, 100)
        plt.title("Talk time, % of interviewer + participant")
