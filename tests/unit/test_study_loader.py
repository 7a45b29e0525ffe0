"""Study files: the shipped studies load, the default guide is the paper's, and bad files are reported by line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from interview_tui.config import DEFAULT_STUDY_FILE, GUIDES_DIR
from interview_tui.domain.loader import (
    StudyFileError,
    format_outline,
    load_study,
    validate_study_file,
)
from interview_tui.domain.study import Prompt, Question, Section, Study

SHIPPED = sorted(GUIDES_DIR.glob("*.yaml"))
PAPER = Path("/work/shared/seed/study-paper.txt")

# -- the default guide, as the paper's Appendix shows it --------------------------------
# section: (title, [question], [sub-section]); question: (text, [prompt]);
# prompt: (condition, text, [prompt]).  Nesting follows the paper's indentation.

P = tuple[str | None, str, list]

PAPER_GUIDE = [
    ("Introduction", [
        ("Can you describe what it is like providing involuntary treatment to people with serious mental illnesses?", [
            (None, "What is it like executing coercive treatment?", []),
            (None, "Do you experience any differences from other ways of working with patients in therapy?", []),
        ]),
    ], []),
    # The paper's "Possible follow-up questions on sub-themes": follow-ups of the contact question,
    # grouped by sub-theme (condition "theme"), not main questions of their own.
    ("Establishing working alliance in coercive treatment", [
        ("How do you experience establishing contact with people subjected to coercive treatment?", [
            ("theme", "Therapeutic bond", [
                (None, "How do you define «therapeutic bond»?", []),
                (None, "What is this bond like when the person is subjected to coercive treatment?", [
                    (None, "What do you do to achieve contact with people who are treated involuntary?", []),
                    (None, "What do you do to establish a therapeutic bond between you and the patient?", []),
                ]),
                (None, "Please, feel free to highlight an example. What did you do together? How did you work?", []),
                (None, "Please, feel free to highlight an example where you experienced it as challenging to "
                       "establish a therapeutic bond", []),
                (None, "What challenges have you met in establishing a therapeutic bond? Have you experienced "
                       "alliance ruptures?", [
                    ("If yes", "How did you proceed to solve this rupture?", []),
                ]),
                (None, "What do you do to make the person feel safe?", []),
            ]),
            ("theme", "Goals", [
                (None, "How do you proceed to find goals with the person subjected to coercive treatment?", []),
                (None, "How do you go about creating agreement between you and the person?", []),
                (None, "How do you include the patient’s goals?", []),
                (None, "Have you experienced any challenges in relation to agreeing on mutual goals?", [
                    ("If yes", "Can you describe these?", []),
                    (None, "How do you proceed to solve these?", []),
                ]),
                (None, "If the person in treatment disagrees with your professional assessment, what do you do?", [
                    (None, "Do you have a specific example? How did you solve this?", []),
                    (None, "Has it ever happened that you did not agree with the person subjected to coercive "
                           "treatment?", [
                        (None, "What do you do in those circumstances?", []),
                    ]),
                ]),
            ]),
            ("theme", "Methods", [
                (None, "What do you do to determine with the person how you might achieve particular goals?", []),
                (None, "What challenges do you face when establishing mutual agreements?", []),
                (None, "If the person disagrees with your professional assessment, what do you do?", [
                    (None, "Do you have a specific example? Elaborate. How did you solve this?", []),
                    # "If yes, please elaborate." is an "If yes" probe like the others
                    (None, "Has it ever happened that you did not agree with the person subjected to coercive "
                           "treatment?", [
                        ("If yes", "Please elaborate.", []),
                        (None, "What do you do in those circumstances?", []),
                    ]),
                ]),
            ]),
        ]),
    ], []),
]  # fmt: skip
PAPER_CLOSING = "How could mental health services improve establishing contact with people with serious mental disorders?"


def _prompt_tree(p: Prompt) -> tuple:
    return ("theme" if p.is_theme else p.condition, p.text, [_prompt_tree(c) for c in p.prompts])


def _question_tree(q: Question) -> tuple:
    return (q.text, [_prompt_tree(p) for p in q.prompts])


def _section_tree(s: Section) -> tuple:
    return (s.title, [_question_tree(q) for q in s.questions], [_section_tree(c) for c in s.sections])


def test_default_guide_is_the_papers_appendix(default_study: Study) -> None:
    assert [_section_tree(s) for s in default_study.guide.sections] == PAPER_GUIDE
    assert default_study.guide.closing.text == PAPER_CLOSING
    assert default_study.guide.final_prompt == (
        "Is there anything further you would like to add that we did not cover?"
    )


@pytest.mark.skipif(not PAPER.exists(), reason="the seed paper is only on the team machine")
def test_default_guide_text_appears_in_the_paper_in_order(default_study: Study) -> None:
    """Every question and prompt is the paper's wording (line-break hyphens removed), in the paper's order."""
    appendix = PAPER.read_text(encoding="utf-8").split(" Appendix", 1)[1]
    appendix = re.sub(r"-\s*\n\s*", "", appendix)  # "chal-\nlenges" -> "challenges"
    appendix = " ".join(appendix.split()).replace("» ?", "»?")  # PDF spacing: "bond» ?"
    texts: list[list[str]] = []  # each entry: the ways the paper may write it
    for _, q in default_study.guide.walk():
        texts.append([q.text])
        for _, p in q.walk_prompts():
            if p.condition:  # the paper writes "If yes: How did..." or "If yes, can you..."
                texts.append([f"{p.condition}: {p.text}", f"{p.condition}, {p.text[0].lower()}{p.text[1:]}"])
            else:
                texts.append([p.text])
    position = 0
    for spellings in texts:
        found = [(appendix.find(t, position), t) for t in spellings if appendix.find(t, position) >= 0]
        assert found, f"not in the paper's Appendix after position {position}: {spellings[0]!r}"
        at, text = min(found)
        position = at + len(text)


def test_default_study_metadata(default_study: Study) -> None:
    s = default_study
    assert (s.id, s.language, s.version) == ("involuntary-treatment-alliance", "en", "2.0")
    assert (s.guide.planned_min, s.guide.planned_max) == (45, 75)
    assert s.places == ("Participant's workplace", "University of Bergen")
    assert s.source == DEFAULT_STUDY_FILE
    assert len(s.content_hash) == 64
    budgets = [sec.time_budget_min for sec in s.guide.sections]
    assert all(b and b > 0 for b in budgets) and sum(budgets) <= s.guide.planned_max
    ids = [sec.id for sec in s.guide.sections] + [q.id for q in s.guide.questions()]
    ids += [p.id for q in s.guide.questions() for _, p in q.walk_prompts()]
    assert len(ids) == len(set(ids))


def test_default_consent_form(default_study: Study) -> None:
    form = default_study.consent
    assert form.recording_item == "audio_recording"
    assert {i.id: i.required for i in form.items} == {
        "voluntary_participation": True,
        "audio_recording": True,
        "data_processing": True,
        "anonymised_quotations": False,
        "follow_up_contact": False,
    }
    for topic in ("voluntary", "withdraw", "recorded", "stored", "participant code", "quotations"):
        assert topic in form.text


@pytest.mark.parametrize(
    ("field_id", "type_", "required", "low", "high", "choices"),
    [
        ("gender", "single_choice", True, None, None, ["woman", "man", "other"]),
        ("age", "integer", True, 18, 100, []),
        ("profession", "single_choice", True, None, None, ["clinical_psychologist", "psychiatrist", "other"]),
        ("years_experience", "decimal", True, 0, 60, []),
        ("years_involuntary", "decimal", True, 0, 60, []),
        # the paper: "acute psychiatric departments, ... inpatient wards ... and outpatient clinics"
        ("work_settings", "multiple_choice", False, None, None, ["acute", "inpatient", "outpatient", "other"]),
        ("special_education", "multiple_choice", False, None, None,
         ["cbt", "psychodynamic", "psychosis_rehabilitation", "mbt", "other"]),
    ],
)  # fmt: skip
def test_default_demographic_fields(default_study, field_id, type_, required, low, high, choices) -> None:
    f = default_study.demographics.field(field_id)
    assert (f.type, f.required, f.min, f.max) == (type_, required, low, high)
    assert [c.id for c in f.choices] == choices


def test_default_demographic_form_has_exactly_the_papers_fields(default_study: Study) -> None:
    form = default_study.demographics
    assert [f.id for f in form.fields] == [
        "gender", "age", "profession", "years_experience", "years_involuntary", "work_settings",
        "special_education",
    ]  # fmt: skip
    gender = form.field("gender")
    assert gender.prefer_not_to_say
    assert (gender.choice("woman").plural, gender.choice("man").plural) == ("women", "men")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_studies_are_clean(path: Path) -> None:
    assert validate_study_file(path) == []
    study = load_study(path)
    assert study.guide.questions() and study.consent.recording_item


def test_norwegian_example_is_a_different_shape() -> None:
    study = load_study(GUIDES_DIR / "peer-support-workers-nb.yaml")
    assert study.language == "no"  # written as nb
    assert study.end_date == date(2027, 12, 31)
    assert {"date", "text", "integer"} <= {f.type for f in study.demographics.fields}
    depths = [d for q in study.guide.questions() for d, _ in q.walk_prompts()]
    assert max(depths) >= 2
    assert len(study.guide.sections) >= 5


def test_outline_shows_nesting_budgets_and_forms(default_study: Study) -> None:
    text = format_outline(default_study)
    lines = text.splitlines()
    question = next(i for i, line in enumerate(lines) if "What challenges have you met in establishing" in line)
    probe = next(i for i, line in enumerate(lines) if "If yes: How did you proceed" in line)
    indent = lambda line: len(line) - len(line.lstrip())  # noqa: E731
    assert probe > question and indent(lines[probe]) > indent(lines[question])
    deep = [line for line in lines if "What do you do in those circumstances?" in line]
    parent = next(line for line in lines if "did not agree with the person subjected" in line)
    assert len(deep) == 2 and all(indent(d) > indent(parent) for d in deep)
    for expected in ("Sub-theme: Therapeutic bond [bond]", "45–75 min", "[audio_recording; required, permits audio",
                     "[years_involuntary]", "Closing", "Final prompt (added by this study; not in its source): Is there"):
        assert expected in text, expected
    # What the study adds to the paper is marked; the opening script is not called "Introduction".
    assert "Opening script (added by this study; not in its source): Thank you" in text
    assert "section budgets total 60 min (added by this study; not in its source)" in text
    assert "(version ita-consent-1.1) (added by this study; not in its source)" in text
    assert "Introduction:" not in text
    # The consent form keeps the paper's eligibility criterion.
    assert "working in hospitals in western Norway" in " ".join(default_study.consent.text.split())


def test_not_in_source_names_known_parts(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "data" / "studies" / "minimal.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text + "not_in_source: [opening, openings]\n", encoding="utf-8")
    with pytest.raises(StudyFileError) as err:
        load_study(bad)
    assert "not_in_source lists 'openings'" in str(err.value.issues[0]) and "did you mean 'opening'" in str(err.value.issues[0])


def test_a_sub_theme_groups_follow_ups_and_is_not_itself_asked(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "data" / "studies" / "minimal.yaml").read_text(encoding="utf-8")
    assert "{id: p1a," in text
    good = tmp_path / "theme.yaml"
    good.write_text(text.replace("{id: p1a,", "{id: t1, theme: Bond, prompts: [{id: t1a, text: \"Why?\"}]}\n            - {id: p1a,"),
                    encoding="utf-8")
    study = load_study(good)
    theme = next(p for _, p in study.guide.questions()[0].walk_prompts() if p.id == "t1")
    assert theme.is_theme and theme.text == "Bond" and [c.id for c in theme.prompts] == ["t1a"]


# -- broken files -----------------------------------------------------------------------
# Each case edits tests/data/studies/minimal.yaml (read it for the line numbers) and
# names every problem the loader must report, as "LINE:COL: part of the message".

BROKEN = [
    ("unknown key", [("\n          prompts:", "\n          promts:")],
     ["13:11: unknown key 'promts'; did you mean 'prompts'?"]),
    ("duplicate id", [("{id: p1a,", "{id: q1,")],
     ["17:24: duplicate id 'q1' (already used on line 11)"]),
    ("duplicate mapping key", [("      time_budget_min: 20", "      time_budget_min: 20\n      title: Again")],
     ["10:7: duplicate key 'title' (first given on line 8)"]),
    ("missing required key", [("          text: First question?\n", "")],
     ["11:11: missing required key 'text'"]),
    ("missing top-level keys", [('version: "1"\n', ""), ("  recording_item: rec\n", "")],
     ["1:1: missing required key 'version'", "19:3: warning: no 'recording_item'"]),
    ("wrong type: number", [("time_budget_min: 20", "time_budget_min: twenty")],
     ["9:24: 'time_budget_min' must be a number, found 'twenty'"]),
    ("wrong type: text", [("text: First question?", "text: [a, b]")],
     ["12:17: 'text' must be text, found a list"]),
    ("wrong type: boolean", [("required: false}", "required: maybe}")],
     ["26:62: 'required' must be true or false, found 'maybe'"]),
    ("field min > max", [("min: 18, max: 99", "min: 99, max: 18")],
     ["28:47: min 99 is more than max 18"]),
    ("planned min > max", [("{min: 30, max: 60}", "{min: 90, max: 60}")],
     ["5:26: planned duration min 90 is more than max 60"]),
    ("negative budget", [("time_budget_min: 20", "time_budget_min: -5")],
     ["9:24: 'time_budget_min' must be at least 0, found -5"]),
    ("empty section", [("  closing:", "    - id: s2\n      title: Nothing here\n  closing:")],
     ["18:7: section 's2' is empty"]),
    ("choice field without choices", [("    choices: [{id: w", "    help: [{id: w")],
     ["29:5: a single_choice field needs 'choices'", "32:11: 'help' must be text"]),
    ("recording item not a consent item", [("recording_item: rec", "recording_item: audio")],
     ["23:19: recording_item 'audio' is not one of the consent items (rec, quotes)"]),
    ("duplicate consent item", [("{id: quotes,", "{id: rec,")],
     ["26:12: duplicate id 'rec'"]),
    ("unknown field type", [("type: single_choice", "type: singlechoice")],
     ["30:11: unknown field type 'singlechoice'", "did you mean 'single_choice'?"]),
    ("unknown language", [('version: "1"', 'version: "1"\nlanguage: english')],
     ["4:11: unknown language 'english'"]),
    ("speakers not a whole number", [('version: "1"', 'version: "1"\nspeakers: two')],
     ["4:11: 'speakers' must be a whole number, found 'two'"]),
    ("one speaker", [('version: "1"', 'version: "1"\nspeakers: 1')],
     ["4:11: 'speakers' must be at least 2, found 1"]),
    ("bad id", [("id: mini", "id: my study")],
     ["1:5: 'id' 'my study' may contain only letters"]),
    ("budgets over plan (warning)", [("time_budget_min: 20", "time_budget_min: 70")],
     ["6:3: warning: section time budgets add up to 70 min, more than the planned maximum of 60"]),
    ("bad indentation: too deep", [("      title: First", "        title: First")],
     ["8:14: YAML syntax error: unexpected ':' here; check this line's indentation"]),
    ("bad indentation: too shallow", [("          text: First question?", "         text: First question?")],
     ["12:10: YAML syntax error: this line's indentation does not fit the lines above it "
      "(in the part that starts on line 11)"]),
    ("tabs", [("      title: First", "\ttitle: First"), ("      questions:", "  \t  questions:")],
     ["8:1: tab character in the indentation", "10:3: tab character in the indentation"]),
    ("unclosed quote", [("text: You agree.", 'text: "You agree.')],
     ["33:1: YAML syntax error: the file ends inside a quoted text or bracket (in the part that starts on line 22)"]),
    ("question written as plain text", [('closing: {id: close, text: "Closing question?"}', "closing: Any ideas?")],
     ["18:12: expected a question as a mapping with keys such as id, text, note, prompts; found 'Any ideas?'"]),
    ("list where a mapping belongs", [("{id: age, type: integer, label: Age, min: 18, max: 99}", "[age, integer]")],
     ["28:5: expected a demographic field as a mapping with keys such as id, type, label, required; found a list"]),
    ("many problems at once", [
        ("id: mini", "id: mini\nlanguag: en"),
        ("\n          prompts:", "\n          promts:"),
        ("{id: quotes,", "{id: rec,"),
        ("min: 18, max: 99", "min: 99, max: 18"),
        ("recording_item: rec", "recording_item: nope"),
    ], [
        "2:1: unknown key 'languag'; did you mean 'language'?",
        "14:11: unknown key 'promts'",
        "24:19: recording_item 'nope' is not one of the consent items",
        "27:12: duplicate id 'rec'",
        "29:47: min 99 is more than max 18",
    ]),
]  # fmt: skip


def _apply(text: str, edits: list[tuple[str, str]]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"edit target must occur once: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_broken_file_reports_every_problem_at_its_line(write_study, minimal_study_text, edits, expected) -> None:
    path = write_study(_apply(minimal_study_text, edits))
    issues = validate_study_file(path)
    printed = [str(i) for i in issues]
    # Each expected problem is reported once, in file order, and nothing else is.
    assert len(printed) == len([e for e in expected if re.match(r"\d+:\d+: ", e)]), printed
    position = 0
    for want in expected:
        if not re.match(r"\d+:\d+: ", want):  # a continuation of the previous expectation
            assert want in printed[position - 1], (want, printed)
            continue
        assert printed[position].startswith(f"{path}:{want.split(': ', 1)[0]}: "), (want, printed)
        assert want.split(": ", 1)[1] in printed[position], (want, printed)
        position += 1


def test_minimal_file_is_valid(write_study, minimal_study_text) -> None:
    study = load_study(write_study(minimal_study_text))
    assert [p.id for _, p in study.guide.question("q1").walk_prompts()] == ["p1", "p1a"]
    assert study.guide.question("q1").prompts[0].prompts[0].condition == "If yes"


def test_load_raises_with_all_issues_and_warnings_do_not_block(write_study, minimal_study_text) -> None:
    broken = _apply(minimal_study_text, [("{id: p1a,", "{id: q1,"), ("min: 18, max: 99", "min: 99, max: 18")])
    with pytest.raises(StudyFileError) as caught:
        load_study(write_study(broken))
    assert [(i.line, i.key_path) for i in caught.value.issues] == [
        (17, "guide.sections[0].questions[0].prompts[0].prompts[0].id"),
        (28, "demographics[0].min"),
    ]
    assert "2 error(s)" in str(caught.value)
    over = _apply(minimal_study_text, [("time_budget_min: 20", "time_budget_min: 70")])
    assert load_study(write_study(over, "over.yaml")).guide.sections[0].time_budget_min == 70


@pytest.mark.parametrize(
    ("edits", "attribute", "value"),
    [
        ([('version: "1"', "version: 1.0")], "version", "1.0"),  # a YAML float keeps its spelling
        ([('version: "1"', 'version: "1"\nlanguage: no')], "language", "no"),  # not the boolean False
        ([('version: "1"', 'version: "1"\nlanguage: nb')], "language", "no"),
        ([('version: "1"', 'version: "1"\nlanguage: NN')], "language", "no"),
        ([('version: "1"', 'version: "1"\nend_date: 2030-01-31')], "end_date", date(2030, 1, 31)),
        ([('version: "1"', 'version: "1"\nplaces: [Office, Home visit]')], "places", ("Office", "Home visit")),
        ([('version: "1"', 'version: "1"\nspeakers: 3')], "speakers", 3),  # an interpreter takes part
        ([], "speakers", None),
    ],
)
def test_scalar_values(write_study, minimal_study_text, edits, attribute, value) -> None:
    study = load_study(write_study(_apply(minimal_study_text, edits)))
    assert getattr(study, attribute) == value


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "study.yaml:1:1: the file is empty"),
        (b"- just\n- a list\n", "study.yaml:1:1: expected the study as a mapping"),
        (b"id: x\ntitle: \xff\n", "study.yaml:2:1: the file is not UTF-8 text"),
        (b"a: 1\n---\nb: 2\n", "study.yaml:2:1: YAML syntax error"),
    ],
)
def test_whole_file_problems(write_study, content, expected) -> None:
    path = write_study(content)
    first = str(validate_study_file(path)[0])
    assert first.startswith(str(path.parent) + "/" + expected), first


def test_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    issues = validate_study_file(tmp_path / "nope.yaml")
    assert [str(i) for i in issues] == [f"{tmp_path / 'nope.yaml'}: cannot read the study file: No such file or directory"]
    with pytest.raises(StudyFileError):
        load_study(tmp_path / "nope.yaml")


def test_content_hash_is_sha256_of_the_bytes(write_study, minimal_study_text) -> None:
    import hashlib

    path = write_study(minimal_study_text)
    assert load_study(path).content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    edited = write_study(minimal_study_text.replace("First question?", "First question, edited?"), "b.yaml")
    assert load_study(edited).content_hash != load_study(path).content_hash


def test_language_codes_match_faster_whisper() -> None:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    from interview_tui.domain.languages import WHISPER_LANGUAGES

    assert set(WHISPER_LANGUAGES) == set(_LANGUAGE_CODES)
