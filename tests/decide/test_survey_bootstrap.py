"""par.decide.survey_bootstrap: rank intervals from survey sampling error (issue 15 item 3)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import criteria_issues, make_rows, make_units, row

from par.decide.survey_bootstrap import SBOOT_COLUMNS, survey_rank_interval
from par.domain.issues import ParError
from par.engine.scoring import score
from par.engine.survey import aggregate, from_wide

SET = """
surveys:
  - id: ld
    name: Lãnh đạo
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: một}
      - {code: Q2, text: hai}
domains:
  - code: "1"
    name: Khảo sát
    max: 10
    children:
      - {code: "1.1", name: Lá, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1]}}}
  - {code: "2", name: Khác, max: 5, rule: {type: yes_no}}
"""


@pytest.fixture(scope="module")
def criteria():
    c, issues = criteria_issues(SET)
    assert c is not None, [i.render("en") for i in issues]
    return c


def wide(answers: dict[str, list[str]], q2: str = "") -> pd.DataFrame:
    """unit → its respondents' Q1 labels, as the answers table (wide)."""
    recs = [{"unit": u, "respondent": str(i + 1), "Q1": a, "Q2": q2}
            for u, labels in answers.items() for i, a in enumerate(labels)]
    return pd.DataFrame(recs, columns=["unit", "respondent", "Q1", "Q2"])


def survey_rows(criteria, units, answers: pd.DataFrame, typed: dict | None = None,
                period: str = "2025"):
    """The appraisal rows an import writes (the leaf values of the answers, or ``typed``)
    and a yes row of leaf 2 for every unit."""
    _, leaves = aggregate(answers, criteria, "ld")
    values = {(r.unit, r.criterion): r.value for r in leaves.itertuples()}
    values.update(typed or {})
    recs = [row(u, c, repr(v), period=period, stage="appraisal") for (u, c), v in values.items()]
    recs += [row(u, "2", "1", stage="appraisal") for u in units["id"]]
    return make_rows(criteria, units, recs)


def run(criteria, units, rows, answers, **kw):
    return survey_rank_interval(criteria, units, rows, answers, "2025", **kw)


HAND = {"a": ["A", "B"], "b": ["D", "D"], "c": ["A", "D"]}


def test_hand_built_case(criteria):
    # a ∈ {100, 80, 60} w.p. ¼ ½ ¼ (point 80), c ∈ {100, 50, 0} (point 50), b = 0 always.
    # c ranks 1st when it draws 100 (¼: ahead of a, or tied at 1st); when it draws 0 it ties
    # b at 2nd. a falls to 2nd when c draws 100 and a does not (3/16); b rises to a tied 2nd
    # with c when c draws 0 (¼); b is never strictly ahead of c.
    units = make_units("a b c")
    answers = wide(HAND)
    rows = survey_rows(criteria, units, answers)
    out = run(criteria, units, rows, {"ld": answers}, replicates=2000, seed=3)
    assert list(out.columns) == SBOOT_COLUMNS
    assert out.index.tolist() == ["a", "c", "b"]
    assert out["rank"].tolist() == [1, 2, 3] and out["of"].tolist() == [3, 3, 3]
    assert out[["low", "high"]].values.tolist() == [[1, 2], [1, 2], [2, 3]]
    assert out.loc["c", "above"] == "a" and out.loc["b", "above"] == "c"
    assert pd.isna(out.loc["a", "above"]) and np.isnan(out.loc["a", "flip_share"])
    assert out.loc["c", "flip_share"] == pytest.approx(3 / 16, abs=0.03)
    assert out.loc["b", "flip_share"] == 0.0
    assert out.loc["a", "label"] == "1/3 (1–2)"
    assert out.attrs["replicates"] == 2000 and out.attrs["replaced"] == 3
    assert out.attrs["forms"] == ["ld"]


def test_the_point_is_the_scorecard_of_the_current_rows(criteria):
    units = make_units("a b c")
    answers = wide(HAND)
    rows = survey_rows(criteria, units, answers)
    card = score(criteria, units, rows)
    out = run(criteria, units, rows, {"ld": answers}, replicates=50)
    assert out["rank"].tolist() == card.units["rank"].tolist()
    assert out.index.tolist() == card.units.index.tolist()


def test_same_seed_same_result_another_seed_may_differ(criteria):
    rng = np.random.default_rng(1)
    ids = [f"u{i}" for i in range(12)]
    units = make_units(" ".join(ids))
    answers = wide({u: list(rng.choice(list("ABCDE"), size=15, p=[.2, .3, .2, .2, .1]))
                    for u in ids})
    rows = survey_rows(criteria, units, answers)
    a = run(criteria, units, rows, {"ld": answers}, replicates=200, seed=7)
    b = run(criteria, units, rows, {"ld": answers}, replicates=200, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = run(criteria, units, rows, {"ld": answers}, replicates=200, seed=8)
    assert not a.equals(c)
    for out in (a, c):
        assert ((out["low"] <= out["rank"]) & (out["rank"] <= out["high"])).all()
        assert out["low"].min() >= 1 and out["high"].max() <= 12
        assert (out["flip_share"].dropna().between(0, 1)).all()
    assert (a["high"] > a["low"]).any()  # there is noise to measure here
    # the long form of the same answers gives the same draws
    long = from_wide(answers, criteria.survey("ld"))
    pd.testing.assert_frame_equal(run(criteria, units, rows, {"ld": long}, replicates=200,
                                      seed=7), a)


def test_interval_includes_the_point_rank_when_replicates_miss_it(criteria):
    # c's row was typed 90 (1st), but its answers are all D: every replicate has c at 0,
    # tied 2nd with b; the interval is widened to include the point rank 1
    units = make_units("a b c")
    answers = wide({"a": ["B", "B"], "b": ["D", "D"], "c": ["D", "D"]})
    rows = survey_rows(criteria, units, answers, typed={("c", "1.1"): 90.0})
    out = run(criteria, units, rows, {"ld": answers}, replicates=100)
    assert out.loc["c", ["rank", "low", "high"]].tolist() == [1, 1, 2]
    assert out.loc["a", ["rank", "low", "high"]].tolist() == [2, 1, 2]
    assert out.loc["a", "flip_share"] == 1.0  # a is ahead of c in every replicate


def collapsed(out: pd.DataFrame) -> bool:
    return bool((out["low"] == out["rank"]).all() and (out["high"] == out["rank"]).all()
                and (out["flip_share"].dropna() == 0).all())


def test_no_answers_or_no_variance_collapses_to_the_point(criteria):
    units = make_units("a b c d")
    same = wide({"a": ["A"] * 9, "b": ["C"] * 5, "c": ["B"] * 7 + ["E"], "d": ["D"] * 3},
                q2="A")
    rows = survey_rows(criteria, units, same)
    for answers in ({}, {"ld": same.iloc[:0]}, {"ld": same}):
        out = run(criteria, units, rows, answers, replicates=60, seed=2)
        assert collapsed(out), answers
        assert out["rank"].tolist() == [1, 2, 3, 4]
    # survey rows of another period are not the ones the answers replace
    q2 = survey_rows(criteria, units, wide(HAND | {"d": ["C"]}), period="2025-Q2")
    out = survey_rank_interval(criteria, units, q2, {"ld": wide(HAND | {"d": ["C"]})}, "2025",
                               replicates=60)
    assert collapsed(out) and out.attrs["replaced"] == 0


def test_units_far_apart_never_swap(criteria):
    rng = np.random.default_rng(5)
    units = make_units("hi mid lo")
    answers = wide({"hi": list(rng.choice(["A", "B"], 40)),
                    "mid": list(rng.choice(list("ABCD"), 40)),
                    "lo": list(rng.choice(["C", "D"], 40))})
    rows = survey_rows(criteria, units, answers)
    out = run(criteria, units, rows, {"ld": answers}, replicates=300, seed=11)
    assert out.index.tolist() == ["hi", "mid", "lo"]
    assert out[["low", "high"]].values.tolist() == [[1, 1], [2, 2], [3, 3]]
    assert (out["flip_share"].dropna() == 0).all()


def test_a_unit_losing_its_survey_value_in_a_replicate(criteria):
    # e answers once with "E" (excluded) and once with A: a quarter of the replicates draw
    # E twice and have no value for its leaf (missing: 0 points), so it ranks last there
    units = make_units("a e")
    answers = wide({"a": ["C", "C"], "e": ["A", "E"]})
    rows = survey_rows(criteria, units, answers)
    out = run(criteria, units, rows, {"ld": answers}, replicates=400, seed=1)
    assert out.loc["e", ["rank", "low", "high"]].tolist() == [1, 1, 2]
    assert out.loc["a", "flip_share"] == pytest.approx(0.25, abs=0.07)


def test_errors(criteria):
    units = make_units("a b c")
    answers = wide(HAND)
    rows = survey_rows(criteria, units, answers)
    cases = [({"zz": answers}, "2025", 10, "sboot.unknown_form"),
             ({"ld": answers}, "2024", 10, "sboot.bad_period"),
             ({"ld": answers}, "Q9", 10, "sboot.bad_period"),
             ({"ld": answers}, "2025", 0, "sboot.bad_replicates"),
             ({"ld": answers}, "2025", 10**6, "sboot.too_many_replicates"),
             ({"ld": answers.drop(columns="respondent")}, "2025", 10, "sboot.bad_answers")]
    for given, period, b, code in cases:
        with pytest.raises(ParError) as exc:
            survey_rank_interval(criteria, units, rows, given, period, replicates=b)
        assert [i.code for i in exc.value.issues] == [code]
