"""AppTest: what the pages start on for each role, the ranking table's filter, search,
highlight and download, periods in words, and honest empty periods (issue 13)."""
from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import plain
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
PASSWORD = "Mật-khẩu-rất-bí-mật-2025"
NEW_WARD = "p-moi-lap"  # a ward added to the units table after the figures came in


def shown(element) -> pd.DataFrame:
    """A st.dataframe of a Styler as people see it (its values stay numbers)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return convert_arrow_bytes_to_pandas_df(element.proto.arrow_data.styler.display_values)


def highlighted(element) -> list[str]:
    """The unit ids of the rows the table marks."""
    styles = element.proto.arrow_data.styler.styles
    index = element.value.index
    return [u for i, u in enumerate(index)
            if f"_row{i}_col0," in styles or f"_row{i}_col0 " in styles]


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """The sample, an admin, a reviewer, a unit account for Phường Cửa Lò, and a ward
    without any figures."""
    from par.domain.auth import Actor
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('tables') / 'par.db'}"
    s = Store(url)
    ensure_seeded(s)
    s.sync_units(pd.DataFrame([{"id": NEW_WARD, "name": "Phường Mới Lập", "level": "xa",
                                "group": "phuong"}]))
    accounts = Accounts(s)
    accounts.add(Actor.local_admin(), "office", "admin", PASSWORD)
    accounts.add(Actor("office", "admin"), "chief", "reviewer", PASSWORD)
    accounts.add(Actor("office", "admin"), "lan", "unit", PASSWORD, ["p-cua-lo"])
    s.dispose()
    return url


@pytest.fixture
def db(database, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PAR_DATABASE_URL", database)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield database
    st.cache_resource.clear()
    st.cache_data.clear()


def _ranking_in_the_dashboard() -> None:
    """The ranking page as the dashboard runs it (dashboard.py keeps the pickers' state and
    applies the user's defaults before any page; the first screen is the overview)."""
    from par.app.common import keep_picker_state
    from par.app.ranking import page_ranking

    keep_picker_state()
    page_ranking()


def dashboard(account: str | None) -> AppTest:
    at = AppTest.from_function(_ranking_in_the_dashboard, default_timeout=TIMEOUT)
    if account is not None:
        at.session_state["account"] = account
        at.session_state["seen"] = time.time()
    at = at.run()
    assert not at.exception
    return at


def _page(name: str) -> None:
    import importlib

    getattr(importlib.import_module(f"par.app.{name}"), f"page_{name}")()


def page(name: str, account: str | None) -> AppTest:
    at = AppTest.from_function(_page, args=(name,), default_timeout=TIMEOUT)
    if account is not None:
        at.session_state["account"] = account
        at.session_state["seen"] = time.time()
    at = at.run()
    assert not at.exception
    return at


# -- defaults by role -----------------------------------------------------------------------

def test_a_unit_account_starts_on_its_level_period_and_unit(db):
    at = dashboard("lan")
    assert at.selectbox(key="criteria_id").value.id == "nghe-an-xa-2025"
    period = at.selectbox(key="as_of_nghe-an-xa-2025")
    # the latest period with data: the communes' 2025 is scored in one round for the year
    # (par.sample.round), so the year is all there is (the departments' quarters below)
    assert str(period.value) == "2025"
    assert period.options == ["Cả năm 2025"]
    assert at.session_state["unit"] == "p-cua-lo"
    table = at.dataframe[0]
    assert highlighted(table) == ["p-cua-lo"]
    assert any("Phường Cửa Lò" in plain(c.value) and "hạng" in c.value for c in at.caption)


def test_a_unit_accounts_own_choice_stands_afterwards(db):
    at = dashboard("lan")
    box = at.selectbox(key="criteria_id")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    at = at.run()  # another rerun: the defaults are not applied again
    assert at.selectbox(key="criteria_id").value.id == "nghe-an-huyen-2019"
    assert str(at.selectbox(key="as_of_nghe-an-huyen-2019").value) == "2019"  # appraised year


@pytest.mark.parametrize("account", ["office", "chief"])
def test_everyone_else_starts_on_the_latest_set_and_period_without_a_unit(db, account):
    at = dashboard(account)
    assert at.selectbox(key="criteria_id").value.id == "nghe-an-so-2025"
    assert str(at.selectbox(key="as_of_nghe-an-so-2025").value) == "2025-Q3"
    assert "unit" not in at.session_state
    assert highlighted(at.dataframe[0]) == []


def test_demo_mode_defaults():
    at = dashboard(None)  # the shared sample database: no accounts, nobody signed in
    assert at.selectbox(key="criteria_id").value.id == "nghe-an-so-2025"
    assert str(at.selectbox(key="as_of_nghe-an-so-2025").value) == "2025-Q3"


def test_the_unit_page_opens_on_the_unit_accounts_unit(db):
    at = page("unit", "lan")
    assert at.selectbox(key="unit").value == "p-cua-lo"
    assert at.subheader[0].value.startswith("Xếp thứ ") and "/130 · " in at.subheader[0].value
    # the sample's survey part ("Phần khảo sát": its two forms' leaves) comes first
    survey = [d for d in at.dataframe if "Phiếu" in d.value.columns]
    assert len(survey) == 1
    lagging, strengths = [d for d in at.dataframe if "Phiếu" not in d.value.columns][:2]
    assert list(lagging.value.columns)[:3] == ["Mã", "Điểm bị mất", "Điểm"]
    assert lagging.value["Điểm bị mất"].is_monotonic_decreasing
    assert "Thấp hơn trung bình" in lagging.value.columns
    assert "," in shown(lagging)["Điểm bị mất"].iloc[0]  # 1,50 — a decimal comma
    assert strengths.value["Cao hơn trung bình"].is_monotonic_decreasing


# -- honest states ------------------------------------------------------------------------

def test_a_period_without_data_says_so_instead_of_ranking_zeros(db):
    at = dashboard("office")  # the departments' 2025: Q2 and Q3 in
    at = at.selectbox(key="as_of_nghe-an-so-2025").select_index(0).run()  # Quý I/2025
    assert not at.exception
    assert any(plain(i.value).startswith("Chưa có số liệu cho Quý I/2025") for i in at.info)
    assert not at.dataframe and not at.metric
    at = at.selectbox(key="as_of_nghe-an-so-2025").select_index(2).run()
    assert at.dataframe and not any("Chưa có số liệu" in i.value for i in at.info)


def test_a_unit_without_data_is_listed_as_not_submitted_not_ranked(db):
    at = dashboard("lan")
    table, text = at.dataframe[0].value, shown(at.dataframe[0])
    assert text.loc[NEW_WARD, "Hạng"] == "chưa nộp" and pd.isna(table.loc[NEW_WARD, "Hạng"])
    assert table.index[-1] == NEW_WARD
    assert text["Hạng"].iloc[0].endswith("/130")  # the 130 with data; the new ward is 131st
    assert any("1/131 đơn vị chưa nộp" in plain(w.value) for w in at.warning)
    at = page("unit", "lan")
    at = at.selectbox(key="unit").set_value(NEW_WARD).run()
    assert any("chưa nộp số liệu cho Cả năm 2025" in plain(i.value) for i in at.info)


# -- the ranking table ----------------------------------------------------------------------

def test_ranking_filters_by_group_and_finds_names_without_diacritics(db):
    at = dashboard("lan")
    group = at.selectbox(key="ranking_group")
    assert group.options == ["Tất cả", "Phường", "Xã"]
    at = group.set_value("phuong").run()
    text = shown(at.dataframe[0])
    assert set(text["Nhóm"]) == {"Phường"} and len(text) == 12
    assert any("12/131" in c.value for c in at.caption)
    at = at.text_input(key="ranking_search").input("cua lo").run()
    text = shown(at.dataframe[0])
    assert list(text["Đơn vị"]) == ["Phường Cửa Lò"]
    assert highlighted(at.dataframe[0]) == ["p-cua-lo"]
    at = at.text_input(key="ranking_search").input("không có").run()
    assert not at.dataframe and any("không có" in plain(i.value) for i in at.info)


def test_ranking_around_the_selected_unit(db):
    at = dashboard("lan")
    rank = int(at.dataframe[0].value.loc["p-cua-lo", "Hạng"])
    at = at.toggle(key="ranking_around").set_value(True).run()
    ranks = at.dataframe[0].value["Hạng"]
    assert "p-cua-lo" in ranks.index and ((ranks - rank).abs() <= 5).all()
    assert 6 <= len(ranks) <= 11


def test_ranking_numbers_are_numbers_shown_with_a_decimal_comma(db):
    at = dashboard("lan")
    table, text = at.dataframe[0].value, shown(at.dataframe[0])
    assert table["Chỉ số (%)"].dtype == float and table["Hạng"].dtype == float
    assert text["Chỉ số (%)"].str.fullmatch(r"\d{1,3},\d\d|–").all()
    ranked = table["Chỉ số (%)"].dropna()
    assert ranked.is_monotonic_decreasing  # best first


def test_ranking_download_is_the_table_shown(db):
    from par.export.shown import frame_xlsx
    from par.present.frames import ranking_download as download
    from par.present.frames import ranking_table as table_of
    from par.present.tables import filter_units

    at = dashboard("lan")
    at = at.selectbox(key="ranking_group").set_value("phuong").run()
    keys = [b.key for b in at.get("download_button")]
    assert {"ranking_csv", "ranking_xlsx"} <= set(keys)
    # what the page hands to the button, rebuilt from the same library calls
    from par.app import cache
    from par.domain.periods import Period
    from par.engine.standing import rank_submitted

    card = rank_submitted(cache.scorecard("nghe-an-xa-2025", Period(2025, 4)))
    frame = download(card, table_of(card, "vi").rows(filter_units(card.units, "phuong")))
    sheet = openpyxl.load_workbook(io.BytesIO(frame_xlsx(frame))).active
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 12 and all(n.startswith("Phường") for n in names)


def test_english_period_labels_and_group_words(db):
    at = dashboard("lan")
    at.session_state["lang"] = "en"
    at = at.run()
    assert at.selectbox(key="as_of_nghe-an-xa-2025").options[-1] == "Whole year 2025"
    assert at.selectbox(key="ranking_group").options == ["All", "Ward", "Commune"]
    assert shown(at.dataframe[0]).loc[NEW_WARD, "Rank"] == "not submitted"
