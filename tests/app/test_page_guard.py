"""A page that fails in a way nobody planned shows an error id, never a traceback."""
from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def test_a_failing_page_shows_an_error_id_and_the_log_has_the_traceback(tmp_path, monkeypatch):
    log = tmp_path / "errors.log"
    monkeypatch.setenv("PAR_ERROR_LOG", str(log))
    import par.app.menu as menu

    def broken() -> None:
        raise KeyError("internal detail nobody should see")

    # the first screen
    monkeypatch.setitem(menu.ROUTES, "home", (broken, *menu.ROUTES["home"][1:]))
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    finally:
        st.cache_resource.clear()
    assert not at.exception  # nothing reached Streamlit's own traceback box
    [error] = [e.value for e in at.error]
    error_id = re.search(r"mã lỗi ([0-9a-f]{8})", error).group(1)
    assert "internal detail" not in error
    logged = log.read_text(encoding="utf-8")
    assert error_id in logged and "internal detail nobody should see" in logged
