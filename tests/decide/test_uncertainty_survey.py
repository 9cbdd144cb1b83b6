"""The rank interval "14/21 (12–16)" carries the survey's sampling error too (issue 15 item 3):
par.decide.uncertainty with par.decide.survey_bootstrap's replicates."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import criteria_issues, make_units
from test_survey_bootstrap import HAND, SET, survey_rows, wide

from par.decide.survey_bootstrap import survey_replicates
from par.decide.uncertainty import competition_ranks, get_rank_intervals
from par.domain.periods import parse_period
from par.engine.ranking import index_key
from par.engine.scoring import score

ASOF = parse_period("2025")


@pytest.fixture(scope="module")
def criteria():
    return criteria_issues(SET)[0]


@pytest.fixture(scope="module")
def world(criteria):
    units = make_units("a b c d")
    answers = wide({**HAND, "d": ["B", "C", "B", "C"]})  # d's point 40: between c and b
    rows = survey_rows(criteria, units, answers)
    return units, rows, answers


def replicates(criteria, world, **kw):
    units, rows, answers = world
    return survey_replicates(criteria, units, rows, {"ld": answers}, "2025", as_of=ASOF, **kw)


def card_of(criteria, world):
    units, rows, _ = world
    return score(criteria, units, rows, ASOF)


def test_without_survey_noise_the_runs_are_unchanged(criteria, world):
    card = card_of(criteria, world)
    plain = get_rank_intervals(card, runs=300, seed=5)
    # answers where every respondent of a unit gives one option: every replicate is the point
    units, rows, _ = world
    flat = wide({"a": ["A", "A"], "b": ["D", "D"], "c": ["B", "B"], "d": ["C", "C"]})
    flat_rows = survey_rows(criteria, units, flat)
    flat_card = score(criteria, units, flat_rows, ASOF)
    same = survey_replicates(criteria, units, flat_rows, {"ld": flat}, "2025", as_of=ASOF)
    assert np.all(same.deltas(flat_card.ranked.index) == 0)
    base = get_rank_intervals(flat_card, runs=300, seed=5)
    withs = get_rank_intervals(flat_card, runs=300, seed=5, survey=same)
    pd.testing.assert_frame_equal(base, withs)
    assert withs.attrs["survey"] == {"forms": ["ld"], "replicates": 200, "seed": 0}
    assert plain.attrs["survey"] is None


def test_the_survey_widens_the_interval_within_the_replicates_ranks(criteria, world):
    card = card_of(criteria, world)
    rep = replicates(criteria, world, replicates=500, seed=2)
    # no weights, no shrinking: each run is one replicate, so every rank is a replicate's
    only = get_rank_intervals(card, runs=2000, weight_spread=0.0, shrink=False, seed=1,
                              survey=rep)
    plain = get_rank_intervals(card, runs=2000, weight_spread=0.0, shrink=False, seed=1)
    assert (plain["p05"] == plain["rank"]).all() and (plain["p95"] == plain["rank"]).all()
    ids = card.ranked.index
    keys = index_key(card.units.loc[ids, "index"].to_numpy()[None] + rep.deltas(ids))
    seen = competition_ranks(keys.astype(np.int64), card.criteria.ties)
    for j, unit in enumerate(ids):
        assert seen[:, j].min() <= only.loc[unit, "p05"] <= only.loc[unit, "rank"]
        assert only.loc[unit, "rank"] <= only.loc[unit, "p95"] <= seen[:, j].max()
    assert (only["p95"] - only["p05"]).sum() > 0  # c and a trade places in the noise
    assert only.loc["c", "label"] == f"2/4 ({only.loc['c', 'p05']}–{only.loc['c', 'p95']})"


def test_reproducible_with_its_seeds_and_combined_with_the_weights(criteria, world):
    card = card_of(criteria, world)
    rep = replicates(criteria, world, seed=7)
    a = get_rank_intervals(card, runs=500, seed=3, survey=rep)
    b = get_rank_intervals(card, runs=500, seed=3, survey=replicates(criteria, world, seed=7))
    pd.testing.assert_frame_equal(a, b)
    for unit in card.ranked.index:  # the point rank is inside
        assert a.loc[unit, "p05"] <= a.loc[unit, "rank"] <= a.loc[unit, "p95"]


def test_replicates_of_another_period_are_refused(criteria, world):
    card = score(criteria, world[0], world[1], parse_period("2025-Q2"))
    with pytest.raises(ValueError):
        get_rank_intervals(card, runs=10, survey=replicates(criteria, world))
