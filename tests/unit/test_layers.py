"""The layer order of ARCHITECTURE.md, enforced: each package imports only the layers below it.

Imports are read with `ast`, so an import hidden inside a function counts as much as one at the
top of a module.  One runtime check remains (in a fresh interpreter, as harlequin does): the
core and the CLI load without Textual, PortAudio or the speech model.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
from dataclasses import dataclass

import pytest

import interview_tui

ROOT = pathlib.Path(interview_tui.__file__).parent

# Lowest first.  A module may import its own layer and any layer below it, never one above.
LAYERS: list[tuple[str, ...]] = [
    ("config", "fileio", "outputs", "wav"),  # helpers that know nothing of the study
    ("domain",),                      # the study model and its rules: stdlib and PyYAML
    ("privacy",),                     # key file, hash chain, age encryption
    ("storage",),                     # the only code that knows table names
    ("audio",),                       # capture, crash-safe WAV, recovery, clips, playback
    ("diarization",),                 # who spoke when, from voice samples (transcription and review use it)
    ("transcription",),               # Whisper, alignment, the batch queue
    ("recorder",),                    # recording control without a UI; start-up recovery
    ("review",),                      # review versions of a transcript
    ("export",),                      # everything written for other tools
    ("errors", "tui"),                # the app, and messages for failures it shares with the CLI
    ("cli", "__main__"),              # the thin click front end; it starts the app
]
CORE = ("domain", "privacy", "storage", "audio", "diarization", "transcription", "recorder", "review", "export")

# Third-party packages a layer may not load, and where they may be imported at all.  The heavy
# or hardware ones are imported inside the function that needs them, so that importing a module
# never loads them (checked at runtime below).
ONLY_IN: dict[str, tuple[str, ...]] = {
    "textual": ("tui",),
    "sounddevice": ("audio",),
    "faster_whisper": ("transcription",),
    "ctranslate2": ("transcription",),
    "distributed": ("transcription",),
    "dask": ("transcription",),
    "dask_jobqueue": ("transcription",),
}
NEVER_AT_MODULE_LEVEL = ("sounddevice", "faster_whisper", "ctranslate2")
DOMAIN_THIRD_PARTY = {"yaml", "pyrage"}  # pyrage only to check an age public key in a study file

@dataclass(frozen=True)
class Import:
    module: str       # the importing module
    target: str       # the imported module (or name), absolute
    line: int
    in_function: bool

    @property
    def where(self) -> str:
        return f"{self.module.replace('.', '/')}.py:{self.line}"


def layer_of(module: str) -> int:
    part = module.split(".")[1] if "." in module else module
    for index, names in enumerate(LAYERS):
        if part in names:
            return index
    raise AssertionError(f"{module} is in no layer of LAYERS; add its package to the table")


def all_modules() -> dict[str, pathlib.Path]:
    modules = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = all_modules()


def _imports(module: str, path: pathlib.Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend(Import(module, a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                found.append(Import(module, target, child.lineno, in_function))
                found.extend(Import(module, f"{target}.{a.name}", child.lineno, in_function)
                             for a in child.names)
            visit(child, nested)

    visit(tree, False)
    return found


IMPORTS = {module: _imports(module, path) for module, path in MODULES.items()}


def _own(target: str) -> str | None:
    """The interview_tui module `target` names (a name inside a module counts as the module)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target if target and target != "interview_tui" else None


def test_every_package_has_a_layer() -> None:
    for module in MODULES:
        if module != "interview_tui":
            layer_of(module)
    assert "interview_tui.storage.db" in MODULES and "interview_tui.domain.loader" in MODULES


def test_no_import_climbs_a_layer() -> None:
    climbs = sorted(
        f"{imp.where} imports {own} ({'in a function' if imp.in_function else 'at module level'})"
        for module, imports in IMPORTS.items() if module != "interview_tui"
        for imp in imports
        if (own := _own(imp.target)) and layer_of(own) > layer_of(module)
    )
    assert not climbs, "imports against the layer order:\n" + "\n".join(dict.fromkeys(climbs))


def test_only_the_app_command_imports_the_tui() -> None:
    importers = {imp.module for module, imports in IMPORTS.items() for imp in imports
                 if module.startswith("interview_tui.cli") and imp.target.startswith("interview_tui.tui")}
    assert importers <= {"interview_tui.cli.app"}


def _third_party(imp: Import) -> str:
    return imp.target.split(".")[0]


@pytest.mark.parametrize("package,allowed", ONLY_IN.items())
def test_third_party_stays_in_its_layer(package: str, allowed: tuple[str, ...]) -> None:
    outside = sorted({imp.where for module, imports in IMPORTS.items() for imp in imports
                      if _third_party(imp) == package and module.split(".")[1] not in allowed})
    assert not outside, f"{package} imported outside {allowed}: {outside}"


def test_heavy_packages_load_only_when_used() -> None:
    top = sorted({imp.where for imports in IMPORTS.values() for imp in imports
                  if _third_party(imp) in NEVER_AT_MODULE_LEVEL and not imp.in_function})
    assert not top, f"imported at module level (move into the function that needs it): {top}"


def test_domain_needs_only_stdlib_and_yaml() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    foreign = sorted({f"{imp.where} {imp.target}" for module, imports in IMPORTS.items()
                      if module.startswith("interview_tui.domain") for imp in imports
                      if _third_party(imp) not in stdlib | DOMAIN_THIRD_PARTY | {"interview_tui"}})
    assert not foreign, foreign


def test_core_modules_import_no_cycle() -> None:
    graph = {m: {own for imp in IMPORTS[m] if (own := _own(imp.target)) and own != m}
             for m in MODULES if m.split(".")[1:2] and m.split(".")[1] in CORE}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt in graph and nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles (function-level imports count):\n" + "\n".join(cycles)


def test_core_and_cli_load_without_textual_portaudio_or_whisper() -> None:
    core = sorted(m for m in MODULES if m.split(".")[1:2] and m.split(".")[1] in CORE + LAYERS[0])
    cli = sorted(m for m in MODULES if m.startswith("interview_tui.cli"))
    code = (
        "import importlib, sys\n"
        f"for name in {core + cli!r}:\n"
        "    importlib.import_module(name)\n"
        "heavy = ('textual', 'sounddevice', 'faster_whisper', 'ctranslate2')\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"loaded: {result.stdout.strip()}"


def test_widgets_import_no_screen() -> None:
    """A widget draws and posts messages; showing a screen (a dialog) is its screen's job."""
    found = sorted({imp.where for module, imports in IMPORTS.items() if module.startswith("interview_tui.tui.widgets")
                    for imp in imports if imp.target.startswith("interview_tui.tui.screens")})
    assert not found, found
