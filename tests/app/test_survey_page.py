"""AppTest: the "Khảo sát" page on a province's own database with a small survey set."""
from __future__ import annotations

import time

import pyarrow as pa
import pytest
import streamlit as st
from conftest import criteria_issues, make_units, plain
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor
from par.store import library
from par.store.accounts import Accounts
from par.store.storage import Store
from par.store.surveys import imports

PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
SET = """
surveys:
  - id: ld
    name: Phiếu lãnh đạo
    min_responses: 3
    options: {A: 100, B: 60, C: 20, D: 0, E: null}
    questions:
      - {code: Q1, text: Kịp thời}
      - {code: Q2, text: Công khai, options: {Có: 100, Không: 0}}
      - {code: Q3, text: Hài lòng}
domains:
  - code: "1"
    name: Khảo sát
    max: 20
    children:
      - {code: "1.1", name: Lá một, max: 10, rule: {type: survey, source: {form: ld, questions: [Q1, Q2]}}}
      - {code: "1.2", name: Lá hai, max: 10, rule: {type: survey, source: {form: ld, questions: [Q3]}, bands: [{min: 50, points: 10}, {min: 0, points: 2}]}}
"""
GOOD = ("đơn vị,người trả lời,Q1,Q2,Q3,giới tính\n"
        "a,1,A,Có,A,nam\na,2,B,Không,B,nữ\na,3,A,Có,C,nam\na,4,C,Có,A,nữ\n"
        "b,1,D,Không,B,nam\nb,2,C,Không,E,nữ\nb,3,E,,A,nam\n"
        "c,1,A,Có,A,nữ\n").encode()
BAD = ("đơn vị,người trả lời,Q1,Q2,Q3\n"
       "a,1,A,Có,A\nzz,2,B,Không,B\na,3,F,Có,C\n").encode()


def _survey_page() -> None:
    from par.app.surveys import page_surveys

    page_surveys()


@pytest.fixture
def province(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    store = Store(url)
    store.sync_units(make_units([{"id": "a", "name": "Xã An", "level": "xa"},
                                 {"id": "b", "name": "Xã Bình", "level": "xa"},
                                 {"id": "c", "name": "Xã Cát", "level": "xa"}]))
    admin = Actor.local_admin()
    library.add_set(store, criteria_issues(SET)[0], actor=admin, source_name="t.yaml",
                    activate=True)
    accounts = Accounts(store)
    accounts.add(admin, "office", "admin", PASSWORD)
    accounts.add(Actor("office", "admin"), "chief", "reviewer", PASSWORD)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()
    store.dispose()


def _page(name: str = "office", lang: str = "vi") -> AppTest:
    at = AppTest.from_function(_survey_page, default_timeout=60)
    at.session_state["account"] = name
    at.session_state["seen"] = time.time()
    at.session_state["lang"] = lang
    at = at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at = at.file_uploader(key="surveys_upload_0").set_value((name, data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


# the page's tables in order: preview (per unit, first rows); results (by question, leaves,
# per unit, history)
PREVIEW = ("units", "rows")
RESULTS = ("table", "leaves", "units", "history")


def _frame(at: AppTest, name: str, order=RESULTS):
    return at.dataframe[order.index(name)].value


def _texts(elements) -> str:
    return "\n".join(plain(e.value) for e in elements)


def test_upload_preview_confirm_then_results_chart_and_low_unit(province):
    at = _page()
    assert "Chưa nhập câu trả lời" in _texts(at.info)
    at = _upload(at, "phieu.csv", GOOD)
    assert any("Xem trước: phieu.csv" in plain(s.value) for s in at.subheader)
    assert "8 người trả lời" in _texts(at.markdown)
    per_unit = _frame(at, "units", PREVIEW)
    assert dict(zip(per_unit["Đơn vị"], per_unit["Người trả lời"])) == {
        "Xã An": 4, "Xã Bình": 3, "Xã Cát": 1}
    rows = _frame(at, "rows", PREVIEW)
    assert list(rows.columns) == ["Dòng", "Đơn vị", "Người trả lời", "Q1", "Q2", "Q3"]
    assert imports(province).empty  # nothing stored before the button
    at = at.button(key="surveys_confirm").click().run()
    assert not at.exception, at.exception
    done = imports(province)
    assert done["status"].tolist() == ["current"] and done["rows"].tolist() == [8]
    flash = _texts(at.success)
    assert f"Đã nhập lần #{done['id'].iloc[0]}" in flash and "8 người trả lời" in flash
    assert at.toast and "8 người trả lời" in at.toast[0].value
    assert not at.file_uploader(key="surveys_upload_1").value  # a fresh uploader
    assert "Xã Cát" in _texts(at.warning) and "ít hơn 3" in _texts(at.warning)
    [chart] = at.get("plotly_chart")
    assert chart.proto.spec  # the figure is there
    table = _frame(at, "table")
    a_q1 = table[(table["Đơn vị"] == "Xã An") & (table["Câu hỏi"] == "Q1")].iloc[0]
    assert a_q1["Tỷ lệ (%)"] == 70.0 and a_q1["n"] == 4
    assert table["Tỷ lệ (%)"].dtype == float  # sorts as numbers
    leaves = _frame(at, "leaves")
    assert set(leaves["Mã"]) == {"1.1", "1.2"}
    history = _frame(at, "history")
    assert history["Trạng thái"].tolist() == ["đang dùng"]
    # the chart of a leaf value
    at = at.selectbox(key="surveys_what_t_ld_vi").set_value("l:1.1").run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 1


def test_a_bad_file_lists_every_error_by_row_and_column_and_stores_nothing(province):
    at = _page()
    at = _upload(at, "sai.csv", BAD)
    [error] = at.error
    text = plain(error.value)
    assert "sai.csv" in text and "chưa lưu gì" in text
    assert "zz" in text and "F" in text
    assert "dòng 3" in text.lower() and "dòng 4" in text.lower()
    assert "Q1" in text
    assert not any(b.key == "surveys_confirm" for b in at.button)
    assert imports(province).empty


def test_a_reviewer_sees_results_without_the_uploader(province):
    at = _page()
    at = _upload(at, "phieu.csv", GOOD)
    at.button(key="surveys_confirm").click().run()
    at = _page("chief")
    assert not at.get("file_uploader")
    assert "chỉ xem" in _texts(at.info)
    assert _frame(at, "table").shape[0] == 9  # 3 units × 3 questions
    assert len(at.get("plotly_chart")) == 1


def test_english_labels(province):
    at = _page(lang="en")
    assert at.title[0].value == "Surveys"
    assert at.selectbox(key="surveys_set_en").label == "Criteria set"
    at = _upload(at, "phieu.csv", GOOD)
    assert any("Preview: phieu.csv" in plain(s.value) for s in at.subheader)
    at = at.button(key="surveys_confirm").click().run()
    assert "Import #" in _texts(at.success)
    table = _frame(at, "table")
    assert list(table.columns)[:3] == ["Unit", "Question", "Percent"]
    assert "fewer than 3 respondents" in _texts(at.warning)


# -- ranks and survey sampling error; the unit page's survey part ---------------------------------

def _imported() -> AppTest:
    at = _upload(_page(), "phieu.csv", GOOD)
    at = at.button(key="surveys_confirm").click().run()
    assert not at.exception, at.exception
    return at


def _noise_table(at: AppTest, shown: bool = False):
    """The rank-interval table's values, or (``shown``) its cells as people read them."""
    [element] = [d for d in at.dataframe if "Khoảng hạng (95%)" in d.value.columns]
    if not shown:
        return element.value
    display = element.proto.arrow_data.styler.display_values  # the Styler's text, Arrow IPC
    return pa.ipc.open_stream(display).read_pandas()


def test_the_rank_interval_button_shows_every_unit_with_an_interval_containing_its_rank(province):
    at = _page()
    assert "Chưa có câu trả lời khảo sát nào" in _texts(at.info)  # nothing to compute yet
    assert not any(b.key == "surveys_noise" for b in at.button)
    at = _imported()
    assert "kết quả lặp lại được" in _texts(at.caption)
    button = at.button(key="surveys_noise")
    assert button.label == "Tính khoảng hạng (bootstrap 200 lần)"
    assert not any("Khoảng hạng (95%)" in d.value.columns for d in at.dataframe)
    at = button.click().run()
    assert not at.exception, at.exception
    table = _noise_table(at)
    assert sorted(table["Đơn vị"]) == ["Xã An", "Xã Bình", "Xã Cát"]
    ranks = table["Hạng"].to_numpy()
    low = table["Khoảng hạng (95%)"].to_numpy()  # the low end, a number (shown "1–2")
    assert sorted(ranks) == [1, 2, 3] and (low <= ranks).all() and (low >= 1).all()
    shown = _noise_table(at, shown=True)  # "2/3", "1–3": what the grid shows
    for r, lo, rank, interval in zip(ranks, low, shown["Hạng"], shown["Khoảng hạng (95%)"]):
        first, last = (int(x) for x in interval.split("–"))
        assert rank == f"{r}/3" and first == lo and first <= r <= last
    flips = table["Tỉ lệ đảo thứ tự"]
    assert flips.dtype == float and flips.isna().sum() == 1  # only the first has none
    assert ((flips.dropna() >= 0) & (flips.dropna() <= 100)).all()
    assert "200 lần mô phỏng, hạt giống 0" in _texts(at.caption)
    sentence = _texts(at.markdown)
    assert "nằm trong sai số của khảo sát" in sentence or "Không có cặp đơn vị" in sentence
    # kept for the current data: a new run (another person) sees it without pressing
    again = _page("chief")
    assert _noise_table(again)["Hạng"].tolist() == table["Hạng"].tolist()


def _unit_page_fn() -> None:
    from par.app.unit import page_unit

    page_unit()


def _unit_page(unit: str) -> AppTest:
    at = AppTest.from_function(_unit_page_fn, default_timeout=60)
    at.session_state["account"] = "office"
    at.session_state["seen"] = time.time()
    at = at.run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="unit")
    at = picker.select_index(picker.options.index(unit)).run()
    assert not at.exception, at.exception
    return at


def test_the_unit_page_shows_its_survey_part_then_the_interval_once_computed(province):
    at = _imported()
    unit = _unit_page("Xã An")
    assert "Phần khảo sát" in _texts(unit.markdown)
    [part] = [d.value for d in unit.dataframe if "Phiếu" in d.value.columns]
    assert set(part["Mã"]) == {"1.1", "1.2"}
    leaf = part[part["Mã"] == "1.1"].iloc[0]  # Xã An: Q1 70%, Q2 75% → 72.5
    assert leaf["Giá trị (%)"] == pytest.approx(72.5) and leaf["Người trả lời"] == 4
    assert leaf["Điểm"] == pytest.approx(7.25) and leaf["Tối đa"] == 10
    assert "Điểm các tiêu chí khảo sát trong chỉ số" in _texts(unit.caption)
    assert "sai số khảo sát" not in _texts(unit.markdown)  # not computed: not computed here
    at = at.button(key="surveys_noise").click().run()
    assert not at.exception, at.exception
    table = _noise_table(at).set_index("Đơn vị")
    unit = _unit_page("Xã An")
    line = [plain(m.value) for m in unit.markdown if "sai số khảo sát" in m.value]
    assert len(line) == 1
    rank = int(table.at["Xã An", "Hạng"])
    assert f"Thứ hạng khi tính cả sai số khảo sát: {rank}/3, khoảng " in line[0]
    assert "hạt giống 0" in line[0]
    cat = _unit_page("Xã Cát")  # a unit below min_responses is flagged
    assert "Phần khảo sát" in _texts(cat.markdown)
    assert "ít người trả lời hơn mức tối thiểu" in _texts(cat.caption)


def _ranking_page_fn() -> None:
    from par.app.ranking import page_ranking

    page_ranking()


def _intervals_caption(at: AppTest) -> str:
    at = at.toggle(key="show_intervals").set_value(True).run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 2  # the ranking chart, then the intervals
    return _texts(at.caption)


def test_the_ranking_pages_rank_interval_includes_the_survey_error(province):
    _imported()  # the survey rows are the period's only rows: nothing to rank before
    at = AppTest.from_function(_ranking_page_fn, default_timeout=60)
    at.session_state["account"] = "office"
    at.session_state["seen"] = time.time()
    at = at.run()
    caption = _intervals_caption(at)
    assert ("Khoảng thứ hạng gồm cả sai số chọn mẫu của khảo sát Cả năm 2025 (Phiếu lãnh "
            "đạo): mỗi lần xếp hạng lấy một trong 200 mẫu lặp") in caption
