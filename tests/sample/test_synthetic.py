"""Synthetic inputs: seeded, valid for their set, one kind of row per rule and stage."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from par import load_criteria, read_units
from par.domain.periods import Period
from par.read.inputs import check_inputs
from par.read.tabular import RawTable
from par.sample.synthetic import COLUMNS, SYNTHETIC_NOTE, generate

ROOT = Path(__file__).resolve().parents[2]
UNITS = read_units(ROOT / "data/units.csv")
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
IDS = list(UNITS.index[UNITS["level"] == "huyen"])[:5]
QUALITY = pd.Series(np.linspace(0.95, 0.4, len(IDS)), index=IDS)
YEAR = [Period(2019, q) for q in (1, 2, 3, 4)] + [Period(2019, 5)]


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return generate(CRITERIA, QUALITY, YEAR, appraisal=True, seed=7)


def test_same_seed_same_rows_and_every_row_checks(rows):
    assert list(rows.columns) == COLUMNS
    pd.testing.assert_frame_equal(rows, generate(CRITERIA, QUALITY, YEAR, seed=7))
    assert not generate(CRITERIA, QUALITY, YEAR, seed=8).equals(rows)
    assert (rows["note"] == SYNTHETIC_NOTE).all()
    frame = rows.astype(object).assign(_row=range(2, len(rows) + 2))
    _, issues = check_inputs([RawTable(frame, "generated")], CRITERIA, UNITS)
    assert not [i.render("en") for i in issues if i.severity == "error"]


def test_rows_per_leaf_stage_and_period(rows):
    surveys = {leaf.code for leaf in CRITERIA.leaves if leaf.rule.type == "survey"}
    self_rows = rows[rows["stage"] == "self"]
    assert set(self_rows["criterion"]) == {leaf.code for leaf in CRITERIA.leaves} - surveys
    assert len(self_rows) == (len(CRITERIA.leaves) - len(surveys)) * len(IDS) * 4
    assert set(self_rows["period"]) == {"2019-Q1", "2019-Q2", "2019-Q3", "2019-Q4"}
    appraisal = rows[rows["stage"] == "appraisal"]
    assert len(appraisal) == len(CRITERIA.leaves) * len(IDS)
    assert set(appraisal["period"]) == {"2019"} or set(appraisal["period"]) == {str(YEAR[-1])}
    ratios = rows["criterion"].isin([leaf.code for leaf in CRITERIA.leaves
                                     if leaf.rule.type == "ratio"])
    assert (rows.loc[ratios, "value"] == "").all() and (rows.loc[ratios, "denominator"] != "").all()
    assert (rows.loc[~ratios, "value"] != "").all() and (rows.loc[~ratios, "numerator"] == "").all()


def test_without_appraisal_there_are_self_rows_only_and_no_survey():
    got = generate(CRITERIA, QUALITY, YEAR[1:3], appraisal=False, seed=7)
    surveys = {leaf.code for leaf in CRITERIA.leaves if leaf.rule.type == "survey"}
    assert set(got["stage"]) == {"self"}  # survey results arrive only with the appraisal
    assert not got["criterion"].isin(surveys).any()
    assert set(got["period"]) == {"2019-Q2", "2019-Q3"}


def _scored(rows: pd.DataFrame, units: pd.DataFrame = UNITS):
    frame = rows.astype(object).assign(_row=range(2, len(rows) + 2))
    parsed, _ = check_inputs([RawTable(frame, "generated")], CRITERIA, units)
    return parsed


def test_self_scores_run_above_the_appraisal_which_sometimes_raises_a_criterion():
    from par.analysis.trends import get_over_scoring
    from par.engine.scoring import score

    ids = list(UNITS.index[UNITS["level"] == "huyen"])
    quality = pd.Series(np.linspace(0.95, 0.8, len(ids)), index=ids)
    parsed = _scored(generate(CRITERIA, quality, YEAR, seed=11))
    stage = parsed["stage"].to_numpy()
    own = parsed["criterion"].isin(set(parsed.loc[stage == "self", "criterion"])).to_numpy()
    self_index = score(CRITERIA, UNITS, parsed[stage == "self"]).units["index"]
    appraised = score(CRITERIA, UNITS, parsed[(stage == "appraisal") & own]).units["index"]
    gap = self_index - appraised.reindex(self_index.index)
    assert (gap > 0).all() and gap.median() > 3  # cuts, as councils make them
    swapped = parsed.assign(stage=parsed["stage"].map({"self": "appraisal",
                                                       "appraisal": "self"}))
    raised = get_over_scoring(CRITERIA, UNITS, swapped)["over"]
    assert 0 < (raised > 0).sum() < len(ids)  # some units get a criterion raised, not all


def test_a_unit_s_rows_depend_on_its_own_quality_only_and_never_worsen_with_it(rows):
    from par.engine.scoring import score

    better = QUALITY.copy()
    better[IDS[3]] += 0.1
    got = generate(CRITERIA, better, YEAR, appraisal=True, seed=7)
    others = (got["unit"] != IDS[3]).to_numpy()
    pd.testing.assert_frame_equal(got[others], rows[others])  # the others' draws are the same
    assert not got[~others].equals(rows[~others])
    before = score(CRITERIA, UNITS, _scored(rows)).units["index"]
    after = score(CRITERIA, UNITS, _scored(got)).units["index"]
    assert after[IDS[3]] >= before[IDS[3]]


def test_poisson_counts_by_inverse_transform():
    from par.sample.synthetic import _poisson, _Rng

    rng = _Rng(3, 0.1)
    for lam in (0.0, 0.4, 3.0, 40.0):
        draws = _poisson(rng, np.full(50_000, lam))
        assert abs(draws.mean() - lam) < 0.05 * max(lam, 1) and abs(draws.var() - lam) < 0.1 * max(lam, 1)
    low, high = _poisson(_Rng(5, 0.1), np.full(1000, 2.0)), _poisson(_Rng(5, 0.1), np.full(1000, 2.5))
    assert (high >= low).all()  # same uniforms, a larger mean: never fewer


def test_overrides_tell_a_story(rows):
    story = {IDS[2]: {"3.3.1": {("appraisal", "numerator"): "1668",
                                ("appraisal", "denominator"): "1893"},
                      "1.1.1": {("self", "value"): "không"}}}
    got = generate(CRITERIA, QUALITY, YEAR, seed=7, overrides=story)
    at = got.set_index(["unit", "criterion", "stage"]).sort_index()
    assert tuple(at.loc[(IDS[2], "3.3.1", "appraisal"), ["numerator", "denominator"]]) == (
        "1668", "1893")
    assert set(at.loc[(IDS[2], "1.1.1", "self"), "value"]) == {"không"}
    untouched = ~((got["unit"] == IDS[2]) & got["criterion"].isin(["3.3.1", "1.1.1"]))
    pd.testing.assert_frame_equal(got[untouched], rows[untouched])
