"""Demographic values: parsing every field type, summary statistics, the methods paragraph."""

from __future__ import annotations

import csv
import statistics

import pytest

from interview_tui.domain.demographics import (
    MISSING,
    PREFER_NOT,
    DemographicValueError,
    parse_value,
    summarize,
    validate_value,
)
from interview_tui.domain.demographics_csv import parse_demographics_csv, read_demographics_csv
from interview_tui.domain.demographics_report import fmt_mean, fmt_sd, methods_paragraph, render
from interview_tui.domain.study import Choice, DemographicField, DemographicForm
from tests.fixtures.records import seed_demographic_form

FORM = seed_demographic_form()
F = FORM.field

PAPER_PARAGRAPH = (
    "A total of 10 individuals were recruited, including 8 women and 2 men aged 40–66 years "
    "(M = 51, SD = 8.81). Four were clinical psychologists, and 6 were psychiatrists. "
    "The years of experience in their field ranged from 8 to 38 years (M = 21.6, SD = 10.28). "
    "The years working with involuntary treatment ranged from 1.5 to 12 years (M = 7.25, SD = 3.68). "
    "Special education included cognitive behavioural therapy (n = 5), psychodynamic therapy (n = 2), "
    "psychosocial rehabilitation with psychosis (n = 2) and mentalisation-based therapy (n = 1). "
    # The paper's own "(i.e. both cognitive behavioural therapy and psychodynamic therapy)" cannot hold with
    # psychodynamic therapy at n = 2; the report names the combinations the answers actually hold.
    "Three reported more than one (cognitive behavioural therapy and mentalisation-based therapy, n = 1; "
    "cognitive behavioural therapy and psychodynamic therapy, n = 1; cognitive behavioural therapy, "
    "psychodynamic therapy and psychosocial rehabilitation with psychosis, n = 1), and four reported none."
)


@pytest.mark.parametrize(
    "field_id, raw, expected",
    [
        ("age", "42", 42),
        ("age", " 42 ", 42),
        ("age", "42 years", 42),
        ("age", "18", 18),
        ("age", "100", 100),
        ("years_experience", "7.5", 7.5),
        ("years_experience", "7,5", 7.5),
        ("years_experience", "12", 12.0),
        ("years_experience", ",5", 0.5),
        ("gender", "woman", "woman"),
        ("gender", "Woman", "woman"),
        ("gender", "  MAN ", "man"),
        ("profession", "clinical psychologist", "clinical_psychologist"),
        ("special_education", "cbt", ["cbt"]),
        ("special_education", "psychodynamic;cbt", ["cbt", "psychodynamic"]),
        ("special_education", "Cognitive behavioural therapy | mbt", ["cbt", "mbt"]),
        ("special_education", "cbt; cbt;", ["cbt"]),
        ("special_education", "none", []),
        ("special_education", "NONE", []),
        ("workplace", "  Haukeland  ", "Haukeland"),
        ("interview_date", "2017-10-03", "2017-10-03"),
        ("age", "", MISSING),
        ("age", "   ", MISSING),
        ("gender", "prefer not to say", PREFER_NOT),
        ("gender", "Prefer not to say", PREFER_NOT),
        ("gender", "-", PREFER_NOT),
    ],
)
def test_parse_value(field_id: str, raw: str, expected) -> None:
    assert parse_value(F(field_id), raw) == expected


@pytest.mark.parametrize(
    "field_id, raw, message",
    [
        ("age", "130", "age: 130 is above the maximum 100 years"),
        ("age", "17", "age: 17 is below the minimum 18 years"),
        ("age", "42.5", "age: '42.5' is not a whole number"),
        ("age", "forty", "age: 'forty' is not a whole number"),
        ("age", "-", "age: 'prefer not to say' is not offered for this field; leave it empty if unknown"),
        (
            "years_experience",
            "61",
            "Years of experience in their field (years_experience): 61 is above the maximum 60 years",
        ),
        (
            "years_experience",
            "1.234,5",
            "Years of experience in their field (years_experience): '1.234,5' is not a number (write e.g. 7.5 or 7,5)",
        ),
        (
            "years_involuntary",
            "-1",
            "Years working with involuntary treatment (years_involuntary): -1 is below the minimum 0 years",
        ),
        ("gender", "female", "gender: 'female' is not one of the choices: woman (Woman), man (Man), other (Other)"),
        ("special_education", "cbt;yoga", "Special education (special_education): 'yoga' is not among the choices"),
        ("special_education", "art|yoga", "'art', 'yoga' are not among the choices"),
        ("interview_date", "03.10.2017", "Interview date (interview_date): '03.10.2017' is not a date written as YYYY-MM-DD"),
        ("interview_date", "20171003", "is not a date written as YYYY-MM-DD"),
        ("interview_date", "2017-02-30", "'2017-02-30' is not a valid calendar date"),
    ],
)
def test_parse_value_errors_name_field_and_reason(field_id: str, raw: str, message: str) -> None:
    with pytest.raises(DemographicValueError) as info:
        parse_value(F(field_id), raw)
    assert message in str(info.value)
    assert info.value.field_id == field_id


def test_validate_value_accepts_typed_values() -> None:
    assert validate_value(F("years_involuntary"), 7.5) == 7.5
    assert validate_value(F("special_education"), ["mbt", "cbt"]) == ["cbt", "mbt"]
    assert validate_value(F("special_education"), []) == []
    with pytest.raises(DemographicValueError, match="above the maximum"):
        validate_value(F("age"), 101)


@pytest.mark.parametrize(
    "x, mean, sd",
    [(51.0, "51", "51.00"), (21.6, "21.6", "21.60"), (7.25, "7.25", "7.25"), (8.806563, "8.81", "8.81"),
     (10.276186, "10.28", "10.28"), (0.004, "0", "0.00"), (3.1, "3.1", "3.10")],
)
def test_number_formatting_like_the_paper(x: float, mean: str, sd: str) -> None:
    assert fmt_mean(x) == mean
    assert fmt_sd(x) == sd


def _paper_rows():
    rows, errors = read_demographics_csv(
        __import__("tests.fixtures.records", fromlist=["DATA"]).DATA / "demographics-10.csv", FORM
    )
    assert errors == []
    return rows


def test_summary_matches_hand_computed_values() -> None:
    summary = summarize(FORM, [r.answers for r in _paper_rows()])
    assert summary.n == 10
    age = summary.field("age").numeric
    # ages 40 41 45 46 48 51 52 60 61 66: sum 510, squared deviations from 51 sum to 698
    assert (age.n, age.min, age.max, age.mean) == (10, 40, 66, 51)
    assert age.sd == pytest.approx((698 / 9) ** 0.5)
    exp = summary.field("years_experience").numeric
    # 8 8 15 18 19 22 25 27 36 38: sum 216; sum of squares 5616 -> SS = 5616 - 216**2/10 = 950.4
    assert (exp.min, exp.max, exp.mean) == (8, 38, pytest.approx(21.6))
    assert exp.sd == pytest.approx((950.4 / 9) ** 0.5)
    inv = summary.field("years_involuntary").numeric
    # 1.5 3 3 7 7.5 8.5 9 9 12 12: sum 72.5; sum of squares 647.75 -> SS = 647.75 - 525.625 = 122.125
    assert (inv.min, inv.max, inv.mean) == (1.5, 12, 7.25)
    assert inv.sd == pytest.approx((122.125 / 9) ** 0.5)
    assert summary.field("gender").counts == {"woman": 8, "man": 2, "other": 0}
    assert summary.field("profession").counts == {"clinical_psychologist": 4, "psychiatrist": 6}
    special = summary.field("special_education")
    assert special.counts == {"cbt": 5, "psychodynamic": 2, "psychosis_rehabilitation": 2, "mbt": 1}
    assert (special.several, special.none, special.answered) == (3, 4, 10)
    assert summary.field("workplace").missing == 10


def test_sd_is_the_sample_sd() -> None:
    summary = summarize(FORM, [{"age": 40}, {"age": 50}])
    assert summary.field("age").numeric.sd == pytest.approx(statistics.stdev([40, 50]))
    assert summary.field("age").numeric.sd == pytest.approx(7.0710678)  # n - 1, not n (which gives 5)
    single = summarize(FORM, [{"age": 40}]).field("age").numeric
    assert single.sd is None


def test_methods_paragraph_reproduces_the_seed_paper() -> None:
    summary = summarize(FORM, [r.answers for r in _paper_rows()])
    assert methods_paragraph(summary) == PAPER_PARAGRAPH


def test_paragraph_is_built_from_the_form_not_hard_coded() -> None:
    form = DemographicForm(
        fields=(
            DemographicField(
                "role", "single_choice", "Role",
                choices=(Choice("nurse", "Nurse", "nurses"), Choice("peer", "Peer worker", "peer workers")),
            ),
            DemographicField("shifts", "integer", "Number of night shifts a month", min=0),
            DemographicField("sector", "single_choice", "Sector", choices=(Choice("public", "Public"), Choice("private", "Private"))),
        )
    )
    records = [{"role": "nurse", "shifts": 4, "sector": "public"}, {"role": "nurse", "shifts": 6, "sector": "public"},
               {"role": "peer", "shifts": 8, "sector": "private"}]
    assert methods_paragraph(summarize(form, records)) == (
        "A total of 3 individuals were recruited, including 2 nurses and 1 peer worker. "
        "The number of night shifts a month ranged from 4 to 8 (M = 6, SD = 2.00). "
        "Sector: public (n = 2) and private (n = 1)."
    )


def test_prefer_not_and_missing_are_reported() -> None:
    records = [{"gender": "woman", "age": 40}, {"gender": PREFER_NOT, "age": 50}, {}]
    summary = summarize(FORM, records)
    gender = summary.field("gender")
    assert (gender.answered, gender.prefer_not, gender.missing) == (1, 1, 1)
    text = methods_paragraph(summary)
    # Who did not answer is a sentence of its own, never folded into a count ("1 woman (1 not reported)").
    assert text.startswith(
        "A total of 3 individuals were recruited, including 1 woman aged 40–50 years (M = 45, SD = 7.07; n = 2). "
        "One participant preferred not to state their gender and one did not report it. "
        "One participant did not report their age."
    )


def test_render_formats() -> None:
    summary = summarize(FORM, [r.answers for r in _paper_rows()])
    text = render(summary, "text")
    assert text.startswith(PAPER_PARAGRAPH + "\n\n")
    assert "  Woman" in text and "8 (80%)" in text
    assert "M = 7.25, SD = 3.68, range 1.5–12, n = 10" in text
    markdown = render(summary, "markdown")
    assert "| **Age (years)** | M = 51, SD = 8.81, range 40–66, n = 10 |" in markdown
    assert "| Psychiatrist | 6 (60%) |" in markdown
    rows = list(csv.DictReader(render(summary, "csv").splitlines()))
    by_key = {(r["field_id"], r["statistic"], r["category"]): r["value"] for r in rows}
    assert by_key[("", "n", "")] == "10"
    assert float(by_key[("age", "sd", "")]) == pytest.approx(8.8065632)
    assert by_key[("gender", "count", "woman")] == "8"
    assert by_key[("special_education", "several", "")] == "3"
    assert by_key[("special_education", "none", "")] == "4"
    with pytest.raises(ValueError, match="unknown format"):
        render(summary, "html")


def test_csv_reports_every_invalid_cell_with_row_and_column() -> None:
    text = (
        "participant,age,gender,colour,years_experience\n"
        "P01,130,woman,red,10\n"
        "P02,40,female,blue,abc\n"
        "X9,40,woman,,5\n"
        "P01,41,man,,5\n"
    )
    rows, errors = parse_demographics_csv(text, FORM, "demo.csv")
    assert errors == [
        "demo.csv: row 1, column colour: not a field of the demographic form; use one of: participant, age, "
        "gender, profession, years_experience, years_involuntary, special_education, workplace, interview_date",
        "demo.csv: row 2, column age: 130 is above the maximum 100 years",
        "demo.csv: row 3, column gender: 'female' is not one of the choices: woman (Woman), man (Man), other (Other)",
        "demo.csv: row 3, column years_experience: 'abc' is not a number (write e.g. 7.5 or 7,5)",
        "demo.csv: row 4, column participant: 'X9' is not a participant code; codes are P followed by a number, "
        "e.g. P01, P12, P100",
        "demo.csv: row 5, column participant: P01 is also on row 2",
    ]


def test_csv_semicolon_separated_with_bom_and_blank_lines() -> None:
    text = "\ufeffparticipant;years_involuntary;special_education\np3;7,5;\"cbt;mbt\"\n\n"
    rows, errors = parse_demographics_csv(text, FORM, "x.csv")
    assert errors == []
    assert [(r.row, r.code, r.answers) for r in rows] == [
        (2, "P03", {"years_involuntary": 7.5, "special_education": ["cbt", "mbt"]})
    ]


def test_csv_without_participant_column_or_empty() -> None:
    assert parse_demographics_csv("age\n40\n", FORM, "a.csv")[1] == [
        "a.csv: row 1: no 'participant' column; add one with the participant codes (P01, ...)"
    ]
    assert "the file is empty" in parse_demographics_csv("", FORM, "b.csv")[1][0]


def test_csv_not_utf8(tmp_path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("participant,workplace\nP01,Førde\n".encode("latin-1"))
    rows, errors = read_demographics_csv(path, FORM)
    assert rows == [] and errors == [f"{path}: row 2: the file is not UTF-8 text; save it as 'CSV UTF-8' and import again"]


def test_single_counts_use_the_singular() -> None:
    records = [{"profession": "psychiatrist"}, {"profession": "psychiatrist"}, {"profession": "clinical_psychologist"}]
    text = methods_paragraph(summarize(FORM, records))
    # profession is the first field with plurals here (no gender answered), so it leads
    assert text == "A total of 3 individuals were recruited, including 1 clinical psychologist and 2 psychiatrists."
    records = [dict(r, gender="woman") for r in records]
    text = methods_paragraph(summarize(FORM, records))
    assert "One was a clinical psychologist, and 2 were psychiatrists." in text


def test_labels_addressing_the_participant_read_in_third_person() -> None:
    form = DemographicForm(fields=(DemographicField("y", "decimal", "Years in your current job", unit="years"),))
    text = methods_paragraph(summarize(form, [{"y": 1.5}, {"y": 3.0}]))
    assert text.endswith("The years in their current job ranged from 1.5 to 3 years (M = 2.25, SD = 1.06).")
