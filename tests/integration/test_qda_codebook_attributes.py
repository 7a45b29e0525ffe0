"""The codebook (.qdc) imports on its own into QualCoder (its own `refi.py`, codebook path), and is the
project schema's CodeBook; the attribute tables read back with the csv module as MAXQDA and NVivo lay
them out."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from interview_tui.cli import main
from interview_tui.export.attributes import MAXQDA_FILE, NVIVO_FILE
from tests.fixtures.export import SeededStudy

QUALCODER = Path(os.environ.get("QUALCODER_IMPORTER", Path(__file__).resolve().parents[3] / "shared" / "qda-readers"
                                / "qualcoder" / "run_import.py")).parent
XSD = Path(__file__).resolve().parents[1] / "data" / "refi-qda" / "Project-mrt2019.xsd"

# QualCoder's codebook import, headless: the same stand-ins run_import.py uses, import type "qdc".
IMPORT_QDC = r"""
import builtins, json, os, sqlite3, sys
sys.path.insert(0, sys.argv[1])
builtins._ = lambda s: s
import run_import
conn = sqlite3.connect(":memory:")
for s in run_import.SCHEMA:
    conn.execute(s)
class App: pass
app = App(); app.conn = conn; app.project_path = "."; app.ai_models = None
app.settings = {"directory": ".", "codername": "default", "ai_enable": "False"}
app.write_config_ini = lambda *a: None
class Log:
    def append(self, s): pass
os.environ["QDPX"] = sys.argv[2]
from qualcoder.refi import RefiImport
RefiImport(app, Log(), "qdc")
print(json.dumps({t: [list(r) for r in conn.execute(f"select * from {t}")] for t in ("code_name", "code_cat")}))
"""


def _invoke(root: Path, *args: str) -> None:
    result = CliRunner().invoke(main, ["--data-dir", str(root), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(not (QUALCODER / "run_import.py").is_file() and not os.environ.get("CI"),
                    reason="QualCoder's importer is not in ../shared (CI always has it)")
def test_codebook_is_refi_and_imports_into_qualcoder(export_seeded: SeededStudy, tmp_path: Path) -> None:
    root = export_seeded.project.root
    out = tmp_path / "guide.qdc"
    _invoke(root, "export", "codebook", str(out))
    doc = etree.parse(str(out)).getroot()
    assert doc.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    # The codebook schema's Codes are the project schema's (its CodeBook adds `origin`, as QualCoder
    # writes it): validate the codes inside a project.
    assert doc.get("origin", "").startswith("interview-tui")
    project = etree.fromstring(b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
    book = etree.fromstring(etree.tostring(doc).replace(b"urn:QDA-XML:codebook:1.0", b"urn:QDA-XML:project:1.0"))
    del book.attrib["origin"]
    project.append(book)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(project)

    study = export_seeded.study
    names = [c.get("name") for c in doc.iter("{urn:QDA-XML:codebook:1.0}Code")]
    n_prompts = sum(1 for q in study.guide.questions() for _ in q.walk_prompts())
    assert len(names) >= len(list(study.guide.questions())) + n_prompts
    assert all(0 < len(n) <= 63 for n in names)

    proc = subprocess.run([sys.executable, "-c", IMPORT_QDC, str(QUALCODER), str(out)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    tables = json.loads(proc.stdout.strip().splitlines()[-1])
    imported = {row[1]: row[2] for row in tables["code_name"]}
    assert len(imported) == len(names)  # nothing merged or dropped
    full = {q.text for q in study.guide.questions()}
    assert sum(any(q in memo for q in full) for memo in imported.values()) == len(full)


def test_attribute_tables_read_back(export_seeded: SeededStudy, tmp_path: Path) -> None:
    root = export_seeded.project.root
    _invoke(root, "export", "attributes", str(tmp_path / "attrs"))
    with (tmp_path / "attrs" / NVIVO_FILE).open(encoding="utf-8-sig", newline="") as fh:
        nvivo = list(csv.DictReader(fh, dialect="excel-tab"))
    assert [r["Case"] for r in nvivo] == [f"P{n:02d}" for n in range(1, 11)]
    assert {r["Interviewer"] for r in nvivo} == {"MP", "KNH"}
    age = next(k for k in nvivo[0] if k.lower().startswith("age"))
    assert all(r[age].isdigit() for r in nvivo if r[age])
    with (tmp_path / "attrs" / MAXQDA_FILE).open(encoding="utf-8-sig", newline="") as fh:
        maxqda = list(csv.reader(fh, dialect="excel-tab"))
    assert maxqda[0][:2] == ["Document group", "Document name"]
    assert "P17" not in (tmp_path / "attrs" / NVIVO_FILE).read_text("utf-8-sig")


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("@me", "'@me"), ("-x", "'-x"),
    (-3, "-3"), (2.5, "2.5"), (True, "Yes"), (("a", "b"), "a; b"), (None, ""), ("two\tcells\nhere", "two cells here"),
])
def test_attribute_cells_are_safe_in_a_spreadsheet(value, expected) -> None:
    from interview_tui.export.attributes import cell

    assert cell(value) == expected
