"""par.decide.projection: the year-end projection from the quarters filled so far."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import build_criteria, make_rows, make_units, row
from test_target import SAMPLE

from par.cli.main import main
from par.decide.projection import (
    PROJECTION_COLUMNS,
    get_projection,
    project_rows,
    scaled_leaves,
)
from par.domain.periods import Period
from par.engine.scoring import score
from par.i18n import MESSAGES

RATE_LAST = build_criteria("""
    domains:
      - code: "1"
        name: Tỷ lệ và trạng thái
        max: 10
        children:
          - {code: "1.1", name: Tỷ lệ, max: 4, rule: {type: ratio, bands: [{min: 90, points: 4}, {min: 50, points: 2}]}}
          - {code: "1.2", name: Có/không, max: 2, rule: {type: yes_no}}
          - {code: "1.3", name: Điểm, max: 2, rule: {type: points}}
          - {code: "1.4", name: Khảo sát, max: 2, rule: {type: survey, linear: true, aggregate: mean}}
      - {code: "2", name: Tỷ lệ tuyến tính, max: 5, rule: {type: ratio, linear: true}}
      - code: "P"
        name: Trừ
        max: 3
        kind: penalty
        children:
          - {code: "P.1", name: Vi phạm, max: 3, rule: {type: deduction, per_item: 1, aggregate: last}}
    """)
COUNTS = build_criteria("""
    domains:
      - {code: "1", name: Số lượng, max: 10, rule: {type: count, per_item: 1}}
      - {code: "2", name: Vi phạm, max: 5, rule: {type: deduction, per_item: 1}}
      - {code: "3", name: Tỷ lệ, max: 5, rule: {type: ratio, linear: true}}
    """)
UNITS = make_units("a b c d")


def quarter_rows(values: dict[str, dict[str, dict]], quarters) -> list[dict]:
    """The same rows in every quarter given: unit → criterion → row fields."""
    return [row(u, c, period=f"2025-Q{q}", **fields)
            for q in quarters for u, leaves in values.items() for c, fields in leaves.items()]


SAME = {
    "a": {"1.1": dict(numerator=9, denominator=10), "1.2": dict(value="có"),
          "1.3": dict(value="1.5"), "1.4": dict(value="80"), "2": dict(numerator=3, denominator=4)},
    "b": {"1.1": dict(numerator=6, denominator=10), "1.2": dict(value="có"),
          "1.3": dict(value="2"), "1.4": dict(value="60"), "2": dict(numerator=1, denominator=4),
          "P.1": dict(value="1")},
    "c": {"1.1": dict(numerator=1, denominator=10), "1.2": dict(value="không"),
          "1.3": dict(value="0.5"), "2": dict(numerator=4, denominator=4)},   # 1.4 missing
    "d": {"1.1": dict(numerator=10, denominator=10), "1.2": dict(value="có")},
}


@pytest.mark.parametrize("quarter", [1, 2, 3])
def test_identical_quarters_project_to_the_year_to_date_result(quarter):
    """Ratio, yes/no, latest-value and mean criteria: the projection IS the YTD result."""
    rows = make_rows(RATE_LAST, UNITS, quarter_rows(SAME, range(1, quarter + 1)))
    assert scaled_leaves(RATE_LAST) == []
    as_of = Period(2025, quarter)
    out = get_projection(RATE_LAST, UNITS, rows, as_of)
    assert list(out.columns) == PROJECTION_COLUMNS
    ytd = score(RATE_LAST, UNITS, rows, as_of).units
    assert out.index.tolist() == ytd.index.tolist()
    np.testing.assert_array_equal(out["projected_index"].to_numpy(), ytd["index"].to_numpy())
    np.testing.assert_array_equal(out["index"].to_numpy(), ytd["index"].to_numpy())
    assert out["projected_rank"].tolist() == out["rank"].tolist() == ytd["rank"].tolist()
    # risk: regular leaves with no row (the missing penalty leaf is no risk)
    assert out["risk"].to_dict() == {"a": 0, "b": 0, "c": 1, "d": 3}


def test_summed_counts_are_scaled_to_the_year():
    values = {"a": {"1": dict(value="1"), "2": dict(value="1"), "3": dict(numerator=1, denominator=2)},
              "b": {"1": dict(value="2"), "2": dict(value="0"), "3": dict(numerator=2, denominator=2)}}
    units = make_units("a b")
    rows = make_rows(COUNTS, units, quarter_rows(values, (1, 2)))
    assert scaled_leaves(COUNTS) == ["1", "2"]
    out = get_projection(COUNTS, units, rows, Period(2025, 2))
    # a YTD: count 2, deduction 5 − 2 = 3, ratio 2.5 → 7.5/20; projected: 4, 5 − 4 = 1, 2.5
    assert out.loc["a", "index"] == pytest.approx(100 * 7.5 / 20)
    assert out.loc["a", "projected_score"] == pytest.approx(7.5)
    assert out.loc["b", "projected_score"] == pytest.approx(8 + 5 + 5)
    # when the remaining quarters repeat the same pace, the projection is the actual year
    year = make_rows(COUNTS, units, quarter_rows(values, (1, 2, 3, 4)))
    actual = score(COUNTS, units, year).units
    for q in (1, 2, 3):
        ytd = make_rows(COUNTS, units, quarter_rows(values, range(1, q + 1)))
        proj = get_projection(COUNTS, units, ytd, Period(2025, q))
        assert proj["projected_index"].to_numpy() == pytest.approx(
            actual["index"].reindex(proj.index).to_numpy())


def test_the_whole_year_projects_to_itself_and_inputs_are_left_alone():
    values = {"a": {"1": dict(value="2")}, "b": {"1": dict(value="1")}}
    units = make_units("a b")
    rows = make_rows(COUNTS, units, quarter_rows(values, (1, 2, 3, 4)))
    before = rows.copy()
    out = get_projection(COUNTS, units, rows, Period(2025, 5))
    assert out["projected_index"].tolist() == out["index"].tolist()
    half = get_projection(COUNTS, units, rows, Period(2025, 2))
    # 4 by Q2 → 8 (the missing deduction and ratio leaves score 0 and are the risk)
    assert half.loc["a", ["index", "projected_score", "risk"]].tolist() == [20, 8, 2]
    pd.testing.assert_frame_equal(rows, before)
    assert len(project_rows(COUNTS, rows, Period(2025, 2))) == len(rows) // 2


def test_sample_projection():
    from par import load_criteria, read_inputs, read_units

    criteria = load_criteria(SAMPLE[1])
    units = read_units(SAMPLE[3])
    rows, _ = read_inputs(SAMPLE[5:], criteria, units)
    out = get_projection(criteria, units, rows, Period(2019, 2))
    assert len(out) == 21 and sorted(out["projected_rank"]) == sorted(out["rank"])
    assert (out["risk"] >= 0).all() and out["projected_index"].between(0, 100).all()
    assert out.attrs["quarters"] == 2


def test_method_is_stated_in_both_languages():
    text = MESSAGES["decide.projection_method"]
    assert "4 / quarters elapsed" in text["en"] and "rủi ro" in text["vi"]


def test_cli_project(capsys):
    code = main(["project", "--as-of", "2019-Q2", "--lang", "en", *SAMPLE])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "projection from the rows up to 2019-Q2" in out and "Method:" in out
    assert "Thị xã Cửa Lò" in out and "Projected rank" in out
    code = main(["project", "--as-of", "2019-Q3", "--format", "json", *SAMPLE])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and len(data) == 21
    assert {"unit", "index", "rank", "projected_index", "projected_rank", "of", "risk"} <= set(data[0])
    code = main(["project", "--format", "json", *SAMPLE])  # default: the latest period with rows
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)[0]["index"] == json.loads(out)[0]["projected_index"]


def test_cli_project_bad_as_of(capsys):
    code = main(["project", "--as-of", "2019-Q7", *SAMPLE])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "2019-Q7" in err
