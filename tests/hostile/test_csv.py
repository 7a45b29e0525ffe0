"""Demographics CSV files as spreadsheets really write them, read from real files (and the real CLI).

Excel, LibreOffice Calc and Google Sheets quote a cell holding the delimiter, a quote or a
line break, and double every quote inside it; locales with a decimal comma use ';'; Excel
starts "CSV UTF-8" with a BOM and ends rows with CRLF.  Each file must be read cell for cell,
or refused with the row and a reason that fits.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from interview_tui.domain.demographics import MISSING
from interview_tui.domain.demographics_csv import read_demographics_csv
from tests.fixtures.cli_process import no_traceback, run_cli
from tests.fixtures.records import seed_demographic_form
from tests.fixtures.study import MINIMAL_STUDY

FORM = seed_demographic_form()
BOM = "\ufeff"

# (case id, the file's bytes, expected [(code, answers)], expected error substring or None)
SPREADSHEETS: list[tuple[str, bytes, list[tuple[str, dict]], str | None]] = [
    ("issue: doubled quotes inside a quoted cell",
     b'participant,workplace\nP01,"say ""hi"" there"\n',
     [("P01", {"workplace": 'say "hi" there'})], None),
    ("issue: doubled quotes and a comma inside a quoted cell",
     b'participant,workplace\nP01,"say ""hi"", there"\n',
     [("P01", {"workplace": 'say "hi", there'})], None),
    ("Excel CSV UTF-8 (BOM, CRLF, comma)",
     (BOM + 'participant,age,workplace,years_involuntary\r\nP01,34,"Ward 3, ""Sol""",7.5\r\nP02,51,Haukeland,12\r\n').encode(),
     [("P01", {"age": 34, "workplace": 'Ward 3, "Sol"', "years_involuntary": 7.5}),
      ("P02", {"age": 51, "workplace": "Haukeland", "years_involuntary": 12.0})], None),
    ("Excel, Norwegian locale (BOM, CRLF, ';', decimal comma)",
     (BOM + 'participant;workplace;years_involuntary;special_education\r\n'
      'P01;"Oslo; Ullevål ""A""";7,5;"cbt;mbt"\r\nP02;Bergen, Haukeland;12;\r\n').encode(),
     [("P01", {"workplace": 'Oslo; Ullevål "A"', "years_involuntary": 7.5, "special_education": ["cbt", "mbt"]}),
      ("P02", {"workplace": "Bergen, Haukeland", "years_involuntary": 12.0, "special_education": MISSING})], None),
    ("Excel, trailing empty cells and blank rows",
     b'participant,age,workplace\r\nP01,34,,\r\n,,\r\n,,\r\n',
     [("P01", {"age": 34, "workplace": MISSING})], None),
    ("LibreOffice Calc default (LF, comma, no BOM)",
     'participant,workplace\nP01,"He said ""no"""\nP02,Tromsø\n'.encode(),
     [("P01", {"workplace": 'He said "no"'}), ("P02", {"workplace": "Tromsø"})], None),
    ("LibreOffice Calc, 'quote all text cells'",
     b'"participant","age","workplace"\n"P01",34,"say ""hi"" there"\n',
     [("P01", {"age": 34, "workplace": 'say "hi" there'})], None),
    ("LibreOffice Calc, ';' and quote all text cells",
     b'"participant";"years_involuntary";"workplace"\n"P01";7,5;"a;b"\n',
     [("P01", {"years_involuntary": 7.5, "workplace": "a;b"})], None),
    ("Google Sheets (CRLF, no final newline)",
     b'participant,age,workplace\r\nP01,40,"St. Olav, ""B"" ward"\r\nP02,41,Molde',
     [("P01", {"age": 40, "workplace": 'St. Olav, "B" ward'}), ("P02", {"age": 41, "workplace": "Molde"})], None),
    ("tab-separated (Excel 'Text (Tab delimited)' in UTF-8)",
     b'participant\tage\tworkplace\r\nP01\t40\t"a ""quoted"" word"\r\n',
     [("P01", {"age": 40, "workplace": 'a "quoted" word'})], None),
    ("old Mac line endings (CR only)",
     b'participant,age\rP01,40\rP02,41\r',
     [("P01", {"age": 40}), ("P02", {"age": 41})], None),
    ("a cell that is only a quote",
     b'participant,workplace\nP01,""""\n',
     [("P01", {"workplace": '"'})], None),
    ("single column (no delimiter in the header)",
     b'participant\nP01\nP02\n',
     [("P01", {}), ("P02", {})], None),
    ("a quote opened and never closed",
     b'participant,workplace\nP01,Oslo\nP02,"Bergen\n',
     [], "row 3 (line 3): cannot read this row as CSV"),
    ("a quoted cell followed by more text",
     b'participant,workplace\nP01,"Oslo" east\n',
     [], "row 2 (line 2): cannot read this row as CSV"),
    ("a 200 KB cell (over the csv module's field limit)",
     b'participant,workplace\nP01,"' + b"x" * 200_000 + b'"\n',
     [], "row 2 (line 2): cannot read this row as CSV (field larger than field limit"),
    ("NUL inside a cell",
     b'participant,workplace\nP01,Os\x00lo\n',
     [], "row 2, column workplace: contains the control character U+0000 NUL"),
    ("the wrong delimiter in a data row",
     b'participant;age\nP01,40\n',
     [], "row 2, column participant: 'P01,40' is not a participant code"),
    ("Excel 'CSV (Comma delimited)' in Windows-1252",
     'participant,workplace\nP01,Tromsø\n'.encode("cp1252"),
     [], "row 2: the file is not UTF-8 text; save it as 'CSV UTF-8'"),
    ("UTF-16 (Excel 'Unicode Text')",
     'participant\tage\r\nP01\t40\r\n'.encode("utf-16"),
     [], "the file is not UTF-8 text"),
]


@pytest.mark.parametrize(("data", "expected", "error"), [c[1:] for c in SPREADSHEETS], ids=[c[0] for c in SPREADSHEETS])
def test_spreadsheet_output(tmp_path: Path, data: bytes, expected: list, error: str | None) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(data)
    rows, errors = read_demographics_csv(path, FORM)
    if error is None:
        assert errors == []
        assert [(r.code, r.answers) for r in rows] == expected
    else:
        assert len(errors) == 1 and error in errors[0] and errors[0].startswith(f"{path}: "), errors


# (case id, path maker, expected message part) for things that are not CSV files
def _fifo(tmp: Path) -> Path:
    import os

    path = tmp / "pipe.csv"
    os.mkfifo(path)
    return path


NOT_FILES = [
    ("/dev/zero", lambda _: Path("/dev/zero"), "not a regular file"),
    ("a FIFO", _fifo, "not a regular file"),
    ("60 MB", lambda tmp: _big(tmp), "the file is larger than 10 MiB"),
]


def _big(tmp: Path) -> Path:
    path = tmp / "big.csv"
    with open(path, "wb") as f:
        f.write(b"participant,age\n")
        f.write(b"P01,40\n" * 9_000_000)
    return path


@pytest.mark.parametrize(("make", "message"), [c[1:] for c in NOT_FILES], ids=[c[0] for c in NOT_FILES])
def test_not_a_csv_file(tmp_path: Path, make, message: str) -> None:
    rows, errors = read_demographics_csv(make(tmp_path), FORM)
    assert rows == [] and len(errors) == 1 and message in errors[0], errors


def _study_with_text_field(tmp: Path) -> Path:
    text = MINIMAL_STUDY.read_text(encoding="utf-8")
    path = tmp / "study.yaml"
    path.write_text(text + "  - {id: workplace, type: text, label: Workplace, required: false}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        (b'participant,workplace\r\nP01,"say ""hi"" there"\r\n', 'say "hi" there'),
        ((BOM + 'participant;workplace\r\nP01;"say ""hi"", there"\r\n').encode(), 'say "hi", there'),
    ],
    ids=["comma, CRLF", "BOM, ';', comma inside"],
)
def test_cli_import_stores_the_cell_exactly(tmp_path: Path, data: bytes, stored: str) -> None:
    """`demographics import` in a real process stores what the spreadsheet showed."""
    csv_path = tmp_path / "answers.csv"
    csv_path.write_bytes(data)
    project = tmp_path / "project"
    study = _study_with_text_field(tmp_path)
    run = run_cli("--data-dir", project, "demographics", "import", csv_path, "--add-missing", "--study", study)
    assert no_traceback(run) and run.returncode == 0, run.stdout + run.stderr
    with sqlite3.connect(project / "interview.db") as conn:
        values = conn.execute("SELECT field_id, value FROM demographic_values").fetchall()
    assert len(values) == 1 and values[0][0] == "workplace"
    assert json.loads(values[0][1]) == stored


@pytest.mark.parametrize("make", [c[1] for c in NOT_FILES[:2]], ids=[c[0] for c in NOT_FILES[:2]])
def test_cli_import_of_a_device_or_fifo_ends(tmp_path: Path, make) -> None:
    """`demographics import /dev/zero` (or a FIFO nobody writes) ends at once with a message."""
    run = run_cli("--data-dir", tmp_path / "project", "demographics", "import", make(tmp_path), timeout=30)
    assert no_traceback(run) and run.returncode == 1
    assert "not a regular file" in run.stderr and "nothing was imported" in run.stderr
