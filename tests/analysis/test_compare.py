"""Two to five units side by side (par/analysis/compare.py): hand-computed on a small set,
then on the sample's 2019 district scores."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import build_criteria, card_for, make_units, row

from par import load_criteria, read_inputs, read_units, score
from par.analysis.compare import (
    check_units,
    compare_criteria,
    compare_domains,
    default_units,
    unit_columns,
)
from par.analysis.trends import get_domain_comparison
from par.domain.issues import ParError

ROOT = Path(__file__).resolve().parents[2]

SET = """
    domains:
      - code: "1"
        name: Chỉ đạo điều hành
        name_en: Direction
        max: 10
        children:
          - {code: "1.1", name: Kế hoạch, max: 4, rule: {type: points}}
          - {code: "1.2", name: Báo cáo, max: 6, rule: {type: points}}
      - code: "2"
        name: Thể chế
        max: 4
        children:
          - {code: "2.1", name: Văn bản, max: 4, rule: {type: yes_no}}
      - code: "P"
        name: Điểm trừ
        kind: penalty
        max: 2
        children:
          - {code: "P.1", name: Vi phạm, max: 2, rule: {type: count, per_item: 1}}
    """

#        1.1 (4)  1.2 (6)  2.1 (4)  P.1    domain 1   2   P   score   index
#   a      4        6        có      0        10      4   0    14     100
#   b      2        3        không   1         5      0   1     4     28.57
#   c     N/A       3        có      –         3/6    4   0     7     70
#   d      1        1        có      –         2      4   0     6     42.86
#   e     N/A      N/A      N/A      –        (no applicable regular leaf: unranked)
# ranks: a 1, c 2, d 3, b 4; level means over a, b, c, d (where applicable):
#   domain 1: (10 + 5 + 3 + 2) / 4 = 5; 2: 12 / 4 = 3; P: 1 / 4 = 0.25; score 31 / 4 = 7.75
#   1.1: (4 + 2 + 1) / 3; 1.2: 13 / 4; 2.1: 3; P.1: 0.25
VALUES = {"a": ("4", "6", "có"), "b": ("2", "3", "không"), "c": ("N/A", "3", "có"),
          "d": ("1", "1", "có"), "e": ("N/A", "N/A", "N/A")}


@pytest.fixture(scope="module")
def card():
    rows = [row(u, code, v) for u, vals in VALUES.items()
            for code, v in zip(("1.1", "1.2", "2.1"), vals)]
    rows += [row("a", "P.1", "0"), row("b", "P.1", "1")]
    return card_for(build_criteria(SET), make_units("a b c d e"), rows)


def values(frame, column):
    return [None if pd.isna(v) else round(float(v), 4) for v in frame[column]]


def test_domain_table_by_hand(card):
    d = compare_domains(card, ["b", "a", "c"])
    assert d.attrs["units"] == ["a", "c", "b"]  # best ranked first, whatever the order given
    assert d.attrs["unit_names"] == {"a": "Unit a", "c": "Unit c", "b": "Unit b"}
    assert list(d.columns) == ["code", "name", "kind", "max", "a", "c", "b", "spread", "mean"]
    assert list(d["code"]) == ["1", "2", "P", ""]
    assert list(d["kind"]) == ["regular", "regular", "penalty", "total"]
    assert list(d["name"]) == ["Chỉ đạo điều hành", "Thể chế", "Điểm trừ", "Tổng điểm"]
    assert values(d, "max") == [10, 4, 2, 14]
    assert values(d, "a") == [10, 4, 0, 14]
    assert values(d, "c") == [3, 4, 0, 7]
    assert values(d, "b") == [5, 0, 1, 4]
    assert values(d, "spread") == [7, 4, 1, 10]  # best − worst of the three, in points
    assert values(d, "mean") == [5, 3, 0.25, 7.75]  # the whole level's, ranked units only


def test_domain_table_in_percent_and_english(card):
    d = compare_domains(card, ["a", "c", "b"], lang="en", measure="percent")
    assert d["name"].iloc[0] == "Direction" and d["name"].iloc[-1] == "Index (%)"
    assert values(d, "max") == [100, 100, 100, 100]
    assert values(d, "c")[:2] == [50, 100]  # 3 of the 6 points that apply to c
    assert values(d, "spread")[0] == 50
    assert values(d, "mean")[0] == 55  # (100 + 50 + 50 + 20) / 4
    assert values(d, "a")[-1] == 100 and values(d, "b")[-1] == 28.5714


def test_criteria_table_by_hand_largest_difference_first(card):
    c = compare_criteria(card, ["a", "b", "c"])
    assert list(c["code"]) == ["2.1", "1.2", "1.1", "P.1"]
    assert list(c["domain"]) == ["2", "1", "1", "P"]
    assert values(c, "spread") == [4, 3, 2, 1]
    assert values(c, "a") == [4, 6, 4, 0]
    assert values(c, "c") == [4, 3, None, 0]  # 1.1 does not apply to c
    assert values(c, "mean") == [3, 3.25, round(7 / 3, 4), 0.25]
    assert values(c, "max") == [4, 6, 4, 2]


def test_a_criterion_only_one_unit_has_has_no_spread_and_comes_last(card):
    c = compare_criteria(card, ["a", "c"], domain="1")
    assert list(c["code"]) == ["1.2", "1.1"]
    assert values(c, "spread") == [3, None]


def test_an_unranked_unit_comes_last_with_nothing_applicable(card):
    d = compare_domains(card, ["e", "a"])
    assert d.attrs["units"] == ["a", "e"]
    assert values(d, "e")[:2] == [None, None]
    assert math.isnan(d["spread"].iloc[0])


@pytest.mark.parametrize("units, codes", [
    (["a"], ["compare.unit_count"]),
    ([], ["compare.unit_count"]),
    (None, ["compare.unit_count"]),
    (["a", "b", "c", "d", "e", "a"], ["compare.repeated_units"]),
    (["a", "a"], ["compare.repeated_units", "compare.unit_count"]),
    (["a", "zz"], ["compare.unknown_units", "compare.unit_count"]),
    (["a", "b", "zz", "yy"], ["compare.unknown_units"]),
], ids=["one", "none", "None", "repeated", "one-twice", "unknown", "two-unknown"])
def test_units_are_checked_with_every_problem_at_once(card, units, codes):
    with pytest.raises(ParError) as caught:
        check_units(card, units)
    assert [i.code for i in caught.value.issues] == codes
    says = {"compare.unit_count": "Chọn từ 2 đến 5 đơn vị", "compare.unknown_units": "zz",
            "compare.repeated_units": "Đơn vị a được chọn hơn một lần"}
    lines = caught.value.render("vi").splitlines()
    assert [says[code] in line for code, line in zip(codes, lines)] == [True] * len(codes)


def test_six_units_are_too_many():
    units = make_units("a b c d e f")
    criteria = build_criteria(SET)
    card = card_for(criteria, units, [row(u, "1.2", "1") for u in "abcdef"])
    with pytest.raises(ParError) as caught:
        compare_domains(card, list("abcdef"))
    assert caught.value.render("en").startswith("Pick 2 to 5 units to compare (6 picked)")
    assert len(compare_domains(card, list("abcde")).attrs["units"]) == 5


def test_unknown_domain_and_measure(card):
    with pytest.raises(ParError) as caught:
        compare_criteria(card, ["a", "b"], domain="9")
    assert caught.value.issues[0].code == "compare.unknown_domain"
    assert "1, 2, P" in caught.value.render("en")
    with pytest.raises(ValueError, match="measure"):
        compare_domains(card, ["a", "b"], measure="ratio")


def test_default_units(card):
    assert default_units(card, "c") == ["c", "a"]  # c and the unit ranked just above it
    assert default_units(card, "a") == ["a", "c"]  # the first: and the one below
    assert default_units(card, None) == ["a", "c"] == default_units(card, "nobody")


def test_a_unit_id_that_names_a_fixed_column_gets_its_own():
    units = make_units("max code")
    card = card_for(build_criteria(SET), units, [row("max", "1.2", "6"), row("code", "1.2", "3")])
    d = compare_domains(card, ["code", "max"])
    assert unit_columns(["max", "x"]) == {"max": "unit:max", "x": "x"}
    assert d.attrs["columns"] == {"max": "unit:max", "code": "unit:code"}
    assert values(d, "unit:max")[0] == 6 and values(d, "max")[0] == 10
    assert list(d["code"])[:2] == ["1", "2"]


# -- the sample ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    criteria = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data" / "units.csv")
    rows, _ = read_inputs([ROOT / "data" / "inputs" / "huyen-2019-self.csv",
                           ROOT / "data" / "inputs" / "huyen-2019-appraisal.csv"], criteria, units)
    return score(criteria, units, rows)


def test_sample_domains_agree_with_the_scorecard(sample):
    chosen = ["cua-lo", "vinh", "nghi-loc"]
    d = compare_domains(sample, chosen)
    assert d.attrs["units"] == ["vinh", "nghi-loc", "cua-lo"]  # ranks 1, 4, 14
    body = d[d["kind"] != "total"].set_index("code")
    expected = sample.node_score.loc[chosen, sample.domain_codes()].T
    for unit in chosen:
        assert np.allclose(body[unit], expected[unit])
    # regular + bonus − penalty = the total row = the scorecard's score
    sign = np.where(body["kind"] == "penalty", -1.0, 1.0)
    total = d.iloc[-1]
    for unit in chosen:
        assert (body[unit] * sign).sum() == pytest.approx(total[unit])
        assert total[unit] == pytest.approx(sample.units.at[unit, "score"])
    assert total["cua-lo"] == pytest.approx(81.22, abs=0.005)
    spread = body[chosen].max(axis=1) - body[chosen].min(axis=1)
    assert np.allclose(body["spread"], spread)
    # the level mean is the unit page's
    regular = body[body["kind"] == "regular"]
    page = get_domain_comparison(sample, "cua-lo").set_index("code")
    assert np.allclose(regular["mean"], page.loc[regular.index, "mean"])


def test_sample_criteria_largest_difference_first(sample):
    c = compare_criteria(sample, ["cua-lo", "vinh", "nghi-loc"])
    assert len(c) == len(sample.criteria.leaves)
    spreads = c["spread"].dropna().to_numpy()
    assert (np.diff(spreads) <= 1e-12).all() and spreads[0] > 0
    top = c.iloc[0]
    assert top["code"] == "1.1.2" and (top["cua-lo"], top["nghi-loc"]) == (0.0, 2.0)
    one = compare_criteria(sample, ["cua-lo", "vinh"], domain="3")
    assert set(one["domain"]) == {"3"} and set(one["code"]) == {
        n.code for n in sample.criteria.leaves if n.code.startswith("3.")}


def test_many_units_are_compared_without_a_loop_over_them(sample):
    """Five of a large level: the tables come from a few grid operations (a timing guard
    against a loop over units × criteria creeping in)."""
    import time

    units = pd.concat([sample.units] * 200)  # 4,200 units with the sample's figures
    ids = [f"u{i}" for i in range(len(units))]
    big = type(sample)(
        criteria=sample.criteria, as_of=sample.as_of,
        units=units.set_axis(ids), node_score=pd.concat([sample.node_score] * 200).set_axis(ids),
        node_max=pd.concat([sample.node_max] * 200).set_axis(ids), leaves=sample.leaves)
    start = time.perf_counter()
    d = compare_domains(big, ids[:5])
    c = compare_criteria(big, ids[:5])
    assert time.perf_counter() - start < 2.0
    assert len(d) == len(sample.criteria.domains) + 1 and len(c) == len(sample.criteria.leaves)
