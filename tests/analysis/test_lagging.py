"""Lagging criteria, strengths and the weakest criteria (CONTRACT §4)."""
from __future__ import annotations

import pytest
from conftest import build_criteria, card_for, make_units, row

from par import get_lagging, get_strengths, get_weakest

SET = """
    domains:
      - code: "1"
        name: D1
        max: 10
        children:
          - {code: "1.1", name: L1, max: 4, rule: {type: points}}
          - {code: "1.2", name: L2, max: 6, rule: {type: points}}
      - code: "2"
        name: D2
        max: 3
        children:
          - {code: "2.1", name: L3, max: 3, rule: {type: yes_no}}
      - {code: "B", name: Thưởng, max: 1, kind: bonus, rule: {type: points}}
      - {code: "P", name: Phạt, max: 2, kind: penalty, rule: {type: count, per_item: 1}}
    """

#        L1 (4)  L2 (6)  L3 (3)  P
#   a      1       6       0     0
#   b      2       3       3     2
#   c      4       4       3     1
#   d     N/A     N/A     N/A    –   (bonus B = 1; unranked: no applicable regular leaf)
# means over the ranked a, b, c: L1 7/3, L2 13/3, L3 2; bests 4, 6, 3
VALUES = {"a": ("1", "6", "không"), "b": ("2", "3", "có"), "c": ("4", "4", "có"),
          "d": ("N/A", "N/A", "N/A")}


@pytest.fixture(scope="module")
def card():
    rows = [row(u, code, v) for u, vals in VALUES.items() for code, v in zip(("1.1", "1.2", "2.1"), vals)]
    rows += [row("d", "B", "1"), row("b", "P", "2"), row("c", "P", "1"), row("a", "P", "0")]
    return card_for(build_criteria(SET), make_units("a b c d"), rows)


def records(frame, *cols):
    return [tuple(round(v, 4) if isinstance(v, float) else v for v in r)
            for r in frame[list(cols)].itertuples(index=False)]


def test_ranking_of_the_fixture(card):
    # c: 4+4+3−1 = 10, a: 1+6+0 = 7, b: 2+3+3−2 = 6 of 13; d unranked
    assert card.units["score"].tolist() == [10, 7, 6, 0]
    assert list(card.units.index) == ["c", "a", "b", "d"] and card.units.at["a", "of"] == 3


def test_lagging_ordered_by_gap_with_points_lost_mean_and_best(card):
    lag = get_lagging(card, "a")
    # L3: mean 2 − 0 = 2 before L1: 7/3 − 1 = 1.3333; L2 (6 > 13/3) is not lagging
    assert records(lag, "criterion", "name", "score", "max", "points_lost", "mean", "best") == [
        ("2.1", "L3", 0, 3, 3, 2, 3), ("1.1", "L1", 1, 4, 3, 2.3333, 4)]
    assert {"criterion", "name", "score", "max", "points_lost", "mean", "best"} <= set(lag.columns)


def test_lagging_of_other_units(card):
    # b: L2 13/3 − 3 = 1.3333 before its penalty 2 − 1 = 1 before L1 7/3 − 2 = 0.3333
    assert records(get_lagging(card, "b"), "criterion", "points_lost", "mean") == [
        ("1.2", 3, 4.3333), ("P", 2, 1), ("1.1", 2, 2.3333)]
    assert records(get_lagging(card, "c"), "criterion", "points_lost", "best") == [("1.2", 2, 6)]


def test_means_use_ranked_peers_only(card):
    # d's bonus point does not count: over a, b, c the bonus mean is 0, so nobody lags on B
    for unit in "abc":
        assert "B" not in get_lagging(card, unit)["criterion"].tolist()
    assert get_lagging(card, "d").empty  # an unranked unit has no peers to compare with


def test_a_penalty_leaf_lags_when_the_penalty_is_above_the_mean(card):
    # CONTRACT §4 (second revision): P over a, b, c is 0, 2, 1 → mean 1, best (smallest) 0.
    # b pays 2: it lags by 2 − 1 = 1, loses the penalty itself (2) and sorts by that gap
    # between L2 (13/3 − 3 = 1.3333) and L1 (7/3 − 2 = 0.3333)
    lag = get_lagging(card, "b")
    assert records(lag, "criterion", "name", "score", "max", "points_lost", "mean", "best",
                   "gap") == [("1.2", "L2", 3, 6, 3, 4.3333, 6, 1.3333),
                              ("P", "Phạt", 2, 2, 2, 1, 0, 1),
                              ("1.1", "L1", 2, 4, 2, 2.3333, 4, 0.3333)]
    # a pays nothing, below the mean penalty: not lagging; c pays the mean: not lagging
    assert "P" not in get_lagging(card, "a")["criterion"].tolist()
    assert "P" not in get_lagging(card, "c")["criterion"].tolist()


def test_a_penalty_below_the_mean_is_a_strength(card):
    # a pays 0 where the mean is 1: a lead of 1, its best the smallest penalty (0)
    strengths = get_strengths(card, "a")
    assert records(strengths, "criterion", "score", "mean", "best", "lead") == [
        ("1.2", 6, 4.3333, 6, 1.6667), ("P", 0, 1, 0, 1)]
    assert "P" not in get_strengths(card, "b")["criterion"].tolist()
    assert "P" not in get_strengths(card, "c")["criterion"].tolist()


def test_a_penalty_leaf_lags_by_its_gap_alone():
    # a penalty gap larger than every regular gap comes first, whatever its points lost
    c = build_criteria(SET)
    rows = [row("a", "1.1", "3"), row("b", "1.1", "4"), row("c", "1.1", "4"),
            row("a", "P", "2"), row("b", "P", "0"), row("c", "P", "0")]
    lag = get_lagging(card_for(c, make_units("a b c"), rows), "a")
    # P: 2 − 2/3 = 1.3333 before L1: 11/3 − 3 = 0.6667
    assert records(lag, "criterion", "points_lost", "mean", "best", "gap") == [
        ("P", 2, 0.6667, 0, 1.3333), ("1.1", 1, 3.6667, 4, 0.6667)]


def test_penalty_leaves_stay_out_of_the_weakest_criteria(card):
    # attainment (points earned / max) means nothing for a penalty (docs/decisions.md)
    assert "P" not in get_weakest(card)["criterion"].tolist()


def test_not_applicable_peers_are_left_out_of_the_mean():
    c = build_criteria(SET)
    rows = [row("a", "1.1", "1"), row("b", "1.1", "N/A"), row("c", "1.1", "4"),
            row("a", "1.2", "6"), row("b", "1.2", "6"), row("c", "1.2", "6")]
    lag = get_lagging(card_for(c, make_units("a b c"), rows), "a")
    # L1 mean over a and c only: (1 + 4) / 2 = 2.5, not 5 / 3
    assert records(lag[lag["criterion"] == "1.1"], "mean", "best") == [(2.5, 4)]


def test_strengths_mirror(card):
    assert records(get_strengths(card, "a"), "criterion", "score", "mean", "best") == [
        ("1.2", 6, 4.3333, 6), ("P", 0, 1, 0)]
    # c: L1 4 − 7/3 = 1.6667 before L3 3 − 2 = 1
    assert records(get_strengths(card, "c"), "criterion", "lead") == [("1.1", 1.6667), ("2.1", 1)]


def test_unknown_unit_raises(card):
    with pytest.raises(KeyError):
        get_lagging(card, "zz")


def test_domains_variant(card):
    # D1: a 7, b 5, c 8 → mean 20/3; D2: a 0, b 3, c 3 → mean 2
    assert records(get_lagging(card, "a", domains=True), "criterion", "name", "score", "max",
                   "points_lost", "mean", "best") == [("2", "D2", 0, 3, 3, 2, 3)]
    assert records(get_lagging(card, "b", domains=True), "criterion", "points_lost", "mean") == [
        ("1", 5, 6.6667)]
    assert records(get_strengths(card, "a", domains=True), "criterion", "lead") == [("1", 0.3333)]
    # only regular domains are compared
    assert set(get_lagging(card, "b", domains=True)["criterion"]) <= {"1", "2"}


def test_weakest_by_mean_attainment(card):
    weak = get_weakest(card)
    # attainment: B 0 %, L1 (7/3)/4 = 58.33 %, L3 2/3 = 66.67 %, L2 (13/3)/6 = 72.22 %; P left out
    assert records(weak, "criterion", "mean_attainment", "mean", "max") == [
        ("B", 0, 0, 1), ("1.1", 58.3333, 2.3333, 4), ("2.1", 66.6667, 2, 3), ("1.2", 72.2222, 4.3333, 6)]
    assert weak.set_index("criterion").loc["1.1", "domain"] == "1"
    assert weak["criterion"].tolist()[::-1] == get_weakest(card, strongest=True)["criterion"].tolist()


def test_lagging_by_group():
    c = build_criteria(SET)
    units = make_units([dict(id="a", name="A", level="xa", group="g"),
                        dict(id="b", name="B", level="xa", group="g"),
                        dict(id="c", name="C", level="xa", group="h")])
    rows = [row("a", "1.1", "1"), row("b", "1.1", "3"), row("c", "1.1", "4")]
    card = card_for(c, units, rows)
    # the whole level: mean 8/3; the group g: mean (1 + 3) / 2 = 2, best 3
    assert records(get_lagging(card, "a"), "criterion", "mean", "best") == [("1.1", 2.6667, 4)]
    assert records(get_lagging(card, "a", by_group=True), "criterion", "mean", "best") == [("1.1", 2, 3)]
