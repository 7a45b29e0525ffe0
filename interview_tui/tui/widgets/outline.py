"""The guide as an outline: sections and questions with covered/skipped/current marks."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from interview_tui.domain.session import SessionState, budget_status
from interview_tui.domain.study import Guide, Question, Section
from interview_tui.tui.messages import QuestionChosen

#: mark and Rich style per question status (Tree labels are Rich text; these colours read on
#: light and dark backgrounds alike).
MARKS: dict[str, tuple[str, str]] = {
    "covered": ("✓", "green"),
    "skipped": ("–", "dark_orange3"),
    "current": ("▶", "bold"),
    "visited": ("·", ""),
    "not_reached": (" ", "dim"),
}


BUDGET_STYLES = {"ok": "dim", "near": "bold dark_orange3", "over": "bold reverse red"}  # reverse: stands out in monochrome too
#: the same status without colour: `!` nearly spent, `‼` over budget.
BUDGET_MARKS = {"ok": "", "near": "!", "over": "‼"}


def short(text: str, width: int = 60) -> str:
    """The first `width` characters of a question, on one line."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= width else one_line[: width - 1] + "…"


class GuideOutline(Tree[str]):
    """Sections as branches, main questions as leaves; Enter or a click jumps to a question."""

    def __init__(self, guide: Guide, **kwargs) -> None:
        super().__init__(guide.title, **kwargs)
        self.guide = guide
        self.show_root = False
        self.guide_depth = 2
        self._question_nodes: dict[str, TreeNode[str]] = {}
        self._section_nodes: list[tuple[Section, TreeNode[str]]] = []
        for section in guide.sections:
            self._add_section(self.root, section)
        closing = self.root.add(Text("Closing", style="bold"), expand=True)
        self._add_question(closing, guide.closing)
        self.root.expand()

    def _add_section(self, parent: TreeNode[str], section: Section) -> None:
        node = parent.add(Text(section.title, style="bold"), expand=True)
        if section.time_budget_min:
            self._section_nodes.append((section, node))
        for question in section.questions:
            self._add_question(node, question)
        for sub in section.sections:
            self._add_section(node, sub)

    def _add_question(self, parent: TreeNode[str], question: Question) -> None:
        label = Text(f"  {short(question.text)}", style=MARKS["not_reached"][1])
        self._question_nodes[question.id] = parent.add_leaf(label, data=question.id)

    def show_budgets(self, state: SessionState, now_offset_s: float) -> None:
        """Minutes spent / budget before each budgeted section's title, coloured near and over budget."""
        for section, node in self._section_nodes:
            spent = state.section_seconds(section.id, now_offset_s)
            status = budget_status(spent, section.time_budget_min)
            label = Text(f"{int(spent // 60)}/{section.time_budget_min:g}m{BUDGET_MARKS[status]} ",
                         style=BUDGET_STYLES[status])
            label.append(section.title, style="bold")
            node.set_label(label)

    def show_state(self, state: SessionState) -> None:
        """Update every question's mark and keep the current question in view."""
        for qid, node in self._question_nodes.items():
            status = state.status_of(qid)
            if status in ("covered", "skipped") and qid == state.current_id:
                status_mark, style = MARKS[status][0], MARKS["current"][1]
            else:
                status_mark, style = MARKS[status]
            node.set_label(Text(f"{status_mark} {short(self.guide.question(qid).text)}", style=style))
        current = self._question_nodes.get(state.current_id or "")
        if current is not None and not self.has_focus:
            self.move_cursor(current)

    def move_to(self, question_id: str | None) -> None:
        """Put the cursor on a question (where 'go to' starts), scrolled into view."""
        node = self._question_nodes.get(question_id or "")
        if node is not None:
            self.move_cursor(node)
            self.scroll_to_node(node, animate=False)

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """The label, ending in `…` where the column cuts it (a hard cut read as a typo)."""
        text = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth  # the guide lines before it
        if 3 < room < text.cell_len:
            text.truncate(room, overflow="ellipsis")
        return text

    class Highlighted(Message):
        """The cursor moved: the full text of the row under it (question or section)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        event.stop()
        node = event.node
        if node.data:
            text = " ".join(self.guide.question(node.data).text.split())
        else:
            text = node.label.plain
        self.post_message(self.Highlighted(text))

    def on_tree_node_selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(QuestionChosen(event.node.data))
