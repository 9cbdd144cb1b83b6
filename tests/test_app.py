"""AppTest: every page renders on the sample data and its widgets change what is shown."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60


def _select_set(at: AppTest, needle: str) -> AppTest:
    box = at.selectbox(key="criteria_id")
    return box.select_index(next(i for i, o in enumerate(box.options) if needle in o)).run()


def _unit_page() -> None:
    from par.app.unit import page_unit

    page_unit()


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    return at


def test_ranking_page_renders_kpis_and_table(app):
    assert [m.label for m in app.metric] == ["Chỉ số trung bình", "Cao nhất", "Thấp nhất",
                                              "Đơn vị tạm tính"]
    table = app.dataframe[0].value
    assert table["Hạng"].iloc[0].startswith("1/")


def test_cua_lo_ranks_14_of_21_in_2019(app):
    at = _select_set(app, "cấp huyện")
    table = at.dataframe[0].value
    assert table.loc["cua-lo", "Hạng"] == "14/21"
    assert table.loc["cua-lo", "Chỉ số (%)"].count(",") == 1  # Vietnamese decimal comma


def test_switching_the_period_changes_the_ranking(app):
    at = _select_set(app, "cấp huyện")
    year = at.dataframe[0].value
    period = at.selectbox(key="as_of_nghe-an-huyen-2019")
    assert period.options[-1] == "Cả năm 2019" and len(period.options) == 5
    at = period.select_index(1).run()  # 2019-Q2, year to date
    q2 = at.dataframe[0].value
    assert not q2["Chỉ số (%)"].equals(year["Chỉ số (%)"])
    assert (q2["Tạm tính"] == "có").all()  # no appraisal before the year's end
    assert (year["Tạm tính"] == "").all()


def test_english_switch(app):
    at = app.radio(key="lang").set_value("en").run()
    assert [m.label for m in at.metric][0] == "Mean index"
    assert "Rank" in at.dataframe[0].value.columns


def test_unit_page_shows_headline_and_lagging():
    at = AppTest.from_function(_unit_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    unit = at.selectbox(key="unit")
    at = unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()
    assert not at.exception
    assert at.subheader[0].value.startswith("Xếp thứ 14/21 · ")
    lagging = at.dataframe[0].value
    assert {"1.1.1", "1.1.2", "3.3.1"} <= set(lagging["Mã"])
