"""CLI for records, through click's CliRunner on a real project folder and the shipped default study."""

from __future__ import annotations

import csv
import shutil

import click
import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.domain.loader import default_study
from interview_tui.storage import open_db

VERSION = default_study().consent.version
REQUIRED = [i.id for i in default_study().consent.items if i.required]


@pytest.fixture
def cli(project):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["--data-dir", str(project.root), *args], catch_exceptions=False)

    return invoke


def _db(project):
    return open_db(project.db_path)


def test_every_records_command_has_help() -> None:
    for name in ("participants", "interviewers", "consent", "demographics"):
        group = main.commands[name]
        assert group.help
        assert isinstance(group, click.Group)
        for command in group.commands.values():
            assert command.help, f"{name} {command.name} has no help text"


def test_participants_add_and_list(cli) -> None:
    assert cli("participants", "list").output == "No participants yet; add one with: interview-tui participants add\n"
    assert cli("participants", "add").output == "Added P01 to study involuntary-treatment-alliance.\n"
    assert cli("participants", "add", "--code", "p7").output.startswith("Added P07")
    result = cli("participants", "add", "--code", "P07")
    assert result.exit_code == 1
    assert "Error: P07 already exists" in result.output and "(P08)" in result.output
    result = cli("participants", "add", "--code", "7")
    assert result.exit_code == 1 and "'7' is not a participant code" in result.output
    lines = cli("participants", "list").output.splitlines()
    assert lines[0].split() == ["Code", "Consent", "Demographics", "Interviewed", "Recorded", "Transcribed"]
    assert [line.split() for line in lines[2:]] == [["P01", "none", "-", "-", "-", "-"], ["P07", "none", "-", "-", "-", "-"]]


def test_interviewers(cli) -> None:
    assert cli("interviewers", "add", "MP", "--role", "master student").output == "Added: MP\n"
    assert cli("interviewers", "add", "MP").output == "Already registered: MP\n"
    assert "MP    master student" in cli("interviewers", "list").output


def test_paper_consent(cli, project) -> None:
    cli("participants", "add", "--code", "P01")
    cli("interviewers", "add", "KNH")
    items = [arg for item in REQUIRED for arg in ("--item", item)]
    result = cli("consent", "record", "P01", "--form-version", VERSION, *items, "--interviewer", "KNH")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Recorded paper consent for P01 (form {VERSION}): given;")
    db = _db(project)
    from interview_tui.storage.consent import consent_on_file, has_consent_item

    record = consent_on_file(db, "P01", VERSION)
    assert (record.method, record.interviewer, record.items_given) == ("paper", "KNH", REQUIRED)
    assert "anonymised_quotations" in record.items_declined  # not listed = declined
    assert has_consent_item(db, "P01", "audio_recording")
    assert cli("consent", "show", "P01").output.startswith("Consent records of P01, oldest first:")
    assert cli("participants", "list").output.splitlines()[2].split()[1] == "given"


@pytest.mark.parametrize(
    "args, message",
    [
        (["P01", "--form-version", "0.9"], f"uses consent form version {VERSION}, not 0.9; check the version printed"),
        (["P01", "--form-version", VERSION, "--item", "voluntary_participation"],
         "required item(s) audio_recording, data_processing not given"),
        (["P01", "--form-version", VERSION, "--item", "tattoo"], "unknown consent item(s) tattoo"),
        (["P02", "--form-version", VERSION, "--declined"], "no participant P02; add them first (interview-tui participants add --code P02)"),
        (["P01", "--form-version", VERSION, "--declined", "--item", "audio_recording"], "--declined records a refusal"),
        (["P01", "--form-version", VERSION, "--declined", "--interviewer", "Nobody"], "no interviewer called 'Nobody'"),
    ],
)
def test_paper_consent_refusals(cli, project, args, message) -> None:
    cli("participants", "add", "--code", "P01")
    result = cli("consent", "record", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert _db(project)["consent_records"].count == 0


def test_consent_counts(cli) -> None:
    for n in range(1, 4):
        cli("participants", "add")
    items = [arg for item in REQUIRED for arg in ("--item", item)]
    cli("consent", "record", "P01", "--form-version", VERSION, *items)
    cli("consent", "record", "P02", "--form-version", VERSION, *items)
    cli("consent", "record", "P03", "--form-version", VERSION, "--declined")
    output = cli("consent", "counts").output
    assert "contacted: 3, declined: 1, included: 2, withdrawn: 0" in output
    assert "Three eligible candidates were contacted; of these, one refused to participate." in output


def test_import_valid_csv_and_summarize(cli, project, demographics_csv, tmp_path) -> None:
    result = cli("demographics", "import", str(demographics_csv))
    assert result.exit_code == 1
    assert "unknown participant(s) P01, P02" in result.output and "--add-missing" in result.output
    assert _db(project)["demographic_values"].count == 0

    result = cli("demographics", "import", str(demographics_csv), "--add-missing")
    assert result.exit_code == 0, result.output
    assert result.output == "Imported demographics of 10 participant(s) (60 values; added 10 new participant(s)).\n"
    assert [line.split()[2] for line in cli("participants", "list").output.splitlines()[2:]] == ["yes"] * 10

    text = cli("demographics", "summary").output
    assert text.startswith(
        "A total of 10 individuals were recruited, including 8 women and 2 men aged 40–66 years (M = 51, SD = 8.81). "
        "Four were clinical psychologists, and 6 were psychiatrists."
    )
    assert "ranged from 8 to 38 years (M = 21.6, SD = 10.28)" in text
    assert "ranged from 1.5 to 12 years (M = 7.25, SD = 3.68)" in text
    assert "therapy (n = 1). Three reported more than one (cognitive behavioural therapy and " in text
    assert "with psychosis, n = 1), and four reported none." in text
    markdown = cli("demographics", "summary", "--format", "markdown").output
    assert "| **Age (years)** | M = 51, SD = 8.81, range 40–66, n = 10 |" in markdown
    out = tmp_path / "sample.csv"
    assert cli("demographics", "summary", "--format", "csv", "--out", str(out)).output == f"Wrote {out}\n"
    rows = {(r["field_id"], r["statistic"], r["category"]): r["value"] for r in csv.DictReader(out.open())}
    assert rows[("gender", "count", "woman")] == "8" and rows[("profession", "count", "psychiatrist")] == "6"


def test_invalid_csv_is_refused_whole(cli, project, demographics_csv, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    lines = demographics_csv.read_text().splitlines()
    lines[0] += ",shoe_size"
    lines[1] += ",44"
    lines[3] = lines[3].replace(",40,", ",130,")  # P03's age
    lines[5] = lines[5].replace('"7,5"', "seven")  # P05's years_involuntary
    bad.write_text("\n".join(lines) + "\n")
    result = cli("demographics", "import", str(bad), "--add-missing")
    assert result.exit_code == 1
    assert f"3 problem(s) in {bad}; nothing was imported:" in result.output
    assert f"{bad}: row 1, column shoe_size: not a field of the demographic form" in result.output
    assert f"{bad}: row 4, column age: 130 is above the maximum 100 years" in result.output
    assert f"{bad}: row 6, column years_involuntary: 'seven' is not a number" in result.output
    db = _db(project)
    assert db["demographic_values"].count == 0 and db["participants"].count == 0


def test_import_keeps_answers_an_empty_cell_would_erase(cli, project, demographics_csv, tmp_path) -> None:
    cli("demographics", "import", str(demographics_csv), "--add-missing")
    partial = tmp_path / "partial.csv"
    partial.write_text("participant,age,gender\nP01,47,\n")
    assert cli("demographics", "import", str(partial)).exit_code == 0
    from interview_tui.storage.demographics import get_demographics

    answers = get_demographics(_db(project), "P01")
    assert (answers["age"], answers["gender"]) == (47, "woman")


def test_summary_without_answers(cli) -> None:
    result = cli("demographics", "summary")
    assert result.exit_code == 1 and "import them with: interview-tui demographics import FILE.csv" in result.output


def test_broken_study_file_is_reported(cli, tmp_path) -> None:
    broken = tmp_path / "study.yaml"
    shutil.copy(default_study().source, broken)
    broken.write_text(broken.read_text().replace("consent:", "consent:\n\tversion: x", 1))
    result = cli("participants", "add", "--study", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:" in result.output and "Traceback" not in result.output


def test_import_is_audited_without_values(cli, project, demographics_csv) -> None:
    cli("demographics", "import", str(demographics_csv), "--add-missing")
    from interview_tui.storage.audit import entries

    logged = entries(_db(project), action="demographics.import")
    assert [e.participant_code for e in logged] == [f"P{n:02d}" for n in range(1, 11)]
    assert logged[0].details == {
        "fields": ["age", "gender", "profession", "special_education", "years_experience", "years_involuntary"],
        "method": "csv",
    }
    assert all(set(e.details) == {"fields", "method"} for e in logged)  # no values, no file name


def test_import_lists_unknown_participants_with_the_cell_errors_in_one_pass(cli, project, tmp_path) -> None:
    # The defect: unknown participants were named only after every cell error was fixed (two passes).
    cli("participants", "add")  # P01 is known; P02 and P03 are not
    sheet = tmp_path / "answers.csv"
    sheet.write_text("participant,age\nP01,8,5\nP02,150\nP03,44\n", encoding="utf-8")
    result = cli("demographics", "import", str(sheet))
    assert result.exit_code == 1
    out = result.output
    assert "nothing was imported" in out
    assert f"{sheet}: row 3, column age:" in out  # the cell error ...
    assert f"{sheet}: rows 3, 4, column participant: unknown participant(s) P02, P03" in out  # ... and the codes
    assert "--add-missing" in out and "Traceback" not in out
    assert _db(project)["demographic_values"].count == 0
