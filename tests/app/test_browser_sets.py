"""Real browser: a province's PAR office sets up its year's criteria set on the dashboard.

A province's own database (PAR_DATABASE_URL, not sample mode: nothing seeded) with one admin
account. At an office laptop's 1366×768: log in, open "Bộ chỉ số", upload a YAML with a
mistake (every problem listed, nothing stored), upload the right file (the tree preview),
store and activate it, then start next year's draft from it. Screenshots under
test-output/screenshots/sets-*.png.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from server import (
    STREAMLIT,
    UI_TIMEOUT,
    app_exceptions,
    chromium,
    count_runs,
    rerun,
    running,
    settle,
    shot,
    upload,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
XA = ROOT / "criteria" / "nghe-an-xa-2025.yaml"
ADMIN, PASSWORD = "van-phong", "Mật-khẩu-rất-bí-mật-2025"
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from par.domain.auth import Actor
    from par.store.accounts import Accounts
    from par.store.storage import Store

    folder = tmp_path_factory.mktemp("province")
    url = f"sqlite:///{folder / 'province.db'}"
    store = Store(url)
    Accounts(store).add(Actor.local_admin(), ADMIN, "admin", PASSWORD)
    store.dispose()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", url)
        mp.setenv("PAR_SAMPLE_MODE", "0")
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base, url


@pytest.fixture
def page(province):
    with chromium() as browser:
        context = browser.new_context(viewport=LAPTOP, locale="vi-VN")
        context.set_default_timeout(UI_TIMEOUT)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("websocket", lambda ws: count_runs(pg, ws))
        pg.goto(province[0])
        yield pg
        context.close()
        assert not errors, f"JavaScript errors in the page: {errors}"


def test_the_office_uploads_activates_and_copies_its_criteria_set(page, province, tmp_path):
    from par.store import library
    from par.store.storage import Store

    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_role("textbox", name="Tài khoản", exact=True).fill(ADMIN)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Bộ chỉ số", exact=True).click()
    page.get_by_role("heading", name="Bộ chỉ số", exact=True).wait_for()
    page.get_by_text("Chưa lưu bộ chỉ số nào", exact=False).wait_for()
    settle(page)
    shot(page, "sets-1-empty")

    bad = tmp_path / "bo-chi-so-sai.yaml"
    bad.write_text(XA.read_text(encoding="utf-8").replace("max: ", "max: -", 2),
                   encoding="utf-8")
    upload(page, bad)
    error = page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert "chưa lưu được" in error and error.count("bo-chi-so-sai.yaml") >= 2
    shot(page, "sets-2-problems")

    good = tmp_path / "nghe-an-xa-2025.yaml"
    good.write_bytes(XA.read_bytes())
    upload(page, good)
    page.get_by_role("heading", name="Xem trước:", exact=False).wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    shot(page, "sets-3-preview")
    with rerun(page):
        page.get_by_role("button", name="Lưu và kích hoạt", exact=True).click()
    page.get_by_test_id("stToast").get_by_text("Đã lưu nghe-an-xa-2025 (đang dùng)").wait_for()
    assert not app_exceptions(page)
    store = Store(province[1])
    assert [c.id for c in library.active_sets(store)] == ["nghe-an-xa-2025"]

    with rerun(page):
        page.get_by_role("button", name="Tạo bản nháp", exact=True).click()
    # said where the person is (a toast: the page keeps its scroll) and at the top
    page.get_by_test_id("stToast").get_by_text("Đã tạo bản nháp nghe-an-xa-2026").wait_for()
    page.get_by_test_id("stMainBlockContainer").get_by_text(
        "Đã tạo bản nháp nghe-an-xa-2026").wait_for()
    shot(page, "sets-4-copied")
    stored = library.list_sets(store)
    assert dict(zip(stored["id"], stored["status"])) == {"nghe-an-xa-2026": "draft",
                                                         "nghe-an-xa-2025": "active"}
    store.dispose()
    assert not app_exceptions(page)
