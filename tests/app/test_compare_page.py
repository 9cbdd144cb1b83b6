"""AppTest: the "So sánh đơn vị" page on the sample data."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

TIMEOUT = 60
KEY = "compare_units_nghe-an-huyen-2019"
SPREAD = "Chênh lệch (điểm)"


def _compare_page() -> None:
    from par.app.compare import page_compare

    page_compare()


def _page(unit: str | None = None, lang: str = "vi") -> AppTest:
    at = AppTest.from_function(_compare_page, default_timeout=TIMEOUT)
    if unit:
        at.session_state["unit"] = unit  # chosen on the unit page before
    at.session_state["lang"] = lang
    at = at.run()
    assert not at.exception, at.exception
    box = at.selectbox(key="criteria_id")
    at = box.select_index(next(i for i, o in enumerate(box.options) if o.startswith("2019"))).run()
    assert not at.exception, at.exception
    return at


def _buttons(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_starts_with_the_chosen_unit_and_the_one_ranked_above_it():
    at = _page("cua-lo")
    assert at.title[0].value == "So sánh đơn vị"
    assert at.multiselect(key=KEY).value == ["cua-lo", "nghia-dan"]
    # best ranked first: Nghĩa Đàn 13/21, Cửa Lò 14/21
    assert [m.label for m in at.metric] == ["Huyện Nghĩa Đàn", "Thị xã Cửa Lò"]
    assert at.metric[1].value == "81,22%" and "Xếp thứ 14/21" in [c.value for c in at.caption]


def test_three_units_chart_tables_and_downloads():
    at = _page()
    assert at.multiselect(key=KEY).value == ["vinh", "dien-chau"]  # no unit chosen: the best two
    at = at.multiselect(key=KEY).set_value(["cua-lo", "vinh", "nghi-loc"]).run()
    assert not at.exception, at.exception
    assert [m.label for m in at.metric] == ["Thành phố Vinh", "Huyện Nghi Lộc", "Thị xã Cửa Lò"]
    assert len(at.get("plotly_chart")) == 1
    domains, criteria = (d.value for d in at.dataframe)
    assert list(domains.columns) == ["Mã", "Thành phố Vinh", "Huyện Nghi Lộc", "Thị xã Cửa Lò",
                                     SPREAD, "TB toàn cấp", "Tối đa", "Lĩnh vực"]
    assert domains.iloc[0][SPREAD] == "4,50" and domains.iloc[-1]["Thị xã Cửa Lò"] == "81,22"
    assert criteria.iloc[0]["Mã"] == "1.1.2" and criteria.iloc[0][SPREAD] == "2,00"
    assert len(criteria) == 94
    assert _buttons(at) == ["Tải hai bảng (Excel)", "Tải bảng lĩnh vực (CSV)",
                            "Tải bảng tiêu chí (CSV)", "Tải biểu đồ (PNG)"]
    at = at.selectbox(key="compare_domain").set_value("3").run()
    criteria = at.dataframe[1].value
    assert set(criteria["Lĩnh vực"]) == {"3"} and criteria.iloc[0]["Mã"] == "3.1.1"
    at = at.radio(key="compare_measure").set_value("percent").run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value.iloc[0][SPREAD] == "4,50"  # the tables stay in points


def test_fewer_than_two_units_says_what_to_do():
    at = _page()
    at = at.multiselect(key=KEY).set_value(["cua-lo"]).run()
    assert not at.exception
    assert at.info[0].value == "Chọn ít nhất 2 đơn vị (tối đa 5) để so sánh."
    assert not at.dataframe and not at.get("plotly_chart")


def test_english():
    at = _page("cua-lo", lang="en")
    assert at.title[0].value == "Compare units"
    domains = at.dataframe[0].value
    assert list(domains.columns)[0] == "Code" and "Difference (points)" in domains.columns
    assert domains.iloc[-1]["Domain"] == "Total score"
    assert _buttons(at)[0] == "Download both tables (Excel)"
