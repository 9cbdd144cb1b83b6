"""AppTest: the Nhật ký page people can use (issue 13, item 6): newest first; filters for
action, user, unit (by name) and period; unit names beside ids; Vietnam time; the SHA-256
shortened on screen and whole in the CSV, which stays formula-safe; refused attempts from
the upload page listed."""
from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from par import load_criteria, read_units
from par.domain.auth import Actor
from par.domain.issues import ParError

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria/nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data/units.csv")
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
ADMIN = Actor("office", "admin")
LAN = Actor("lan", "unit", frozenset({"cua-lo"}))
HEAD = "unit,period,criterion,value\n"


@pytest.fixture
def province(tmp_path, monkeypatch):
    from par.store.accounts import Accounts
    from par.store.storage import Store
    from par.store.submit import import_files

    url = f"sqlite:///{tmp_path / 'par.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    store = Store(url)
    store.sync_units(UNITS)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", PASSWORD)
    accounts.add(ADMIN, "lan", "unit", PASSWORD, ["cua-lo"])
    accounts.add(ADMIN, "chief", "reviewer", PASSWORD)
    import_files(store, [("vinh-q1.csv", (HEAD + "vinh,2019-Q1,1.1.1,có\n").encode())],
                 [CRITERIA], UNITS, actor=ADMIN)
    import_files(store, [("cua-lo-q2.csv", (HEAD + "cua-lo,2019-Q2,1.1.1,có\n").encode())],
                 [CRITERIA], UNITS, actor=LAN)
    with pytest.raises(ParError):  # refused: Lan may not submit for Vinh
        import_files(store, [("=vinh.csv", (HEAD + "vinh,2019-Q2,1.1.1,có\n").encode())],
                     [CRITERIA], UNITS, actor=LAN)
    store.record_refusal("=HYPERLINK(1)", "import", [], unit="vinh", period="2019-Q2")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()
    store.dispose()


def _audit_page() -> None:
    from par.app.audit import page_audit

    page_audit()


def _open(name: str = "office") -> AppTest:
    at = AppTest.from_function(_audit_page, default_timeout=60)
    at.session_state["account"] = name
    at.session_state["seen"] = time.time()
    at = at.run()
    assert not at.exception, at.exception
    return at


def test_newest_first_with_names_vietnam_time_and_a_short_sha(province):
    at = _open("chief")  # leadership reads the log too
    table = at.dataframe[0].value
    assert list(table["Số"]) == sorted(table["Số"], reverse=True)
    assert list(table.columns) == ["Số", "Thời điểm (giờ Việt Nam)", "Người thực hiện",
                                   "Thao tác", "Đơn vị", "Tên đơn vị", "Kỳ", "Chi tiết",
                                   "Lần nộp", "SHA-256 (rút gọn)"]
    imports = table[table["Thao tác"] == "nhập số liệu"]
    assert set(imports["Tên đơn vị"]) == {"Thành phố Vinh", "Thị xã Cửa Lò"}
    assert all(len(s) == 12 for s in imports["SHA-256 (rút gọn)"])
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", v)
               for v in table["Thời điểm (giờ Việt Nam)"])
    assert any(d.startswith("tệp: vinh-q1.csv · 1 dòng") for d in imports["Chi tiết"])


def test_filters_for_action_user_unit_by_name_and_period(province):
    at = _open()
    total = len(at.dataframe[0].value)
    unit = at.selectbox(key="audit_unit")
    assert "Thành phố Vinh (vinh)" in unit.options and unit.options[0] == "Tất cả"
    at = unit.select_index(unit.options.index("Thành phố Vinh (vinh)")).run()
    table = at.dataframe[0].value
    assert set(table["Đơn vị"]) == {"vinh"} and len(table) == 3
    at = at.multiselect(key="audit_actions").select("refused").run()
    assert set(at.dataframe[0].value["Thao tác"]) == {"bị từ chối"}
    user = at.selectbox(key="audit_user")
    at = user.select_index(user.options.index("lan")).run()
    period = at.selectbox(key="audit_period")
    assert period.options[:3] == ["Tất cả", "Quý II/2019", "Quý I/2019"]
    at = period.select_index(period.options.index("Quý II/2019")).run()
    table = at.dataframe[0].value
    assert len(table) == 1
    row = table.iloc[0]
    assert row["Người thực hiện"] == "lan" and row["Tên đơn vị"] == "Thành phố Vinh"
    assert "=vinh.csv" in row["Chi tiết"] and "auth.forbidden" in row["Chi tiết"]
    assert plain_caption(at) == f"Hiển thị 1/{total} mục, mới nhất trước."
    at = period.select_index(period.options.index("Quý I/2019")).run()
    assert not at.dataframe and at.info  # nothing matches: said so


def plain_caption(at: AppTest) -> str:
    return at.caption[0].value


def test_the_csv_keeps_full_values_and_stays_formula_safe(province):
    from par.app.audit import audit_csv

    at = _open()
    data = audit_csv("vi")
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(at.dataframe[0].value)
    imports = [r for r in rows if r["Mã thao tác"] == "import"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["SHA-256 tệp nguồn"]) for r in imports)
    assert all(r["Thời điểm (UTC)"].endswith("+00:00") for r in rows)
    assert {r["Tên đơn vị"] for r in imports} == {"Thành phố Vinh", "Thị xã Cửa Lò"}
    assert "'=HYPERLINK(1)" in [r["Người thực hiện"] for r in rows]
    cells = [c for r in rows for c in r.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_a_refusal_on_the_upload_page_is_listed(province):
    def upload_page() -> None:
        from par.app.upload import page_upload

        page_upload()

    at = AppTest.from_function(upload_page, default_timeout=60)
    at.session_state["account"] = "lan"
    at.session_state["seen"] = time.time()
    at = at.run()
    periods = at.selectbox(key="upload_period")
    at = periods.select_index(periods.options.index("2019-Q4")).run()
    at = at.get("file_uploader")[0].upload(
        "cua-vinh.csv", (HEAD + "vinh,2019-Q4,1.1.1,có\n").encode()).run()
    assert at.error
    log = _open()
    log = log.multiselect(key="audit_actions").select("refused").run()
    table = log.dataframe[0].value
    row = table.iloc[0]  # the newest
    assert row["Người thực hiện"] == "lan" and row["Kỳ"] == "2019-Q4"
    assert row["Tên đơn vị"] == "Thị xã Cửa Lò"  # the unit the page showed
    assert "cua-vinh.csv" in row["Chi tiết"] and "import.other_unit" in row["Chi tiết"]
