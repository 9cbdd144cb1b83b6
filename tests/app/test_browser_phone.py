"""Real browser on a phone (390×844, touch): the sidebar closes once a page is picked, and
the ranking, its table and chart and the unit page read on a narrow screen. Screenshots
under test-output/screenshots/phone-*.png."""
from __future__ import annotations

import pytest
from server import (
    STREAMLIT,
    UI_TIMEOUT,
    app_exceptions,
    chromium,
    count_runs,
    running,
    settle,
    shot,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("phone")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAR_DATABASE_URL", f"sqlite:///{folder / 'par.db'}")
        mp.setenv("PAR_SAMPLE_MODE", "1")
        with running(STREAMLIT, folder / "server.log") as (base, _):
            yield base


@pytest.fixture
def phone(server):
    with chromium() as browser:
        context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True,
                                      has_touch=True, device_scale_factor=2)
        context.set_default_timeout(UI_TIMEOUT)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("websocket", lambda ws: count_runs(page, ws))
        page.goto(server)
        page.get_by_role("heading", name="Tổng quan", exact=True).wait_for()
        settle(page)
        yield page
        context.close()
        assert not errors, f"JavaScript errors in the page: {errors}"


def _open_page(page, title: str) -> None:
    """Open the sidebar with its own button and tap a page link, as a person does."""
    page.get_by_test_id("stExpandSidebarButton").click()
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    link.wait_for()
    link.click()
    page.get_by_role("heading", name=title, exact=True).wait_for()
    settle(page)


def _sidebar_closed(page) -> bool:
    """Wait (up to the UI timeout) for the sidebar to slide out of view; whether it did."""
    page.wait_for_function("""() => {
        const s = document.querySelector('[data-testid="stSidebar"]');
        const box = s && s.getBoundingClientRect();
        return !box || box.right <= 0; }""")
    box = page.get_by_test_id("stSidebar").bounding_box()
    return box is None or box["x"] + box["width"] <= 0


def test_the_sidebar_closes_after_a_page_is_picked(phone):
    shot(phone, "phone-1-overview")
    _open_page(phone, "Xếp hạng")
    assert _sidebar_closed(phone)
    assert phone.get_by_test_id("stExpandSidebarButton").is_visible()
    assert phone.get_by_test_id("stMetricLabel").first.is_visible()  # the page, not the menu
    shot(phone, "phone-2-ranking")
    grid = phone.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    headers = [h.strip() for h in grid.locator('th[role="columnheader"]').all_text_contents()]
    assert headers[:3] == ["Hạng", "Đơn vị", "Chỉ số (%)"]  # the key columns come first
    shot(phone, "phone-3-ranking-table")
    _open_page(phone, "Đơn vị")
    assert _sidebar_closed(phone)
    assert not app_exceptions(phone)
    shot(phone, "phone-4-unit")
