"""`interview-tui guide validate|show` through click's CliRunner."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.config import DEFAULT_STUDY_FILE, GUIDES_DIR

BROKEN = "id: x\ntitle: T\nversion: '1'\nguide:\n  sections: []\n  closing: {id: c, txt: hi}\nconsent: {}\ndemographics: []\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize(
    ("files", "exit_code", "expected"),
    [
        (["default"], 0, ["involuntary-treatment-alliance.yaml: OK"]),
        (["default", "nb"], 0, ["involuntary-treatment-alliance.yaml: OK", "peer-support-workers-nb.yaml: OK"]),
        (["broken"], 1, ["broken.yaml:5:13: 'sections' is an empty list", "broken.yaml:6:20: unknown key 'txt'",
                         "broken.yaml: INVALID (", ]),
        (["default", "broken"], 1, ["involuntary-treatment-alliance.yaml: OK", "broken.yaml: INVALID"]),
        (["missing"], 1, ["missing.yaml: cannot read the study file", "the shipped studies are: "
                                                                             "involuntary-treatment-alliance, "]),
        # by name, from any folder (a project folder has no guides/)
        (["default-by-name", "nb-by-name"], 0, [f"{GUIDES_DIR / 'involuntary-treatment-alliance.yaml'}: OK",
                                                f"{GUIDES_DIR / 'peer-support-workers-nb.yaml'}: OK"]),
    ],
)  # fmt: skip
def test_validate_exit_codes(runner, write_study, files, exit_code, expected) -> None:
    paths = {
        "default": str(DEFAULT_STUDY_FILE),
        "nb": str(GUIDES_DIR / "peer-support-workers-nb.yaml"),
        "broken": str(write_study(BROKEN, "broken.yaml")),
        "missing": str(write_study("", "x.yaml").parent / "missing.yaml"),
        "default-by-name": "involuntary-treatment-alliance",
        "nb-by-name": "peer-support-workers-nb.yaml",
    }
    result = runner.invoke(main, ["guide", "validate", *[paths[f] for f in files]])
    assert result.exit_code == exit_code, result.output
    for text in expected:
        assert text in result.output, result.output


def test_validate_reports_every_problem_of_a_file(runner, write_study) -> None:
    path = write_study(BROKEN, "broken.yaml")
    result = runner.invoke(main, ["guide", "validate", str(path)])
    problems = [line for line in result.output.splitlines() if re.match(rf"{re.escape(str(path))}:\d+:\d+: ", line)]
    # empty sections; 'txt' for 'text' in closing (not also "missing 'text'"); consent: 4 missing keys + warning
    assert [p.split(": ", 1)[1].split(" (at")[0].split(";")[0] for p in problems] == [
        "'sections' is an empty list",
        "unknown key 'txt'",
        "missing required key 'version'",
        "missing required key 'title'",
        "missing required key 'text'",
        "missing required key 'items'",
        "warning: no 'recording_item': name the consent item that permits audio recording, or interviews cannot be recorded",
    ], result.output
    assert "INVALID (6 error(s), 1 warning(s))" in result.output


def test_validate_strict_fails_on_warnings(runner, write_study, minimal_study_text) -> None:
    path = write_study(minimal_study_text.replace("time_budget_min: 20", "time_budget_min: 70"))
    lenient = runner.invoke(main, ["guide", "validate", str(path)])
    assert lenient.exit_code == 0 and f"{path}: OK (1 warning(s))" in lenient.output
    assert f"{path}:6:3: warning: section time budgets add up to 70 min" in lenient.output
    strict = runner.invoke(main, ["guide", "validate", "--strict", str(path)])
    assert strict.exit_code == 1 and "INVALID (0 error(s), 1 warning(s))" in strict.output


def test_validate_needs_a_path(runner) -> None:
    result = runner.invoke(main, ["guide", "validate"])
    assert result.exit_code == 2 and "Missing argument" in result.output


def test_show_default_study(runner) -> None:
    result = runner.invoke(main, ["guide", "show"])
    assert result.exit_code == 0, result.output
    assert "Establishing working alliance in coercive treatment" in result.output
    assert "→ If yes: How did you proceed to solve this rupture?" in result.output


def test_show_broken_file_says_what_to_do(runner, write_study) -> None:
    path = write_study(BROKEN, "broken.yaml")
    result = runner.invoke(main, ["guide", "show", str(path)])
    assert result.exit_code == 1
    assert "is not a valid study file" in result.output and f"{path}:6:20: unknown key 'txt'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["guide"], ["guide", "validate"], ["guide", "show"]])
def test_commands_have_help(runner, args) -> None:
    result = runner.invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert len(result.output.split("\n\n")[1].strip()) > 20
