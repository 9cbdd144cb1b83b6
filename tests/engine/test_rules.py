"""Rule types (CONTRACT §1 table): one leaf, one unit, the row → points."""
from __future__ import annotations

import pytest
from conftest import leaf_points, pts

from par.domain.models import RULE_TYPES
from par.engine.rules import RULES

# -- points ------------------------------------------------------------------------


def test_points_value_is_the_points():
    assert pts("{type: points}", 4, value="2.5") == 2.5
    assert pts("{type: points}", 4, value="4") == 4
    assert pts("{type: points}", 4, value="0") == 0


def test_points_sum_over_quarters_is_capped_at_max():
    # 1.5 + 1.5 + 1.5 = 4.5 > max 4 → 4
    points, _ = leaf_points("{type: points, aggregate: sum}", 4,
                            *[dict(value="1.5", period=f"2025-Q{q}") for q in (1, 2, 3)])
    assert points == 4


# -- yes_no ------------------------------------------------------------------------

YES = ["có", "Có", "CÓ", "yes", "YES", "x", "X", "1", "true", "TRUE", "đạt", "Đạt", " có "]
NO = ["không", "Không", "no", "No", "0", "false", "False", "không đạt", "Không Đạt", "KHÔNG ĐẠT"]


@pytest.mark.parametrize("word", YES)
def test_yes_no_yes_words(word):
    assert pts("{type: yes_no}", 2, value=word) == 2


@pytest.mark.parametrize("word", NO)
def test_yes_no_no_words(word):
    assert pts("{type: yes_no}", 2, value=word) == 0


def test_yes_no_empty_is_no_data():
    points, applicable = leaf_points("{type: yes_no}", 2, dict(value=""))
    assert (points, applicable) == (0, True)


def test_yes_no_latest_quarter_decides():
    assert leaf_points("{type: yes_no}", 2, dict(value="không", period="2025-Q1"),
                       dict(value="có", period="2025-Q2"))[0] == 2
    assert leaf_points("{type: yes_no}", 2, dict(value="có", period="2025-Q1"),
                       dict(value="không", period="2025-Q2"))[0] == 0


# -- ratio -------------------------------------------------------------------------

PUBLISHED = "{type: ratio, bands: [{above: 90, points: 2}, {min: 70, points: 1}]}"  # "trên 90%: 2; từ 70% - 90%: 1"


@pytest.mark.parametrize("num, den, expected", [
    ("90", "100", 1),       # exactly 90 is not "above 90" → lower band
    ("90.0001", "100", 2),  # just above → upper band
    ("100", "100", 2),
    ("70", "100", 1),       # exactly 70 meets "min 70"
    ("69.9999", "100", 0),  # satisfies no band → 0
    ("0", "5", 0),
    ("9", "10", 1),         # 90% computed from a fraction is still exactly 90
    ("7", "10", 1),
])
def test_ratio_bands_boundaries(num, den, expected):
    assert pts(PUBLISHED, 2, numerator=num, denominator=den) == expected


def test_ratio_band_order_min_and_above_at_equal_bound():
    # at 80 both bands have bound 80: `above` first (not met at exactly 80), then `min` (met)
    rule = "{type: ratio, bands: [{min: 80, points: 0.5}, {above: 80, points: 1}]}"
    assert pts(rule, 1, numerator="80", denominator="100") == 0.5
    assert pts(rule, 1, numerator="81", denominator="100") == 1


def test_ratio_float_noise_does_not_miss_a_band():
    # 100 × 49 / 50 = 98.00000000000001 and 100 × 29 / 100 = 28.999999999999996 in floats
    assert pts("{type: ratio, bands: [{min: 98, points: 1}]}", 1, numerator="49", denominator="50") == 1
    assert pts("{type: ratio, bands: [{min: 29, points: 1}]}", 1, numerator="0.29", denominator="1") == 1


def test_ratio_linear_and_cap():
    # 3/4 = 75% of max 2 → 1.5; 6/4 = 150% → capped at max 2
    assert pts("{type: ratio, linear: true}", 2, numerator="3", denominator="4") == 1.5
    assert pts("{type: ratio, linear: true}", 2, numerator="6", denominator="4") == 2


def test_ratio_lower_is_better():
    # 2 late of 40 = 5% late → scored on 95%: band min 95 → 1; linear → 2 × 0.95 = 1.9
    bands = "{type: ratio, direction: lower_is_better, bands: [{min: 100, points: 2}, {min: 95, points: 1}]}"
    assert pts(bands, 2, numerator="2", denominator="40") == 1
    assert pts(bands, 2, numerator="0", denominator="40") == 2
    assert pts(bands, 2, numerator="3", denominator="40") == 0  # 92.5%
    assert pts("{type: ratio, direction: lower_is_better, linear: true}", 2,
               numerator="2", denominator="40") == pytest.approx(1.9)


@pytest.mark.parametrize("when, expected", [("", (0, False)), ("na", (0, False)),
                                            ("full", (3, True)), ("zero", (0, True))])
def test_ratio_when_empty(when, expected):
    rule = "{type: ratio, linear: true%s}" % (f", when_empty: {when}" if when else "")
    assert leaf_points(rule, 3, dict(numerator="0", denominator="0")) == expected


def test_ratio_sum_adds_numerators_and_denominators():
    # (1 + 9) / (10 + 10) = 50% (not the mean of 10% and 90%, nor the last 90%)
    rows = [dict(numerator="1", denominator="10", period="2025-Q1"),
            dict(numerator="9", denominator="10", period="2025-Q2")]
    assert leaf_points("{type: ratio, linear: true}", 2, *rows)[0] == 1
    assert leaf_points("{type: ratio, linear: true, aggregate: last}", 2, *rows)[0] == 1.8


def test_ratio_decimal_comma_and_percent_in_cells():
    # "4,5" / "9" = 50%
    assert pts("{type: ratio, linear: true}", 2, numerator="4,5", denominator="9") == 1


# -- count -------------------------------------------------------------------------

COUNT_BANDS = "{type: count, bands: [{min: 24, points: 1}, {above: 12, points: 0.5}]}"


@pytest.mark.parametrize("count, expected", [("30", 1), ("24", 1), ("23", 0.5), ("13", 0.5),
                                             ("12", 0), ("0", 0)])
def test_count_bands(count, expected):
    assert pts(COUNT_BANDS, 1, value=count) == expected


def test_count_per_item_capped():
    assert pts("{type: count, per_item: 0.25}", 1, value="3") == 0.75
    assert pts("{type: count, per_item: 0.25}", 1, value="4") == 1
    assert pts("{type: count, per_item: 0.25}", 1, value="40") == 1


# -- survey ------------------------------------------------------------------------


def test_survey_linear_by_default():
    assert pts("{type: survey}", 4, value="87.5") == 3.5  # 4 × 87.5 / 100
    assert pts("{type: survey}", 4, value="87,5%") == 3.5
    assert pts("{type: survey, linear: true}", 4, value="100") == 4


@pytest.mark.parametrize("value, expected", [("95", 2), ("80", 1), ("80.5", 1.5), ("79", 0)])
def test_survey_bands(value, expected):
    rule = "{type: survey, bands: [{min: 95, points: 2}, {above: 80, points: 1.5}, {min: 80, points: 1}]}"
    assert pts(rule, 2, value=value) == expected


# -- deduction ---------------------------------------------------------------------


@pytest.mark.parametrize("count, expected", [("0", 2), ("1", 1.5), ("3", 0.5), ("8", 0), ("100", 0)])
def test_deduction_floored_at_zero(count, expected):
    assert pts("{type: deduction, per_item: 0.5}", 2, value=count) == expected


def test_deduction_sums_violations_over_quarters():
    # 1 + 2 violations × 0.5 = 1.5 off max 2
    points, _ = leaf_points("{type: deduction, per_item: 0.5}", 2,
                            dict(value="1", period="2025-Q1"), dict(value="2", period="2025-Q2"))
    assert points == 0.5


# -- choice ------------------------------------------------------------------------

CHOICE = "{type: choice, options: {Hoàn thành đúng hạn: 1, Hoàn thành chậm: 0.5, Chưa thực hiện: 0}}"


@pytest.mark.parametrize("label, expected", [("Hoàn thành đúng hạn", 3), ("hoàn thành chậm", 1.5),
                                             ("  CHƯA THỰC HIỆN ", 0)])
def test_choice_options(label, expected):
    assert pts(CHOICE, 3, value=label) == expected


# -- every rule type is covered ------------------------------------------------------

ONE_CASE = {  # type → (rule, max, row, expected points)
    "points": ("{type: points}", 3, dict(value="2"), 2),
    "yes_no": ("{type: yes_no}", 3, dict(value="đạt"), 3),
    "ratio": ("{type: ratio, linear: true}", 3, dict(numerator="1", denominator="3"), 1),
    "count": ("{type: count, per_item: 1}", 3, dict(value="2"), 2),
    "survey": ("{type: survey}", 3, dict(value="50"), 1.5),
    "deduction": ("{type: deduction, per_item: 1}", 3, dict(value="1"), 2),
    "choice": (CHOICE, 3, dict(value="Hoàn thành chậm"), 1.5),
}


def test_rules_registry_matches_rule_types():
    assert set(RULES) == set(RULE_TYPES) == set(ONE_CASE)


@pytest.mark.parametrize("rule_type", RULE_TYPES)
def test_every_rule_type_scores(rule_type):
    rule, max_, row_kw, expected = ONE_CASE[rule_type]
    assert pts(rule, max_, **row_kw) == pytest.approx(expected)
