"""Charts of an interview's figures (textual-plotext): minutes per section and per question
against the guide's budgets, and the talk-time share.

Series differ by their bar glyph as well as by colour (█ spent, ░ budget), so the charts
read on a monochrome terminal and with NO_COLOR; the exact numbers are in the text beside them.
"""

from __future__ import annotations

from textual_plotext import PlotextPlot

from interview_tui.domain.figures import QuestionTime, SectionTime, TalkTime

SPENT, BUDGET = "█", "░"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class SectionChart(PlotextPlot):
    """Minutes spent per budgeted section beside its budget."""

    def __init__(self, sections: tuple[SectionTime, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.sections = sections

    def on_mount(self) -> None:
        super().on_mount()
        self.plot()

    def on_resize(self) -> None:
        self.plot()

    def plot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        if not self.sections:
            plt.title("No section of this guide has a time budget")
            return
        # Labels share the width: cut them so neighbours do not run together.
        room = max(4, (self.size.width - 8) // max(1, len(self.sections)) - 2)
        labels = [f"{i}.{_cut(s.title, room - 2)}" for i, s in enumerate(self.sections, 1)]
        spent = [round(s.spent_s / 60, 1) for s in self.sections]
        budget = [round(s.budget_s / 60, 1) for s in self.sections]
        plt.multiple_bar(labels, [spent, budget], marker=[SPENT, BUDGET], color=["blue+", "gray"], width=0.8)
        plt.title(f"Minutes per section: {SPENT} spent  {BUDGET} budget")
        self.refresh()


class QuestionChart(PlotextPlot):
    """Minutes per main question (numbered as in the list below it) beside its share of the budget."""

    def __init__(self, questions: tuple[QuestionTime, ...], **kwargs) -> None:
        super().__init__(**kwargs)
        self.questions = questions

    def on_mount(self) -> None:
        super().on_mount()
        self.plot()

    def plot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        labels = [str(q.number) for q in self.questions]
        spent = [round(q.spent_s / 60, 1) for q in self.questions]
        share = [round((q.budget_share_s or 0) / 60, 1) for q in self.questions]
        plt.multiple_bar(labels, [spent, share], marker=[SPENT, BUDGET], color=["blue+", "gray"], width=0.8)
        plt.title(f"Minutes per question: {SPENT} spent  {BUDGET} even share of its section's budget")
        self.refresh()


class TalkChart(PlotextPlot):
    """Share of talk time, interviewer and participant (the interviewer should mostly listen)."""

    def __init__(self, talk: TalkTime, **kwargs) -> None:
        super().__init__(**kwargs)
        self.talk = talk

    def on_mount(self) -> None:
        super().on_mount()
        self.plot()

    def plot(self) -> None:
        plt = self.plt
        plt.clear_figure()
        share = self.talk.interviewer_share * 100
        plt.bar(["Interviewer", "Participant"], [round(share), round(100 - share)], orientation="horizontal",
                marker=SPENT, color="blue+", width=0.5)
        plt.xlim(0, 100)
        plt.title("Talk time, % of interviewer + participant")
        self.refresh()
