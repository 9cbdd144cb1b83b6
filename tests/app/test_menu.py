"""The dashboard's menu is the library's (par.domain.auth.menu_for), for every role.

AppTest on dashboard.py, each test on a database of its own: one with an admin account
(the signed-in actor is put in the session as the login page would), one with none.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from par.app.menu import ROUTES
from par.domain.auth import Actor, menu_for
from par.i18n import t

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Mật-khẩu-rất-bí-mật-2025"
VIEW = ["Tổng quan", "Xếp hạng", "Đơn vị", "So sánh đơn vị", "Tiêu chí", "Xu hướng", "Nhập/Xuất dữ liệu"]
BANNER = t("app.sample_banner", "vi")


def _clear_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="module")
def accounts_url(tmp_path_factory) -> str:
    """A seeded database with one admin account."""
    from par.sample.seed import ensure_seeded
    from par.store.accounts import Accounts
    from par.store.storage import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('menu') / 'accounts.db'}"
    s = Store(url)
    ensure_seeded(s)
    accounts = Accounts(s)
    accounts.add(Actor.local_admin(), "office", "admin", SECRET)
    for actor, _ in ROLES.values():  # every session's account, as ROLES describes it
        if actor.name != "office":
            accounts.add(Actor("office", "admin"), actor.name, actor.role, SECRET,
                         sorted(actor.units) or ["-"], sorted(actor.domains))
    with s.engine.begin() as conn:  # a unit account left without units (no command makes one)
        conn.execute(text("UPDATE users SET units = '' WHERE name = 'x'"))
    s.dispose()
    return url


@pytest.fixture
def with_accounts(accounts_url, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", accounts_url)
    _clear_caches()
    yield
    _clear_caches()


@pytest.fixture
def no_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("PAR_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    _clear_caches()
    yield
    _clear_caches()


def _app(actor: Actor | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if actor is not None:  # signed in: the session keeps the account's name only
        at.session_state["account"], at.session_state["seen"] = actor.name, time.time()
    at = at.run()
    assert not at.exception
    return at


def _pages(at: AppTest) -> list[tuple[str, str]]:
    """(title, url path) of each page the navigation offers, in order."""
    return [(p["page_name"], p["url_pathname"]) for p in at._registered_pages.values()]


def _expected(keys: list[str]) -> list[tuple[str, str]]:
    """The default (first) page is served at the root: its url path is empty."""
    return [(t(ROUTES[k][1], "vi"), "" if i == 0 else ROUTES[k][2]) for i, k in enumerate(keys)]


ROLES = {
    "admin": (Actor("office", "admin"), VIEW + ["Tải lên", "Tự chấm", "Thẩm định",
                                                "Đợt chấm điểm", "Khảo sát", "Bộ chỉ số",
                                                "Nhật ký"]),
    "reviewer": (Actor("chief", "reviewer"), VIEW + ["Đợt chấm điểm", "Khảo sát", "Nhật ký"]),
    "unit": (Actor("lan", "unit", frozenset({"cua-lo"})), VIEW + ["Tải lên", "Tự chấm"]),
    "appraiser": (Actor("tp", "appraiser", domains=frozenset({"2"})),
                  VIEW + ["Thẩm định", "Đợt chấm điểm", "Khảo sát"]),
    "unit-without-units": (Actor("x", "unit"), VIEW),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_signed_in_menu_by_role(with_accounts, role):
    actor, titles = ROLES[role]
    at = _app(actor)
    assert [title for title, _ in _pages(at)] == titles
    assert _pages(at) == _expected(menu_for(actor, has_accounts=True))
    assert not at.warning  # no demo banner once accounts exist
    assert any(actor.name in c.value for c in at.sidebar.caption)  # signed in as …


def test_nobody_signed_in_gets_the_login_page_only(with_accounts):
    at = _app()
    assert _pages(at) == [("Đăng nhập", "")] == _expected(menu_for(None, has_accounts=True))
    assert [e.label for e in at.text_input] == ["Tài khoản", "Mật khẩu"]


def test_no_accounts_is_the_read_only_view_even_for_a_session_actor(no_accounts):
    for actor in (None, Actor("office", "admin")):
        at = _app(actor)
        assert [title for title, _ in _pages(at)] == VIEW + ["Đợt chấm điểm", "Khảo sát"]
        assert _pages(at) == _expected(menu_for(actor, has_accounts=False))
        assert "users add" in at.warning[0].value


def test_url_paths_of_every_page():
    assert {k: url for k, (_, _, url) in ROUTES.items()} == {
        "home": "tong-quan", "ranking": "xep-hang", "unit": "don-vi", "compare": "so-sanh",
        "criteria": "tieu-chi", "trends": "xu-huong", "data": "du-lieu", "upload": "tai-len",
        "sets": "bo-chi-so", "audit": "nhat-ky", "login": "dang-nhap", "round_self": "tu-cham",
        "round_appraise": "tham-dinh", "rounds": "dot-cham", "surveys": "khao-sat"}


@pytest.mark.parametrize("mode, shown", [("1", True), ("0", False)])
def test_sample_banner_only_in_sample_mode(no_accounts, monkeypatch, mode, shown):
    monkeypatch.setenv("PAR_SAMPLE_MODE", mode)
    at = _app()
    assert (BANNER in [c.value for c in at.sidebar.caption]) is shown


def test_english_menu(with_accounts):
    at = _app(Actor("office", "admin"))
    at = at.radio(key="lang").set_value("en").run()
    assert [title for title, _ in _pages(at)] == [
        "Overview", "Rankings", "Unit profile", "Compare units", "Criteria", "Trends", "Data in/out",
        "Upload", "Self-assessment", "Appraisal", "Scoring rounds", "Surveys", "Criteria sets",
        "Audit log"]


def test_a_long_menu_is_grouped_in_sections_a_short_one_is_not():
    from par.app.menu import menu_for_pages, pages_for

    keys = menu_for(Actor("office", "admin"), has_accounts=True)
    pages = pages_for(keys, "vi")
    grouped = menu_for_pages(keys, pages, "vi")
    assert list(grouped) == ["Kết quả", "Nhập liệu và chấm điểm", "Quản trị"]
    at = dict(zip(keys, pages))
    assert grouped["Quản trị"] == [at["sets"], at["audit"]]
    assert grouped["Nhập liệu và chấm điểm"] == [at["upload"], at["round_self"],
                                                 at["round_appraise"], at["rounds"],
                                                 at["surveys"]]
    assert sum(map(len, grouped.values())) == len(keys)
    login = menu_for(None, has_accounts=True)
    assert isinstance(menu_for_pages(login, pages_for(login, "en"), "en"), list)
