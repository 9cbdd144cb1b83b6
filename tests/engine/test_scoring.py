"""Scoring and ranking (CONTRACT §1 aggregate, §3 stages, §4)."""
from __future__ import annotations

import math

import pandas as pd
import pytest
from conftest import (
    build_criteria,
    card_for,
    leaf_points,
    leaf_set,
    make_rows,
    make_units,
    row,
)

from par import parse_period, score

TREE = """
    bands: [{min: 90, label: A}, {min: 80, label: B}, {min: 0, label: C}]
    domains:
      - code: "1"
        name: Một
        max: 6
        children:
          - code: "1.1"
            name: a
            max: 4
            children:
              - {code: "1.1.1", name: x, max: 2, rule: {type: yes_no}}
              - {code: "1.1.2", name: y, max: 2, rule: {type: points}}
          - {code: "1.2", name: b, max: 2, rule: {type: count, per_item: 0.5}}
      - {code: "2", name: Hai, max: 4, rule: {type: ratio, bands: [{above: 90, points: 4}, {min: 70, points: 2}]}}
      - {code: "T", name: Thưởng, max: 3, kind: bonus, rule: {type: points}}
      - {code: "P", name: Phạt, max: 5, kind: penalty, rule: {type: count, per_item: 1}}
    """


@pytest.fixture(scope="module")
def tree():
    return build_criteria(TREE)


def units_row(card, unit, *cols):
    return card.units.loc[unit, list(cols)].tolist()


def test_full_tree_roll_up(tree):
    units = make_units("a")
    card = card_for(tree, units, [row("a", "1.1.1", "có"), row("a", "1.1.2", "1,5"),
                                  row("a", "1.2", "3"), row("a", "2", numerator=9, denominator=10)])
    # 1.1 = 2 + 1.5; 1.2 = 3 × 0.5; 1 = 3.5 + 1.5; 2: 90% → "min 70" band = 2
    ns = card.node_score.loc["a"]
    assert ns[["1.1.1", "1.1.2", "1.1", "1.2", "1", "2"]].tolist() == [2, 1.5, 3.5, 1.5, 5, 2]
    assert card.node_max.loc["a", ["1.1", "1", "2"]].tolist() == [4, 6, 4]
    assert units_row(card, "a", "score", "max", "index", "regular", "bonus", "penalty") == [
        7, 10, 70, 7, 0, 0]
    assert units_row(card, "a", "band", "rank", "of") == ["C", 1, 1]
    assert list(card.node_score.columns) == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "T", "P"]
    assert set(card.leaves.columns) >= {"unit", "criterion", "points", "max", "applicable",
                                        "missing", "stage"}
    assert set(card.units.columns) >= {"score", "max", "index", "index_2dp", "rank", "of",
                                       "group_rank", "group_of", "band", "provisional", "regular",
                                       "bonus", "penalty", "missing", "stage"}


def test_missing_leaf_scores_zero_is_reported_and_stays_applicable(tree):
    card = card_for(tree, make_units("a"), [row("a", "1.1.1", "có")])
    leaves = card.leaves.set_index("criterion")
    assert leaves.loc["1.1.2", ["points", "applicable", "missing"]].tolist() == [0, True, True]
    assert leaves.loc["1.1.1", ["points", "applicable", "missing"]].tolist() == [2, True, False]
    # max stays 10: index = 100 × 2 / 10; 5 leaves have no row (1.1.2, 1.2, 2, T, P)
    assert units_row(card, "a", "score", "max", "index", "missing") == [2, 10, 20, 5]


def test_not_applicable_leaf_leaves_points_and_max_out(tree):
    card = card_for(tree, make_units("a"), [
        row("a", "1.1.1", "có"), row("a", "1.1.2", "KAD"), row("a", "1.2", "Không áp dụng"),
        row("a", "2", "N/A")])
    # applicable: 1.1.1 only (max 2) → 2 / 2 = 100
    assert card.node_max.loc["a", ["1.1", "1", "2"]].tolist() == [2, 2, 0]
    assert units_row(card, "a", "score", "max", "index", "band") == [2, 2, 100, "A"]
    leaves = card.leaves.set_index("criterion")
    assert leaves.loc["1.1.2", ["applicable", "missing"]].tolist() == [False, False]


def test_na_under_last_the_latest_row_decides():
    # yes_no aggregates by `last`
    assert leaf_points("{type: yes_no}", 2, dict(value="có", period="2025-Q1"),
                       dict(value="N/A", period="2025-Q2")) == (0, False)
    assert leaf_points("{type: yes_no}", 2, dict(value="N/A", period="2025-Q1"),
                       dict(value="có", period="2025-Q2")) == (2, True)
    # ratio with aggregate last, as of the whole year: the annual row is the latest
    assert leaf_points("{type: ratio, linear: true, aggregate: last}", 2,
                       dict(numerator=1, denominator=2, period="2025"),
                       dict(value="N/A", period="2025-Q4")) == (1, True)


def test_na_under_sum_only_when_every_row_says_so():
    # count per_item 1: Q1 3 + Q2 N/A + Q3 2 = 5
    assert leaf_points("{type: count, per_item: 1}", 10, dict(value="3", period="2025-Q1"),
                       dict(value="N/A", period="2025-Q2"), dict(value="2", period="2025-Q3")) == (5, True)
    assert leaf_points("{type: count, per_item: 1}", 10, dict(value="N/A", period="2025-Q1"),
                       dict(value="N/A", period="2025-Q2")) == (0, False)
    # ratio under sum: (3 + 0) / (4 + 0), the N/A quarter adds nothing
    assert leaf_points("{type: ratio, linear: true}", 4, dict(numerator=3, denominator=4, period="2025-Q1"),
                       dict(value="n/a", period="2025-Q2")) == (3, True)


@pytest.mark.parametrize("agg, expected", [("sum", 12), ("last", 2), ("mean", 4), ("max", 7),
                                           ("min", 2)])
def test_aggregates(agg, expected):
    # Q1 3, Q2 N/A, Q3 7, Q4 2; N/A periods do not take part: mean = (3 + 7 + 2) / 3 = 4
    rows = [dict(value=v, period=f"2025-Q{q}") for q, v in enumerate(["3", "N/A", "7", "2"], 1)]
    assert leaf_points(f"{{type: count, per_item: 1, aggregate: {agg}}}", 100, *rows) == (expected, True)


def test_node_score_capped_at_its_applicable_max():
    # leaves: points max 2 with sum of 3 quarters (capped at 2 by the rule), node max 3
    c = build_criteria("""
        domains:
          - code: "1"
            name: A
            max: 3
            children:
              - {code: "1.1", name: a, max: 2, rule: {type: points, aggregate: sum}}
              - {code: "1.2", name: b, max: 1, rule: {type: yes_no}}
        """)
    card = card_for(c, make_units("a"), [row("a", "1.1", "1.5", period=f"2025-Q{q}") for q in (1, 2)]
                    + [row("a", "1.2", "có")])
    assert card.node_score.loc["a", ["1.1", "1.2", "1"]].tolist() == [2, 1, 3]
    assert card.leaves["points"].max() <= 2


def test_bonus_and_penalty(tree):
    units = make_units("a b c d")
    full = [row(u, "1.1.1", "có") for u in "abcd"] + [row(u, "1.1.2", "2") for u in "abcd"]
    rows = full + [
        row("a", "T", "3"),                                   # 4 + 3 = 7 of max 10
        row("b", "1.2", "4"), row("b", "2", numerator=95, denominator=100), row("b", "T", "3"),
        row("c", "P", "3"),                                   # 4 − 3 = 1
        row("d", "P", "9"),                                   # 4 − min(5, 9) = −1 → 0
    ]
    card = card_for(tree, units, rows)
    assert units_row(card, "a", "regular", "bonus", "penalty", "score", "index") == [4, 3, 0, 7, 70]
    # b: 4 + 2 + 4 = 10 regular + 3 bonus → clamped at the applicable regular max 10
    assert units_row(card, "b", "regular", "bonus", "score", "max", "index") == [10, 3, 10, 10, 100]
    assert units_row(card, "c", "penalty", "score", "index") == [3, 1, 10]
    assert units_row(card, "d", "penalty", "score", "index") == [5, 0, 0]
    assert card.units["index"].max() <= 100


def test_bonus_clamped_at_the_applicable_max_not_the_full_max(tree):
    # 1.2 and 2 not applicable: applicable regular max 4; regular 3 + bonus 3 → 4, index 100
    card = card_for(tree, make_units("a"), [
        row("a", "1.1.1", "có"), row("a", "1.1.2", "1"), row("a", "1.2", "N/A"),
        row("a", "2", "N/A"), row("a", "T", "3")])
    assert units_row(card, "a", "regular", "bonus", "score", "max", "index") == [3, 3, 4, 4, 100]


def test_all_not_applicable_unit_has_no_index_and_no_rank(tree):
    units = make_units("a b z")
    na_all = [row("z", c, "N/A") for c in ("1.1.1", "1.1.2", "1.2", "2")] + [row("z", "T", "2")]
    card = card_for(tree, units, [row("a", "1.1.1", "có"), row("b", "1.1.2", "1")] + na_all)
    z = card.units.loc["z"]
    assert z["max"] == 0 and math.isnan(z["index"]) and pd.isna(z["rank"]) and pd.isna(z["band"])
    assert card.units["of"].tolist() == [2, 2, 2]  # z is not counted in `of`
    assert list(card.units.index) == ["a", "b", "z"]  # best first, unranked last
    assert card.units.loc[["a", "b"], "rank"].tolist() == [1, 2]
    rec = {r["unit"]: r for r in card.to_records()}["z"]
    assert rec["index"] is None and rec["rank"] is None and rec["domains"]["1"] is None
    assert rec["max"] == 0 and rec["of"] == 2


def test_provisional_iff_any_leaf_scored_from_self_rows(tree):
    units = make_units("a b c")
    card = card_for(tree, units, [
        row("a", "1.1.1", "có", stage="appraisal"), row("a", "1.1.2", "2", stage="thẩm định"),
        row("b", "1.1.1", "có", stage="appraisal"), row("b", "1.1.2", "2", stage="self"),
        row("c", "1.1.1", "có", stage=""),
    ])
    assert card.units.loc[["a", "b", "c"], "provisional"].tolist() == [False, True, True]
    assert card.units.loc[["a", "b", "c"], "stage"].tolist() == ["appraisal", "mixed", "self"]
    leaves = card.leaves.set_index(["unit", "criterion"])["stage"]
    assert (leaves[("b", "1.1.1")], leaves[("b", "1.1.2")]) == ("appraisal", "self")
    assert pd.isna(leaves[("b", "1.2")])  # no row: no stage


def test_appraisal_rows_win_over_self_rows_in_the_window():
    c = leaf_set("{type: points, aggregate: sum}", 10)
    units = make_units("a")
    rows = make_rows(c, units, [
        row(value="3", period="2025-Q1"), row(value="3", period="2025-Q2"),
        row(value="3", period="2025-Q3"),
        row(value="1", period="2025-Q2", stage="appraisal")])
    # as of Q1 no appraisal row yet → self 3 (provisional)
    q1 = score(c, units, rows, parse_period("2025-Q1"))
    assert (q1.units.at["a", "score"], q1.units.at["a", "provisional"]) == (3, True)
    # as of Q3: the appraisal row exists → only appraisal rows count (1), not 3+3+3 nor 1+3
    q3 = score(c, units, rows, parse_period("2025-Q3"))
    assert (q3.units.at["a", "score"], q3.units.at["a", "provisional"]) == (1, False)


def test_as_of_quarter_and_annual_row():
    c = leaf_set("{type: points}", 10)
    units = make_units("a")
    rows = make_rows(c, units, [row(value="4", period="2025-Q1"), row(value="6", period="2025-Q2"),
                                row(value="9", period="2025"), row(value="1", period="2024-Q3"),
                                row(value="2", period="2026-Q1")])
    at = lambda p: score(c, units, rows, parse_period(p)).units.at["a", "score"]
    assert at("2025-Q1") == 4
    assert at("2025-Q2") == 6
    assert at("2025-Q4") == 6  # the annual row counts only after Q4
    assert at("2025") == 9
    assert score(c, units, rows).units.at["a", "score"] == 9  # default: the criteria set's year
    assert at("2024") == 1  # other years are kept apart
    assert score(c, units, rows, parse_period("2025-Q2")).as_of == parse_period("2025-Q2")


def test_as_of_sum_counts_quarters_to_date():
    c = leaf_set("{type: count, per_item: 1}", 100)
    units = make_units("a")
    rows = make_rows(c, units, [row(value=str(q), period=f"2025-Q{q}") for q in (1, 2, 3, 4)]
                     + [row(value="10", period="2025")])
    at = lambda p: score(c, units, rows, parse_period(p)).units.at["a", "score"]
    assert (at("2025-Q2"), at("2025-Q4"), at("2025")) == (3, 10, 20)


def index_set(ties="min"):
    return leaf_set("{type: points}", 100, f"ranking: {{ties: {ties}}}\n")


@pytest.mark.parametrize("ties, ranks", [("min", [1, 2, 2, 4]), ("dense", [1, 2, 2, 3])])
def test_ties(ties, ranks):
    units = make_units("a b c d")
    card = card_for(index_set(ties), units, [row("a", value="90"), row("b", value="80"),
                                             row("c", value="80"), row("d", value="70")])
    assert card.units.loc[list("abcd"), "rank"].tolist() == ranks
    assert card.units["of"].tolist() == [4] * 4


@pytest.mark.parametrize("ties, ranks", [("min", [1, 1, 3]), ("dense", [1, 1, 2])])
def test_ties_compare_the_index_rounded_to_two_decimals(ties, ranks):
    units = make_units("a b c")
    card = card_for(index_set(ties), units, [row("a", value="80.004"), row("b", value="79.996"),
                                             row("c", value="79.994")])
    # 80.004 → 80.00, 79.996 → 80.00 (tie); 79.994 → 79.99
    assert card.units.loc[list("abc"), "rank"].tolist() == ranks
    assert card.units.loc[list("abc"), "index_2dp"].tolist() == [80.0, 80.0, 79.99]


def test_group_ranks_and_level_rank():
    c = index_set()
    units = make_units([dict(id="p1", name="P1", level="xa", group="phuong"),
                        dict(id="x1", name="X1", level="xa", group="xa"),
                        dict(id="p2", name="P2", level="xa", group="phuong"),
                        dict(id="x2", name="X2", level="xa", group="xa"),
                        dict(id="x3", name="X3", level="xa", group="xa"),
                        dict(id="h1", name="H1", level="huyen", group="")])
    card = card_for(c, units, [row("p1", value="95"), row("x1", value="90"), row("p2", value="60"),
                               row("x2", value="85"), row("x3", value="90")])
    u = card.units
    assert "h1" not in u.index  # other levels are not scored
    assert list(u.index) == ["p1", "x1", "x3", "x2", "p2"]
    assert u["rank"].tolist() == [1, 2, 2, 4, 5] and u["of"].tolist() == [5] * 5
    assert u.loc[["p1", "p2"], ["group_rank", "group_of"]].values.tolist() == [[1, 2], [2, 2]]
    assert u.loc[["x1", "x3", "x2"], ["group_rank", "group_of"]].values.tolist() == [
        [1, 3], [1, 3], [3, 3]]


def test_no_group_means_no_group_rank():
    card = card_for(index_set(), make_units("a b"), [row("a", value="5"), row("b", value="6")])
    assert card.units["group_rank"].isna().all() and card.units["group_of"].isna().all()


@pytest.mark.parametrize("value, band", [("90", "A"), ("89.99", "B"), ("100", "A"), ("80", "B"),
                                         ("79.5", "C"), ("0", "C")])
def test_bands_on_the_index(value, band):
    c = leaf_set("{type: points}", 100, "bands: [{min: 0, label: C}, {min: 90, label: A}, {min: 80, label: B}]\n")
    assert card_for(c, make_units("a"), [row(value=value)]).units.at["a", "band"] == band


def test_band_with_above_bound():
    c = leaf_set("{type: points}", 100, "bands: [{above: 90, label: A}, {min: 0, label: B}]\n")
    card = card_for(c, make_units("a b"), [row("a", value="90"), row("b", value="90.5")])
    assert card.units.loc[["a", "b"], "band"].tolist() == ["B", "A"]


def test_scale_other_than_100():
    # scale 10: 6 of 8 → 7.5
    c = leaf_set("{type: points}", 8, "scale: 10\n")
    card = card_for(c, make_units("a"), [row(value="6")])
    assert units_row(card, "a", "score", "max", "index") == [6, 8, 7.5]


def test_decimal_comma_and_percent_inputs():
    c = build_criteria("""
        domains:
          - code: "1"
            name: A
            max: 10
            children:
              - {code: "1.1", name: a, max: 4, rule: {type: points}}
              - {code: "1.2", name: b, max: 4, rule: {type: survey}}
              - {code: "1.3", name: c, max: 2, rule: {type: ratio, linear: true}}
        """)
    card = card_for(c, make_units("a"), [row("a", "1.1", "2,5"), row("a", "1.2", "62,5%"),
                                         row("a", "1.3", numerator="1,5", denominator="3")])
    # 2.5 + 4 × 0.625 + 2 × 0.5 = 6
    assert card.node_score.loc["a", ["1.1", "1.2", "1.3"]].tolist() == [2.5, 2.5, 1]
    assert card.units.at["a", "score"] == 6


def test_unit_given_by_name_instead_of_id():
    c = leaf_set("{type: points}", 10)
    units = make_units([dict(id="dien-chau", name="Xã Diễn Châu", level="xa"),
                        dict(id="b", name="Xã B", level="xa")])
    card = card_for(c, units, [row(" Xã Diễn Châu ", value="7"), row("b", value="3")])
    assert card.units.loc[["dien-chau", "b"], "score"].tolist() == [7, 3]


def test_unit_name_matches_after_unicode_normalisation():
    import unicodedata
    c = leaf_set("{type: points}", 10)
    units = make_units([dict(id="x", name="Xã Ân Hòa", level="xa")])
    decomposed = unicodedata.normalize("NFD", "Xã Ân Hòa")
    assert decomposed != "Xã Ân Hòa"
    assert card_for(c, units, [row(decomposed, value="7")]).units.at["x", "score"] == 7


def test_no_rows_at_all():
    c = leaf_set("{type: points}", 10)
    units = make_units("a b")
    card = card_for(c, units, [])
    assert card.units["index"].tolist() == [0, 0] and card.units["rank"].tolist() == [1, 1]
    assert card.leaves["missing"].all()
