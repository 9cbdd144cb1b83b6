"""AppTest: the Tải lên page cannot mislead (issue 13, item 4) and its rollback asks first
(item 6): refusals name the unit before any preview; the preview names the period and shows
the year to date and the whole year; the rank after saving; Vietnamese CSV headers; the set
picked on the page; no command-line option in any message; the uploader in Vietnamese with
par's real cap; a rollback shows its effect and needs a tick."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import streamlit as st
from conftest import plain
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
VI_HEAD = "đơn vị,kỳ,tiêu chí,giá trị,tử số,mẫu số\n"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('upload') / 'par.db'}"
    s = Store(url)
    ensure_seeded(s)
    accounts = Accounts(s)
    accounts.add(Actor.local_admin(), "office", "admin", PASSWORD)
    accounts.add(Actor("office", "admin"), "lan", "unit", PASSWORD, ["cua-lo"])
    s.dispose()
    return url


@pytest.fixture
def db(database, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", database)
    monkeypatch.delenv("PAR_MAX_UPLOAD_MB", raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield database
    st.cache_resource.clear()
    st.cache_data.clear()


def _page() -> None:
    from par.app.upload import page_upload

    page_upload()


def _open(user="office", period="2019-Q4", set_needle="cấp huyện", lang="vi") -> AppTest:
    at = AppTest.from_function(_page, default_timeout=TIMEOUT)
    at.session_state["account"] = user
    at.session_state["seen"] = time.time()
    at.session_state["lang"] = lang
    at = at.run()
    assert not at.exception, at.exception
    box = at.selectbox(key="upload_set")
    at = box.select_index(next(i for i, o in enumerate(box.options) if set_needle in o)).run()
    unit = at.selectbox(key="upload_unit")
    if "Thị xã Cửa Lò" in unit.options:
        at = unit.select_index(unit.options.index("Thị xã Cửa Lò")).run()
    periods = at.selectbox(key="upload_period")
    return periods.select_index(periods.options.index(period)).run()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at = at.get("file_uploader")[0].upload(name, data).run()
    assert not at.exception, at.exception
    return at


def _markdown(at: AppTest) -> list[str]:
    return [plain(m.value) for m in at.markdown]


def _errors(at: AppTest) -> str:
    return "\n".join(plain(e.value) for e in at.error)


def test_vietnamese_headers_work_and_the_preview_names_the_period_quarter_and_year(db):
    at = _upload(_open(), "tieng-viet.csv",
                 (VI_HEAD + "Thị xã Cửa Lò,2019-Q4,1.1.1,không,,\n").encode())
    assert not at.error
    assert "Thị xã Cửa Lò (cua-lo), Quý IV/2019, tự chấm" in plain(at.success[0].value)
    text = _markdown(at)
    assert any("Thị xã Cửa Lò" in m and "số liệu Quý IV/2019" in m for m in text), text
    captions = [m for m in text if m.startswith("**")]
    assert captions[0].startswith("**Lũy kế đến Quý IV/2019**: chỉ số giảm")
    assert captions[1].startswith("**Cả năm 2019**: chỉ số")
    quarter, year = at.dataframe[0].value, at.dataframe[1].value
    for table in (quarter, year):
        assert list(table.columns) == ["Đơn vị", "Chỉ số trước", "Chỉ số sau", "Hạng trước",
                                       "Hạng sau"]
        assert table.iloc[0]["Đơn vị"] == "Thị xã Cửa Lò"
    assert quarter.iloc[0]["Hạng trước"] != quarter.iloc[0]["Hạng sau"]  # it matters in Q4
    assert year.iloc[0]["Hạng trước"] == "14/21"  # the appraised year
    assert at.button(key="confirm_upload")


def test_a_file_for_another_unit_is_refused_by_name_before_any_preview_and_audited(db):
    from par.store.storage import Store

    at = _upload(_open("lan"), "vinh.csv", (VI_HEAD + "vinh,2019-Q4,1.1.1,có,,\n").encode())
    error = _errors(at)
    assert "Thành phố Vinh (vinh)" in error and "Thị xã Cửa Lò (cua-lo)" in error
    assert "không được nộp" in error  # the account may not submit for Vinh
    assert not at.dataframe or "Chỉ số trước" not in at.dataframe[0].value.columns
    assert "confirm_upload" not in [b.key for b in at.button]
    assert not [m for m in _markdown(at) if m.startswith("**Lũy kế")]
    log = Store(db).audit()
    refused = log[(log["action"] == "refused") & (log["user"] == "lan")]
    assert len(refused) >= 1 and refused.iloc[-1]["unit"] == "cua-lo"
    assert "vinh.csv" in refused.iloc[-1]["detail"]


def test_the_set_picked_on_the_page_is_the_one_the_file_is_checked_against(db):
    from par import load_criteria, read_units
    from par.domain.periods import Period
    from par.read.template import build_template

    xa = load_criteria(ROOT / "criteria/nghe-an-xa-2025.yaml")
    template = build_template(xa, read_units(ROOT / "data/units.csv"), ["p-cua-lo"],
                              Period(2025, 3))
    at = _upload(_open(), "mau-xa.xlsx", template)  # the district set is picked
    error = _errors(at)
    assert "'nghe-an-xa-2025'" in error and "'nghe-an-huyen-2019'" in error, error
    assert "hệ thống không có bộ chỉ số" not in error  # it has it; it is not the one picked
    assert "confirm_upload" not in [b.key for b in at.button]


BAD_FILES = {
    "khong-ro.csv": "a,b\n1,2\n",
    "nam-khac.csv": VI_HEAD + "cua-lo,2025-Q4,1.1.1,có,,\n",
    "don-vi-la.csv": VI_HEAD + "khong-co,2019-Q4,1.1.1,có,,\n",
    "ky-khac.csv": VI_HEAD + "cua-lo,2019-Q3,1.1.1,có,,\n",
    "trong.csv": VI_HEAD,
    "hong.xlsx": "not a workbook",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_no_message_the_page_shows_names_a_command_line_option(db, name):
    at = _upload(_open(), name, BAD_FILES[name].encode())
    error = _errors(at)
    assert error, name
    assert not re.search(r"(^|\s)--[a-z]", error), error
    assert "python -m" not in error


def test_after_saving_the_new_rank_is_shown_as_the_preview_said(db):
    at = _upload(_open(), "q4.csv", (VI_HEAD + "cua-lo,2019-Q4,1.1.2,,1,21\n").encode())
    expected = at.dataframe[0].value.iloc[0]["Hạng sau"]
    at = at.button(key="confirm_upload").click().run()
    assert not at.exception
    assert any(re.fullmatch(r"Đã lưu: lần nộp #\d+\.", s.value) for s in at.success)
    standing = plain(at.info[0].value)
    assert standing.startswith("Thị xã Cửa Lò nay xếp thứ ")
    assert f"**{expected}**" in standing and "lũy kế đến Quý IV/2019" in standing
    assert "cả năm 2019" in standing
    history = at.dataframe[-1].value
    assert history.iloc[0]["Tệp nguồn"] == "q4.csv"  # newest first
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", history.iloc[0]["Thời điểm (giờ Việt Nam)"])
    assert len(history.iloc[0]["SHA-256 (rút gọn)"]) == 12


def test_a_rollback_shows_its_effect_and_asks_for_a_tick_first(db):
    from par.store.storage import Store

    at = _upload(_open(period="2019-Q3"), "moi.csv",
                 (VI_HEAD + "cua-lo,2019-Q3,1.1.1,không,,\n").encode())
    at = at.button(key="confirm_upload").click().run()
    history = Store(db).history("cua-lo")
    [earlier] = list(history[(history["period"] == "2019-Q3") &
                             (history["status"] == "superseded")]["id"])
    at = _open(period="2019-Q3")
    pick = next(s for s in at.selectbox if s.key.startswith("rollback_pick"))
    assert pick.value is None  # nothing computed or offered before a choice
    assert "rollback" not in [b.key for b in at.button]
    at = pick.set_value(earlier).run()
    assert not at.exception
    text = _markdown(at)
    assert any(f"Nếu khôi phục lần nộp #{earlier}" in m for m in text), text
    captions = [m for m in text if m.startswith("**Lũy kế đến Quý III/2019**")]
    assert captions and "tăng" in captions[0]
    effect = at.dataframe[-2].value  # the year to date table (the whole year's follows)
    assert list(effect.columns)[-1] == "Hạng sau"
    expected = effect.iloc[0]["Hạng sau"]
    assert at.button(key="rollback").disabled  # the tick comes first
    at = at.checkbox[0].check().run()
    assert not at.button(key="rollback").disabled
    at = at.button(key="rollback").click().run()
    assert not at.exception
    assert any(f"Đã khôi phục lần nộp #{earlier}." == s.value for s in at.success)
    assert f"**{expected}**" in plain(at.info[0].value)
    now = Store(db).history("cua-lo")
    assert now.loc[now["id"] == earlier, "status"].iloc[0] == "current"
    assert "rollback" in set(Store(db).audit()["action"])


def test_the_uploader_reads_in_vietnamese_with_the_real_cap(db, monkeypatch):
    from par.app.uploader import uploader_css, uploader_texts

    assert uploader_texts(["xlsx", "csv"], "vi") == {
        "button": "Chọn tệp", "limit": "Tối đa 10 MB mỗi tệp • XLSX, CSV",
        "drop": "Thả tệp vào đây"}
    monkeypatch.setenv("PAR_MAX_UPLOAD_MB", "2.5")
    assert uploader_texts(["yaml"], "vi")["limit"] == "Tối đa 2,5 MB mỗi tệp • YAML"
    assert uploader_texts(["yaml"], "en")["limit"] == "Up to 2.5 MB per file • YAML"
    css = uploader_css("upload_file_0", ["xlsx", "csv"], "vi")
    assert '.st-key-upload_file_0 [data-testid="stFileUploaderDropzoneInstructions"] span' in css
    assert 'content: "Tối đa 2,5 MB mỗi tệp • XLSX, CSV"' in css
    assert 'content: "Chọn tệp"' in css and 'content: "Thả tệp vào đây"' in css
    assert '\\22 ' in uploader_css("k", ['x"y'], "vi")  # a quote cannot end the string
    with pytest.raises(ValueError):
        uploader_css("a b{", ["csv"], "vi")
    at = _open()
    styles = [e.proto.body for e in at.get("html")]
    assert any(".st-key-upload_file_0" in s and "Tối đa 2,5 MB" in s for s in styles), styles
