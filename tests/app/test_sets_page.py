"""AppTest: the admin's criteria-set page on a province's own database (nothing seeded)."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from conftest import plain
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor
from par.engine.criteria import load_criteria
from par.store import library
from par.store.accounts import Accounts
from par.store.storage import Store

ROOT = Path(__file__).resolve().parents[2]
XA = ROOT / "criteria" / "nghe-an-xa-2025.yaml"
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"


def _sets_page() -> None:
    from par.app.sets import page_sets

    page_sets()


@pytest.fixture
def province(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    store = Store(url)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", PASSWORD)
    accounts.add(Actor("office", "admin"), "chief", "reviewer", PASSWORD)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield store
    st.cache_resource.clear()
    st.cache_data.clear()
    store.dispose()


def _page(name: str = "office", lang: str = "vi") -> AppTest:
    at = AppTest.from_function(_sets_page, default_timeout=60)
    at.session_state["account"] = name
    at.session_state["seen"] = time.time()
    at.session_state["lang"] = lang
    at = at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at = at.file_uploader(key="sets_upload").set_value((name, data, "application/yaml")).run()
    assert not at.exception, at.exception
    return at


def test_upload_preview_store_and_activate_then_copy_for_next_year(province):
    at = _page()
    assert "Chưa lưu bộ chỉ số nào" in plain(at.info[0].value)
    at = _upload(at, "xa.yaml", XA.read_bytes())
    assert any("Xem trước" in s.value for s in at.subheader)
    tree = at.dataframe[-1].value
    assert list(tree.columns)[:3] == ["STT/Mã", "Tên tiêu chí", "Điểm tối đa"]
    assert list(tree["STT/Mã"]) == list(load_criteria(XA).nodes)
    assert library.list_sets(province).empty  # nothing stored before the button
    at = at.button(key="sets_save_1").click().run()
    assert not at.exception and any("đang dùng" in s.value for s in at.success)
    [active] = library.active_sets(province)
    assert active.id == "nghe-an-xa-2025"
    # next year's draft from this year's set
    at = _page()
    assert at.selectbox(key="sets_copy_from").value.startswith("nghe-an-xa-2025@")
    assert at.number_input(key="sets_copy_year").value == 2026
    at = at.button(key="sets_copy").click().run()
    assert not at.exception and any("nghe-an-xa-2026" in s.value for s in at.success)
    stored = library.list_sets(province)
    assert dict(zip(stored["id"], stored["status"])) == {"nghe-an-xa-2026": "draft",
                                                         "nghe-an-xa-2025": "active"}
    # pick the draft: its changes from the active set are listed, activation needs a tick
    at = _page()
    pick = at.selectbox(key="sets_pick")
    assert any("nghe-an-xa-2026" in label and "bản nháp" in label for label in pick.options)
    sha = stored.loc[stored["id"] == "nghe-an-xa-2026", "sha256"].iloc[0]
    at = pick.set_value(f"nghe-an-xa-2026@{sha}").run()
    diff = " ".join(e.label for e in at.expander)
    assert "Khác với nghe-an-xa-2025 (2025)" in diff
    assert at.button(key="sets_activate").disabled
    assert [d.label for d in at.get("download_button")] == ["Tải YAML",
                                                            "Tải bảng tính (mẫu phụ lục)"]
    at = at.checkbox(key="sets_confirm").check().run()
    at = at.button(key="sets_activate").click().run()
    assert not at.exception
    assert {c.id for c in library.active_sets(province)} == {"nghe-an-xa-2025", "nghe-an-xa-2026"}
    assert [a for a in province.audit()["action"] if a.startswith("criteria")] == [
        "criteria_add", "criteria_activate",
                                                "criteria_add", "criteria_activate"]


def test_a_bad_file_lists_every_problem_and_stores_nothing(province):
    text = XA.read_text(encoding="utf-8").replace("max: ", "max: -", 2)
    at = _upload(_page(), "sai.yaml", text.encode("utf-8"))
    message = plain(at.error[0].value)
    assert "chưa lưu được" in message and message.count("sai.yaml") >= 2
    assert not [b for b in at.button if b.key and b.key.startswith("sets_save")]
    assert library.list_sets(province).empty


def test_a_workbook_upload_works_like_a_yaml_one(province):
    from par.read.criteria_book import write_criteria_book

    at = _upload(_page(lang="en"), "annex.xlsx", write_criteria_book(load_criteria(XA)))
    assert any("Preview" in s.value for s in at.subheader)
    at = at.button(key="sets_save_0").click().run()
    assert any("draft" in s.value for s in at.success)
    assert list(library.list_sets(province)["status"]) == ["draft"]


def test_a_reviewer_cannot_use_the_page(province):
    at = _page("chief")
    assert "quản trị viên" in at.info[0].value
    assert not at.file_uploader
