"""Refused attempts are in the audit log, and the log can be narrowed to them."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from par import load_criteria, read_units
from par.domain.auth import Actor
from par.domain.issues import ParError
from par.present.frames import filter_audit
from par.store.accounts import Accounts
from par.store.storage import Store
from par.store.submit import import_files

ROOT = Path(__file__).resolve().parents[2]
CRITERIA = load_criteria(ROOT / "criteria" / "nghe-an-huyen-2019.yaml")
UNITS = read_units(ROOT / "data" / "units.csv")
ADMIN = Actor("office", "admin")


def _log():
    return pd.DataFrame({"id": [1, 2, 3, 4], "action": ["import", "refused", "refused", "rollback"],
                         "user": ["office", "Lan", "minh", "office"],
                         "unit": ["vinh", "vinh", "cua-lo", None]})


def test_filter_by_action_user_and_unit_newest_first():
    log = _log()
    assert list(filter_audit(log, ["refused"])["id"]) == [3, 2]
    assert list(filter_audit(log, ["refused"], user="lan")["id"]) == [2]
    assert list(filter_audit(log, None, unit="VINH")["id"]) == [2, 1]
    assert list(filter_audit(log, [], user=" ", unit="")["id"]) == [4, 3, 2, 1]


def _audit_page() -> None:
    from par.app.audit import page_audit

    page_audit()


def test_the_audit_page_shows_refusals_with_who_what_where_and_why(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'par.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")
    store = Store(url)
    store.sync_units(UNITS)
    Accounts(store).add(ADMIN, "office", "admin", "mat-khau-dai-du-2025")
    csv = "unit,period,criterion,value\nvinh,2019-Q1,1.1.1,có\n".encode()
    import_files(store, [("ok.csv", csv)], [CRITERIA], UNITS, actor=ADMIN)
    staff = Actor("lan", "unit", frozenset({"cua-lo"}))
    try:
        import_files(store, [("vinh.csv", csv)], [CRITERIA], UNITS, actor=staff)
    except ParError:
        pass
    store.dispose()
    st.cache_resource.clear()
    try:
        at = AppTest.from_function(_audit_page, default_timeout=60)
        at.session_state["account"] = "office"
        at.session_state["seen"] = time.time()
        at = at.run()
        assert not at.exception
        at = at.multiselect(key="audit_actions").select("refused").run()
        table = at.dataframe[0].value
        assert len(table) == 1
        row = table.iloc[0]
        assert row["Người thực hiện"] == "lan" and row["Đơn vị"] == "vinh"
        assert row["Kỳ"] == "2019-Q1" and "auth.forbidden" in row["Chi tiết"]
    finally:
        st.cache_resource.clear()
