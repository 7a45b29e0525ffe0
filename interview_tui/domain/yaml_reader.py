"""Reading a YAML node tree against known keys, collecting every problem with its position.

PyYAML's `compose` returns nodes that remember where they start in the file
(`start_mark`), so every check can say FILE:LINE:COL.  Readers never stop at
the first problem: they note it, return a harmless default and go on, so one
run reports everything that is wrong.  Nothing here knows about studies.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Literal

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.events import AliasEvent
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

Severity = Literal["error", "warning"]

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
FLOAT_TAG = "tag:yaml.org,2002:float"
BOOL_TAG = "tag:yaml.org,2002:bool"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

#: Ids are used in the database and in exports, so keep them to plain characters.
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class StudyIssue:
    """One problem in a study file, printed as `FILE:LINE:COL: message (at key.path)`."""

    file: str
    #: 1-based; 0 when the problem concerns the whole file (e.g. it cannot be read).
    line: int
    #: 1-based column.
    col: int
    message: str
    key_path: str = ""
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        level = "warning: " if self.severity == "warning" else ""
        at = f" (at {self.key_path})" if self.key_path else ""
        return f"{where}: {level}{self.message}{at}"


class Issues:
    """The problems found in one file so far."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[StudyIssue] = []

    def add(
        self,
        where: Node | Mark | tuple[int, int] | None,
        message: str,
        path: str = "",
        severity: Severity = "error",
    ) -> None:
        """Record a problem at a node, a mark, a 1-based (line, col), or the whole file (None)."""
        if isinstance(where, Node):
            where = where.start_mark
        if isinstance(where, Mark):
            line, col = where.line + 1, where.column + 1
        elif where is None:
            line, col = 0, 0
        else:
            line, col = where
        self.items.append(StudyIssue(self.file, line, col, message, path, severity))

    def warn(self, where: Node | Mark | None, message: str, path: str = "") -> None:
        self.add(where, message, path, "warning")

    @property
    def errors(self) -> list[StudyIssue]:
        return [i for i in self.items if i.is_error]

    def sorted(self) -> list[StudyIssue]:
        """All problems in file order (stable, so problems at one spot keep their order)."""
        return sorted(self.items, key=lambda i: (i.line, i.col))


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def line_of(node: Node | None) -> int:
    """1-based line where a node starts (0 for none)."""
    return node.start_mark.line + 1 if node is not None else 0


def describe(node: Node) -> str:
    """A short human description of what a node is, for 'expected X, found Y' messages."""
    if isinstance(node, MappingNode):
        return "a mapping (key: value lines)"
    if isinstance(node, SequenceNode):
        return "a list ('- ' items)"
    if node.tag == NULL_TAG:
        return "nothing"
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"{text!r}"


def closest(name: str, known: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return matches[0] if matches else None


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


class MapReader:
    """One YAML mapping checked against its known keys; typed getters record problems and go on.

    Unknown keys (with the closest known key suggested) and duplicate keys are
    reported on construction; missing or mistyped values when a getter asks.
    """

    def __init__(
        self,
        issues: Issues,
        node: Node | None,
        path: str,
        known: Iterable[str],
        what: str = "this part",
    ) -> None:
        self.issues = issues
        self.node = node
        self.path = path
        self.known = tuple(known)
        self.values: dict[str, Node] = {}
        self._keys: dict[str, Node] = {}
        #: known key -> the unknown key that was probably meant as it (already reported).
        self._misspelled: dict[str, str] = {}
        self._constructor = SafeConstructor()
        self.ok = isinstance(node, MappingNode)
        if node is None:
            return
        if not isinstance(node, MappingNode):
            issues.add(
                node,
                f"expected {what} as a mapping with keys such as {', '.join(self.known[:4])}; "
                f"found {describe(node)}",
                path,
            )
            return
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
                issues.add(key_node, f"a key must be a plain word, found {describe(key_node)}", path)
                continue
            name = key_node.value
            if name in self._keys:
                first = line_of(self._keys[name])
                issues.add(
                    key_node,
                    f"duplicate key '{name}' (first given on line {first}); remove one of them",
                    join(path, name),
                )
                continue
            self._keys[name] = key_node
            if name not in self.known:
                hint = closest(name, self.known)
                suggestion = (
                    f"; did you mean '{hint}'?" if hint else f"; known keys: {', '.join(self.known)}"
                )
                if hint:
                    self._misspelled.setdefault(hint, name)
                issues.add(key_node, f"unknown key '{name}'{suggestion}", join(path, name))
                continue
            self.values[name] = value_node

    # -- plumbing -----------------------------------------------------------------

    @property
    def line(self) -> int:
        return line_of(self.node)

    def has(self, key: str) -> bool:
        return not is_null(self.values.get(key))

    def key_node(self, key: str) -> Node | None:
        return self._keys.get(key)

    def get(self, key: str, required: bool = False) -> Node | None:
        """The value node for a key; None (and a 'missing' problem if required) when absent or empty."""
        node = self.values.get(key)
        if not is_null(node):
            return node
        if required and self.ok and key not in self._misspelled:
            if node is None:
                self.issues.add(self.node, f"missing required key '{key}'", self.path)
            else:
                self.issues.add(self._keys[key], f"'{key}' has no value", join(self.path, key))
        return None

    def _wrong(self, node: Node, key: str, expected: str) -> None:
        self.issues.add(node, f"'{key}' must be {expected}, found {describe(node)}", join(self.path, key))

    def _construct(self, node: ScalarNode) -> Any:
        return self._constructor.construct_object(node, deep=True)

    # -- typed getters ------------------------------------------------------------

    def text(self, key: str, required: bool = False, default: str | None = None) -> str | None:
        """A text value exactly as written (so `version: 1.0` is "1.0" and `language: no` is "no")."""
        node = self.get(key, required)
        if node is None:
            return default
        if not isinstance(node, ScalarNode):
            self._wrong(node, key, "text")
            return default
        value = node.value.strip()
        if not value:
            if required:
                self.issues.add(node, f"'{key}' must not be empty", join(self.path, key))
            return default
        return value

    def ident(self, key: str = "id", required: bool = True) -> str | None:
        """An id: letters, digits, '-', '_' or '.', starting with a letter or digit."""
        value = self.text(key, required)
        if value is not None and not ID_PATTERN.match(value):
            node = self.values[key]
            self.issues.add(
                node,
                f"'{key}' {value!r} may contain only letters, digits, '-', '_' and '.', "
                "and must start with a letter or digit",
                join(self.path, key),
            )
        return value

    def number(
        self,
        key: str,
        *,
        integer: bool = False,
        minimum: float | None = None,
        required: bool = False,
    ) -> float | None:
        """A number (an int when `integer`), at least `minimum` when given."""
        node = self.get(key, required)
        if node is None:
            return None
        expected = "a whole number" if integer else "a number"
        if not isinstance(node, ScalarNode) or node.tag in (BOOL_TAG, TIMESTAMP_TAG):
            self._wrong(node, key, expected)
            return None
        try:
            value: float = float(node.value)
        except ValueError:
            self._wrong(node, key, expected)
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self._wrong(node, key, "a finite number")
            return None
        if integer:
            if not value.is_integer():
                self._wrong(node, key, expected)
                return None
            value = int(value)
        elif value.is_integer() and node.tag == INT_TAG:
            value = int(value)
        if minimum is not None and value < minimum:
            self.issues.add(
                node, f"'{key}' must be at least {minimum:g}, found {value:g}", join(self.path, key)
            )
            return None
        return value

    def boolean(self, key: str, default: bool) -> bool:
        """true/false (YAML's yes/no count too)."""
        node = self.get(key)
        if node is None:
            return default
        if not isinstance(node, ScalarNode) or node.tag != BOOL_TAG:
            self._wrong(node, key, "true or false")
            return default
        return bool(self._construct(node))

    def date(self, key: str) -> date | None:
        """A calendar date written as YYYY-MM-DD."""
        node = self.get(key)
        if node is None:
            return None
        expected = "a date written as YYYY-MM-DD"
        if not isinstance(node, ScalarNode):
            self._wrong(node, key, expected)
            return None
        try:
            value = date.fromisoformat(node.value.strip())
        except ValueError:
            self._wrong(node, key, expected)
            return None
        return value

    def items(self, key: str, required: bool = False, nonempty: bool = False) -> list[tuple[str, Node]]:
        """The entries of a list value, each with its key path (`key[0]`, `key[1]`, ...)."""
        node = self.get(key, required)
        if node is None:
            return []
        if not isinstance(node, SequenceNode):
            self._wrong(node, key, "a list of '- ' items")
            return []
        if nonempty and not node.value:
            self.issues.add(node, f"'{key}' is an empty list; it needs at least one entry", join(self.path, key))
        base = join(self.path, key)
        return [(f"{base}[{i}]", item) for i, item in enumerate(node.value)]

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of short texts."""
        out: list[str] = []
        for path, item in self.items(key):
            if not isinstance(item, ScalarNode) or is_null(item) or not item.value.strip():
                self.issues.add(item, f"each entry of '{key}' must be text, found {describe(item)}", path)
                continue
            out.append(item.value.strip())
        return tuple(out)

    def child(self, key: str, known: Iterable[str], what: str, required: bool = False) -> "MapReader":
        """The mapping under `key` as its own reader (an empty one when absent)."""
        node = self.get(key, required)
        return MapReader(self.issues, node, join(self.path, key), known, what)


#: How many nodes aliases (`*name`) may stand for in one file, counting every copy an alias
#: repeats.  A real study reuses a few prompts; an "alias bomb" nests anchors so that a
#: small file stands for billions of nodes, which every reader would walk.
MAX_ALIAS_NODES = 10_000


class AliasError(yaml.YAMLError):
    """An alias that repeats too much of the file, or contains itself; `problem_mark` is the alias."""

    def __init__(self, problem: str, mark: Mark) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark


class _BoundedComposer(Composer):
    """PyYAML's composer, counting what each alias stands for and refusing aliases into themselves."""

    def __init__(self) -> None:
        super().__init__()
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}
        self._open_anchors: set[str] = set()

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        anchor = getattr(event, "anchor", None)
        if isinstance(event, AliasEvent):
            if anchor in self._open_anchors:
                raise AliasError(f"the alias '*{anchor}' is inside the entry it stands for, so that entry "
                                 "contains itself; copy the text instead of using an alias", event.start_mark)
            node = self.anchors.get(anchor)
            if node is not None:
                self._alias_nodes += self._size(node)
                if self._alias_nodes > MAX_ALIAS_NODES:
                    raise AliasError(
                        f"the aliases ('*name') in this file repeat more than {MAX_ALIAS_NODES} entries "
                        f"(this one, '*{anchor}', goes over); a study file uses aliases for a few repeated "
                        "texts at most: write the entries out or remove the aliases", event.start_mark)
            return super().compose_node(parent, index)
        if anchor is None:
            return super().compose_node(parent, index)
        self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open_anchors.discard(anchor)

    def _size(self, node: Node) -> int:
        """How many nodes `node` stands for, counting shared children once per use (memoised)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, SequenceNode):
            size += sum(self._size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            size += sum(self._size(k) + self._size(v) for k, v in node.value)
        self._sizes[id(node)] = size
        return size


class _BoundedLoader(Reader, Scanner, Parser, _BoundedComposer, SafeConstructor, Resolver):
    """yaml.SafeLoader with `_BoundedComposer`: safe, and aliases cannot blow a file up."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _BoundedComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


def compose(text: str) -> Node | None:
    """Parse YAML text into a node tree with positions (safe: no Python objects are built).

    Raises `AliasError` (a `yaml.YAMLError`) for aliases that repeat more than
    `MAX_ALIAS_NODES` entries in all or that contain themselves.
    """
    return yaml.compose(text, Loader=_BoundedLoader)


__all__ = [
    "MAX_ALIAS_NODES",
    "AliasError",
    "Issues",
    "MapReader",
    "StudyIssue",
    "compose",
    "describe",
    "is_null",
    "join",
    "line_of",
]
