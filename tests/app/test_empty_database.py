"""A province's own database: the dashboard never seeds it and says what to do first."""
from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from par.store.schema import (
    audit_log,
    criteria_sets,
    input_rows,
    submissions,
    units,
    users,
)
from par.store.storage import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'province.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.delenv("PAR_SAMPLE_MODE", raising=False)  # a configured URL alone: real data
    st.cache_resource.clear()
    st.cache_data.clear()
    yield url
    st.cache_resource.clear()
    st.cache_data.clear()


def _counts(url: str) -> dict[str, int]:
    store = Store(url)
    with store.engine.connect() as conn:
        out = {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
               for t in (submissions, input_rows, units, criteria_sets, audit_log, users)}
    store.dispose()
    return out


def test_a_fresh_database_stays_empty_after_the_dashboard_starts(fresh_database):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    at = at.run()  # a second run (a rerun) seeds nothing either
    assert not at.exception
    assert _counts(fresh_database) == {"submissions": 0, "input_rows": 0, "units": 0,
                                       "criteria_sets": 0, "audit_log": 0, "users": 0}
    info = " ".join(i.value for i in at.info)
    assert "chưa có số liệu" in info and "par users add" in info and "par import" in info
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "mô phỏng" not in sidebar  # no "synthetic data" banner outside sample mode


def test_sample_mode_seeds_and_shows_the_banner(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'sample.db'}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setenv("PAR_SAMPLE_MODE", "1")
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
        assert not at.exception
        assert "mô phỏng" in " ".join(c.value for c in at.sidebar.caption)
        assert not [i for i in at.info if "chưa có số liệu" in i.value]
    finally:
        st.cache_resource.clear()
    assert _counts(url)["submissions"] > 0
