"""Numbers as people read them: rounded half up on the decimal value (CONTRACT §4, second
revision), whatever the binary float noise, with a decimal comma in Vietnamese."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from par.i18n.formatting import fmt_number, fmt_rank


def half_up(text: str, decimals: int = 2) -> Decimal:
    return Decimal(text).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def en(d: Decimal) -> str:
    return f"{d:,f}"


def vi(d: Decimal) -> str:
    return en(d).replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# -- the contract's examples and every boundary ------------------------------------------

@pytest.mark.parametrize("value, text", [(58.775, "58,78"), (89.995, "90,00"), (12.345, "12,35"),
                                         (0.005, "0,01"), (1.005, "1,01"), (0.015, "0,02"),
                                         (99.995, "100,00"), (1234.565, "1.234,57")])
def test_the_contracts_examples_round_half_up(value, text):
    assert fmt_number(value) == text
    assert fmt_number(value, "en") == text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def test_every_boundary_below_100_rounds_up():
    for k in range(10000):  # 0.005, 0.015, …, 99.995
        text = f"{k // 100}.{k % 100:02d}5"
        assert fmt_number(float(text)) == vi(half_up(text)), text


def test_every_boundary_of_one_decimal_and_of_whole_numbers():
    for k in range(1000):
        one = f"{k // 10}.{k % 10}5"  # 0.05 … 99.95 to 1 decimal
        assert fmt_number(float(one), "en", 1) == en(half_up(one, 1)), one
        whole = f"{k}.5"
        assert fmt_number(float(whole), "en", 0) == en(half_up(whole, 0)), whole


def test_float_noise_of_a_computed_figure_does_not_decide():
    # the same published 58.775, reached by sums and quotients with binary noise either way
    for noisy in (58.775, 58.774999999999999, 58.775000000000006, 100 * 58.775 / 100,
                  0.1 * 587.75, 58.7 + 0.075, 23.51 * 100 / 40):
        assert fmt_number(noisy) == "58,78", repr(noisy)
    assert fmt_number(0.1 + 0.2, "en", 12) == "0.300000000000"  # the noise is gone
    assert fmt_number(58.7749, "en") == "58.77" and fmt_number(58.7751, "en") == "58.78"


def test_negative_values_round_half_away_from_zero_like_decimal():
    assert fmt_number(-1.005) == "-1,01" and fmt_number(-58.775, "en") == "-58.78"
    assert fmt_number(-0.001) == "0,00"  # no "-0,00"


def test_missing_and_other_types():
    assert fmt_number(None) == fmt_number(float("nan")) == "–"
    assert fmt_number(np.float64(12.345)) == "12,35" and fmt_number(7) == "7,00"
    assert fmt_number(3281, "vi", 0) == "3.281" and fmt_number(3281, "en", 0) == "3,281"
    assert fmt_number(float("inf")) == "inf" and fmt_number(1e20, "en", 0) == "100,000,000,000,000,000,000"
    assert fmt_rank(14, 21) == "14/21"


# -- the one rounding function ------------------------------------------------------------

def test_round_half_up_vectorised():
    from par.i18n.formatting import half_up_units, round_half_up

    values = np.array([58.775, 89.995, 12.345, np.nan, 58.77, -1.005, 0.0])
    got = round_half_up(values, 2)
    assert got[:3].tolist() == [58.78, 90.0, 12.35]
    assert math.isnan(got[3]) and got[4:].tolist() == [58.77, -1.01, 0.0]
    units = half_up_units(values, 2)
    assert units[[0, 1, 2, 4, 5, 6]].tolist() == [5878, 9000, 1235, 5877, -101, 0]
    assert round_half_up(58.775, 2) == 58.78 and isinstance(round_half_up(58.775, 2), float)
    assert round_half_up(2 / 3, 6) == 0.666667 and round_half_up(0.1 + 0.2, 6) == 0.3


def test_the_same_function_is_what_the_domain_and_the_engine_use():
    from par.domain import models
    from par.engine import ranking
    from par.i18n import formatting

    assert models.round_half_up is formatting.round_half_up is ranking.round_half_up
    assert models.half_up_units is formatting.half_up_units


# -- properties ---------------------------------------------------------------------------

DECIMAL_TEXT = st.builds(lambda sign, whole, frac, n: f"{sign}{whole}" + (f".{frac:03d}"[:n + 1] if n else ""),
                         st.sampled_from(["", "-"]), st.integers(0, 10**6),
                         st.integers(0, 999), st.integers(0, 3))


@settings(max_examples=500, deadline=None)
@given(DECIMAL_TEXT)
def test_property_half_up_equals_decimal_for_decimal_inputs(text):
    from par.i18n.formatting import round_half_up

    expected = half_up(text)
    assert round_half_up(float(text), 2) == float(expected)
    shown = vi(expected)
    assert fmt_number(float(text)) == ("0,00" if shown == "-0,00" else shown)


@settings(max_examples=200, deadline=None)
@given(st.lists(DECIMAL_TEXT, min_size=1, max_size=30), st.integers(0, 3))
def test_property_vectorised_equals_decimal(texts, decimals):
    from par.i18n.formatting import round_half_up

    got = round_half_up(np.array([float(x) for x in texts]), decimals)
    assert got.tolist() == [float(half_up(x, decimals)) for x in texts]


def test_periods_read_as_people_write_them():
    from par.domain.periods import Period
    from par.i18n.formatting import fmt_period

    assert fmt_period("2025-Q3") == "Quý III/2025"
    assert fmt_period(Period(2025, 4)) == "Quý IV/2025"
    assert fmt_period(Period(2025, 5)) == "Cả năm 2025" == fmt_period("2025")
    assert fmt_period("2025-Q1", "en") == "Q1 2025" and fmt_period("2025", "en") == "Whole year 2025"
    assert fmt_period("2025-Q2", year_to_date=True) == "Lũy kế đến Quý II/2025"
    assert fmt_period("2025-Q2", "en", year_to_date=True) == "Year to date, Q2 2025"
    assert fmt_period(None) == "–" and fmt_period("năm ngoái") == "năm ngoái"
