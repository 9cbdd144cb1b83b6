"""SURVEY §1 and §3: forms in the criteria YAML, and answers → n, pct, interval, leaf values,
checked against hand-computed figures."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import criteria_issues

from par.engine.survey import aggregate, question_results

FORMS = """
surveys:
  - id: ld
    name: Lãnh đạo
    min_responses: 3
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: một}
      - {code: Q2, text: hai, options: {Có: 100, Không: 0}}
      - {code: Q3, text: ba}
"""
LEAVES = """
domains:
  - code: "1"
    name: Khảo sát
    max: 20
    children:
      - {code: "1.1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1, Q2]}}}
      - {code: "1.2", name: Lá 2, max: 10, rule: {type: survey, source: {form: ld, questions: [Q3]}, bands: [{min: 50, points: 10}]}}
"""


def survey_set():
    criteria, issues = criteria_issues(FORMS + LEAVES)
    assert criteria is not None, [i.render("en") for i in issues]
    return criteria


def test_forms_and_sources_are_read():
    criteria = survey_set()
    form = criteria.survey("ld")
    assert form.min_responses == 3 and [q.code for q in form.questions] == ["Q1", "Q2", "Q3"]
    assert form.options["E"] is None and form.options_of("Q2") == {"Có": 100.0, "Không": 0.0}
    rule = criteria.nodes["1.1"].rule
    assert rule.source.form == "ld" and rule.source.questions == ("Q1", "Q2") and rule.linear
    assert criteria.nodes["1.2"].rule.bands is not None
    assert survey_set().survey("nope") is None


def test_min_responses_defaults_to_30():
    criteria, _ = criteria_issues(FORMS.replace("    min_responses: 3\n", "") + LEAVES)
    assert criteria.survey("ld").min_responses == 30


@pytest.mark.parametrize("change, code, node", [
    ("form: ld, questions: [Q1, Q2]", "survey.unknown_form", "1.1"),
    ("questions: [Q1, Q2]", "survey.unknown_question", "1.1"),
    ("{form: ld, questions: [Q1, Q2]}", "survey.source_no_form", "1.1"),
    ("{A: 100, B: 60", "survey.option_percent", "ld"),
    ("id: ld\n    name: Lãnh đạo", "survey.duplicate_id", "ld"),
    ("{code: Q3, text: ba}", "survey.duplicate_question", "ld"),
])
def test_located_form_errors(change, code, node):
    text = FORMS + LEAVES
    if code == "survey.unknown_form":
        text = text.replace(change, "form: lx, questions: [Q1, Q2]")
    elif code == "survey.unknown_question":
        text = text.replace(change, "questions: [Q1, Q9]")
    elif code == "survey.source_no_form":
        text = text.replace(change, "{questions: [Q1, Q2]}")
    elif code == "survey.option_percent":
        text = text.replace(change, "{A: 120, B: 60")
    elif code == "survey.duplicate_id":
        text = text.replace("    questions:\n      - {code: Q1", "    questions:\n      - {code: Q1", 1)
        text = text.replace("surveys:\n", "surveys:\n  - {id: ld, name: X, options: {A: 1}, "
                                          "questions: [{code: Q1, text: t}]}\n", 1)
    elif code == "survey.duplicate_question":
        text = text.replace(change, "{code: q1, text: ba}")
    criteria, issues = criteria_issues(text)
    assert criteria is None
    found = [i for i in issues if i.code == code]
    assert found, [i.render("en") for i in issues]
    assert found[0].node == node and found[0].line and found[0].file == "t.yaml"


def test_source_on_another_rule_type_is_an_error():
    criteria, issues = criteria_issues(FORMS + """
domains:
  - {code: "1", name: Lá, max: 10, rule: {type: points, source: {form: ld, questions: [Q1]}}}
""")
    assert criteria is None
    assert [i.code for i in issues if i.severity == "error"] == ["criteria.param_not_for_type"]


def test_a_survey_leaf_without_source_stays_valid():
    criteria, issues = criteria_issues("""
domains:
  - {code: "1", name: Lá, max: 10, rule: {type: survey, linear: true}}
""")
    assert criteria is not None and criteria.nodes["1"].rule.source is None
    assert criteria.surveys == ()


def _long(rows):
    return pd.DataFrame(rows, columns=["unit", "respondent", "question", "answer"])


def _q(frame, unit, question):
    return frame.set_index(["unit", "question"]).loc[(unit, question)]


def test_hand_computed_figures():
    criteria = survey_set()
    # unit a: Q1 answers A, B, E (excluded), "" (none) → 100, 60: n 2, pct 80,
    #   sd = √((20² + 20²)/1) = 28.284…, se = 20, ci = 80 ± 39.2 → [40.8, 100 (clipped)]
    # Q2 (override): "có", " KHÔNG " → 100, 0: n 2, pct 50, se = 50, ci clipped [0, 100]
    # Q3: all excluded or empty: n 0, pct null → leaf 1.2 has no row for a
    # unit b: one respondent: Q1 = C → n 1, pct 20, se null; Q3 = D → 0
    answers = _long([
        ("a", "1", "Q1", "A"), ("a", "2", "Q1", "b"), ("a", "3", "Q1", "E"), ("a", "4", "Q1", ""),
        ("a", "1", "Q2", "có"), ("a", "2", "Q2", " KHÔNG "), ("a", "3", "Q3", "e"),
        ("b", "1", "Q1", "C"), ("b", "1", "Q3", "D"),
    ])
    questions, leaves = aggregate(answers, criteria, "ld")
    a1 = _q(questions, "a", "Q1")
    assert (a1.n, a1.pct, a1.se) == (2, 80.0, pytest.approx(20.0))
    assert a1.ci_low == pytest.approx(80 - 1.96 * 20) and a1.ci_high == 100.0
    a2 = _q(questions, "a", "Q2")
    assert (a2.n, a2.pct, a2.se, a2.ci_low, a2.ci_high) == (2, 50.0, 50.0, 0.0, 100.0)
    a3 = _q(questions, "a", "Q3")
    assert a3.n == 0 and math.isnan(a3.pct) and math.isnan(a3.se) and math.isnan(a3.ci_low)
    b1 = _q(questions, "b", "Q1")
    assert (b1.n, b1.pct) == (1, 20.0) and math.isnan(b1.se) and math.isnan(b1.ci_high)
    b2 = _q(questions, "b", "Q2")
    assert b2.n == 0 and math.isnan(b2.pct)
    # respondents: a has 4, b has 1; min_responses 3 → b flagged on every row
    assert not questions.loc[questions.unit == "a", "flag_low_n"].any()
    assert questions.loc[questions.unit == "b", "flag_low_n"].all()
    got = {(r.unit, r.criterion): (r.value, r.flag_low_n) for r in leaves.itertuples()}
    # a 1.1 = mean(80, 50) = 65; a 1.2: Q3 null → no row; b 1.1 = Q1 only (Q2 null) = 20;
    # b 1.2 = 0
    assert got == {("a", "1.1"): (65.0, False), ("b", "1.1"): (20.0, True),
                   ("b", "1.2"): (0.0, True)}


def test_sample_sd_and_clipping_match_a_direct_computation():
    criteria = survey_set()
    labels = ["A", "B", "B", "C", "D", "A", "E"]
    answers = _long([("u", str(i), "Q1", x) for i, x in enumerate(labels)])
    q = _q(question_results(answers, criteria.survey("ld")), "u", "Q1")
    values = [100, 60, 60, 20, 0, 100]
    mean = sum(values) / 6
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 5)
    assert q.n == 6 and q.pct == pytest.approx(mean) and q.se == pytest.approx(sd / math.sqrt(6))
    assert q.ci_low == pytest.approx(max(0, mean - 1.96 * sd / math.sqrt(6)))
    assert q.ci_high == pytest.approx(min(100, mean + 1.96 * sd / math.sqrt(6)))


def test_identical_answers_have_zero_error_and_wide_equals_long():
    criteria = survey_set()
    wide = pd.DataFrame({"unit": ["a"] * 3, "respondent": ["1", "2", "3"],
                         "Q1": ["B", "b", "B"], "Q2": ["", "", ""], "Q3": ["A", "", "C"]})
    q = question_results(wide, criteria.survey("ld"))
    q1 = _q(q, "a", "Q1")
    assert (q1.n, q1.pct, q1.se, q1.ci_low, q1.ci_high) == (3, 60.0, 0.0, 60.0, 60.0)
    long = wide.melt(["unit", "respondent"], var_name="question", value_name="answer")
    pd.testing.assert_frame_equal(q, question_results(long, criteria.survey("ld")))


def test_a_respondent_with_no_answer_still_counts():
    criteria = survey_set()
    wide = pd.DataFrame({"unit": ["a"] * 3, "respondent": ["1", "2", "3"],
                         "Q1": ["A", "", ""], "Q2": ["", "", ""], "Q3": ["", "", ""]})
    questions, leaves = aggregate(wide, criteria, "ld")
    assert set(questions["respondents"]) == {3} and not questions["flag_low_n"].any()
    assert leaves[["criterion", "value"]].values.tolist() == [["1.1", 100.0]]
