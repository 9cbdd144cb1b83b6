"""Dashboard frames (par/trends.py): rank change, domain comparison, attainment grids, missing
leaves, one criterion across units, self-assessment against appraisal, trend, criteria sets."""
from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from conftest import HEADER, build_criteria, make_rows, make_units, row

from par import load_criteria, parse_period, read_inputs, read_units, score
from par.analysis.trends import (
    compare_sets,
    describe_trend_jump,
    describe_unscored,
    get_criterion_distribution,
    get_domain_attainment,
    get_domain_comparison,
    get_leaf_attainment,
    get_missing,
    get_over_scoring,
    get_rank_change,
    get_self_vs_appraisal,
    get_trend,
    get_trend_jump,
    trend_kind,
)

SET = """
    domains:
      - code: "1"
        name: Lĩnh vực một
        name_en: Domain one
        max: 10
        children:
          - {code: "1.1", name: Lá 1.1, max: 4, rule: {type: points}}
          - {code: "1.2", name: Lá 1.2, max: 6, rule: {type: points}}
      - code: "2"
        name: Lĩnh vực hai
        max: 4
        children:
          - {code: "2.1", name: Lá 2.1, max: 4, rule: {type: yes_no}}
      - {code: "B", name: Thưởng, max: 1, kind: bonus, rule: {type: points}}
    """

# Self rows each quarter, appraisal rows for the whole year ("2025"):
#           Q1 self              Q2 self            2025 appraisal
#   a   1.1=4 1.2=6 2.1=có      1.1=1              1.1=1 1.2=6 2.1=có
#   b   1.1=2 1.2=3 2.1=không   1.2=6 2.1=có       1.1=2 1.2=3 2.1=không
#   c   1.1=3 1.2=3             –                  1.1=N/A 2.1=có
#   d   –                       –                  1.1, 1.2, 2.1 = N/A; B=1
# Index as of:  Q1: a 100, c 42.86, b 35.71, d 0     (d: no rows yet, so 0 of 14)
#               Q2: b 85.71, a 78.57, c 42.86, d 0
#             2025: a 11/14 = 78.57, c 7/10 = 70, b 5/14 = 35.71, d unranked
Q = "2025-Q"
ROWS = [
    row("a", "1.1", "4", f"{Q}1"), row("a", "1.2", "6", f"{Q}1"), row("a", "2.1", "có", f"{Q}1"),
    row("b", "1.1", "2", f"{Q}1"), row("b", "1.2", "3", f"{Q}1"), row("b", "2.1", "không", f"{Q}1"),
    row("c", "1.1", "3", f"{Q}1"), row("c", "1.2", "3", f"{Q}1"),
    row("a", "1.1", "1", f"{Q}2"), row("b", "1.2", "6", f"{Q}2"), row("b", "2.1", "có", f"{Q}2"),
    *[row(u, code, v, "2025", stage="appraisal") for u, vals in
      {"a": ("1", "6", "có"), "b": ("2", "3", "không"), "c": ("N/A", None, "có"),
       "d": ("N/A", "N/A", "N/A")}.items()
      for code, v in zip(("1.1", "1.2", "2.1"), vals) if v is not None],
    row("d", "B", "1", "2025", stage="appraisal"),
]


@pytest.fixture(scope="module")
def setup():
    criteria, units = build_criteria(SET), make_units("a b c d")
    return criteria, units, make_rows(criteria, units, ROWS)


@pytest.fixture(scope="module")
def card(setup):
    return score(*setup)


@pytest.fixture(scope="module")
def q2(setup):
    return score(*setup, parse_period("2025-Q2"))


def rounded(values, nd=4):
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
            else round(float(v), nd) if isinstance(v, float) else v for v in values]


def test_the_fixture_scores_as_the_comment_says(card, q2):
    assert list(card.units.index) == ["a", "c", "b", "d"]
    assert rounded(card.units["index"]) == [78.5714, 70.0, 35.7143, None]
    assert list(q2.units.index) == ["b", "a", "c", "d"] and q2.units["of"].iloc[0] == 4


# -- rank change ---------------------------------------------------------------------

def test_rank_change_is_previous_minus_current(card, q2):
    change = get_rank_change(card, q2)
    assert str(change.dtype) == "Int64" and list(change.index) == list(card.units.index)
    # a 2 → 1 (+1), c 3 → 2 (+1), b 1 → 3 (−2); d is unranked now
    assert change.loc[["a", "c", "b"]].tolist() == [1, 1, -2]
    assert change.isna().tolist() == [False, False, False, True]


def test_rank_change_without_a_previous_card_or_when_unranked_before(card, q2):
    assert get_rank_change(card, None).isna().all()
    # the other way round: d was ranked 4th as of Q2, but is unranked in the whole year
    back = get_rank_change(q2, card)
    assert back.loc[["b", "a", "c"]].tolist() == [2, -1, -1] and pd.isna(back.loc["d"])


def test_rank_change_for_a_unit_absent_from_the_previous_card(setup, card):
    criteria, units, rows = setup
    fewer = score(criteria, units[units["id"] != "a"], rows)
    change = get_rank_change(card, fewer)
    assert pd.isna(change.loc["a"]) and change.loc["c"] == -1  # c: 1st of (c, b) → 2nd


# -- one scorecard -------------------------------------------------------------------

def test_domain_comparison_uses_the_ranked_units_where_the_domain_applies(card):
    comp = get_domain_comparison(card, "c")
    assert list(comp.columns) == ["code", "name", "score", "max", "mean", "best", "attainment"]
    # D1: a 7/10, c 3/6 (1.1 not applicable), b 5/10; D2: a 4, c 4, b 0 (of 4)
    assert comp["code"].tolist() == ["1", "2"]  # the bonus domain is not a regular domain
    assert comp["name"].tolist() == ["Lĩnh vực một", "Lĩnh vực hai"]
    assert rounded(comp["score"]) == [3, 4] and rounded(comp["max"]) == [6, 4]
    assert rounded(comp["mean"]) == [5, 2.6667] and rounded(comp["best"]) == [7, 4]
    assert rounded(comp["attainment"]) == [50, 100]
    assert get_domain_comparison(card, "c", lang="en")["name"].tolist() == ["Domain one",
                                                                            "Lĩnh vực hai"]


def test_domain_comparison_for_an_unranked_unit_and_an_unknown_one(card):
    comp = get_domain_comparison(card, "d")
    assert rounded(comp["score"]) == [None, None] and rounded(comp["max"]) == [0, 0]
    assert rounded(comp["attainment"]) == [None, None] and rounded(comp["best"]) == [7, 4]
    with pytest.raises(KeyError):
        get_domain_comparison(card, "zz")


def test_domain_mean_and_best_leave_out_ranked_units_where_the_domain_does_not_apply():
    criteria, units = build_criteria(SET), make_units("x y")
    card = score(criteria, units, make_rows(criteria, units, [
        row("x", "1.1", "N/A"), row("x", "1.2", "N/A"), row("x", "2.1", "có"),
        row("y", "1.1", "1"), row("y", "1.2", "2"), row("y", "2.1", "không")]))
    assert card.units["rank"].tolist() == [1, 2]  # x 4/4 = 100, y 3/14
    comp = get_domain_comparison(card, "x")
    # D1 applies to y only: mean = best = 3 (not (0 + 3) / 2); D2: mean (4 + 0) / 2
    assert rounded(comp["mean"]) == [3, 2] and rounded(comp["best"]) == [3, 4]
    assert rounded(comp["score"]) == [None, 4] and rounded(comp["attainment"]) == [None, 100]


def test_domain_attainment_grid_in_rank_order(card):
    grid = get_domain_attainment(card)
    assert list(grid.index) == ["a", "c", "b", "d"] and list(grid.columns) == ["1", "2"]
    assert [rounded(r) for r in grid.to_numpy().tolist()] == [
        [70, 100], [50, 100], [50, 0], [None, None]]
    assert grid.attrs["unit_names"]["c"] == "Unit c"
    assert grid.attrs["column_names"] == {"1": "Lĩnh vực một", "2": "Lĩnh vực hai"}


def test_leaf_attainment_of_one_domain(card):
    grid = get_leaf_attainment(card, "1")
    assert list(grid.columns) == ["1.1", "1.2"] and list(grid.index) == ["a", "c", "b", "d"]
    assert [rounded(r) for r in grid.to_numpy().tolist()] == [
        [25, 100], [None, 50], [50, 50], [None, None]]
    assert grid.attrs["column_names"]["1.2"] == "Lá 1.2"
    with pytest.raises(KeyError):
        get_leaf_attainment(card, "1.1")  # a leaf, not a domain


def test_missing_leaves_of_a_unit(setup, card):
    q1 = score(*setup, parse_period("2025-Q1"))
    missing = get_missing(q1, "c")
    assert list(missing.columns) == ["code", "name", "max", "domain"]
    assert missing.values.tolist() == [["2.1", "Lá 2.1", 4.0, "2"], ["B", "Thưởng", 1.0, "B"]]
    assert len(get_missing(card, "c")) == card.units.at["c", "missing"] == 1
    assert get_missing(card, "d").empty  # N/A rows are data, not missing


def test_criterion_distribution_over_the_ranked_units(card):
    leaf = get_criterion_distribution(card, "1.1")
    assert list(leaf.columns) == ["unit", "name", "points", "max", "applicable"]
    assert leaf["unit"].tolist() == ["a", "c", "b"]  # rank order; d is unranked
    assert rounded(leaf["points"]) == [1, None, 2] and rounded(leaf["max"]) == [4, None, 4]
    assert leaf["applicable"].tolist() == [True, False, True]
    branch = get_criterion_distribution(card, "1")  # a branch node works too
    assert rounded(branch["points"]) == [7, 3, 5] and rounded(branch["max"]) == [10, 6, 10]
    with pytest.raises(KeyError):
        get_criterion_distribution(card, "9.9")


# -- several scorings ----------------------------------------------------------------

def test_self_vs_appraisal_per_leaf_with_both_stages(setup):
    out = get_self_vs_appraisal(*setup, "b", None)
    assert list(out.columns) == ["code", "name", "domain", "max", "self_points",
                                 "appraisal_points", "difference"]
    # self (last row per leaf): 1.1=2, 1.2=6, 2.1=có; appraisal: 2, 3, không; B: no rows
    assert out["code"].tolist() == ["1.1", "1.2", "2.1"]
    assert rounded(out["self_points"]) == [2, 6, 4]
    assert rounded(out["appraisal_points"]) == [2, 3, 0]
    assert rounded(out["difference"]) == [0, 3, 4]


def test_self_vs_appraisal_not_applicable_stage_and_window(setup):
    c = get_self_vs_appraisal(*setup, "c", None)
    # 1.1: self 3, appraisal N/A; 1.2 self only; 2.1 appraisal only → only 1.1 has both
    assert c["code"].tolist() == ["1.1"]
    assert rounded(c.iloc[0][["self_points", "appraisal_points", "difference"]].tolist()) == [
        3, None, None]
    # as of Q2 the annual appraisal rows are outside the window
    assert get_self_vs_appraisal(*setup, "b", parse_period("2025-Q2")).empty
    with pytest.raises(KeyError):
        get_self_vs_appraisal(*setup, "zz", None)


TREND_COLUMNS = ["unit", "as_of", "index", "rank", "of", "provisional", "stage", "unscored",
                 "unscored_criteria"]


def test_trend_one_scoring_per_period_with_rows(setup):
    trend = get_trend(*setup)
    assert list(trend.columns) == TREND_COLUMNS
    # no rows in Q3 or Q4: those periods are not scored; units in the final rank order
    assert trend["as_of"].unique().tolist() == ["2025-Q1", "2025-Q2", "2025"]
    assert trend["unit"].unique().tolist() == ["a", "c", "b", "d"]
    a = trend[trend["unit"] == "a"]
    assert rounded(a["index"]) == [100, 78.5714, 78.5714]
    assert a["rank"].tolist() == [1, 2, 1] and a["of"].tolist() == [4, 4, 3]
    assert a["provisional"].tolist() == [True, True, False]
    d = trend[trend["unit"] == "d"]
    assert d["rank"].isna().tolist() == [False, False, True]
    assert str(trend["rank"].dtype) == "Int64"


def test_trend_says_which_points_are_self_scores_and_what_is_not_scored_yet(setup):
    at = get_trend(*setup).set_index(["unit", "as_of"])
    # a: self-scores in Q1 and Q2, the appraised year; c's year is partly appraised (1.2 has
    # self rows only); d has no row before the year (no stage; all 14 points count 0)
    assert at.loc["a", "stage"].tolist() == ["self", "self", "appraisal"]
    assert at.loc["c", "stage"].tolist() == ["self", "self", "mixed"]
    assert at.loc["d", "stage"].isna().tolist() == [True, True, False]
    # c has no row for 2.1 (4 of its 14 points) until the appraisal: 28.57 index points held
    assert rounded(at.loc["c", "unscored"]) == [28.5714, 28.5714, 0]
    assert at.loc["c", "unscored_criteria"].tolist() == [1, 1, 0]
    assert rounded(at.loc["d", "unscored"]) == [100, 100, 0]  # bonus B is not in the index max
    assert at.loc["a", "unscored"].tolist() == [0, 0, 0]


def test_trend_kind_words():
    assert trend_kind("self", "2019-Q4") == "Tự chấm lũy kế"
    assert trend_kind("appraisal", "2019") == "Thẩm định cả năm"
    assert trend_kind("appraisal", "2019", "en") == "Appraised, whole year"
    assert trend_kind("appraisal", "2019-Q2") == "Thẩm định lũy kế"
    assert trend_kind("mixed", "2019") == "Tự chấm, một phần đã thẩm định"
    assert trend_kind(None, "2019-Q1") == trend_kind(float("nan"), "2019") == "Chưa có số liệu"


SURVEYED = """
    domains:
      - code: "1"
        name: Tự chấm
        max: 6
        children:
          - {code: "1.1", name: Lá 1.1, max: 6, rule: {type: points}}
      - code: "2"
        name: Khảo sát
        max: 4
        children:
          - {code: "2.1", name: Khảo sát 2.1, max: 4, rule: {type: survey}}
    """


def test_the_jump_from_self_scores_to_the_appraised_year_splits_in_two():
    criteria, units = build_criteria(SURVEYED), make_units("x y")
    rows = make_rows(criteria, units, [
        row("x", "1.1", "5", f"{Q}1"), row("x", "1.1", "6", f"{Q}2"),
        row("x", "1.1", "4", "2025", stage="appraisal"),
        row("x", "2.1", "75", "2025", stage="appraisal"),
        row("y", "1.1", "3", f"{Q}1")])
    trend = get_trend(criteria, units, rows)
    x = trend[trend["unit"] == "x"]
    # Q2: 6 of 10 (the survey counts 0: 40 index points held back); the year: 4 + 3 of 10
    assert rounded(x["index"]) == [50, 60, 70] and rounded(x["unscored"]) == [40, 40, 0]
    jump = get_trend_jump(criteria, units, rows, trend, "x")
    assert jump["from"] == "2025-Q2" and jump["to"] == "2025" and jump["criteria"] == 1
    # the survey adds 3 points (+30), the appraisal cuts 1.1 from 6 to 4 (−20)
    assert round(jump["newly_scored"], 6) == 30 and round(jump["adjusted"], 6) == -20
    assert jump["newly_scored"] + jump["adjusted"] == pytest.approx(70 - 60)
    assert get_trend_jump(criteria, units, rows, trend, "y") is None  # never appraised
    assert describe_trend_jump(jump) == (
        "Chỉ số đi từ 60,00 (2025-Q2, tự chấm lũy kế) đến 70,00 (2025, thẩm định): +30,00 điểm "
        "từ 1 tiêu chí trước đó chưa chấm nên tính 0 (như khảo sát); -20,00 điểm do thẩm định "
        "điều chỉnh các tiêu chí đơn vị đã tự chấm.")
    assert "+30.00 points from 1 criteria" in describe_trend_jump(jump, "en")
    y = trend[trend["unit"] == "y"].iloc[-1]  # no appraisal for y: self-scores only
    assert describe_unscored(y) == (
        "Tính đến 2025: 1 tiêu chí chưa chấm (40,00 điểm) đang tính 0, như khảo sát chỉ có "
        "khi thẩm định cả năm; chỉ số thẩm định cả năm sẽ khác chỉ số tự chấm lũy kế này.")
    assert describe_unscored(x.iloc[-1]) is None  # appraised


def test_no_jump_without_a_self_score_right_before_the_appraisal(setup):
    criteria, units, rows = setup
    trend = get_trend(criteria, units, rows)
    assert get_trend_jump(criteria, units, rows, trend, "c") is None  # its year is mixed
    assert get_trend_jump(criteria, units, rows, trend, "d") is None  # no self-score before
    b = get_trend_jump(criteria, units, rows, trend, "b")
    # b claimed 1.2 = 6 and 2.1 = có by Q2; the appraisal: 3 and không (−7 of 14 = −50)
    assert (b["criteria"], round(b["newly_scored"], 6), round(b["adjusted"], 6)) == (0, 0, -50)


def test_over_scoring_counts_a_penalty_the_other_way():
    criteria = build_criteria("""
        domains:
          - code: "1"
            name: Một
            max: 10
            children:
              - {code: "1.1", name: Lá 1.1, max: 10, rule: {type: points}}
          - code: "P"
            name: Trừ
            max: 2
            kind: penalty
            children:
              - {code: "P.1", name: Lá P.1, max: 2, rule: {type: points}}
        """)
    units = make_units("u v")
    rows = make_rows(criteria, units, [
        row("u", "1.1", "8"), row("u", "P.1", "0"),
        row("u", "1.1", "8", stage="appraisal"), row("u", "P.1", "1", stage="appraisal"),
        row("v", "1.1", "5"), row("v", "P.1", "1"),
        row("v", "1.1", "6", stage="appraisal"), row("v", "P.1", "1", stage="appraisal")])
    over = get_over_scoring(criteria, units, rows)
    # u declared no penalty, the appraisal found 1: its self-score was 1 point too high
    assert over.at["u", "difference"] == 1 and over.at["u", "over"] == 1
    assert over.at["v", "difference"] == -1 and over.at["v", "over"] == 0  # 1.1 raised


def test_trend_matches_the_scorecards_and_filters_units(setup, card, q2):
    trend = get_trend(*setup, unit_ids=["b", "a"])
    assert trend["unit"].unique().tolist() == ["b", "a"]
    at = trend.set_index(["unit", "as_of"])
    for c in (card, q2):
        assert at.loc[("b", str(c.as_of)), "rank"] == c.units.at["b", "rank"]
    with pytest.raises(KeyError):
        get_trend(*setup, unit_ids=["zz"])


def test_trend_without_rows(setup):
    criteria, units, rows = setup
    empty = get_trend(criteria, units, rows.iloc[:0])
    assert empty.empty and list(empty.columns) == TREND_COLUMNS


def test_compare_sets_reports_consecutive_years_with_different_files():
    year = lambda y: HEADER.replace("year: 2025", f"year: {y}")
    s24, s25 = build_criteria(SET, year(2024)), build_criteria(SET, year(2025))
    s26 = build_criteria(SET.replace("Thưởng", "Thưởng mới"), year(2026))
    assert s24.sha256 != s25.sha256  # the year line alone makes the files differ
    assert compare_sets([s26, s24, s25]) == [(2024, 2025, "t", "t"), (2025, 2026, "t", "t")]
    same = replace(s24, year=2025)  # the very same file, used again the next year
    assert compare_sets([s24, same]) == [] and compare_sets([s24]) == [] and compare_sets([]) == []
    assert compare_sets([s24, replace(same, sha256=None)]) == [(2024, 2025, "t", "t")]


# -- the sample data -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample():
    criteria = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data" / "units.csv")
    rows, issues = read_inputs([ROOT / "data" / "inputs" / "huyen-2019-self.csv",
                                ROOT / "data" / "inputs" / "huyen-2019-appraisal.csv"],
                               criteria, units)
    assert not [i for i in issues if i.severity == "error"]
    return criteria, units, rows


def test_sample_trend_of_cua_lo_ends_14_of_21(sample):
    trend = get_trend(*sample, unit_ids=["cua-lo"])
    assert trend["as_of"].tolist() == ["2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4", "2019"]
    last = trend.iloc[-1]
    assert (last["as_of"], last["rank"], last["of"], last["provisional"]) == ("2019", 14, 21, False)
    assert trend["provisional"].tolist() == [True] * 4 + [False]
    assert trend["stage"].tolist() == ["self"] * 4 + ["appraisal"]
    # the 9 survey criteria (20 points) come only with the appraisal: they count 0 until then
    assert trend["unscored"].tolist() == pytest.approx([20.0] * 4 + [0.0])
    assert trend["unscored_criteria"].tolist() == [9] * 4 + [0]
    jump = get_trend_jump(*sample, trend, "cua-lo")
    assert (jump["from"], jump["to"], jump["criteria"]) == ("2019-Q4", "2019", 9)
    assert 10 < jump["newly_scored"] <= 20  # what the surveys bring
    assert 3 <= -jump["adjusted"] <= 19  # the appraisal cuts the self-scores, as councils do
    assert jump["from_index"] + jump["newly_scored"] + jump["adjusted"] == pytest.approx(
        jump["to_index"])


def test_sample_rank_change_q2_to_year(sample):
    card, q2 = score(*sample), score(*sample, parse_period("2019-Q2"))
    change = get_rank_change(card, q2)
    expected = q2.units["rank"].reindex(card.units.index) - card.units["rank"]
    assert change.tolist() == expected.tolist()
    # Cửa Lò's self-scores put it 2nd by Q2; the appraisal's cuts put it 14th
    assert (q2.units.at["cua-lo", "rank"], card.units.at["cua-lo", "rank"]) == (2, 14)
    assert change.loc["cua-lo"] == -12


def test_sample_self_vs_appraisal_cua_lo_late_dossiers(sample):
    out = get_self_vs_appraisal(*sample, "cua-lo", None).set_index("code")
    # self 1775/1809 on time (98.1 % → 2 points); appraisal 1668/1893 (88.1 % → 0.5)
    assert out.loc["3.3.1", ["self_points", "appraisal_points", "difference"]].tolist() == [
        2.0, 0.5, 1.5]
    assert out.loc["1.1.1", "difference"] == 1  # the PAR plan: self "có", appraisal "không"
    assert not out.index.str.startswith("8.1").any()  # the survey is appraised only


def test_sample_domain_comparison_and_missing_for_cua_lo(sample):
    card = score(*sample)
    comp = get_domain_comparison(card, "cua-lo")
    assert len(comp) == 8 and comp["max"].sum() == 100
    assert comp.iloc[0]["attainment"] == pytest.approx(54.1667, abs=1e-4)  # 6.5 of 12
    assert comp["best"].tolist() == card.node_score[comp["code"]].max().tolist()
    assert get_missing(card, "cua-lo").empty  # the whole year is complete
    from par.domain.periods import Period
    q1 = score(*sample[:3], Period(2019, 1))
    missing = get_missing(q1, "cua-lo")
    surveys = [leaf.code for leaf in q1.criteria.leaves if leaf.rule.type == "survey"]
    assert set(surveys) <= set(missing["code"])  # surveys arrive with the annual appraisal
    assert len(missing) == q1.units.at["cua-lo", "missing"]
    assert set(missing["domain"]) >= {"8"}
    grid = get_domain_attainment(card)
    assert grid.shape == (21, 8) and grid.index[13] == "cua-lo"
