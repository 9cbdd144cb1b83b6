"""Units without data in a period are not ranked (issue 13; docs/decisions.md)."""
from __future__ import annotations

import numpy as np
from conftest import build_criteria, card_for, make_rows, make_units, row

from par.domain.periods import Period
from par.engine.scoring import score
from par.engine.standing import has_data, periods_with_data, rank_submitted, submitted

SET = """
    domains:
      - code: "1"
        name: D1
        max: 10
        children:
          - {code: "1.1", name: L1, max: 4, rule: {type: points}}
          - {code: "1.2", name: L2, max: 6, rule: {type: points}}
    """
UNITS = [{"id": "a", "name": "Xã A", "level": "xa", "group": "xa"},
         {"id": "b", "name": "Phường B", "level": "xa", "group": "phuong"},
         {"id": "c", "name": "Xã C", "level": "xa", "group": "xa"},
         {"id": "d", "name": "Phường D", "level": "xa", "group": "phuong"}]
# Q3: a, b and c submitted (c scored 0 on everything, but it did submit); d did not
Q3 = [row("a", "1.1", "4", "2025-Q3"), row("a", "1.2", "5", "2025-Q3"),
      row("b", "1.1", "2", "2025-Q3"), row("b", "1.2", "2", "2025-Q3"),
      row("c", "1.1", "0", "2025-Q3")]


def _card(as_of="2025-Q3"):
    criteria = build_criteria(SET)
    units = make_units(UNITS)
    return card_for(criteria, units, Q3, Period(2025, int(as_of[-1]) if "Q" in as_of else 5))


def test_the_engine_ranks_a_unit_without_data_last_at_zero():
    card = _card()  # what score() does, and what the dashboard must not show as is
    # d sent nothing, yet shares 3/4 with c, which sent zeros
    assert card.units.at["d", "rank"] == 3 and card.units.at["d", "of"] == 4
    assert card.units.at["d", "index"] == 0


def test_a_unit_without_data_is_not_ranked_and_of_counts_the_others():
    card = rank_submitted(_card())
    u = card.units
    assert submitted(_card()).to_dict() == {"a": True, "b": True, "c": True, "d": False}
    assert list(u.index) == ["a", "b", "c", "d"]  # best first, the unranked last
    assert u["rank"].tolist()[:3] == [1, 2, 3] and u["rank"].isna().tolist()[3]
    assert set(u.loc[["a", "b", "c"], "of"]) == {3}
    assert np.isnan(u.at["d", "index"]) and np.isnan(u.at["d", "index_2dp"])
    # a unit that submitted zeros is ranked (it did submit): 0,00 is its real figure
    assert u.at["c", "rank"] == 3 and u.at["c", "index"] == 0
    # group ranks count the group's units with data only
    assert u.at["b", "group_rank"] == 1 and u.at["b", "group_of"] == 1
    assert u["group_rank"].isna()["d"] and u.at["a", "group_of"] == 2
    # points and missing leaves stay as scored
    assert u.at["d", "score"] == 0 and u.at["d", "missing"] == 2
    assert list(card.node_score.index) == list(u.index)
    assert list(u.columns) == list(_card().units.columns)


def test_every_unit_with_data_leaves_the_card_unchanged():
    criteria = build_criteria(SET)
    units = make_units(UNITS[:2])
    card = score(criteria, units, make_rows(criteria, units, Q3[:4]), Period(2025, 3))
    assert rank_submitted(card) is card and has_data(card)


def test_a_period_before_any_data_has_none_and_ranks_nobody():
    card = _card("2025-Q2")  # the rows are Q3's: nothing in the window up to Q2
    assert not has_data(card)
    assert rank_submitted(card).units["rank"].isna().all()


def test_periods_with_data_are_the_quarters_and_the_year_that_hold_rows():
    criteria = build_criteria(SET)
    units = make_units(UNITS)
    rows = make_rows(criteria, units, Q3 + [row("a", "1.1", "4", "2025")])
    assert periods_with_data(rows, 2025) == [Period(2025, 3), Period(2025, 5)]
    assert periods_with_data(rows, 2024) == []
    assert periods_with_data(rows.iloc[:0], 2025) == []
