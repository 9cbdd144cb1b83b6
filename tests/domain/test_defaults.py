"""What the pages start on, by who is signed in (par.domain.defaults, issue 13)."""
from __future__ import annotations

import pandas as pd
import pytest

from par.domain.auth import Actor
from par.domain.defaults import (
    Defaults,
    default_period,
    default_set,
    default_unit,
    home_units,
    page_defaults,
)
from par.domain.models import CriteriaSet
from par.domain.periods import Period


def _set(id_, year, level):
    return CriteriaSet(id=id_, title=id_, year=year, level=level, domains=())


# as the store gives them: newest year first, then level
SETS = [_set("so-2025", 2025, "so"), _set("xa-2025", 2025, "xa"),
        _set("huyen-2019", 2019, "huyen"), _set("xa-2024", 2024, "xa")]
SETS = sorted(SETS, key=lambda c: (-c.year, c.level, c.id))
UNITS = pd.DataFrame({"id": ["cua-lo", "vinh", "so-noi-vu", "p-cua-lo", "x-nghi-loc"],
                      "level": ["huyen", "huyen", "so", "xa", "xa"]}).set_index("id", drop=False)
STAFF = Actor("lan", "unit", frozenset({"p-cua-lo"}))
Q = [Period(2025, q) for q in (1, 2, 3, 4)] + [Period(2025, 5)]


def test_a_unit_account_starts_on_its_levels_latest_set_and_its_unit():
    assert default_set(STAFF, UNITS, SETS).id == "xa-2025"
    assert default_unit(STAFF, UNITS, "xa") == "p-cua-lo"
    district = Actor("minh", "unit", frozenset({"cua-lo"}))
    assert default_set(district, UNITS, SETS).id == "huyen-2019"
    assert default_unit(district, UNITS, "huyen") == "cua-lo"
    assert default_unit(district, UNITS, "xa") is None  # not its level: no unit


@pytest.mark.parametrize("actor", [None, Actor("office", "admin"), Actor("chief", "reviewer"),
                                   Actor("lan", "unit", frozenset()),
                                   Actor("old", "unit", frozenset({"gone"}))])
def test_everyone_else_starts_on_the_latest_set_without_a_unit(actor):
    assert default_set(actor, UNITS, SETS) is SETS[0]
    assert default_unit(actor, UNITS, SETS[0].level) is None
    assert home_units(actor, UNITS) == []


def test_a_level_without_a_set_falls_back_to_the_latest_and_no_set_gives_none():
    only_so = [_set("so-2025", 2025, "so")]
    assert default_set(STAFF, UNITS, only_so).id == "so-2025"
    assert default_set(STAFF, UNITS, []) is None


def test_several_units_take_the_first_in_the_units_table_order():
    actor = Actor("ha", "unit", frozenset({"x-nghi-loc", "p-cua-lo"}))
    assert home_units(actor, UNITS) == ["p-cua-lo", "x-nghi-loc"]
    assert default_unit(actor, UNITS, "xa") == "p-cua-lo"


def test_the_period_is_the_latest_with_data_else_the_whole_year():
    assert default_period([Period(2025, 3), Period(2025, 4)], Q) == Period(2025, 4)
    assert default_period([Period(2025, 2), Period(2025, 5)], Q) == Period(2025, 5)
    assert default_period([], Q) == Period(2025, 5)
    assert default_period([Period(2024, 4)], Q) == Period(2025, 5)  # not offered
    assert default_period([], []) is None


def test_page_defaults_put_them_together():
    periods = {"xa-2025": ([Period(2025, 3), Period(2025, 4)], Q)}
    got = page_defaults(STAFF, UNITS, SETS, lambda c: periods.get(c.id, ([], Q)))
    assert got == Defaults(SETS[1], Period(2025, 4), "p-cua-lo")
    admin = page_defaults(Actor("office", "admin"), UNITS, SETS, lambda c: ([], Q))
    assert admin == Defaults(SETS[0], Period(2025, 5), None)
    assert page_defaults(None, UNITS, [], lambda c: ([], Q)) == Defaults(None, None, None)
