"""Where a round stands (WORKFLOW §4 ``round status``): per unit counts of leaves self-scored,
appraised, flagged, explained and missing evidence, and the units × domains grid, on a
hand-built case."""
from __future__ import annotations

import pandas as pd
import pytest
from conftest import build_criteria, make_rows, make_units, row

from par.analysis.round_status import (
    STATUS_COLUMNS,
    domain_grid,
    domain_sizes,
    leaf_states,
    unit_status,
)

BODY = """
    domains:
      - code: "1"
        name: Một
        max: 6
        evidence_required: true
        children:
          - {code: "1.1", name: a, max: 3, rule: {type: points}}
          - {code: "1.2", name: b, max: 3, rule: {type: points}}
      - code: "2"
        name: Hai
        max: 4
        children:
          - {code: "2.1", name: c, max: 2, rule: {type: points}}
          - {code: "2.2", name: d, max: 2, rule: {type: points}}
    """
CRITERIA = build_criteria(BODY)
UNITS = make_units([
    {"id": "a", "name": "Xã A", "level": "xa", "group": "đồng bằng"},
    {"id": "b", "name": "Xã B", "level": "xa", "group": "miền núi"},
    {"id": "c", "name": "Xã C", "level": "xa", "group": "miền núi"},
    {"id": "h", "name": "Huyện H", "level": "huyen", "group": ""},
])
ROWS = make_rows(CRITERIA, UNITS, [
    row("a", "1.1", "3", stage="self", evidence="QĐ 1"),
    row("a", "1.2", "2", stage="self"),
    row("a", "2.1", "1", stage="self"),
    row("a", "1.1", "2", stage="appraisal"),
    row("a", "2.2", "2", stage="appraisal"),
    row("a", "2.2", "2", stage="self", period="2025-Q1"),  # another period: not this round's
    row("b", "1.1", "3", stage="self"),
    row("b", "2.2", "1", stage="self"),
])
FLAGS = pd.DataFrame({"unit": ["a", "a", "b"], "criterion": ["1.2", "2.1", "1.1"],
                      "explained_at": [pd.Timestamp("2025-12-20"), None,
                                       pd.Timestamp("2025-12-21")]})
EVIDENCE = pd.DataFrame({"unit": ["b", "a"], "criterion": ["1.1", "1.2"],
                         "purpose": ["self", "explanation"]})  # an explanation's file: no


def states(criteria=CRITERIA, flags=FLAGS, evidence=EVIDENCE):
    return leaf_states(criteria, UNITS, ROWS, "2025", flags, evidence)


def test_one_row_per_unit_of_the_level_and_leaf():
    found = states()
    assert len(found) == 3 * 4 and set(found["unit"]) == {"a", "b", "c"}
    a = found[found["unit"] == "a"].set_index("criterion")
    assert a["self"].to_dict() == {"1.1": True, "1.2": True, "2.1": True, "2.2": False}
    assert a["appraised"].to_dict() == {"1.1": True, "1.2": False, "2.1": False, "2.2": True}
    assert a["has_evidence"].to_dict() == {"1.1": True, "1.2": False, "2.1": False,
                                           "2.2": False}
    assert a["needs_evidence"].to_dict() == {"1.1": True, "1.2": True, "2.1": False,
                                             "2.2": False}
    assert a["domain"].to_dict() == {"1.1": "1", "1.2": "1", "2.1": "2", "2.2": "2"}


def test_counts_per_unit():
    status = unit_status(CRITERIA, UNITS, states(), ["b"])
    assert list(status.columns) == STATUS_COLUMNS
    assert status.to_dict("records") == [
        {"unit": "a", "name": "Xã A", "group": "đồng bằng", "submitted": False, "self": 3,
         "appraised": 2, "flagged": 2, "explained": 1, "missing_evidence": 1, "leaves": 4},
        {"unit": "b", "name": "Xã B", "group": "miền núi", "submitted": True, "self": 2,
         "appraised": 0, "flagged": 1, "explained": 1, "missing_evidence": 0, "leaves": 4},
        {"unit": "c", "name": "Xã C", "group": "miền núi", "submitted": False, "self": 0,
         "appraised": 0, "flagged": 0, "explained": 0, "missing_evidence": 0, "leaves": 4},
    ]


def test_without_flags_evidence_or_submissions_the_counts_are_zero_not_a_crash():
    empty_flags = pd.DataFrame(columns=["unit", "criterion", "explained_at"])
    empty_files = pd.DataFrame(columns=["unit", "criterion", "purpose"])
    status = unit_status(CRITERIA, UNITS, states(flags=empty_flags, evidence=empty_files), [])
    assert status[["flagged", "explained"]].sum().tolist() == [0, 0]
    assert status["missing_evidence"].tolist() == [1, 1, 0]  # a: 1.2, b: 1.1 (its file gone)
    assert not status["submitted"].any()


def test_a_set_that_needs_no_evidence_still_counts_self_leaves_without_any():
    free = build_criteria(BODY.replace("evidence_required: true", "evidence_required: false"))
    status = unit_status(free, UNITS, states(free), [])
    assert status.set_index("unit")["missing_evidence"].to_dict() == {"a": 2, "b": 1, "c": 0}


@pytest.mark.parametrize("what, expected", [
    ("self", {"a": {"1": 2, "2": 1}, "b": {"1": 1, "2": 1}, "c": {"1": 0, "2": 0}}),
    ("appraised", {"a": {"1": 1, "2": 1}, "b": {"1": 0, "2": 0}, "c": {"1": 0, "2": 0}}),
    ("flagged", {"a": {"1": 1, "2": 1}, "b": {"1": 1, "2": 0}, "c": {"1": 0, "2": 0}}),
    ("explained", {"a": {"1": 1, "2": 0}, "b": {"1": 1, "2": 0}, "c": {"1": 0, "2": 0}}),
])
def test_the_domain_grid(what, expected):
    grid = domain_grid(CRITERIA, states(), what)
    assert list(grid.columns) == ["1", "2"] and list(grid.index) == ["a", "b", "c"]
    assert grid.to_dict("index") == expected
    assert domain_sizes(CRITERIA) == {"1": 2, "2": 2}


def test_a_level_without_units_gives_empty_tables():
    nobody = UNITS[UNITS["level"] == "tinh"]
    found = leaf_states(CRITERIA, nobody, ROWS, "2025", FLAGS, EVIDENCE)
    assert found.empty
    assert unit_status(CRITERIA, nobody, found, []).empty
    assert domain_grid(CRITERIA, found, "self").empty
