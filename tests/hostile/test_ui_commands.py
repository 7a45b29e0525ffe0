"""Hostile input to the commands this area touched: a spreadsheet with unknown codes and bad
cells at once, study names that do not exist, force on an already transcribed project."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.storage import open_db

CSV_CASES = [
    # (csv text, what the one answer must say)
    ("participant,age\nP09,44\n", ["rows", "row 2, column participant: unknown participant(s) P09"]),
    ("participant,age\nP01,abc\nP09,44\n", ["row 2, column age:", "row 3, column participant: unknown participant(s) P09"]),
    ("participant,age\nP09,8,5\nP10,\n", ["row 2: has 3 cells", "rows 2, 3, column participant: unknown participant(s) P09, P10"]),
    ("participant,agee\nP09,44\n", ["column agee: not a field", "unknown participant(s) P09"]),
]


@pytest.mark.parametrize("text, expected", CSV_CASES)
def test_demographics_import_lists_everything_in_one_pass(project, tmp_path, text, expected) -> None:
    runner = CliRunner()
    runner.invoke(main, ["--data-dir", str(project.root), "participants", "add"], catch_exceptions=False)
    sheet = tmp_path / "answers.csv"
    sheet.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["--data-dir", str(project.root), "demographics", "import", str(sheet)],
                           catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    for part in expected:
        if part == "rows":  # a single unknown code is on one row, said so
            assert "rows " not in result.output
        else:
            assert part in result.output, result.output
    db = open_db(project.db_path)
    assert db["demographic_values"].count == 0
    db.close()


@pytest.mark.parametrize(
    "args, code, expected",
    [
        (["guide", "validate", "no-such-study"], 1, "no such file; the shipped studies are: involuntary-treatment-alliance"),
        (["guide", "validate", "guides/*.yaml"], 1, "the shipped studies are"),  # an unexpanded glob in a project folder
        (["guide", "validate", "peer-support-workers-nb"], 0, "peer-support-workers-nb.yaml: OK"),
        (["guide", "show", "peer-support-workers-nb"], 0, "Erfaringskonsulenters"),
    ],
)
def test_study_names_from_any_folder(tmp_path, monkeypatch, args, code, expected) -> None:
    monkeypatch.chdir(tmp_path)  # a project folder: no guides/ here
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == code and expected in result.output, result.output
