"""AppTest: the first screen (Tổng quan) for the office and for a unit's staff."""
from __future__ import annotations

import time

import pytest
import streamlit as st
from conftest import plain
from streamlit.testing.v1 import AppTest

from par.domain.auth import Actor

PASSWORD = "Mật-khẩu-rất-bí-mật-2025"


def _home() -> None:
    from par.app.home import page_home

    page_home()


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory) -> str:
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('home') / 'par.db'}"
    store = Store(url)
    ensure_seeded(store)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", PASSWORD)
    accounts.add(Actor("office", "admin"), "lan", "unit", PASSWORD, units=["p-cua-lo"])
    store.dispose()
    return url


@pytest.fixture
def home(sample_url, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", sample_url)
    st.cache_resource.clear()
    st.cache_data.clear()

    def run(name: str, lang: str = "vi") -> AppTest:
        at = AppTest.from_function(_home, default_timeout=120)
        at.session_state["account"] = name
        at.session_state["seen"] = time.time()
        at.session_state["lang"] = lang
        at = at.run()
        assert not at.exception, at.exception
        return at

    yield run
    st.cache_resource.clear()
    st.cache_data.clear()


def test_the_office_sees_each_level_in_one_sentence_with_its_figures(home):
    at = home("office")
    assert at.title[0].value == "Tổng quan"
    sentences = [plain(m.value) for m in at.markdown if "đã nộp" in plain(m.value)]
    assert len(sentences) == 3  # one per active set with data: so, xa, huyen
    # the communes' 2025 is scored in one round for the year (par.sample.round)
    assert any(s.startswith("130 xã, phường — 130 đã nộp Cả năm 2025") for s in sentences)
    assert any(s.startswith("21 huyện, thị xã, thành phố — 21 đã nộp Cả năm 2019") for s in
               sentences)
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Đơn vị", "Đã nộp", "Cao nhất", "Thấp nhất"]
    assert [m.value for m in at.metric if m.label == "Đã nộp"][1] == "130/130"
    assert any(c.value.startswith("Số liệu cập nhật lần cuối: ") for c in at.caption)
    movers = at.dataframe[0].value
    assert list(movers.columns) == ["Đơn vị", "Hạng", "Hạng kỳ trước", "Thay đổi (bậc)"]


def test_a_unit_user_sees_their_own_unit(home):
    at = home("lan")
    assert [s.value for s in at.subheader] == ["Phường Cửa Lò"]
    head = plain(at.markdown[0].value)
    assert head.startswith("**Xếp thứ ") and "/130 · " in head and "Cả năm 2025" in head
    costly = at.dataframe[0].value
    assert len(costly) == 3 and list(costly.columns)[:3] == ["Mã", "Tiêu chí", "Điểm bị mất"]
    texts = [plain(m.value) for m in at.markdown]
    assert any(t.startswith("**Để lên hạng**: ") for t in texts)
    assert any(t.startswith("**Việc cần làm**: ") for t in texts)
    assert at.session_state["unit"] == "p-cua-lo"  # the unit page opens on their unit


def test_english(home):
    at = home("office", "en")
    assert at.title[0].value == "Overview"
    assert any("communes and wards" in plain(m.value) for m in at.markdown)
