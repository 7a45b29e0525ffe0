"""Hostile input to the recruitment log, the saturation log and `sessions add`: a clear message or a correct record."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.domain.loader import default_study
from interview_tui.storage import open_db

STUDY = default_study()
REQUIRED = [f"--item={i.id}" for i in STUDY.consent.items if i.required]


@pytest.fixture
def cli(project):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--data-dir", str(project.root), *args], catch_exceptions=False)

    invoke("participants", "add")
    invoke("consent", "record", "P01", "--form-version", STUDY.consent.version, *REQUIRED)
    invoke("interviewers", "add", "MP")
    return invoke


CASES = [
    # (args, exit code, what the output must say)
    (["recruitment", "add", "--count", "0"], 2, "0 is not in the range"),
    (["recruitment", "add", "--count", "1001"], 2, "1001 is not in the range"),
    (["recruitment", "add", "--count", "-3"], 2, "is not in the range"),
    (["recruitment", "add", "--accepted", "--reason", "busy"], 1, "a reason is recorded only for a decline"),
    (["recruitment", "add", "--declined", "--on", "2017-02-30"], 1, "is not a date written as YYYY-MM-DD"),
    (["recruitment", "add", "--declined", "--on", "'; DROP TABLE participants; --"], 1, "is not a date"),
    (["recruitment", "add", "--declined", "--reason", "no\ntime\t\x00 "], 0, "Logged 1 declined"),
    (["recruitment", "add", "--declined", "--reason", "ø" * 5000], 0, "Logged 1 declined"),
    (["recruitment", "answer", "999", "--declined"], 1, "no recruitment log entry 999"),
    (["recruitment", "answer", "1"], 1, "--declined or --accepted"),
    (["saturation", "record", "P99", "--none"], 1, "P99"),
    (["saturation", "record", "P01", "--none", "--theme", "trust"], 1, "either which new themes"),
    (["saturation", "record", "P01", "--theme", "   "], 1, "either which new themes"),
    (["saturation", "record", "P01", "--theme", "trust", "--theme", " trust "], 0, "Recorded for P01: 1 new theme."),
    (["saturation", "record", "p01", "--theme", "«tillit» 信頼"], 0, "Recorded for P01"),
    (["sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "0", "--interviewer", "MP"], 2, "0<x<=1440"),
    (["sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "nan", "--interviewer", "MP"], 2, "minutes"),
    (["sessions", "add", "P01", "--started", "2017-13-03", "--minutes", "45", "--interviewer", "MP"], 2,
     "is not a date or time"),
    (["sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "45", "--interviewer", "mp "], 1,
     "no interviewer called"),
    (["sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "45", "--interviewer", "MP",
      "--place", "  University   of Bergen "], 0, "University of Bergen."),
    (["sessions", "add", "P02", "--started", "2017-10-03", "--minutes", "45", "--interviewer", "MP"], 1, "P02"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "says"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_hostile_records_input(cli, project, args, code, says) -> None:
    if args[:2] == ["recruitment", "answer"] and args[2] == "1":
        cli("recruitment", "add")
    result = cli(*args)
    assert result.exit_code == code, result.output
    assert says in result.output
    assert "Traceback" not in result.output
    db = open_db(project.db_path)
    try:
        assert db["participants"].count == 1  # nothing half-written elsewhere
        themes = [r["new_themes"] for r in db["saturation_log"].rows]
        assert all("   " not in t for t in themes)  # blank themes dropped, not stored
    finally:
        db.close()
