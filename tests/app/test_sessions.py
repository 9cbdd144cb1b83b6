"""Dashboard sessions against the accounts table (AppTest on dashboard.py).

Issue "No upload can take the server down…": a session keeps the account's name only and
reads the account at every rerun (A); login answers alike for every refusal and throttles
per (source, account) (B); a database that cannot be reached or is busy gives a message
with an error id, never a traceback (C, E); nothing can be uploaded before login (D).
"""
from __future__ import annotations

import logging
import re
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from par.app import auth_ui
from par.domain.auth import Actor
from par.i18n import t
from par.store import accounts as accounts_module
from par.store.accounts import Accounts, LoginThrottle
from par.store.storage import Store

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Mật-khẩu-rất-bí-mật-2025"
ADMIN = Actor("office", "admin")
LOGIN = "Đăng nhập"


def _clear_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    from par.sample.seed import ensure_seeded

    url = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'seeded.db'}"
    s = Store(url)
    ensure_seeded(s)
    s.dispose()
    return url


@pytest.fixture
def site(seeded_url, tmp_path, monkeypatch) -> Store:
    """The dashboard on a copy of a seeded database with an admin and a unit account; a fresh
    login throttle. Yields a Store on that database (for the admin's changes)."""
    path = tmp_path / "site.db"
    with sqlite3.connect(seeded_url.removeprefix("sqlite:///")) as src, \
            sqlite3.connect(path) as dst:
        src.backup(dst)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("PAR_DATABASE_URL", url)
    monkeypatch.setattr(accounts_module, "THROTTLE", LoginThrottle())
    store = Store(url)
    accounts = Accounts(store)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    accounts.add(ADMIN, "lan", "unit", SECRET, ["cua-lo"])
    _clear_caches()
    yield store
    store.dispose()
    _clear_caches()


def _dashboard() -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not at.exception
    return at


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at = at.button[0].click().run()
    assert not at.exception
    return at


def _titles(at: AppTest) -> list[str]:
    return [p["page_name"] for p in at._registered_pages.values()]


# -- A: every rerun reads the account again ---------------------------------------------

@pytest.mark.parametrize("change", ["disable", "delete"])
def test_disabled_or_deleted_account_is_signed_out_at_the_next_rerun(site, change):
    at = _log_in(_dashboard(), "lan", SECRET)
    assert "Tải lên" in _titles(at)
    if change == "disable":
        Accounts(site).disable(ADMIN, "lan")
    else:
        with site.engine.begin() as conn:
            conn.execute(text("DELETE FROM users WHERE name = 'lan'"))
    at = at.run()
    assert not at.exception
    assert _titles(at) == [LOGIN]
    assert [w.value for w in at.warning] == [t("auth.signed_out", "vi")]
    assert not any("lan" in c.value for c in at.sidebar.caption)
    at = at.run()  # and it stays signed out
    assert _titles(at) == [LOGIN]


def test_demoted_admin_loses_the_upload_page_at_the_next_rerun(site):
    at = _log_in(_dashboard(), "office", SECRET)
    assert {"Tải lên", "Nhật ký"} <= set(_titles(at))
    Accounts(site).set_role(ADMIN, "office", "reviewer")
    at = at.run()
    assert not at.exception
    assert "Tải lên" not in _titles(at) and "Nhật ký" in _titles(at)
    assert any("(lãnh đạo, chỉ xem)" in c.value for c in at.sidebar.caption)


def _upload_page() -> None:
    from par.app.upload import page_upload

    page_upload()


def test_new_units_apply_at_the_next_rerun(site):
    at = AppTest.from_function(_upload_page, default_timeout=60)
    at.session_state["account"], at.session_state["seen"] = "lan", time.time()
    at = at.run()
    box = at.selectbox(key="upload_set")
    at = box.select_index(next(i for i, o in enumerate(box.options) if "cấp huyện" in o)).run()
    assert at.selectbox(key="upload_unit").options == ["Thị xã Cửa Lò"]
    Accounts(site).set_role(ADMIN, "lan", "unit", ["cua-lo", "vinh"])
    at = at.run()
    assert sorted(at.selectbox(key="upload_unit").options) == ["Thành phố Vinh", "Thị xã Cửa Lò"]


def test_the_session_keeps_the_name_only(site):
    at = _log_in(_dashboard(), "office", SECRET)
    assert at.session_state["account"] == "office"
    assert "actor" not in at.session_state


# -- B: one answer for every refusal; an outsider cannot lock the admin out --------------

def test_login_page_gives_one_answer_for_unknown_disabled_and_wrong(site):
    Accounts(site).add(ADMIN, "gone", "reviewer", SECRET)
    Accounts(site).disable(ADMIN, "gone")
    answers = {}
    for name, password in [("nobody", SECRET), ("gone", SECRET), ("office", "wrong password")]:
        at = _log_in(_dashboard(), name, password)
        answers[name] = [e.value for e in at.error]
        assert _titles(at) == [LOGIN]
    assert answers["nobody"] == answers["gone"] == answers["office"]
    assert len(answers["office"]) == 1 and "gone" not in answers["gone"][0]


def test_failures_from_another_source_never_block_the_admin(site, monkeypatch):
    monkeypatch.setattr(auth_ui, "client_source", lambda: "203.0.113.9")
    at = _dashboard()
    for _ in range(12):
        at = _log_in(at, "office", "guess")
    at = _log_in(at, "office", SECRET)  # the attacker, even with the password, must wait
    assert _titles(at) == [LOGIN] and at.error

    monkeypatch.setattr(auth_ui, "client_source", lambda: "198.51.100.7")
    at = _log_in(_dashboard(), "office", SECRET)
    assert "Tải lên" in _titles(at)
    monkeypatch.setattr(auth_ui, "client_source", lambda: None)  # AppTest's own: one source
    at = _log_in(_dashboard(), "office", SECRET)
    assert "Tải lên" in _titles(at)


# -- C and E: database trouble is a message with an id, never a traceback ---------------

def _error_id(message: str) -> str:
    found = re.findall(r"\b[0-9a-f]{8}\b", message)
    assert len(found) == 1, message
    return found[0]


def test_unreachable_database_shows_a_message_with_an_error_id(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path}")  # a directory
    caplog.set_level(logging.ERROR, logger="par")
    _clear_caches()
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
        assert not at.exception
        [error] = [e.value for e in at.error]
        error_id = _error_id(error)
        assert error == t("auth.db_error", "vi", id=error_id)
        assert "Traceback" not in error and "sqlalchemy" not in error.lower()
        logged = [r for r in caplog.records if r.name == "par" and error_id in r.getMessage()]
        assert logged and logged[0].exc_info is not None  # the traceback stays on the server
        at = at.radio(key="lang").set_value("en").run()
        assert not at.exception
        assert at.error[0].value == t("auth.db_error", "en", id=_error_id(at.error[0].value))
    finally:
        _clear_caches()


@pytest.mark.parametrize("cause, key", [
    ("unable to open database file", "auth.db_error"),
    ("database is locked", "auth.db_busy"),
])
def test_login_with_database_trouble_says_so_with_an_error_id(site, monkeypatch, caplog,
                                                              cause, key):
    def failing(self, *args, **kwargs):
        raise OperationalError("SELECT users", {}, sqlite3.OperationalError(cause))

    at = _dashboard()
    monkeypatch.setattr(Accounts, "login", failing)
    caplog.set_level(logging.WARNING, logger="par")
    at = _log_in(at, "office", SECRET)
    [error] = [e.value for e in at.error]
    error_id = _error_id(error)
    assert error == t(key, "vi", id=error_id)
    assert cause not in error and "Traceback" not in error
    assert any(error_id in r.getMessage() for r in caplog.records if r.name == "par")
    assert _titles(at) == [LOGIN]


# -- D: no upload widget before login -------------------------------------------------------

def test_nothing_to_upload_before_login(site):
    at = _dashboard()
    assert _titles(at) == [LOGIN]
    assert not at.get("file_uploader")
    assert all(p["url_pathname"] != "tai-len" for p in at._registered_pages.values())


def test_nothing_to_upload_in_demo_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("PAR_SAMPLE_MODE", "0")  # a province's new database: no accounts yet
    _clear_caches()
    try:
        at = _dashboard()
        assert "Tải lên" not in _titles(at) and not at.get("file_uploader")
    finally:
        _clear_caches()
