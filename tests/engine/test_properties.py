"""Properties that hold for any input (hypothesis)."""
from __future__ import annotations

import math

import pandas as pd
from conftest import build_criteria, leaf_set, make_rows, make_units, row
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from par import score

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PROP = build_criteria("""
    ranking: {ties: min}
    domains:
      - code: "1"
        name: Một
        max: 9
        children:
          - {code: "1.1", name: yes_no, max: 2, rule: {type: yes_no}}
          - {code: "1.2", name: points, max: 3, rule: {type: points}}
          - {code: "1.3", name: ratio bands, max: 2, rule: {type: ratio, bands: [{above: 90, points: 2}, {min: 70, points: 1}]}}
          - {code: "1.4", name: ratio linear, max: 2, rule: {type: ratio, linear: true}}
      - code: "2"
        name: Hai
        max: 11
        children:
          - {code: "2.1", name: count per item, max: 2, rule: {type: count, per_item: 0.5}}
          - {code: "2.2", name: count bands, max: 1, rule: {type: count, bands: [{min: 5, points: 1}, {min: 2, points: 0.5}]}}
          - {code: "2.3", name: survey linear, max: 3, rule: {type: survey, aggregate: mean}}
          - {code: "2.4", name: survey bands, max: 2, rule: {type: survey, bands: [{min: 90, points: 2}, {above: 50, points: 1}]}}
          - {code: "2.5", name: deduction, max: 2, rule: {type: deduction, per_item: 0.5}}
          - {code: "2.6", name: choice, max: 1, rule: {type: choice, options: {Tốt: 1, Khá: 0.5, Kém: 0}}}
      - {code: "T", name: bonus, max: 2, kind: bonus, rule: {type: points}}
      - {code: "P", name: penalty, max: 2, kind: penalty, rule: {type: count, per_item: 1}}
    """)
LEAVES = [leaf.code for leaf in PROP.leaves]
UNITS = make_units("a b c d")
PERIODS = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025"]

num = lambda hi: st.integers(0, hi * 4).map(lambda n: f"{n / 4:g}")  # 0, 0.25, …
VALUES = {  # leaf → strategy of row overrides (applicable values)
    "1.1": st.sampled_from(["có", "không", "x", "0", "Đạt", "không đạt"]).map(lambda v: {"value": v}),
    "1.2": num(3).map(lambda v: {"value": v.replace(".", ",")}),
    "1.3": st.tuples(st.integers(0, 60), st.integers(0, 60)).map(
        lambda t: {"numerator": t[0], "denominator": t[1]}),
    "1.4": st.tuples(st.integers(0, 60), st.integers(1, 60)).map(
        lambda t: {"numerator": t[0], "denominator": t[1]}),
    "2.1": st.integers(0, 9).map(lambda v: {"value": v}),
    "2.2": st.integers(0, 9).map(lambda v: {"value": v}),
    "2.3": num(100).map(lambda v: {"value": v + "%"}),
    "2.4": num(100).map(lambda v: {"value": v}),
    "2.5": st.integers(0, 9).map(lambda v: {"value": v}),
    "2.6": st.sampled_from(["Tốt", "khá", "KÉM"]).map(lambda v: {"value": v}),
    "T": num(2).map(lambda v: {"value": v}),
    "P": st.integers(0, 4).map(lambda v: {"value": v}),
}
NA = st.sampled_from(["N/A", "KAD", "không áp dụng"]).map(lambda v: {"value": v})


@st.composite
def input_rows(draw, units="abcd", na=True):
    """Rows for some (unit, leaf) cells, each over a few distinct periods and both stages."""
    rows = []
    for unit in units:
        for leaf in draw(st.lists(st.sampled_from(LEAVES), unique=True, max_size=len(LEAVES))):
            keys = draw(st.lists(st.tuples(st.sampled_from(PERIODS), st.sampled_from(["", "appraisal"])),
                                 unique=True, min_size=1, max_size=3))
            for period, stage in keys:
                kw = draw(st.one_of(VALUES[leaf], NA) if na else VALUES[leaf])
                rows.append(row(unit, leaf, period=period, stage=stage, **kw))
    return rows


def scored(rows, criteria=PROP, units=UNITS):
    return score(criteria, units, make_rows(criteria, units, rows))


@SETTINGS
@given(input_rows())
def test_points_within_bounds_and_index_within_scale(rows):
    card = scored(rows)
    leaves = card.leaves
    assert ((leaves["points"] >= 0) & (leaves["points"] <= leaves["max"] + 1e-12)).all()
    assert (leaves.loc[~leaves["applicable"], "points"] == 0).all()
    for _, u in card.units.iterrows():
        if u["max"] == 0:
            assert math.isnan(u["index"]) and pd.isna(u["rank"])
        else:
            assert 0 <= u["index"] <= PROP.scale + 1e-9
            assert 0 <= u["score"] <= u["max"] + 1e-9
            assert 1 <= u["rank"] <= u["of"]
    ns, nm = card.node_score, card.node_max
    assert ((ns >= 0) & (ns <= nm + 1e-9)).all().all()


# -- monotonicity ----------------------------------------------------------------------

RAISE = {  # leaf → (strategy of (before, after) row overrides) where after is at least as good
    "1.1": st.just(({"value": "không"}, {"value": "có"})),
    "1.2": st.tuples(st.integers(0, 12), st.integers(0, 12)).map(
        lambda t: ({"value": min(t) / 4}, {"value": max(t) / 4})),
    "1.3": st.tuples(st.integers(1, 50), st.integers(0, 60), st.integers(0, 60)).map(
        lambda t: ({"numerator": min(t[1:]), "denominator": t[0]},
                   {"numerator": max(t[1:]), "denominator": t[0]})),
    "1.4": st.tuples(st.integers(1, 50), st.integers(0, 60), st.integers(0, 60)).map(
        lambda t: ({"numerator": min(t[1:]), "denominator": t[0]},
                   {"numerator": max(t[1:]), "denominator": t[0]})),
    "2.1": st.tuples(st.integers(0, 9), st.integers(0, 9)).map(
        lambda t: ({"value": min(t)}, {"value": max(t)})),
    "2.3": st.tuples(st.integers(0, 100), st.integers(0, 100)).map(
        lambda t: ({"value": min(t)}, {"value": max(t)})),
    "2.5": st.tuples(st.integers(0, 9), st.integers(0, 9)).map(  # fewer violations is better
        lambda t: ({"value": max(t)}, {"value": min(t)})),
}


@SETTINGS
@given(st.data())
def test_raising_one_input_never_lowers_the_index(data):
    base = [row("a", leaf, period="2025", **data.draw(VALUES[leaf]))
            for leaf in LEAVES if leaf not in ("1.3", "1.4")]
    base += [row("a", "1.3", numerator=1, denominator=2), row("a", "1.4", numerator=1, denominator=2)]
    leaf = data.draw(st.sampled_from(sorted(RAISE)))
    before, after = data.draw(RAISE[leaf])
    others = [r for r in base if r["criterion"] != leaf]
    units = make_units("a")
    low = scored(others + [row("a", leaf, **before)], units=units).units.at["a", "index"]
    high = scored(others + [row("a", leaf, **after)], units=units).units.at["a", "index"]
    assert high >= low - 1e-9, (leaf, before, after, low, high)


# -- ranking ----------------------------------------------------------------------------

# every x.xxx, the x.xx5 boundaries included: they round half up (CONTRACT §4, second revision)
MILLI = st.one_of(st.integers(79_980, 80_020), st.integers(0, 100_000),
                  st.integers(0, 9_999).map(lambda k: 10 * k + 5))


@SETTINGS
@given(st.lists(MILLI, min_size=1, max_size=8), st.sampled_from(["min", "dense"]))
def test_ranks_are_competition_ranks_on_the_rounded_index(values, ties):
    criteria = leaf_set("{type: points}", 100, f"ranking: {{ties: {ties}}}\n")
    ids = [f"u{i}" for i in range(len(values))]
    units = make_units(" ".join(ids))
    card = scored([row(u, value=f"{k / 1000:.3f}") for u, k in zip(ids, values)], criteria, units)
    cents = dict(zip(ids, [(k + 5) // 10 for k in values]))  # the index rounded to 2 decimals, ×100
    for u in ids:
        better = [c for c in cents.values() if c > cents[u]]
        expected = 1 + (len(better) if ties == "min" else len(set(better)))
        assert card.units.at[u, "rank"] == expected
        assert round(card.units.at[u, "index_2dp"] * 100) == cents[u]
    assert (card.units["of"] == len(ids)).all()
    assert card.units["rank"].is_monotonic_increasing  # best first


# -- order independence -----------------------------------------------------------------


@SETTINGS
@given(input_rows(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    a, b = scored(rows), scored(shuffled)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.node_score, b.node_score)
    key = ["unit", "criterion"]
    pd.testing.assert_frame_equal(a.leaves.sort_values(key).reset_index(drop=True),
                                  b.leaves.sort_values(key).reset_index(drop=True))
