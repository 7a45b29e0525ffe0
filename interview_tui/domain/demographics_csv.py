"""Reading demographic answers from a CSV file (paper forms typed into a spreadsheet).

Columns are `participant` plus field ids.  Every problem is reported, each as
`FILE: row N, column C: reason` with N the spreadsheet row (the header is row
1), so a file is fixed in one pass; the caller imports nothing unless the
list is empty.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interview_tui.domain.demographics import DemographicValueError, parse_value
from interview_tui.domain.participant_codes import ParticipantError, normalize_code
from interview_tui.domain.study import DemographicForm
from interview_tui.fileio import InputFileError, read_input_file

PARTICIPANT_COLUMN = "participant"


@dataclass(frozen=True)
class CsvRow:
    """One participant's answers (field_id -> value, MISSING or PREFER_NOT) and the row they came from."""

    row: int
    code: str
    answers: dict[str, Any]


#: Delimiters spreadsheets use for CSV: ',' (English locales), ';' (locales whose decimal
#: mark is a comma, e.g. Norwegian Excel), tab ("tab-separated values").
DELIMITERS = (",", ";", "\t")
#: A demographics file has one row per participant; anything this large is the wrong file.
MAX_CSV_BYTES = 10 << 20


class SpreadsheetCsv(csv.excel):
    """What Excel, LibreOffice, Google Sheets and Numbers write: cells with the delimiter, a
    quote or a line break are quoted, and a quote inside is doubled (`"say ""hi"" there"`).
    """

    strict = True


def delimiter_of(text: str) -> str:
    """The delimiter, read from the header row: it holds only field ids, which cannot contain
    one, so whichever of ',', ';' and tab it holds is the delimiter (',' for one column).

    Guessing the whole dialect from the header alone (csv.Sniffer) also guesses that quotes
    are not doubled, which breaks every quoted cell with a quote inside.
    """
    header = text.lstrip("\ufeff").lstrip("\r\n").split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_demographics_csv(text: str, form: DemographicForm, source: str) -> tuple[list[CsvRow], list[str]]:
    """Check CSV text against `form`: (rows, every error as `SOURCE: row N, column C: reason`)."""
    errors: list[str] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), SpreadsheetCsv, delimiter=delimiter_of(text))
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as err:
        return [], [f"{source}: row {len(records) + 1} (line {reader.line_num}): cannot read this row as CSV "
                    f"({err}); check its quotes, or open the file in a spreadsheet and save it again as CSV UTF-8"]
    if not records or not any(cell.strip() for cell in records[0]):
        fields = ", ".join(f.id for f in form.fields)
        return [], [f"{source}: row 1: the file is empty; the first row must name the columns: participant, {fields}"]
    header = [cell.strip() for cell in records[0]]
    known = {f.id for f in form.fields}
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        where = f"{source}: row 1, column {name or index + 1}"
        if not name:
            errors.append(f"{where}: the column has no name; name it after a field id or delete it")
        elif name in header[:index]:
            errors.append(f"{where}: the column appears twice")
        elif name != PARTICIPANT_COLUMN and name not in known:
            errors.append(
                f"{where}: not a field of the demographic form; use one of: {PARTICIPANT_COLUMN}, "
                + ", ".join(f.id for f in form.fields)
            )
        else:
            columns[index] = name
    if PARTICIPANT_COLUMN not in header:
        errors.append(f"{source}: row 1: no '{PARTICIPANT_COLUMN}' column; add one with the participant codes (P01, ...)")
        return [], errors
    code_index = header.index(PARTICIPANT_COLUMN)
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of spreadsheet exports
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            errors.append(f"{source}: row {number}: has {len(cells)} cells but the header names {len(header)} columns")
        cells = cells + [""] * (len(header) - len(cells))
        try:
            code = normalize_code(cells[code_index])
        except ParticipantError as err:
            errors.append(f"{source}: row {number}, column {PARTICIPANT_COLUMN}: {err}")
            code = ""
        if code and code in seen:
            errors.append(f"{source}: row {number}, column {PARTICIPANT_COLUMN}: {code} is also on row {seen[code]}")
        elif code:
            seen[code] = number
        answers: dict[str, Any] = {}
        for index, name in columns.items():
            if name == PARTICIPANT_COLUMN:
                continue
            try:
                answers[name] = parse_value(form.field(name), cells[index])
            except DemographicValueError as err:
                errors.append(f"{source}: row {number}, column {name}: {err.reason}")
        if code:
            rows.append(CsvRow(number, code, answers))
    return rows, errors


def read_demographics_csv(path: str | Path, form: DemographicForm) -> tuple[list[CsvRow], list[str]]:
    """Read and check a CSV file (UTF-8, with or without BOM; ',' ';' or tab separated)."""
    path = Path(path)
    try:
        data = read_input_file(path, MAX_CSV_BYTES, "a CSV file")
    except InputFileError as err:
        return [], [f"{path}: {err.message}"]
    except OSError as err:
        return [], [f"{path}: cannot read the file: {err.strerror or err}"]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return [], [f"{path}: row {line}: the file is not UTF-8 text; save it as 'CSV UTF-8' and import again"]
    return parse_demographics_csv(text, form, str(path))
