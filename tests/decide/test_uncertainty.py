"""par.decide.uncertainty: rank intervals under perturbed domain weights and shrunk self-scores."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import card_for, make_rows, make_units, row
from test_target import SAMPLE, points_set, score_points

from par import load_criteria, read_inputs, read_units, score
from par.cli.main import main
from par.decide.uncertainty import (
    INTERVAL_COLUMNS,
    AppraisalAdjustment,
    competition_ranks,
    get_appraisal_adjustment,
    get_rank_intervals,
)
from par.domain.issues import ParError
from par.domain.periods import Period
from par.engine.ranking import competition_rank

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample():
    criteria = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
    units = read_units(ROOT / "data/units.csv")
    rows, _ = read_inputs([ROOT / "data/inputs/huyen-2019-self.csv",
                           ROOT / "data/inputs/huyen-2019-appraisal.csv"], criteria, units)
    return criteria, units, rows, score(criteria, units, rows), score(criteria, units, rows,
                                                                        Period(2019, 4))


def collapsed(out: pd.DataFrame) -> bool:
    r = out["rank"]
    return bool((out["median_rank"] == r).all() and (out["p05"] == r).all()
                and (out["p95"] == r).all())


@pytest.mark.parametrize("which", [3, 4])
def test_zero_perturbation_collapses_to_the_nominal_rank(sample, which):
    card = sample[which]
    out = get_rank_intervals(card, runs=50, weight_spread=0.0, shrink=False)
    assert list(out.columns) == INTERVAL_COLUMNS
    assert out.index.tolist() == card.units.index.tolist()
    assert collapsed(out)
    # shrinking by an exact factor 1 is no perturbation either
    one = AppraisalAdjustment(1.0, 0.0, 1, 1)
    assert collapsed(get_rank_intervals(card, runs=20, weight_spread=0.0, adjustment=one))


@pytest.mark.parametrize("ties", ["min", "dense"])
def test_zero_perturbation_keeps_ties(ties):
    criteria = points_set({"1.1": 3, "2.1": 3}, ties)
    # b and c tie at the rounded index (50.001 vs 49.999 both → 50.00)
    table = {"a": {"1.1": 3, "2.1": 3}, "b": {"1.1": 1.50006, "2.1": 1.5},
             "c": {"1.1": 1.5, "2.1": 1.49994}, "d": {"1.1": 1, "2.1": 0}}
    card = score_points(criteria, table)
    assert card.units["rank"].tolist() == ([1, 2, 2, 4] if ties == "min" else [1, 2, 2, 3])
    assert collapsed(get_rank_intervals(card, runs=30, weight_spread=0.0, shrink=False))


def test_one_regular_domain_is_not_perturbed_by_weights():
    # re-normalisation keeps the weighted max, so a lone domain's weight is always 1
    criteria = points_set({"1.1": 2, "1.2": 2})
    card = score_points(criteria, {"a": {"1.1": 2, "1.2": 1}, "b": {"1.1": 1.5, "1.2": 1.4}})
    assert collapsed(get_rank_intervals(card, runs=40, weight_spread=0.5, shrink=False))


def test_weights_move_units_strong_in_different_domains():
    criteria = points_set({"1.1": 5, "2.1": 5})
    table = {"a": {"1.1": 5, "2.1": 1}, "b": {"1.1": 1, "2.1": 4.9}, "c": {"1.1": 0, "2.1": 0}}
    card = score_points(criteria, table)
    out = get_rank_intervals(card, runs=400, weight_spread=0.3, shrink=False)
    assert out.loc["a", ["p05", "p95"]].tolist() == [1, 2]
    assert out.loc["b", ["p05", "p95"]].tolist() == [1, 2]
    assert out.loc["c", ["p05", "median_rank", "p95"]].tolist() == [3, 3, 3]
    assert out.loc["a", "label"] == "1/3 (1–2)"


def test_same_seed_same_output_and_intervals_contain_the_median(sample):
    card = sample[4]
    rows = sample[2]
    a = get_rank_intervals(card, runs=300, seed=7, rows=rows)
    b = get_rank_intervals(card, runs=300, seed=7, rows=rows)
    pd.testing.assert_frame_equal(a, b)
    c = get_rank_intervals(card, runs=300, seed=8, rows=rows)
    assert not a.equals(c)
    for out in (a, c, get_rank_intervals(card, runs=5, weight_spread=0.9, seed=1)):
        assert ((out["p05"] <= out["median_rank"]) & (out["median_rank"] <= out["p95"])).all()
        assert out["p05"].min() >= 1 and out["p95"].max() <= out["of"].max()


def test_sample_cua_lo_interval_contains_14(sample):
    out = get_rank_intervals(sample[3], runs=1000, rows=sample[2])
    lo, hi = out.loc["cua-lo", ["p05", "p95"]]
    assert out.loc["cua-lo", "rank"] == 14 and lo <= 14 <= hi
    assert out.loc["cua-lo", "label"] == f"14/21 ({lo}–{hi})"


def test_appraisal_adjustment_estimate():
    criteria = points_set({"1.1": 10, "1.2": 10})
    units = make_units("x y z")
    rows = make_rows(criteria, units, [
        row("x", "1.1", "6", stage="self"), row("x", "1.1", "4", stage="appraisal"),
        row("x", "1.2", "4", stage="self"), row("x", "1.2", "4", stage="appraisal"),
        row("y", "1.1", "5", stage="self"), row("y", "1.1", "5", stage="appraisal"),
        row("y", "1.2", "7", stage="self"),        # no appraisal: not a pair
        row("z", "1.1", "9", stage="self")])      # never appraised
    card = score(criteria, units, rows)
    adj = get_appraisal_adjustment(card, rows)
    # x: 8 / 10 = 0.8; y: 5 / 5 = 1.0
    assert (adj.units, adj.cells) == (2, 3)
    assert adj.mean == pytest.approx(0.9) and adj.sd == pytest.approx(np.std([0.8, 1.0], ddof=1))
    none = score(criteria, units, rows[rows["stage"] == "self"])
    assert get_appraisal_adjustment(none, rows[rows["stage"] == "self"]) is None


def test_shrink_moves_a_provisional_unit_by_the_factor():
    # p self-scores 9 of 10; a is appraised at 8: shrunk by 0.5, p falls to 4.5 → 2nd
    criteria = points_set({"1.1": 5, "1.2": 5})
    units = make_units("p a")
    card = card_for(criteria, units, [
        row("p", "1.1", "5", stage="self"), row("p", "1.2", "4", stage="self"),
        row("a", "1.1", "4", stage="appraisal"), row("a", "1.2", "4", stage="appraisal")])
    assert card.units.loc["p", ["rank", "provisional"]].tolist() == [1, True]
    half = AppraisalAdjustment(0.5, 0.0, 3, 10)
    out = get_rank_intervals(card, runs=20, weight_spread=0.0, adjustment=half)
    assert out.loc["p", ["rank", "p05", "median_rank", "p95"]].tolist() == [1, 2, 2, 2]
    assert out.loc["a", ["p05", "p95"]].tolist() == [1, 1]
    assert out.attrs["adjustment"] == half
    # a factor above 1 is capped at each leaf's max: p stays 1st at 10 of 10
    up = get_rank_intervals(card, runs=10, weight_spread=0.0,
                            adjustment=AppraisalAdjustment(3.0, 0.0, 3, 10))
    assert up.loc["p", "p95"] == 1
    # shrink=False ignores the adjustment
    assert collapsed(get_rank_intervals(card, runs=10, weight_spread=0.0, shrink=False,
                                        adjustment=half))


def test_unranked_units_get_no_interval():
    criteria = points_set({"1.1": 3})
    units = make_units("a b z")
    card = card_for(criteria, units, [row("a", "1.1", "1"), row("b", "1.1", "2"),
                                      row("z", "1.1", "N/A")])
    out = get_rank_intervals(card, runs=10)
    assert pd.isna(out.loc["z", "median_rank"]) and out.loc["z", "label"] == "–"
    assert out.loc["b", "label"] == "1/2 (1–1)"


@pytest.mark.parametrize("kw, code", [({"runs": 0}, "decide.bad_runs"),
                                      ({"weight_spread": 1.0}, "decide.bad_spread"),
                                      ({"weight_spread": -0.1}, "decide.bad_spread")])
def test_bad_parameters(sample, kw, code):
    with pytest.raises(ParError) as exc:
        get_rank_intervals(sample[3], **kw)
    assert [i.code for i in exc.value.issues] == [code]


@pytest.mark.parametrize("ties", ["min", "dense"])
def test_vectorised_competition_ranks_match_the_engine(ties):
    rng = np.random.default_rng(3)
    keys = rng.integers(7000, 7010, size=(40, 25))  # many ties
    got = competition_ranks(keys, ties)
    for r in range(len(keys)):
        expected = competition_rank(pd.Series(keys[r] / 100.0), ties).to_numpy()
        assert got[r].tolist() == expected.tolist()


# -- CLI -----------------------------------------------------------------------------------

def test_cli_uncertainty(capsys):
    code = main(["uncertainty", "--runs", "200", "--seed", "3", "--lang", "en", *SAMPLE])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "200 runs" in out and "±20%" in out
    line = next(l for l in out.splitlines() if "Cửa Lò" in l)
    assert "14/21 (" in line
    code = main(["uncertainty", "--runs", "50", "--spread", "0", "--no-shrink", "--format",
                 "json", *SAMPLE])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and len(data) == 21
    assert all(d["p05"] == d["median_rank"] == d["p95"] == d["rank"] for d in data)
    # as of Q4 every unit is provisional: the year's appraisal gives the adjustment
    code = main(["uncertainty", "--runs", "50", "--as-of", "2019-Q4", "--lang", "en", *SAMPLE])
    out, err = capsys.readouterr()
    assert code == 0 and "typical appraisal adjustment" in out and "21 units" in out


@pytest.mark.parametrize("argv, needle", [(["--runs", "0"], "0 runs"),
                                          (["--spread", "1.5"], "1.5")])
def test_cli_uncertainty_errors(capsys, argv, needle):
    code = main(["uncertainty", "--lang", "en", *argv, *SAMPLE])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err


def test_runs_are_capped_before_any_memory_is_taken(sample):
    """`uncertainty --runs 30000000` once reached 22 GB: now a clear message, at once."""
    from par.decide.uncertainty import MAX_RANK_CELLS, max_runs

    card = sample[3]
    with pytest.raises(ParError) as err:
        get_rank_intervals(card, runs=30_000_000)
    assert err.value.issues[0].code == "decide.too_many_runs"
    assert "30000000" in err.value.render("en") and str(max_runs(len(card.units))) in \
        err.value.render("en")
    assert max_runs(3321) * 3321 <= MAX_RANK_CELLS
    assert max_runs(21) == 100_000 and max_runs(3321) == MAX_RANK_CELLS // 3321


@pytest.mark.parametrize("ties", ["min", "dense"])
def test_zero_perturbation_keeps_the_half_up_ties_of_the_engine(ties):
    # 12.345 ranks as 12.35 (CONTRACT §4, second revision): c ties with b
    criteria = points_set({"1.1": 50, "2.1": 50}, ties)
    card = score_points(criteria, {"a": {"1.1": 7.5, "2.1": 7.5}, "b": {"1.1": 6.175, "2.1": 6.175},
                                   "c": {"1.1": 6.1725, "2.1": 6.1725},
                                   "d": {"1.1": 6.17, "2.1": 6.17}})
    assert card.units.loc[list("abcd"), "index_2dp"].tolist() == [15.0, 12.35, 12.35, 12.34]
    out = get_rank_intervals(card, runs=20, weight_spread=0.0, shrink=False)
    assert out["median_rank"].tolist() == card.units["rank"].tolist()
    assert collapsed(out)
