"""The first screen's figures: a level at a glance, one unit's story (par.analysis.overview),
and their sentences (par.present.overview)."""
from __future__ import annotations

import datetime as dt

from conftest import build_criteria, make_rows, make_units, row

from par.analysis.overview import (
    costliest,
    latest_period,
    level_overview,
    next_due,
    previous_period,
    quarter_end,
    submitted_units,
    unit_overview,
)
from par.decide.target import get_target_plan
from par.domain.periods import Period
from par.engine.scoring import score
from par.present.overview import due_text, headline, next_rank_text, unit_headline

# Two regular leaves worth 6 and 4 points and a 2-point penalty leaf, scored as points.
CRITERIA = build_criteria("""
    domains:
      - code: "1"
        name: Chỉ đạo
        max: 10
        children:
          - {code: "1.1", name: Kế hoạch, max: 6, rule: {type: points, aggregate: last}}
          - {code: "1.2", name: Báo cáo, max: 4, rule: {type: points, aggregate: last}}
      - code: "2"
        name: Điểm trừ
        kind: penalty
        max: 2
        children:
          - {code: "2.1", name: Vi phạm, max: 2, rule: {type: points, aggregate: last}}
    """)
UNITS = make_units("a b c")


def rows_of(spec: dict[str, dict[str, dict[str, str]]]):
    """{period: {unit: {criterion: value}}} → engine rows."""
    return make_rows(CRITERIA, UNITS, [row(unit=u, criterion=c, value=v, period=p)
                                       for p, by_unit in spec.items()
                                       for u, values in by_unit.items()
                                       for c, v in values.items()])


ROWS = rows_of({
    "2025-Q1": {"a": {"1.1": "6", "1.2": "4"}, "b": {"1.1": "5", "1.2": "2"},
                "c": {"1.1": "1", "1.2": "1"}},
    "2025-Q2": {"a": {"1.1": "2", "1.2": "1"}, "b": {"1.1": "5", "1.2": "3", "2.1": "1"}},
})


def cards():
    return (score(CRITERIA, UNITS, ROWS, Period(2025, 2)),
            score(CRITERIA, UNITS, ROWS, Period(2025, 1)))


def test_periods_the_first_screen_shows():
    assert latest_period(ROWS, 2025) == Period(2025, 2)
    assert latest_period(ROWS, 2024) is None
    appraised = rows_of({"2025": {"a": {"1.1": "3"}}})
    assert latest_period(appraised, 2025) == Period(2025, 5)
    assert previous_period(Period(2025, 3)) == Period(2025, 2)
    assert previous_period(Period(2025, 1)) is None
    assert previous_period(Period(2025, 5)) is None  # the year compares with the year before
    assert list(submitted_units(ROWS, Period(2025, 2))) == ["a", "b"]


def test_level_overview_counts_best_worst_and_movers():
    now, before = cards()
    ov = level_overview(now, before, ROWS)
    # Q2 (last values): a 3/10 → 30; b 8 − 1 = 7 → 70; c keeps Q1's 2 → 20
    assert (ov.units, ov.submitted) == (3, 2)
    assert (ov.best["name"], ov.worst["name"]) == ("Unit b", "Unit c")
    # Q1: a 1st, b 2nd, c 3rd → Q2: b 1st, a 2nd, c 3rd
    assert ov.movers[["unit", "rank", "previous", "change"]].values.tolist() == [
        ["b", 1, 2, 1], ["a", 2, 1, -1]]
    assert ov.riser["name"] == "Unit b"
    text = headline(ov, now, "vi")
    assert text == ("3 xã, phường — 2 đã nộp Quý II/2025; cao nhất Unit b (70,00), thấp nhất "
                    "Unit c (20,00); tăng mạnh nhất Unit b (↑1 bậc).")
    assert headline(ov, now, "en").startswith("3 communes and wards — 2 submitted for Q2 2025")
    assert level_overview(now, None, ROWS).movers.empty


def test_the_costliest_criteria_count_a_penalty_as_its_deduction():
    now, _ = cards()
    assert costliest(now, "a")[["code", "points_lost"]].values.tolist() == [["1.1", 4.0],
                                                                            ["1.2", 3.0]]
    lost = dict(costliest(now, "b")[["code", "points_lost"]].values.tolist())
    assert lost == {"1.1": 1.0, "1.2": 1.0, "2.1": 1.0}  # the penalty leaf: its 1 point
    assert costliest(now, "c", count=1)["code"].tolist() == ["1.1"]
    # c sent nothing for Q2: its Q1 rows stand ("last"); a leaf never sent is not "lost"
    unsent = score(CRITERIA, UNITS, rows_of({"2025-Q1": {"a": {"1.1": "6"}}}), Period(2025, 1))
    assert costliest(unsent, "a").empty


def test_unit_overview_and_its_sentences():
    now, before = cards()
    uo = unit_overview(now, before, "a", ROWS)
    assert (uo.rank, uo.of, uo.rank_change) == (2, 3, -1)
    assert round(uo.index_change, 6) == -70.0  # 100 → 30
    assert uo.due == Period(2025, 3) and uo.due_ends == dt.date(2025, 9, 30)
    assert unit_headline(uo, "vi") == "Xếp thứ 2/3 · 30,00% (↓1 bậc, -70,00 điểm so với kỳ trước)"
    plan = get_target_plan(now, "a", 1)
    assert next_rank_text(plan, "vi").startswith("Để đạt hạng 1/3: cần thêm ")
    assert next_rank_text(None, "vi") == "Đơn vị đang xếp thứ nhất."
    assert due_text(uo, "vi") == "Kỳ cần nộp tiếp: Quý III/2025 (số liệu đến hết ngày 30/09/2025)."


def test_what_is_due():
    assert next_due(ROWS, "c", 2025) == Period(2025, 2)
    assert next_due(ROWS, "z", 2025) == Period(2025, 1)
    full = rows_of({f"2025-Q{q}": {"a": {"1.1": "1"}} for q in (1, 2, 3, 4)})
    assert next_due(full, "a", 2025) is None
    assert [quarter_end(Period(2025, q)) for q in (1, 4)] == [dt.date(2025, 3, 31),
                                                              dt.date(2025, 12, 31)]
