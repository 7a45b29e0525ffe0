"""Participants' attributes as the tables MAXQDA and NVivo import (besides the `.qdpx` cases).

- MAXQDA, *Import document variables*: a table whose first two columns are
  `Document group` and `Document name` (they identify a document already in
  the project), then one column per variable.  One row per transcript, named
  like the files `export maxqda` writes (`P01`, `P01-2`, ...).
- NVivo, *Import Classification Sheet*: a table whose first column names the
  case, then one column per attribute.  One row per participant.

Both are tab-separated UTF-8 text with a byte-order mark, which both tools
import (as they do Excel); values are the ones the `.qdpx` carries.  A text
value starting with `=`, `+`, `-` or `@` is prefixed with `'` so a
spreadsheet shows it instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from interview_tui.export.model import ExportProject
from interview_tui.export.qda_text import ENCODING, transcript_stem
from interview_tui.export.qdpx import variables_with_values

MAXQDA_FILE = "maxqda-document-variables.txt"
NVIVO_FILE = "nvivo-classification-sheet.txt"
_FORMULA = ("=", "+", "-", "@")


def cell(value: object) -> str:
    """A table cell: numbers as numbers, booleans as Yes/No, dates ISO, lists joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = "; ".join(value) if isinstance(value, tuple) else str(value)
    text = " ".join(text.split())
    return "'" + text if text.startswith(_FORMULA) else text


def _table(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, dialect="excel-tab", lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def maxqda_variables(project: ExportProject) -> str:
    """The MAXQDA document-variables table: one row per transcript document."""
    table = variables_with_values(project)
    rows = [["Document group", "Document name", *(v.name for v, _ in table)]]
    for i, p in enumerate(project.participants):
        for t in p.transcripts:
            rows.append([project.study_title, transcript_stem(p, t), *(cell(values[i]) for _, values in table)])
    return _table(rows)


def nvivo_classification(project: ExportProject) -> str:
    """The NVivo classification sheet: one row per participant (case)."""
    table = variables_with_values(project)
    rows = [["Case", *(v.name for v, _ in table)]]
    for i, p in enumerate(project.participants):
        rows.append([p.code, *(cell(values[i]) for _, values in table)])
    return _table(rows)


def write_attributes(project: ExportProject, out_dir: Path) -> list[Path]:
    """Both tables into `out_dir`; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in ((MAXQDA_FILE, maxqda_variables(project)), (NVIVO_FILE, nvivo_classification(project))):
        path = out_dir / name
        tmp = path.with_name(path.name + ".partial")
        tmp.write_bytes(text.encode(ENCODING))
        tmp.replace(path)
        paths.append(path)
    return paths
