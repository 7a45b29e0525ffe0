"""Hostile study files: alias bombs, huge files, devices and FIFOs, given to the real `guide` command.

Each case must end quickly in a `FILE:LINE:` message (or the file's normal result), with no
traceback and without reading more than the size limit.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Callable

import pytest

from interview_tui.domain.loader import MAX_STUDY_BYTES
from tests.fixtures.cli_process import no_traceback, run_cli
from tests.fixtures.study import MINIMAL_STUDY

MINIMAL = MINIMAL_STUDY.read_text(encoding="utf-8")
#: A real study file is about 12 KB; every case must end long before this (seconds).
TIME_LIMIT = 30


def _with_sections(sections: str) -> str:
    """The minimal study with its guide's sections replaced by `sections` (indented 4)."""
    head, rest = MINIMAL.split("  sections:\n", 1)
    tail = rest[rest.index("  closing:"):]
    return head + "  sections:\n" + sections + tail


def alias_bomb(levels: int = 9, fan: int = 10) -> str:
    """Anchors inside `sections:`: each level's section lists the level below `fan` times."""
    lines = ['    - &l0 {id: s0, title: T, questions: [{id: q0, text: "Q?"}]}']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*l{level - 1}" for _ in range(fan))
        lines.append(f"    - &l{level} {{id: s{level}, title: T, sections: [{refs}]}}")
    return _with_sections("\n".join(lines) + "\n")


def recursive_alias() -> str:
    return _with_sections("    - &me {id: s1, title: T, sections: [*me]}\n")


def key_bomb() -> str:
    """The classic 'billion laughs' in a value the readers walk (a consent item's text)."""
    lines = ['x0: &x0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n" + MINIMAL


def huge_study(size: int) -> str:
    """A valid study padded with a long description, `size` bytes in all (the 50 MB case)."""
    pad = size - len(MINIMAL) - len("description: \n")
    return MINIMAL + "description: " + "x" * pad + "\n"


def many_questions(size: int) -> str:
    """A valid study with one question per line up to `size` bytes: the slowest kind to parse."""
    lines = ["    - id: s1", "      title: First", "      questions:"]
    room = size - len(_with_sections("\n".join(lines) + "\n")) - 40
    n = 0
    while room > 0:
        line = f'        - {{id: q{n}, text: "Question {n}?"}}'
        lines.append(line)
        room -= len(line) + 1
        n += 1
    return _with_sections("\n".join(lines[:-1]) + "\n")


def harmless_aliases() -> str:
    """Anchors used as intended: one follow-up prompt reused in two questions."""
    return _with_sections(
        "    - id: s1\n"
        "      title: First\n"
        "      questions:\n"
        "        - {id: q1, text: &ask \"Could you tell me more?\"}\n"
        "        - {id: q2, text: \"Two?\", note: *ask}\n"
    )


# (case id, file content, expected exit status, a pattern the output must match)
FILES: list[tuple[str, Callable[[], str | bytes], int, str]] = [
    ("nested alias bomb in sections", alias_bomb, 1, r"study\.yaml:\d+:\d+: .*alias"),
    ("alias bomb in an unknown key", key_bomb, 1, r"study\.yaml:\d+:\d+: .*alias"),
    ("alias that contains itself", recursive_alias, 1, r"study\.yaml:\d+:\d+: .*contains itself"),
    ("50 MB study", lambda: huge_study(50_000_000), 1, r"study\.yaml:\d+:\d+: .*larger than"),
    ("one byte over the limit", lambda: huge_study(MAX_STUDY_BYTES + 1), 1, r"study\.yaml:\d+:\d+: .*larger than"),
    ("exactly at the limit", lambda: huge_study(MAX_STUDY_BYTES), 0, r"study\.yaml: OK"),
    ("thousands of questions, just under the limit", lambda: many_questions(MAX_STUDY_BYTES), 0, r"study\.yaml: OK"),
    ("thousands of questions, over the limit", lambda: many_questions(2 * MAX_STUDY_BYTES), 1,
     r"study\.yaml:\d+:\d+: the file is larger than 512 KiB"),
    ("anchors used as intended", harmless_aliases, 0, r"study\.yaml: OK"),
    ("NUL bytes", lambda: MINIMAL.encode() + b"\0\0\0", 1, r"study\.yaml:33:1: a control character \(U\+0000\)"),
    ("ESC in a title", lambda: MINIMAL.replace("Minimal study", "Mini\x1b[2Jmal"), 1, r"study\.yaml:2:12: a control character \(U\+001B\)"),
    ("not UTF-8", lambda: b"id: x\ntitle: \xff\xfe\n", 1, r"study\.yaml:2:1: the file is not UTF-8"),
    ("empty file", lambda: b"", 1, r"study\.yaml:1:1: the file is empty"),
]


@pytest.mark.parametrize(("content", "status", "pattern"), [c[1:] for c in FILES], ids=[c[0] for c in FILES])
def test_bad_study_file(tmp_path: Path, content: Callable[[], str | bytes], status: int, pattern: str) -> None:
    path = tmp_path / "study.yaml"
    data = content()
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    result = run_cli("guide", "validate", path, timeout=TIME_LIMIT)
    assert no_traceback(result), result.stderr
    assert result.returncode == status, result.stdout + result.stderr
    assert re.search(pattern, result.stdout + result.stderr), result.stdout + result.stderr


# (case id, path maker) for things that are not regular files
SPECIAL: list[tuple[str, Callable[[Path], Path]]] = [
    ("/dev/zero", lambda _: Path("/dev/zero")),
    ("/dev/null", lambda _: Path("/dev/null")),
    ("/dev/urandom", lambda _: Path("/dev/urandom")),
    ("a FIFO nobody writes to", lambda tmp: _fifo(tmp)),
    ("a missing file", lambda tmp: tmp / "nope.yaml"),
]


def _fifo(tmp: Path) -> Path:
    path = tmp / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", [("guide", "validate"), ("guide", "show")])
@pytest.mark.parametrize("make", [c[1] for c in SPECIAL], ids=[c[0] for c in SPECIAL])
def test_not_a_regular_file(tmp_path: Path, make: Callable[[Path], Path], command: tuple[str, ...]) -> None:
    path = make(tmp_path)
    result = run_cli(*command, path, timeout=TIME_LIMIT)
    assert no_traceback(result), result.stderr
    assert result.returncode == 1
    out = result.stdout + result.stderr
    assert str(path) in out
    assert re.search(r"not a regular file|cannot read the study file", out), out


def test_fifo_with_a_writer_that_never_stops(tmp_path: Path) -> None:
    """A FIFO fed endlessly is refused at once; the reader never waits on it."""
    path = _fifo(tmp_path)
    stop = threading.Event()

    def feed() -> None:
        try:
            fd = os.open(path, os.O_WRONLY)
        except OSError:
            return
        try:
            while not stop.is_set():
                os.write(fd, b"x: y\n" * 1000)
        except OSError:
            pass
        finally:
            os.close(fd)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        result = run_cli("guide", "validate", path, timeout=TIME_LIMIT)
    finally:
        stop.set()
        # Unblock a writer still waiting for a reader.
        try:
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert no_traceback(result)
    assert result.returncode == 1
    assert "not a regular file" in result.stdout
