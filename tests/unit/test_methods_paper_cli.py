"""The seed paper's study entered through the CLI; the methods section compared with the paper's, fact by fact.

Everything goes in as a researcher would enter it: participants and paper consent,
the demographic CSV, the recruitment log (declines never become participants),
sessions with dates, lengths, interviewers and places, and the saturation log.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from interview_tui.cli import main
from interview_tui.domain.loader import default_study

STUDY = default_study()
VERSION = STUDY.consent.version
REQUIRED = [f"--item={i.id}" for i in STUDY.consent.items if i.required]
DATA = Path(__file__).resolve().parents[1] / "data"
WORK, UIB = "Participant's workplace", "University of Bergen"

#: (code, started, minutes, interviewer, place): MP and KNH 5 each, October 2017 - February 2018, 45-75 min
SESSIONS = [
    ("P01", "2017-10-03T10:00", 45, "MP", WORK), ("P02", "2017-10-17T13:00", 52, "KNH", UIB),
    ("P03", "2017-11-02T09:00", 60, "MP", UIB), ("P04", "2017-11-20T14:00", 75, "KNH", WORK),
    ("P05", "2017-12-05T10:00", 58, "MP", WORK), ("P06", "2017-12-14T12:00", 49, "KNH", UIB),
    ("P07", "2018-01-09T10:00", 66, "MP", WORK), ("P08", "2018-01-23T11:00", 71, "KNH", WORK),
    ("P09", "2018-02-06T10:00", 55, "MP", UIB), ("P10", "2018-02-20T15:00", 63, "KNH", WORK),
]  # fmt: skip
#: new themes after each interview; planned reviews after 6 and 8; the last 2 add nothing
THEMES = [
    ["coercion as care", "trust"], ["honesty"], ["shared small goals"], ["power imbalance"], ["safety first"],
    ["negotiating methods"], ["time"], ["medication"], [], [],
]
#: the paper: acute departments, inpatient wards (short- and long-term) and outpatient clinics
SETTINGS = ["acute;inpatient", "inpatient;outpatient", "acute", "outpatient", "acute;inpatient;outpatient",
            "inpatient", "acute;outpatient", "inpatient", "outpatient", "acute;inpatient"]

# The paper's sentences (Sampling and recruitment, Data collection), each with the sentence the report must
# hold for it: the same fact in words a reviewer would accept.
PAPER_FACTS = [
    ("Sixteen eligible candidates were contacted; of these, six individuals refused to participate.",
     "Sixteen eligible candidates were contacted; of these, six individuals refused to participate."),
    ("The sample size was decided based on the stability of findings [36], reviewed after 6 and 8 participants.",
     "The sample size was decided based on the stability of findings, reviewed after 6 and 8 participants."),
    ("We stopped recruiting after 10 participants because we considered the last 2 interviews not to "
     "contribute substantially new information.",
     "The last 2 of the 10 interviews added no new themes."),
    ("A total of 10 individuals were recruited, including 8 women and 2 men aged 40–66 years (M = 51, SD = 8.81).",
     "A total of 10 individuals were recruited, including 8 women and 2 men aged 40–66 years (M = 51, SD = 8.81)."),
    ("Four were clinical psychologists, and 6 were psychiatrists.",
     "Four were clinical psychologists, and 6 were psychiatrists."),
    ("The years of experience in their respective fields ranged from 8 to 38 years (M = 21.6, SD = 10.28).",
     "The years of experience in their field ranged from 8 to 38 years (M = 21.6, SD = 10.28)."),
    ("... working with involuntary treatment in psychiatric hospitals for 1.5–12 years (M = 7.25, SD = 3.68).",
     "The years working with involuntary treatment ranged from 1.5 to 12 years (M = 7.25, SD = 3.68)."),
    ("their work experience included work in acute psychiatric departments, in psychiatric inpatient wards with "
     "short- and long-term hospitalisation and in outpatient clinics.",
     "Work settings included acute psychiatric departments (n = 5), psychiatric inpatient wards (short- or "
     "long-term) (n = 6) and outpatient clinics (n = 5)."),
    ("special education in cognitive behavioural therapy (n = 5), psychodynamic therapy (n = 2), psychosocial "
     "rehabilitation with psychosis (n = 2) and mentalisation-based therapy (n = 1).",
     "Special education beyond their clinical specialisation included cognitive behavioural therapy (n = 5), "
     "psychodynamic therapy (n = 2), psychosocial rehabilitation with psychosis (n = 2) and mentalisation-based "
     "therapy (n = 1)."),
    # The paper's "(i.e. both cognitive behavioural therapy and psychodynamic therapy)" cannot hold for three with
    # psychodynamic therapy at n = 2: the report names the combinations the answers hold.
    ("Three reported multiple special educations (i.e. both cognitive behavioural therapy and psychodynamic "
     "therapy) and four participants did not specify special education beyond their clinical specialisation.",
     "Three reported more than one (cognitive behavioural therapy and mentalisation-based therapy, n = 1; "
     "cognitive behavioural therapy and psychodynamic therapy, n = 1; cognitive behavioural therapy, psychodynamic "
     "therapy and psychosocial rehabilitation with psychosis, n = 1), and four reported none."),
    ("Participants were interviewed between October 2017 and February 2018.",
     "Participants were interviewed between October 2017 and February 2018."),
    ("The first and second authors (MP and KNH) performed 5 interviews each (of 45–75 min)",
     "MP and KNH performed 5 interviews each."),
    ("(of 45–75 min)", "Interviews lasted 45–75 min (M = 59.4, SD = 9.58)."),
    ("conducted at either the participant’s workplace or at the University of Bergen.",
     "The interviews were conducted at either the participant's workplace or at the University of Bergen."),
    ("Informed consent was obtained.", "Informed consent was obtained from all participants."),
]  # fmt: skip


@pytest.fixture
def cli(project):
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, ["--data-dir", str(project.root), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    return invoke


def _csv(tmp_path: Path) -> Path:
    """The 10-participant CSV of the records tests, with the work settings column the paper implies."""
    with (DATA / "demographics-10.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row, settings in zip(rows, SETTINGS):
        row["work_settings"] = settings
    out = tmp_path / "paper.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return out


def enter_the_paper(cli, tmp_path: Path, *, declines_as_participants: bool = False) -> None:
    for name in ("MP", "KNH"):
        cli("interviewers", "add", name)
    for code, started, minutes, who, place in SESSIONS:
        cli("participants", "add", "--code", code)
        cli("consent", "record", code, "--form-version", VERSION, *REQUIRED, "--interviewer", who)
    cli("demographics", "import", str(_csv(tmp_path)))
    if declines_as_participants:  # the old way: six participants created only to record their refusal
        for n in range(11, 17):
            cli("participants", "add", "--code", f"P{n}")
            cli("consent", "record", f"P{n}", "--form-version", VERSION, "--declined")
    else:
        cli("recruitment", "add", "--declined", "--count", "4", "--reason", "no time", "--on", "2017-09-20")
        cli("recruitment", "add", "--declined", "--count", "2")
    for code, started, minutes, who, place in SESSIONS:
        cli("sessions", "add", code, "--started", started, "--minutes", str(minutes), "--interviewer", who,
            "--place", place)
    for (code, *_), themes, n in zip(SESSIONS, THEMES, range(1, 11)):
        args = [f"--theme={t}" for t in themes] or ["--none"]
        cli("saturation", "record", code, *args, *(["--review-point"] if n in (6, 8) else []))


def test_the_methods_section_states_every_fact_the_paper_states(cli, tmp_path) -> None:
    enter_the_paper(cli, tmp_path)
    text = cli("report", "methods").output
    paragraph = text.split("\n")[0]
    missing = [paper for paper, ours in PAPER_FACTS if ours not in paragraph]
    assert not missing, "facts of the paper not in the report:\n" + "\n".join(missing) + "\n\n" + paragraph
    # In the paper's order: recruitment, saturation, sample, data collection.
    order = [paragraph.index(ours) for _, ours in PAPER_FACTS]
    assert order == sorted(order)
    assert "No interviews" not in text and "not reported" not in paragraph
    # The table: recruitment from the log, reasons, places, new themes per interview.
    for row in ("Contacted", "16"), ("Declined", "6"), ("Included", "10"), ("no time", "4"), (UIB, "4"), (WORK, "6"):
        assert any(line.split() and line.strip().startswith(row[0]) and line.rstrip().endswith(row[1])
                   for line in text.splitlines()), row
    assert "Interview 6 (review point)" in text and "1 (7): negotiating methods" in text
    assert "Interview 10" in text and "0 (9): none" in text
    # The participants are the ten interviewed; the six who declined were never made participants.
    assert len(cli("participants", "list").output.splitlines()) == 2 + 10


def test_declines_recorded_the_old_way_still_count(cli, tmp_path) -> None:
    enter_the_paper(cli, tmp_path, declines_as_participants=True)
    paragraph = cli("report", "methods").output.split("\n")[0]
    assert paragraph.startswith("Sixteen eligible candidates were contacted; of these, six individuals refused")
    # Logging the contacts in full as well does not count anybody twice.
    cli("recruitment", "add", "--accepted", "--count", "10")
    assert "contacted: 16, declined: 6, included: 10" in cli("recruitment", "list").output


def test_recruitment_and_saturation_refusals_are_clear(cli) -> None:
    result = cli("recruitment", "add", "--reason", "busy", ok=False)
    assert result.exit_code == 1 and "a reason is recorded only for a decline" in result.output
    result = cli("recruitment", "add", "--declined", "--on", "20.09.2017", ok=False)
    assert "'20.09.2017' is not a date written as YYYY-MM-DD" in result.output
    result = cli("saturation", "record", "P01", "--none", ok=False)
    assert "P01" in result.output and "Traceback" not in result.output
    cli("participants", "add")
    result = cli("saturation", "record", "P01", ok=False)
    assert "--theme" in result.output and "--none" in result.output
    result = cli("sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "45", "--interviewer", "MP",
                 ok=False)
    assert "no consent given on file" in result.output
    cli("consent", "record", "P01", "--form-version", VERSION, *REQUIRED)
    result = cli("sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "45", "--interviewer", "MP",
                 ok=False)
    assert "no interviewer called 'MP'" in result.output
    cli("interviewers", "add", "MP")
    result = cli("sessions", "add", "P01", "--started", "2017-10-03", "--minutes", "45", "--interviewer", "MP",
                 "--place", "Café", ok=False)
    assert "'Café' is not one of the study's places" in result.output
    result = cli("sessions", "add", "P01", "--started", "3 Oct", "--minutes", "45", "--interviewer", "MP", ok=False)
    assert "is not a date or time written as YYYY-MM-DD" in result.output


# -- small and partial samples, through the CLI ------------------------------------------------------------

HEADER = "participant,gender,age,profession,years_experience,years_involuntary,work_settings,special_education\n"


def _small(cli, tmp_path: Path, rows: list[str], minutes: list[float]) -> str:
    cli("interviewers", "add", "MP")
    data = tmp_path / "small.csv"
    data.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    for n, _ in enumerate(rows, 1):
        cli("participants", "add")
        cli("consent", "record", f"P{n:02d}", "--form-version", VERSION, *REQUIRED)
    cli("demographics", "import", str(data))
    for n, m in enumerate(minutes, 1):
        cli("sessions", "add", f"P{n:02d}", "--started", f"2017-10-0{n}", "--minutes", str(m), "--interviewer", "MP",
            "--place", UIB)
    return cli("report", "methods").output


@pytest.mark.parametrize(
    ("rows", "minutes", "present", "absent"),
    [
        # n = 1, gender withheld, a 12-second test interview
        (["P01,prefer not to say,52,psychiatrist,8,2,acute,none"], [0.2],
         ["One individual was recruited, aged 52 years. The participant preferred not to state their gender.",
          "The participant was a psychiatrist.", "The years of experience in their field was 8 years.",
          "Special education beyond their clinical specialisation: none (n = 1).",
          "The participant was interviewed in October 2017.", "The interview lasted 0.2 min.",
          "The interview was conducted at the University of Bergen.", "Gender                ", "n = 0 of 1"],
         ["52–52", "0.2–0.2", "for all", "No interviews", "(1 not reported)"]),
        # n = 2 with the same values and an unanswered profession
        (["P01,woman,52,psychiatrist,8,2,acute,cbt", "P02,woman,52,,8,2,acute,cbt"], [45, 45],
         ["A total of 2 individuals were recruited, including 2 women aged 52 years.",
          "One was a psychiatrist. One participant did not report their profession.",
          "The years of experience in their field was 8 years for both.", "Each interview lasted 45 min.",
          "All interviews were conducted at the University of Bergen.", "Psychiatrist", "1 (100%)"],
         ["52–52", "45–45", "for all 2", "1 psychiatrist (1 not reported)", "M = 52"]),
        # partial answers: percentages over those who answered special education
        (["P01,woman,40,psychiatrist,8,2,acute,cbt", "P02,man,50,psychiatrist,10,3,acute,none",
          "P03,woman,60,psychiatrist,12,4,acute,"], [45, 50, 55],
         ["n = 2 of 3", "Cognitive behavioural therapy", "1 (50%)", "Not reported", "One reported none. One participant "
          "did not report their special education beyond their clinical specialisation."],
         ["None of these"]),
    ],
)  # fmt: skip
def test_small_samples_read_as_a_careful_author_writes(cli, tmp_path, rows, minutes, present, absent) -> None:
    text = _small(cli, tmp_path, rows, minutes)
    for phrase in present:
        assert phrase in text, f"{phrase!r} not in:\n{text}"
    for phrase in absent:
        assert phrase not in text, f"{phrase!r} in:\n{text}"
    # Who did not answer is counted, never given a percentage of the answers ("Prefer not to say 1 (100%)").
    assert not [line for line in text.splitlines() if ("not to say" in line or "Not reported" in line) and "%" in line]


def test_a_withdrawal_takes_the_saturation_entry_with_it(cli, tmp_path, project) -> None:
    from interview_tui.storage import open_db

    enter_the_paper(cli, tmp_path)
    cli("withdraw", "P10", "--yes")
    paragraph = cli("report", "methods").output.split("\n")[0]
    assert "Sixteen eligible candidates were contacted; of these, six individuals refused to participate and one " \
           "withdrew after taking part." in paragraph
    assert "The last of the 9 interviews added no new themes." in paragraph
    db = open_db(project.db_path)
    try:
        assert db["saturation_log"].count == 9
    finally:
        db.close()
