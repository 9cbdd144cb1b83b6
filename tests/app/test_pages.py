"""AppTest: every page renders on the sample data and its widgets change what is shown."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import plain
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


def _select_set(at: AppTest, needle: str) -> AppTest:
    box = at.selectbox(key="criteria_id")
    return box.select_index(next(i for i, o in enumerate(box.options) if needle in o)).run()


def _shown(element):
    """A st.dataframe of a Styler as people see it (the frame's values stay numbers)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


def _unit_page() -> None:
    from par.app.unit import page_unit

    page_unit()


@pytest.fixture
def app() -> AppTest:
    """The ranking page (the dashboard opens on the overview: test_dashboard_opens_…)."""
    at = AppTest.from_function(_ranking_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    return at


def test_dashboard_opens_on_the_overview_in_either_language():
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Tổng quan"
    at = at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Overview" and not at.exception


def test_ranking_page_renders_kpis_and_table(app):
    assert [m.label for m in app.metric] == ["Chỉ số trung bình", "Cao nhất", "Thấp nhất",
                                              "Đơn vị tạm tính"]
    table = _shown(app.dataframe[0])  # numbers sort as numbers, read as "1/14"
    assert table["Hạng"].iloc[0].startswith("1/") and app.dataframe[0].value["Hạng"].iloc[0] == 1


def test_cua_lo_ranks_14_of_21_in_2019(app):
    at = _select_set(app, "cấp huyện")
    table = _shown(at.dataframe[0])
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


def test_english_switch():
    at = AppTest.from_function(_ranking_page, default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at = at.run()
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


def _upload_page() -> None:
    from par.app.upload import page_upload

    page_upload()


def _signed_in(at: AppTest, actor=None) -> AppTest:
    import time

    from par.domain.auth import Actor

    at.session_state["account"] = (actor or Actor("office", "admin")).name  # the name only
    at.session_state["seen"] = time.time()
    return at


@pytest.fixture(scope="module")
def accounts_url(tmp_path_factory) -> str:
    """A seeded database with the accounts _signed_in uses (a session is only its name)."""
    from par.domain.auth import Actor
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'accounts.db'}"
    s = Store(url)
    ensure_seeded(s)
    Accounts(s).add(Actor.local_admin(), "office", "admin", "Mật-khẩu-rất-bí-mật-2025")
    s.dispose()
    return url


@pytest.fixture
def signed_in(accounts_url, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PAR_DATABASE_URL", accounts_url)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def _upload_app(actor=None, period="2019-Q4"):
    at = _signed_in(AppTest.from_function(_upload_page, default_timeout=TIMEOUT), actor).run()
    assert not at.exception
    box = at.selectbox(key="upload_set")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    unit = at.selectbox(key="upload_unit")
    at = unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()
    periods = at.selectbox(key="upload_period")  # the file must hold the unit and period shown
    return periods.select_index(periods.options.index(period)).run()


def test_upload_page_offers_the_template(signed_in):
    at = _upload_app()
    assert at.selectbox(key="upload_period").options[-1] == "2019"
    # the download button's data is built only when clicked; the template itself is
    # tested in test_template.py and through the browser test
    assert at.get("download_button")


def test_upload_page_rejects_a_bad_workbook_with_its_cell(signed_in):
    from fixtures.workbooks import fill

    from par import load_criteria, read_units
    from par.domain.periods import Period
    from par.read.template import build_template

    criteria = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
    template = build_template(criteria, read_units(ROOT / "data/units.csv"), ["cua-lo"],
                              Period(2019, 4))
    bad = fill(template, {"1.5": {"Giá trị": "hai"}})
    at = _upload_app()
    at = at.get("file_uploader")[0].upload("bad.xlsx", bad).run()
    errors = [plain(e.value) for e in at.error]
    assert errors and "bad.xlsx" in errors[0] and "'hai'" in errors[0]
    assert "ô E" in errors[0] or "ô F" in errors[0]  # the value column's real cell
    assert "confirm_upload" not in [b.key for b in at.button]


def test_upload_page_refuses_a_file_for_another_unit_or_period_before_any_preview(signed_in):
    other = ("unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
             "vinh,2019-Q4,1.1.1,có,,,,,\n").encode()
    at = _upload_app().get("file_uploader")[0].upload("vinh.csv", other).run()
    assert at.error and "cua-lo" in plain(at.error[0].value)
    assert not at.dataframe or "Chỉ số trước" not in at.dataframe[0].value.columns
    later = ("unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
             "cua-lo,2019-Q3,1.1.1,có,,,,,\n").encode()
    at = _upload_app().get("file_uploader")[0].upload("q3.csv", later).run()
    assert at.error and "2019-Q4" in plain(at.error[0].value)
    assert "confirm_upload" not in [b.key for b in at.button]


def test_upload_page_accepts_a_good_file_shows_before_after_and_stores_it(signed_in):
    good = ("unit,period,criterion,value,numerator,denominator,stage,evidence,note\n"
            "cua-lo,2019-Q4,1.1.1,có,,,,,\n").encode()
    at = _upload_app()
    history_before = len(at.dataframe[-1].value) if at.dataframe else 0
    at = at.get("file_uploader")[0].upload("good.csv", good).run()
    assert not at.error and at.success
    preview = at.dataframe[0].value
    assert list(preview.columns) == ["Đơn vị", "Chỉ số trước", "Chỉ số sau", "Hạng trước",
                                     "Hạng sau"]
    assert preview.iloc[0]["Đơn vị"] == "Thị xã Cửa Lò"
    assert preview.iloc[0]["Hạng trước"].endswith("/21")  # as of the file's period, 2019-Q4
    at = at.button(key="confirm_upload").click().run()
    assert not at.exception
    assert any("Đã lưu" in s.value for s in at.success)
    history = at.dataframe[-1].value
    assert len(history) == history_before + 1
    assert history.iloc[0]["Tệp nguồn"] == "good.csv"  # newest first


def _data_page() -> None:
    from par.app.data import page_data

    page_data()


def test_data_page_downloads_and_sample_reset(monkeypatch, tmp_path):
    import streamlit as st

    from par.domain.auth import Actor
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    monkeypatch.setenv("PAR_SAMPLE_MODE", "1")
    at = AppTest.from_function(_data_page, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [b.key for b in at.get("download_button")] == [
        "download_csv", "download_xlsx", "dl_report", "dl_pack", "dl_pack_pdf"]
    # demo mode (the shared test database has no accounts): nobody may reset, not even
    # an admin left in the session
    assert "reset_sample" not in [b.key for b in at.button]
    assert "reset_sample" not in [b.key for b in _signed_in(
        AppTest.from_function(_data_page, default_timeout=TIMEOUT)).run().button]

    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'accounts.db'}")
    s = Store()
    ensure_seeded(s)
    Accounts(s).add(Actor.local_admin(), "office", "admin", "Mật-khẩu-rất-bí-mật-2025")
    Accounts(s).add(Actor("office", "admin"), "lan", "unit", "Mật-khẩu-rất-bí-mật-2025",
                    ["cua-lo"])
    s.dispose()
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = _signed_in(AppTest.from_function(_data_page, default_timeout=TIMEOUT)).run()
        at = at.button(key="reset_sample").click().run()
        assert not at.exception and "Đã nạp lại" in at.success[0].value
        staff = Actor("lan", "unit", frozenset({"cua-lo"}))
        at = _signed_in(AppTest.from_function(_data_page, default_timeout=TIMEOUT), staff).run()
        assert "reset_sample" not in [b.key for b in at.button]
        monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
        at = _signed_in(AppTest.from_function(_data_page, default_timeout=TIMEOUT)).run()
        assert "reset_sample" not in [b.key for b in at.button]
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def _criteria_page() -> None:
    from par.app.criteria import page_criteria

    page_criteria()


def _trends_page() -> None:
    from par.app.trends import page_trends

    page_trends()


def _chart(at, index=0) -> dict:
    import json
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_criteria_page_drills_into_a_domain():
    at = AppTest.from_function(_criteria_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    assert not at.exception
    heat = _chart(at)["data"][0]
    assert heat["type"] == "heatmap" and len(heat["x"]) == 8 and len(heat["y"]) == 21
    at = at.selectbox(key="criteria_domain").select_index(3).run()  # domain 3
    leaves = _chart(at)["data"][0]["x"]
    assert len(leaves) > 8 and all(str(x).startswith("3.") for x in leaves)
    weakest = at.dataframe[0].value
    assert list(weakest.columns) == ["Mã", "Mức đạt TB", "Trung bình", "Tối đa", "Tiêu chí"]
    assert len(weakest) == 10 and weakest["Mức đạt TB"].is_monotonic_increasing
    dist = _chart(at, 1)["data"][0]
    assert dist["type"] == "bar" and len(dist["y"]) == 21


def test_trends_page_shows_the_year_end_rank():
    at = AppTest.from_function(_trends_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    unit = at.selectbox(key="unit")
    at = unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Tính đến kỳ" in d.value.columns)
    assert list(table.columns) == ["Tính đến kỳ", "Loại điểm", "Chỉ số (%)", "Hạng",
                                   "Chưa chấm, tính 0 (điểm)"]
    assert list(table.iloc[-1]) == ["2019", "Thẩm định cả năm", table.iloc[-1, 2], "14/21", "0,00"]
    assert len(table) == 5  # Q1..Q4 and the year
    assert _chart(at)["data"][0]["type"] == "scatter"


def test_trends_page_tells_self_scores_from_the_appraised_year_and_why_it_jumps():
    at = _cua_lo(_trends_page)
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Loại điểm" in d.value.columns)
    # the quarters are year-to-date self-scores with the 20 survey points still at 0
    assert table["Loại điểm"].tolist() == ["Tự chấm lũy kế"] * 4 + ["Thẩm định cả năm"]
    assert table["Chưa chấm, tính 0 (điểm)"].tolist() == ["20,00"] * 4 + ["0,00"]
    traces = _chart(at)["data"]
    assert [tr["name"] for tr in traces[:2]] == ["Tự chấm lũy kế", "Thẩm định cả năm"]
    assert traces[0]["y"][-1] is None and traces[1]["y"][:4] == [None] * 4  # never joined
    assert any("tiêu chí chưa chấm" in c.value and "tính 0" in c.value for c in at.caption)
    jump = plain(next(i.value for i in at.info if "Chỉ số đi từ" in i.value))
    # from the Q4 self-score to the appraised year: surveys in, the appraisal's cuts out
    assert jump.startswith("Chỉ số đi từ 78,75 (2019-Q4, tự chấm lũy kế) đến 81,22 (2019, "
                           "thẩm định): +17,30 điểm từ 9 tiêu chí")
    assert "-14,83 điểm do thẩm định điều chỉnh" in jump
    at.session_state["lang"] = "en"
    at = at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Kind of score" in d.value.columns)
    assert table["Kind of score"].iloc[-1] == "Appraised, whole year"
    assert any(plain(i.value).startswith("The index goes from 78.75 (2019-Q4") for i in at.info)


def test_trends_page_of_a_year_in_progress_says_what_still_counts_0():
    at = AppTest.from_function(_trends_page, default_timeout=TIMEOUT).run()
    # the departments' 2025: self-scores of Q2 and Q3, no appraisal yet (the communes' 2025
    # is scored in one round for the year: par.sample.round)
    at = _select_set(at, "các sở")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Loại điểm" in d.value.columns)
    assert table["Loại điểm"].tolist() == ["Tự chấm lũy kế"] * 2
    assert table["Chưa chấm, tính 0 (điểm)"].tolist() == ["8,50"] * 2  # the survey points
    assert not any("Chỉ số đi từ" in i.value for i in at.info)  # no appraisal: no jump
    note = plain(next(i.value for i in at.info if "chưa chấm" in i.value))
    assert note.startswith("Tính đến 2025-Q3: 7 tiêu chí chưa chấm (8,50 điểm) đang tính 0")
    assert [tr["name"] for tr in _chart(at)["data"]][0] == "Tự chấm lũy kế"


def test_unit_page_shows_strengths_missing_and_self_vs_appraisal():
    at = AppTest.from_function(_unit_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    unit = at.selectbox(key="unit")
    at = unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()
    frames = [d.value for d in at.dataframe]
    strengths = frames[1]
    assert len(strengths) > 0 and "Trung bình" in strengths.columns
    diff = next(f for f in frames if "Điểm tự chấm" in f.columns)
    assert "3.3.1" in set(diff["Mã"])  # the appraisal found late dossiers
    assert _chart(at)["data"][0]["type"] == "bar"


# -- decision support sections -----------------------------------------------------------

def _cua_lo(page_fn):
    at = AppTest.from_function(page_fn, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    unit = at.selectbox(key="unit")
    return unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()


def test_unit_page_target_rank_plan_and_what_if_editor():
    at = _cua_lo(_unit_page)
    assert not at.exception
    target = at.number_input(key="target_cua-lo")
    assert target.value == 10  # four places up by default
    assert any("Cần thêm ít nhất" in s.value for s in at.success)
    plan = next(d.value for d in at.dataframe if "Cần thêm" in d.value.columns)
    assert len(plan) >= 1
    at = target.set_value(14).run()  # its own rank: nothing to do
    assert any("đã đạt" in i.value for i in at.info)
    editor = at.data_editor[0].value
    assert list(editor.columns) == ["code", "name", "max", "points"]
    assert len(editor) > 60 and not editor["code"].str.startswith(("B", "P")).any()


def test_ranking_page_rank_intervals():
    at = AppTest.from_function(_ranking_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1  # computed only when asked for
    at = at.toggle(key="show_intervals").set_value(True).run()
    assert not at.exception
    bars = _chart(at, 1)["data"][0]
    assert bars["type"] == "bar" and len(bars["y"]) == 21


def test_ranking_chart_shows_top_and_bottom_of_a_large_level():
    at = AppTest.from_function(_ranking_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp xã")  # 130 communes: more than the chart's 40
    assert not at.exception
    chart = _chart(at)
    labels = chart["data"][0]["y"]
    assert len(labels) == 41 and "<i>… 90 đơn vị khác …</i>" in labels
    assert "20 đơn vị đứng đầu" in chart["layout"]["title"]["subtitle"]["text"]
    at = _select_set(at, "cấp huyện")  # 21 districts: every one drawn
    assert len(_chart(at)["data"][0]["y"]) == 21


def _ranking_page() -> None:
    from par.app.ranking import page_ranking

    page_ranking()


def test_trends_page_projection_is_drawn_apart():
    at = AppTest.from_function(_trends_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "các sở")  # 2025: Q2 and Q3 in, no year-end appraisal yet
    assert not at.exception
    traces = _chart(at)["data"]
    projection = [tr for tr in traces if tr.get("line", {}).get("dash") == "dash"]
    assert len(projection) == 1 and projection[0]["x"][0] == "Quý III/2025"
    assert any("Cách dự báo" in c.value for c in at.caption)
    table = next(d.value for d in at.dataframe if "Hạng dự báo" in d.value.columns)
    assert table["Hạng dự báo"].iloc[0].endswith("/15")
    at = _select_set(at, "cấp huyện")  # the 2019 year is complete: nothing to project
    assert not [tr for tr in _chart(at)["data"] if tr.get("line", {}).get("dash") == "dash"]


def test_criteria_page_over_scoring_ranking():
    at = AppTest.from_function(_criteria_page, default_timeout=TIMEOUT).run()
    at = _select_set(at, "cấp huyện")
    over = next(d.value for d in at.dataframe if "Tổng chênh lệch" in d.value.columns)
    assert len(over) == 21
    totals = [float(v.replace(".", "").replace(",", ".")) for v in over["Tổng chênh lệch"]]
    assert totals == sorted(totals, reverse=True)
